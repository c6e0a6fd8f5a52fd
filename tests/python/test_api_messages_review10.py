"""Review session 10, E3 and E4: the scaling rule (documented), Scenario.from_dict's raw yaml
RepresenterError, load_results on a missing file. The last two failed before the fix."""
import numpy as np
import pytest

import paraspine
from cli_helpers import FIXTURE


def test_scaling_replaces_the_size_and_multiplies_the_factors():
    # The rule docs/python.md and the docstring now state (it was undocumented).
    m = paraspine.Model.load("lumbar")
    half = paraspine.Subject(mass=60, strength_factor=0.5, fatigue_rate_scale=2)
    twice = m.scaled(half).scaled(paraspine.Subject(mass=90, strength_factor=0.5, fatigue_rate_scale=2))
    assert twice.reference_body_mass == 90
    assert twice.strength_factor == 0.25 and twice.fatigue_rate_scale == 4
    assert "multiply" in paraspine.Model.scaled.__doc__ and "replace" in paraspine.Model.scaled.__doc__


def test_from_dict_names_the_key_of_a_value_that_is_no_scenario_value():
    # yaml.representer.RepresenterError: ('cannot represent an object', <object ...>).
    spec = paraspine.Scenario.load(FIXTURE).to_dict()
    spec["keyframes"][1]["time"] = object()
    with pytest.raises(TypeError, match=r"keyframes\[1\]\.time: <object object at .*> \(object\) is not a scenario value"):
        paraspine.Scenario.from_dict(spec)
    spec["keyframes"][1]["time"] = np.float32(1.5)  # numpy numbers stay welcome
    assert paraspine.Scenario.from_dict(spec).nkeyframes == 3


def test_load_results_on_a_missing_file_says_no_such_file(tmp_path):
    # Said "cannot open as an HDF5 results file", as for a damaged one.
    missing = tmp_path / "nope.h5"
    with pytest.raises(FileNotFoundError, match="nope.h5") as e:
        paraspine.load_results(missing)
    assert e.value.filename == str(missing)
    assert isinstance(e.value, paraspine.InputError) and e.value.file == str(missing)  # what it raised before
    # Tracebacks named the private class (paraspine.results._MissingResultsFile); it pickles too.
    import pickle
    import traceback
    shown = "".join(traceback.format_exception_only(type(e.value), e.value))
    assert shown.startswith("FileNotFoundError: ") and "_Missing" not in shown + repr(e.value), shown
    back = pickle.loads(pickle.dumps(e.value))
    assert isinstance(back, FileNotFoundError) and back.filename == str(missing)
