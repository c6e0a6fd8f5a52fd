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
    namespace = {}
    for block in code:
        exec(compile(block, doc, "exec"), namespace)
    plt.close("all")
