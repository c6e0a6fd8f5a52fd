"""Session 22: what the acceptance audits of session 21/22 asked of the Python API."""
import pickle

import pytest

import paraspine


def test_an_output_that_cannot_be_written_is_an_oserror_and_still_an_inputerror(tmp_path):
    # audit21b: a full disk raised InputError (a ValueError) from simulate, while Results.to_hdf5
    # raised h5py's OSError; `except OSError` around a run missed it. Errors naming the output are
    # now OutputError: both an InputError (file, line, field) and an OSError.
    out = tmp_path / "no_such_folder" / "run.h5"
    with pytest.raises(OSError) as info:
        paraspine.simulate(None, "squat_lift", output=str(out))
    e = info.value
    assert isinstance(e, paraspine.OutputError) and isinstance(e, paraspine.InputError) and isinstance(e, ValueError)
    assert e.field == "output" and e.file == str(out) and "no_such_folder" in str(e)
    assert not out.parent.exists()
    # It pickles as itself (a worker process sends it back to the parent), parts included.
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is paraspine.OutputError and str(back) == str(e) and back.field == "output"
    # An error in the input is not an OSError.
    with pytest.raises(paraspine.InputError) as info:
        paraspine.simulate(None, "squat_lift", overrides={"subject.mass": -3})
    assert not isinstance(info.value, OSError)


def test_fascicles_are_chosen_by_subdivision_as_well_as_group():
    # audit22a: a neck study needs semispinalis capitis or cervical multifidus alone; muscles() took
    # groups, sides and names only (TypeError for subdivision=).
    r = paraspine.simulate(None, "squat_lift", fatigue=False, progress=False, overrides={"repetitions": 1})
    subs = r.muscle_subdivisions
    cap = r.muscles("semispinalis", subdivision="capitis")
    assert len(cap.names) > 0
    for n in cap.names:
        i = r.muscle_names.index(n)
        assert r.muscle_groups[i] == "semispinalis" and subs[i] == "capitis"
    both = r.muscles("semispinalis", subdivision=["capitis", "cervicis"], side="right")
    assert set(both.names) < set(r.muscles("semispinalis").names)
    assert all(subs[r.muscle_names.index(n)] in ("capitis", "cervicis") and n.endswith("_r") for n in both.names)
    with pytest.raises(KeyError, match="unknown subdivision 'capitus'.*capitis"):
        r.muscles("semispinalis", subdivision="capitus")
