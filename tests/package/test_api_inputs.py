"""The package as users meet it: every argument a Python user may pass in a wrong type or form
gets a clear exception naming it, and every option of the command line has its Python spelling."""
import json

import numpy as np
import pytest

import paraspine
from conftest import FIXTURE, cli


def test_subject_takes_the_fatigue_and_recovery_scales_like_the_cli():
    # The CLI's --subject fatigue_rate=/recovery_rate= and the scenario file's subject keys had no
    # Python spelling: Subject(fatigue_rate_scale=2) was a TypeError.
    s = paraspine.Subject(mass=70, fatigue_rate_scale=2.0, recovery_rate_scale=0.5)
    assert (s.fatigue_rate_scale, s.recovery_rate_scale) == (2.0, 0.5)
    assert "fatigue_rate_scale=2.0" in repr(s) and "recovery_rate_scale=0.5" in repr(s)
    py = paraspine.simulate(None, FIXTURE, subject=s, progress=False, fields="compression")
    r = cli("run", FIXTURE, "--subject", "mass=70,fatigue_rate=2,recovery_rate=0.5", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == py.summary
    with pytest.raises(ValueError, match=r"Subject fatigue_rate_scale: must be in \(0, 10\]"):
        paraspine.Subject(fatigue_rate_scale=0)
    with pytest.raises(ValueError, match="Subject recovery_rate_scale: must be a finite number"):
        s.recovery_rate_scale = float("nan")
    assert s.recovery_rate_scale == 0.5
    # A scenario's subject keeps its scales when read back.
    sc = paraspine.Scenario.load(FIXTURE).to_dict()
    sc["subject"] = {"body_mass": 70, "fatigue_rate_scale": 3}
    assert paraspine.Scenario.from_dict(sc).subject.fatigue_rate_scale == 3


def test_model_load_takes_a_path_object_and_lists_the_bundled_models(tmp_path):
    # Model.load(pathlib.Path(...)) was a TypeError ("incompatible function arguments"), and an
    # unknown name said only "nosuch: cannot open model file".
    import pathlib
    m = paraspine.Model.load(pathlib.Path("models/lumbar.yaml"))
    assert m.name == paraspine.Model.load("lumbar").name
    with pytest.raises(paraspine.InputError) as e:
        paraspine.Model.load("ful_spine")
    assert str(e.value).startswith("ful_spine: no model 'ful_spine': neither a bundled model (")
    assert "full_spine" in str(e.value) and e.value.file == "ful_spine"
    with pytest.raises(TypeError):
        paraspine.Model.load(3)
