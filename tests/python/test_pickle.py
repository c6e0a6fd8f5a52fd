"""Model and Results pickle (review session 10, E1: `TypeError: cannot pickle 'paraspine._core.Model'
object`, so no in-memory Results could be pickled either, and multiprocessing, joblib or a
pickle-based cache could not return them). Each test failed before the fix."""
import functools
import multiprocessing as mp
import pickle

import numpy as np
import pytest

import paraspine

FIXTURE = "tests/data/test_lift.yaml"


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, FIXTURE, progress=False)


def _same_results(a, b):
    assert a.fields == b.fields
    assert np.array_equal(a.time, b.time)
    for name in a.fields:
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name  # to the bit (NaN: no disc law)
    assert a.summary == b.summary
    assert (a.joint_names, a.muscle_names, a.muscle_groups, a.muscle_sides) == \
        (b.joint_names, b.muscle_names, b.muscle_groups, b.muscle_sides)


def test_a_model_pickles_to_the_same_model_scalings_and_all():
    # TypeError: cannot pickle 'paraspine._core.Model' object.
    base = paraspine.Model.load("full_spine")
    m = base.scaled(paraspine.Subject(mass=62, height=1.65, sex="female", strength_factor=0.8)) \
            .scaled(paraspine.Subject(fatigue_rate_scale=1.5))
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is paraspine.Model and back is not m
    for attr in ("name", "file", "nsegment", "nmuscle", "joint_names", "muscle_names", "reference_body_mass",
                 "reference_height", "reference_sex", "strength_factor", "fatigue_rate_scale", "recovery_rate_scale",
                 "total_mass"):
        assert getattr(back, attr) == getattr(m, attr), attr
    for attr in ("muscle_max_force", "segment_mass", "rhythm"):
        assert np.array_equal(getattr(back, attr), getattr(m, attr)), attr
    assert back.info() == m.info()
    # A model made in the unpickled one scales on as the original does.
    s = paraspine.Subject(strength_factor=0.5)
    assert np.array_equal(back.scaled(s).muscle_max_force, m.scaled(s).muscle_max_force)


def test_a_pickled_model_is_the_text_it_was_loaded_from(tmp_path):
    # Kept at load: editing the file afterwards does not change what unpickles.
    path = tmp_path / "model.yaml"
    path.write_text(open("models/lumbar.yaml").read())
    m = paraspine.Model.load(path)
    path.write_text("paraspine_model: 1\nname: broken\n")
    back = pickle.loads(pickle.dumps(m))
    assert back.name == m.name and np.array_equal(back.muscle_max_force, m.muscle_max_force)


def test_a_run_on_an_unpickled_model_gives_the_same_results(lift):
    m = paraspine.Model.load("full_spine").scaled(paraspine.Subject(mass=70, strength_factor=0.9))
    back = pickle.loads(pickle.dumps(m))
    a = paraspine.simulate(m, FIXTURE, progress=False, fields=["compression", "activation", "fatigue_fatigued"])
    b = paraspine.simulate(back, FIXTURE, progress=False, fields=["compression", "activation", "fatigue_fatigued"])
    _same_results(a, b)


def test_in_memory_results_pickle_by_value(lift):
    back = pickle.loads(pickle.dumps(lift))
    _same_results(lift, back)
    assert back.metadata == lift.metadata and back.scenario_name == lift.scenario_name
    assert not back.compression.flags.writeable  # read-only, as simulate hands them out
    # What needs the model still works: the F0 weights, and writing the file.
    assert np.array_equal(back.muscle_max_force, lift.muscle_max_force)
    assert np.array_equal(back.group_strength_lost("multifidus"), lift.group_strength_lost("multifidus"))


def test_file_backed_results_pickle_as_their_path(tmp_path, lift):
    path = lift.to_hdf5(tmp_path / "lift.h5")
    with paraspine.load_results(path) as r:
        back = pickle.loads(pickle.dumps(r))
    try:
        assert back.file == str(path)
        assert np.array_equal(back.compression, lift.compression)
    finally:
        back.close()


def test_a_spawned_pool_of_two_returns_results_run_on_a_sent_model(lift):
    # multiprocessing/joblib/ProcessPoolExecutor: the Model goes to the workers, Results come back.
    m = paraspine.Model.load("full_spine")
    run = functools.partial(paraspine.simulate, progress=False)
    with mp.get_context("spawn").Pool(2) as pool:
        got = pool.starmap(run, [(m, FIXTURE), (None, FIXTURE)])
    for r in got:
        _same_results(lift, r)
        assert r.model.name == "full_spine"


def test_the_pickling_record_leaves_the_model_immutable():
    # The Model got a __dict__ for its pickling record; other attributes stay refused, as before.
    m = paraspine.Model.load("lumbar")
    for name, value in (("foo", 1), ("name", "x"), ("strength_factor", 2.0)):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(m, name, value)
    assert m.name == "lumbar" and m.strength_factor == 1
