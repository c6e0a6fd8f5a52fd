"""The run's caveats live in the summary (`notes`), made by the engine: `run` prints them, and the
results file, --json and Python carry the same texts (audit25j #4: a notebook user never saw the
neck-flexion warning, the lower bounds or the abdominal pressure's step)."""
import json

import paraspine
from cli_helpers import run


def test_the_cli_prints_the_notes_python_and_json_carry(tmp_path):
    out = tmp_path / "s.h5"
    r = run("run", "rounded_back_lift", "--no-fatigue", "-o", str(out))
    assert r.returncode == 0, r.stderr
    summary = json.loads(run("run", "rounded_back_lift", "--no-fatigue", "--json").stdout)
    keys = [n["key"] for n in summary["notes"]]
    assert keys == ["abdominal_pressure_step", "abdominal_wall_artefact"], keys
    texts = [n["text"] for n in summary["notes"]]
    for text in texts:  # the same words, wrapped
        assert " ".join(r.stdout.split()).count(" ".join(("note: " + text).split())) == 1, text
    # audit25t A1: the oblique slips that ride on the spine, named with their fresh peaks.
    assert "IO2 1.00, E0_R9 1.00" in texts[1]
    res = paraspine.load_results(out)
    assert res.notes == texts
    assert "2 notes: abdominal_pressure_step, abdominal_wall_artefact (.notes)" in repr(res)
    fresh = paraspine.simulate(None, "rounded_back_lift", fatigue=False, progress=False)
    assert fresh.notes == texts


def test_a_flexed_neck_and_lower_bounds_are_noted(tmp_path):
    r = paraspine.simulate("paraspinal_only", "rounded_back_lift", fatigue=False, progress=False)
    keys = [n["key"] for n in r.summary["notes"]]
    assert "lower_bounds" in keys, keys
    assert any("reserves carried up to" in t for t in r.notes)
    neck = paraspine.simulate(None, "forward_head_posture", overrides={"output_rate_hz": 0.05}, fatigue=False, progress=False)
    assert any(n["key"] == "neck_flexion" and "upper thoracic" in n["text"] for n in neck.summary["notes"]), neck.summary["notes"]
    # A task with nothing to say has no notes.
    quiet = paraspine.simulate(None, "upright_sitting", overrides={"output_rate_hz": 0.1}, fatigue=False, progress=False)
    assert quiet.summary["notes"] == [] and quiet.notes == []
