"""Every notebook in python/notebooks/ runs end to end in a fresh kernel (Debian's nbclient and
ipykernel, /usr/bin/python3). Each notebook ends with a cell of assertions on the numbers it shows
and prints "checks passed"; a failing assertion or any error fails the test."""
import os
import pathlib
import time

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "python" / "notebooks").glob("*.ipynb"))


def test_the_issue_s_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"fatigue_across_postures", "lifting_technique", "golf_swing"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_checks_pass(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    # A notebook may need a bundled scenario another change brings (golf_swing.ipynb needs
    # scenarios/golf_swing.yaml); until it is there the notebook is skipped, saying why.
    import paraspine
    for name in nb.metadata.get("paraspine", {}).get("requires_scenarios", []):
        try:
            paraspine.Scenario.load(name)
        except paraspine.InputError as e:
            pytest.skip(f"{path.name} needs the bundled scenario '{name}': {e}")
    # Committed without outputs, so the diffs stay readable and the repository small.
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name}: strip the outputs"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # The kernel imports the paraspine this test process imports (PYTHONPATH may be relative).
    import paraspine
    package_dir = str(pathlib.Path(paraspine.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([package_dir, os.environ.get("PYTHONPATH", "")])
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    seconds = time.perf_counter() - start
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream")
    assert "checks passed" in text
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 3, "each notebook tells its story with plots"
    print(f"{path.name}: {seconds:.1f} s")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_cell_has_an_id(path):
    """nbformat 4.5 notebooks need a cell id on every cell: two cells of lifting_technique.ipynb had
    none, and nbformat warned ("MissingIDFieldWarning ... will become a hard error") whenever the
    executed notebook was saved (session-13 user review)."""
    import json
    nb = json.loads(path.read_text(encoding="utf-8"))
    if (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5):
        missing = [k for k, c in enumerate(nb["cells"]) if "id" not in c]
        assert not missing, f"{path.name}: cells {missing} have no id"
    ids = [c.get("id") for c in nb["cells"]]
    assert len(set(ids)) == len(ids), f"{path.name}: duplicate cell ids"
