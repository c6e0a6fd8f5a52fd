"""Progress bars in a notebook without ipywidgets (Debian's kernel has none): a text bar is drawn as
one output updated in place, not as a stderr output per redraw. tqdm's text bar on stderr left about
25 outputs per run in a cell (session-11 teaching review, F20), one line each once saved or run by
nbclient."""
import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

BAR = """\
import time
import paraspine.run
bar = paraspine.run._tqdm(total=40, unit="frame", desc="bar", delay=0, mininterval=0, leave=LEAVE)
for _ in range(40):
    bar.update(1)
    time.sleep(0.005)
bar.close()
print("done")
"""

RUN = """\
import paraspine
r = paraspine.simulate(None, "upright_sitting", overrides={"output_rate_hz": 0.5})
print("frames", len(r.time))
"""


def execute(*sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    import paraspine
    package_dir = str(pathlib.Path(paraspine.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join([package_dir, os.environ.get("PYTHONPATH", "")])
    root = pathlib.Path(__file__).resolve().parents[2]
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(root)}}).execute()
    return [c.outputs for c in nb.cells]


def test_the_kernel_has_no_ipywidgets():
    # Else the widget bar is used and the tests below say nothing about the text bar.
    outputs = execute("import importlib.util; print(importlib.util.find_spec('ipywidgets') is None)")
    assert outputs[0][0]["text"].strip() == "True", "ipywidgets is installed: the text-bar path is not exercised"


@pytest.mark.parametrize("leave", [False, True])
def test_a_text_bar_is_one_output_updated_in_place(leave):
    (outputs,) = execute(BAR.replace("LEAVE", str(leave)))
    streams = [o for o in outputs if o["output_type"] == "stream"]
    shown = [o for o in outputs if o["output_type"] == "display_data"]
    # 40 redraws: before, 40 stderr outputs; now stdout's "done" and one display, nothing on stderr.
    assert [o["name"] for o in streams] == ["stdout"] and streams[0]["text"] == "done\n", outputs
    assert len(outputs) == 2 and len(shown) == 1, outputs
    text = shown[0]["data"]["text/plain"]
    assert "\n" not in text and "\r" not in text
    if leave:
        assert "40/40" in text and "100%" in text, text  # the last redraw, in place of the first
    else:
        assert text == "", text  # a bar closed with leave=False blanks its line, as on a terminal


def test_a_long_simulation_prints_no_bar_lines():
    (outputs,) = execute(RUN)
    assert not [o for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr"], outputs
    assert sum(o["output_type"] == "display_data" for o in outputs) <= 1, outputs
    assert len(outputs) <= 2, outputs
