"""The Python examples in README.md and docs/python.md run as written (in a scratch folder, with
the demo's results file in place), so the documentation cannot drift from the API."""
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]  # the repository
CLI = os.path.abspath(os.environ.get("PARASPINE_CLI", "build/paraspine"))


def blocks(doc):
    return re.findall(r"```python\n(.*?)```", (ROOT / doc).read_text(), flags=re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/python.md"])
def test_python_examples_run(doc, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    code = blocks(doc)
    assert code, f"{doc} has no python examples"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build").mkdir()
    r = subprocess.run([CLI, "run", "rounded_back_lift", "-o", "build/rounded_back_lift.h5"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    namespace = {"__name__": "__main__"}  # as a script runs them: the spawn-pool example's guard is true
    for block in code:
        exec(compile(block, doc, "exec"), namespace)
    plt.close("all")


def test_spawn_pool_example_runs_as_a_script(tmp_path):
    # docs/python.md's pool example, saved as a script and run: without its `if __name__ ==
    # "__main__":` guard each spawned worker imported the script and tried to start a pool itself
    # (RuntimeError "...bootstrapping phase...": review of session 11, F11).
    block = next(b for b in blocks("docs/python.md") if 'get_context("spawn")' in b)
    script = tmp_path / "pool_example.py"
    script.write_text("import paraspine\n" + block)
    r = subprocess.run(["/usr/bin/python3", str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=os.pathsep.join(
                           os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)))
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[-1] == "62.0" and "bootstrapping" not in r.stderr, (r.stdout, r.stderr[-500:])
