"""Review 10 (A1, D1) as a user meets them: `render` and `report` on results written with `--fields`
(README's `--fields joints,muscles/activation` used to stop with "/muscles/force: dataset missing",
exit 2), saying once on stderr what they leave out; and batch's closing line without a double slash."""
import os
import subprocess

CLI = os.environ.get("PARASPINE_CLI", "build/paraspine")


def run(*args, timeout=300):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_batch_names_the_results_without_a_double_slash(tmp_path):
    out = tmp_path / "results"
    r = run("batch", "tests/data/test_lift.yaml", "-o", str(out) + "/", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    line = [l for l in r.stdout.splitlines() if "results:" in l]
    assert line == [f"  results: {out}/<scenario>.h5"], r.stdout
    assert (out / "test_lift.h5").exists()
