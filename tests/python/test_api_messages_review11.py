"""Session-11 user review, Python side: a NaN override is an InputError naming the file, line and
field (F10: a bare ValueError named none); a misspelt subject sweep axis lists the subject axes
instead of command-line advice (F10); to_hdf5 on results simulated with fields= says how to get such a file
(F21)."""
import math

import pytest

import paraspine
from cli_helpers import FIXTURE


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_override_names_file_line_and_field(value):
    path = "keyframes[1].hands.both.load_kg"
    with pytest.raises(paraspine.InputError) as e:
        paraspine.Scenario.load(FIXTURE, overrides={path: value})
    assert e.value.field == path, str(e.value)
    assert "test_lift.yaml" in e.value.file and e.value.line == 16, str(e.value)


def test_misspelt_subject_sweep_axis_lists_the_subject_axes():
    with pytest.raises(paraspine.InputError) as e:
        paraspine.sweep(FIXTURE, {"subject.weight": [60, 70]}, progress=False)
    msg = str(e.value)
    assert "subject.mass" in msg and "subject.height" in msg and e.value.field == "subject.weight", msg
    # No command-line advice (it said "give the subject with --subject mass=70,..."), nor the
    # command line's option: the message names Python's argument, `vary` (docs/python.md, "Errors").
    assert "--subject" not in msg and msg.startswith("vary: subject.weight: not a subject axis"), msg


def test_to_hdf5_of_results_with_some_fields_says_how_to_write_them(tmp_path):
    r = paraspine.simulate(None, FIXTURE, fields=["compression"], progress=False)
    with pytest.raises(ValueError, match=r"simulate\(\.\.\., output=PATH, fields=\.\.\.\)"):
        r.to_hdf5(tmp_path / "x.h5")
    assert "fields=" in paraspine.Results.to_hdf5.__doc__
    out = tmp_path / "some.h5"
    paraspine.simulate(None, FIXTURE, fields=["compression"], output=out, progress=False)
    assert out.exists()
