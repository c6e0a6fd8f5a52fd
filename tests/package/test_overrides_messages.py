"""Python's override errors name Python's argument (session-13 user review): a misspelt path in
``overrides=`` said "--set: ...: (--set changes existing values, it adds none)", a flag the Python
user never typed, and pointed at ``--subject`` for a subject path; sweep errors already say ``vary:``."""
import pytest

import paraspine


def test_a_misspelt_override_path_names_overrides_not_set():
    with pytest.raises(paraspine.InputError) as e:
        paraspine.Scenario.load("squat_lift", overrides={"keyframes[2].hands.both.load_kgg": 3})
    msg = str(e.value)
    assert msg.startswith("overrides: keyframes[2].hands.both.load_kgg: the scenario has no 'load_kgg' here"), msg
    assert "--set" not in msg and e.value.file == "overrides"
    with pytest.raises(paraspine.InputError) as e:
        paraspine.simulate(None, "squat_lift", overrides={"subject.body_mass": 70}, progress=False)
    assert "--" not in str(e.value) and "subject=paraspine.Subject(" in str(e.value), str(e.value)
