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
    r = cli("model", "info", "ful_spine")  # the CLI says the same
    assert r.returncode == 2 and r.stderr == f"error: {e.value}\n", r.stderr
    with pytest.raises(TypeError):
        paraspine.Model.load(3)


def test_simulate_many_stops_at_ctrl_c(tmp_path):
    # Ctrl-C reached the waiting main thread, but the thread pool's shutdown then ran every queued
    # scenario to the end; now the running ones stop within a few tenths of a second.
    import _thread
    import threading
    import time
    # Not a speed test: whole 8-hour shifts (~100 s each on a quiet core, several times that on a busy
    # one), so a run that was not stopped overshoots the bound by minutes, while a stop takes tenths of
    # a second even under a parallel build (a 3 s bound with one-hour runs failed on a loaded machine).
    long = paraspine.Scenario.load("repetitive_lifting_shift", overrides={"repetitions": 1920})
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    t = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        paraspine.simulate_many([long] * 4, threads=2, progress=False, fields="compression")
    stopped = time.perf_counter() - t
    timer.join()
    assert stopped < 0.3 + 30.0, stopped


def test_simulate_many_stops_the_running_scenarios_at_the_first_error():
    import time
    # whole 8-hour shifts (~100 s each on a quiet core): not stopped, they overshoot the bound by minutes
    long = paraspine.Scenario.load("repetitive_lifting_shift", overrides={"repetitions": 1920})
    far = paraspine.Scenario.load(FIXTURE, overrides={"keyframes[1].hands.both.position[0]": 1.5})
    t = time.perf_counter()
    with pytest.raises(paraspine.InputError, match="reach"):
        # the hand out of reach is found as its run starts, while the two long ones run beside it
        paraspine.simulate_many([long, long, far], threads=3, progress=False, fields="compression")
    assert time.perf_counter() - t < 30.0


def test_simulate_many_of_one_name_says_to_pass_a_list():
    # simulate_many("squat_lift") ran the scenarios 's', 'q', 'u', ...: "s: no scenario of this name".
    with pytest.raises(TypeError, match=r"list of scenarios.*for one scenario use simulate\(\)"):
        paraspine.simulate_many("squat_lift")


@pytest.fixture(scope="module")
def compression_only():
    return paraspine.simulate(None, FIXTURE, progress=False, fields="compression")


def test_to_xarray_takes_one_field_name_and_refuses_fields_not_recorded(compression_only):
    # to_xarray(fields="compression") said "unknown field 'c'"; to_xarray(fields=["activation"]) of
    # results without activation returned an empty Dataset.
    ds = compression_only.to_xarray(fields="compression")
    assert list(ds.data_vars) == ["compression"] and ds["compression"].attrs["units"] == "N"
    assert list(compression_only.to_xarray(fields=["/joints/compression"]).data_vars) == ["compression"]
    with pytest.raises(AttributeError, match="the field 'activation' was not recorded"):
        compression_only.to_xarray(fields=["activation"])
    assert list(compression_only.to_xarray().data_vars) == ["compression"]
    assert list(compression_only.joint("L4-L5").to_xarray().data_vars) == ["compression"]


@pytest.fixture(scope="module")
def small_sweep():
    return paraspine.sweep(FIXTURE, {"subject.mass": [60, 70]}, threads=1, progress=False)


def test_sweep_results_keep_the_model_s_joint_order_and_name_bad_keys(small_sweep):
    # to_xarray's joint axis was alphabetical (C0-C1, C1-C2, ... T9-T10, the JSON summary's order),
    # so a profile plotted along it zigzagged up and down the spine.
    order = paraspine.Model.load("full_spine").joint_names
    assert small_sweep.joint_names == order
    ds = small_sweep.to_xarray()
    assert list(ds["joint"].values) == order
    assert ds["peak_compression_N"].sel(joint="L4-L5").shape == (2,)
    # An extra key was ignored: the answer did not depend on it.
    with pytest.raises(KeyError, match="not an axis of this sweep"):
        small_sweep.summary(**{"subject.mass": 60, "subject.height": 2.0})
    with pytest.raises(KeyError, match="unknown joint 'L9-L10'; joints: L5-S1, L4-L5"):
        small_sweep.to_pandas(joint="L9-L10")


@pytest.mark.parametrize("call,error,match", [
    # each was a pybind11 "incompatible function arguments" on a private function, an AttributeError,
    # a bare numpy message, or no error at all
    (lambda: paraspine.simulate(None, FIXTURE, criterion=3, progress=False), TypeError, "criterion must be a str"),
    (lambda: paraspine.simulate(None, FIXTURE, fields=3, progress=False), TypeError, "fields must be field names"),
    (lambda: paraspine.simulate(None, FIXTURE, threads=True, progress=False), ValueError, "threads must be a whole number"),
    (lambda: paraspine.simulate(None, FIXTURE, max_memory=float("nan"), progress=False), ValueError, "max_memory"),
    (lambda: paraspine.simulate_many([FIXTURE], threads=False), ValueError, "threads must be a whole number"),
    (lambda: paraspine.sweep(FIXTURE, {"subject.mass": [60]}, subject={"mass": 70}, progress=False), TypeError,
     r"subject must be a paraspine.Subject"),
    (lambda: paraspine.sweep(FIXTURE, [("subject.mass", [60])], progress=False), TypeError, r"vary must be a dict"),
    (lambda: paraspine.sweep(FIXTURE, {"subject.mass": ["sixty"]}, progress=False), ValueError,
     r"vary: subject.mass: takes numbers, not words \('sixty'\)"),  # words make a categorical axis elsewhere
    (lambda: paraspine.sweep(FIXTURE, {"subject.mass": [60, {}]}, progress=False), ValueError,
     r"vary\['subject.mass'\]: values must be numbers"),
    (lambda: paraspine.Scenario.from_dict([("name", "x")]), TypeError, "Scenario.from_dict takes a dict"),
    (lambda: paraspine.Scenario.load(None), TypeError, "Scenario.load takes a scenario name or a path"),
    (lambda: paraspine.Scenario.from_yaml(None), TypeError, "Scenario.from_yaml takes the YAML text"),
])
def test_wrong_argument_types_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _pybind_parameters(fn):
    """Parameter names from pybind11's signature line, e.g. 'f(model: ..., x: float = 0.0) -> dict'."""
    import re
    line = (fn.__doc__ or "").splitlines()[0]
    inside = line[line.index("(") + 1:line.rindex(") ->")]
    return [p for p in re.findall(r"(?:^|, )(\w+):", inside) if p != "self"]


def test_the_stub_s_signatures_match_the_compiled_module():
    # _core.pyi listed the names but not always their parameters: _simulate lacked `fatigue`, Subject
    # its fatigue scales, so editors and type checkers flagged correct calls.
    import ast
    import os
    from paraspine import _core
    stub = ast.parse(open(os.path.join(os.path.dirname(paraspine.__file__), "_core.pyi")).read())
    checked = 0
    for node in stub.body:
        defs = [(node, getattr(_core, node.name))] if isinstance(node, ast.FunctionDef) else []
        if isinstance(node, ast.ClassDef) and node.name != "InputError":
            cls = getattr(_core, node.name)
            defs += [(d, getattr(cls, d.name)) for d in node.body if isinstance(d, ast.FunctionDef)]
        for d, fn in defs:
            stub_params = [a.arg for a in d.args.args if a.arg != "self"]
            assert stub_params == _pybind_parameters(fn), (d.name, stub_params, fn.__doc__.splitlines()[0])
            checked += 1
    assert checked >= 15


def test_the_scenario_wrapper_shows_what_the_engine_reads():
    # paraspine.Scenario hid four of the engine scenario's values (break_every, break_s,
    # abdominal_pressure, nkeyframes): a user checking the microbreak schedule had to parse .text.
    from paraspine import _core
    public = {n for n in dir(_core.Scenario) if not n.startswith("_")}
    assert public <= set(dir(paraspine.Scenario)), public - set(dir(paraspine.Scenario))
    s = paraspine.Scenario.load("repetitive_lifting_shift")
    assert (s.break_every, s.break_s, s.abdominal_pressure, s.nkeyframes) == (
        s._native.break_every, s._native.break_s, s._native.abdominal_pressure, s._native.nkeyframes)
    assert s.nkeyframes == len(s.to_dict()["keyframes"])


def test_a_streamed_file_takes_fields_and_precision_like_run_o(tmp_path):
    # simulate(output=..., fields=...) was refused ("output= streams every field"), and there was no
    # precision=: the 8 h shift streamed from Python was a file of every field in float64, while
    # `paraspine run -o --fields ... --precision single` writes a fraction of it.
    import h5py
    ours = tmp_path / "py.h5"
    with paraspine.simulate(None, FIXTURE, output=ours, fields="joints,muscles/activation", precision="single",
                            progress=False) as r:
        assert set(r.fields) == set(paraspine.results.GROUPS["joints"]) | {"activation"}
        assert r.compression.dtype == np.float32
    theirs = tmp_path / "cli.h5"
    p = cli("run", FIXTURE, "-o", str(theirs), "--fields", "joints,muscles/activation", "--precision", "single")
    assert p.returncode == 0, p.stderr
    with h5py.File(ours) as a, h5py.File(theirs) as b:
        names_a, names_b = [], []
        a.visit(names_a.append)
        b.visit(names_b.append)
        assert names_a == names_b
        for n in names_b:
            if isinstance(b[n], h5py.Dataset):
                assert a[n].dtype == b[n].dtype, n
                assert np.array_equal(a[n][()], b[n][()], equal_nan=a[n].dtype.kind == "f"), n
    # Groups work in memory too; a bad entry names the fields and groups.
    mem = paraspine.simulate(None, FIXTURE, fields=["fatigue"], progress=False)
    assert set(mem.fields) == {"fatigue_active", "fatigue_resting", "fatigue_fatigued", "fatigue_capacity"}
    with pytest.raises(ValueError, match="unknown field 'joint'.*groups: kinematics, joints, muscles, fatigue"):
        paraspine.simulate(None, FIXTURE, output=tmp_path / "x.h5", fields="joint", progress=False)
    with pytest.raises(ValueError, match="precision='single' is how output= files store"):
        paraspine.simulate(None, FIXTURE, precision="single", progress=False)
    assert not (tmp_path / "x.h5").exists()


def test_a_streamed_file_takes_compression_like_run_o_and_says_whether_fatigue_ran(tmp_path):
    # simulate(output=...) had no compression=: the 8 h shift streamed from Python paid deflate's
    # cost while `paraspine run -o --compression lz4` did not. Files say whether fatigue ran.
    import h5py
    ours, theirs = tmp_path / "py.h5", tmp_path / "cli.h5"
    with paraspine.simulate(None, FIXTURE, output=ours, compression="lz4", fatigue=False, progress=False) as r:
        assert r.compression.shape[0] > 0  # paraspine reads its LZ4 file back
    p = cli("run", FIXTURE, "-o", str(theirs), "--compression", "lz4", "--no-fatigue")
    assert p.returncode == 0, p.stderr
    with h5py.File(ours) as a, h5py.File(theirs) as b:
        assert a.attrs["compression"] == b.attrs["compression"] == "shuffle+lz4"
        assert a.attrs["fatigue"] == b.attrs["fatigue"] == "off"
        assert np.array_equal(a["muscles/force"][()], b["muscles/force"][()])
    with paraspine.simulate(None, FIXTURE, output=tmp_path / "on.h5", progress=False):
        pass
    with h5py.File(tmp_path / "on.h5") as c:
        assert c.attrs["fatigue"] == "on" and c.attrs["compression"] == "shuffle+deflate"
    with pytest.raises(ValueError, match="compression must be 'deflate' or 'lz4'"):
        paraspine.simulate(None, FIXTURE, output=tmp_path / "z.h5", compression="zstd", progress=False)
    with pytest.raises(ValueError, match="is how output= files are compressed"):
        paraspine.simulate(None, FIXTURE, compression="lz4", progress=False)
    assert not (tmp_path / "z.h5").exists()


def test_to_hdf5_of_a_file_checks_its_path_like_a_run(tmp_path):
    # Results read from a file copied themselves anywhere: over the scenario file (a user's
    # to_hdf5("lift.yaml") replaced it with HDF5), into a folder (IsADirectoryError, PATH.partial
    # left behind) or a missing folder (FileNotFoundError) — not the InputError of docs/python.md.
    sc = tmp_path / "lift.yaml"
    sc.write_text(open(FIXTURE).read())
    model = tmp_path / "model.yaml"  # a copy: were the check to fail, the repository's model stays
    model.write_text(open(paraspine.Model.load("full_spine").file).read())
    out = tmp_path / "lift.h5"
    streamed = paraspine.simulate(str(model), str(sc), output=out, fields="compression", progress=False)
    with pytest.raises(paraspine.InputError, match="is an input of the run"):
        streamed.to_hdf5(sc)
    assert sc.read_text() == open(FIXTURE).read()
    with pytest.raises(paraspine.InputError, match="is a directory"):
        streamed.to_hdf5(tmp_path)
    with pytest.raises(paraspine.InputError, match="does not exist"):
        streamed.to_hdf5(tmp_path / "no" / "x.h5")
    streamed.close()
    with paraspine.load_results(out) as loaded:  # a file read back knows its model file
        assert loaded.metadata["model_file"] == str(model)
        with pytest.raises(paraspine.InputError, match="is an input of the run"):
            loaded.to_hdf5(model)
        assert loaded.to_hdf5(tmp_path / "copy.h5") == str(tmp_path / "copy.h5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.h5", "lift.h5", "lift.yaml", "model.yaml"]


def test_compare_draws_runs_of_different_lengths_in_one_time_unit():
    # compare() chose the time unit per run: a 10-min run in minutes and a 5-s lift in seconds on
    # one axis, so the lift seemed to last 5 minutes.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    lift = paraspine.simulate(None, FIXTURE, progress=False)
    sit = paraspine.simulate(None, "upright_sitting", overrides={"keyframes[1].time": 600, "output_rate_hz": 0.1},
                             progress=False)
    fig = paraspine.plot.compare([sit, lift], labels=["sitting", "lift"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (min)"
    assert np.isclose(ax.get_lines()[1].get_xdata()[-1], lift.time[-1] / 60)
    assert np.isclose(fig.axes[3].get_lines()[1].get_xdata()[-1], lift.time[-1] / 60)
    plt.close("all")
    with pytest.raises(ValueError, match="one model only"):
        paraspine.plot.level_profile([lift, _OtherModelResults(lift)])


class _OtherModelResults(paraspine.Results):
    """The lift's results relabelled as if from a model with other levels."""

    def __init__(self, r):
        super().__init__(time=r.time, fields={"compression": r.compression}, joint_names=r.joint_names[::-1],
                         muscle_names=r.muscle_names, muscle_groups=r.muscle_groups, muscle_sides=r.muscle_sides,
                         summary=r.summary, metadata=r.metadata)


def test_the_package_version_is_the_engine_s():
    # __version__ was a literal of its own in __init__.py, recorded as paraspine_version in results
    # made in memory, while files written by the engine record the CMake project version.
    # Since session 21 the CLI also names the commit it was built from, as the package does.
    r = cli("--version")
    assert paraspine.__version__ == paraspine._core.VERSION
    assert r.stdout.strip() == f"paraspine {paraspine.__version__} (commit {paraspine.__commit__})"
    assert paraspine.__commit__ == "unknown" or len(paraspine.__commit__.split("-")[0]) == 12


def test_max_exertion_pad_point_errors_name_it():
    # A pad_point of two numbers or of text raised pybind11's "incompatible function arguments".
    m = paraspine.Model.load("lumbar")
    top = m.segment_names[-1]
    with pytest.raises(ValueError, match=r"pad_point must be 3 numbers .* not \[0.1, 0.2\]"):
        paraspine.max_exertion(m, pad_segment=top, pad_point=[0.1, 0.2])
    with pytest.raises(TypeError, match="pad_point must be 3 numbers"):
        paraspine.max_exertion(m, pad_segment=top, pad_point=["a", 0, 0])
    a = paraspine.max_exertion(m, pad_segment=top, pad_point=np.arange(6.0)[::2] * 0.01)  # non-contiguous
    b = paraspine.max_exertion(m, pad_segment=top, pad_point=(0.0, 0.02, 0.04))
    assert a["force_N"] == b["force_N"] and np.allclose(a["point"], b["point"])


def test_selections_of_a_file_in_any_order(tmp_path):
    # results.joint(["L4-L5", "L5-S1"]) of a file raised h5py's "Indexing elements must be in
    # increasing order" (the model lists L5-S1 first); in memory it worked.
    mem = paraspine.simulate(None, FIXTURE, progress=False, fields="compression,activation")
    out = tmp_path / "f.h5"
    assert cli("run", FIXTURE, "-o", str(out), "--fields", "joints/compression,muscles/activation").returncode == 0
    with paraspine.load_results(out) as res:
        for joints in (["L4-L5", "L5-S1"], ["T12-L1", "L4-L5", "L4-L5"]):
            assert np.array_equal(res.joint(joints).compression, mem.joint(joints).compression), joints
        names = [mem.muscle_names[9], mem.muscle_names[2]]
        assert np.array_equal(res.muscles(names=names).activation, mem.muscles(names=names).activation)
        _, v = res.reduced("compression", [3, 3, 1], max_frames=20)
        _, w = mem.reduced("compression", [3, 3, 1], max_frames=20)
        assert np.array_equal(v, w)


def test_sweep_axes_carry_their_units(small_sweep):
    # The grid's coordinates had no units while every variable had one.
    assert small_sweep.to_xarray()["subject.mass"].attrs["units"] == "kg"
    from paraspine.run import _axis_units
    assert [_axis_units(p) for p in ("subject.height", "subject.strength", "keyframes[2].hands.both.load_kg",
                                     "keyframes[1].time", "keyframes[1].regions_deg.lumbar.flexion", "rest_s",
                                     "output_rate_hz", "keyframes[1].hands.both.position[0]", "repetitions")] == [
        "m", "1", "kg", "s", "deg", "s", "Hz", "m", "1"]


def test_a_list_override_sets_each_element():
    # overrides={"...position": [0.3, -0.2, 0.18]} (or a numpy array) was refused with
    # "--set: ...: only single values can be set": a hand position had to be given element by element.
    path = "keyframes[1].hands.both.position"
    for value in ([0.3, -0.2, 0.18], np.array([0.3, -0.2, 0.18])):
        s = paraspine.Scenario.load(FIXTURE, overrides={path: value})
        assert s.to_dict()["keyframes"][1]["hands"]["both"]["position"] == [0.3, -0.2, 0.18]
    with pytest.raises(paraspine.InputError):
        paraspine.Scenario.load(FIXTURE, overrides={path: [0.3, -0.2, 0.18, 1.0]})  # no position[3] to set
    with pytest.raises(ValueError, match="empty list"):
        paraspine.Scenario.load(FIXTURE, overrides={path: []})


def test_a_field_named_twice_is_recorded_once():
    # fields=["compression", "/joints/compression"] filled the engine's buffer twice per frame and
    # numpy read it as (T, J): every row after the first was another frame's or a copy (1309 N where
    # the run had 1830 N), silently.
    from paraspine import _core
    once = paraspine.simulate(None, FIXTURE, fields="compression", progress=False)
    twice = paraspine.simulate(None, FIXTURE, fields=["compression", "/joints/compression", "joints/compression"],
                               progress=False)
    assert twice.fields == ["compression"] and np.array_equal(once.compression, twice.compression)
    m, sc = once.model, paraspine.Scenario.load(FIXTURE)
    _, _, arrays = _core._simulate(m, sc._native, "", "", ["/joints/compression"] * 2, None, 1)
    assert np.array_equal(arrays["/joints/compression"], once.compression)


def test_one_muscle_by_name(compression_only):
    # muscles(names="LTpL_L5_r") was iterated letter by letter: "unknown muscle 'L'".
    name = compression_only.muscle_names[7]
    assert compression_only.muscles(names=name).names == [name]
    with pytest.raises(KeyError, match=r"unknown muscle 'LTpL_L5'; did you mean: .*LTpL_L5_r"):
        compression_only.muscles(names=["LTpL_L5"])


def test_plots_take_one_joint_or_group_as_a_string():
    # plot.compression(r, joints="L4-L5") and plot.fatigue(r, groups="longissimus") iterated the
    # string: KeyError "unknown joint 'L'".
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r = paraspine.simulate(None, FIXTURE, progress=False, fields="compression,fatigue")
    assert [l.get_label() for l in paraspine.plot.compression(r, joints="L4-L5").get_lines()][:1] == ["L4-L5"]
    assert [l.get_label() for l in paraspine.plot.fatigue(r, groups="longissimus").get_lines()] == ["longissimus"]
    # Shear peaks are magnitudes (as the summary's): the axis says so.
    ax = paraspine.plot.level_profile(paraspine.simulate(None, FIXTURE, progress=False, fields="shear_ap"),
                                      quantity="shear_ap")
    assert ax.get_xlabel() == "peak |AP shear| (N, either direction)"
    plt.close("all")


def test_subjects_scenarios_and_models_copy_and_pickle():
    # copy.copy(Subject(...)) raised "cannot pickle 'paraspine._core.Subject' object", and so did
    # copy.deepcopy of a Scenario, a Model or Results holding one, and sending any to another process.
    import copy
    import pickle
    s = paraspine.Subject(mass=62, height=1.65, sex="female", fatigue_rate_scale=2)
    c = copy.copy(s)
    c.mass = 80
    assert s.mass == 62 and pickle.loads(pickle.dumps(s)) == s and copy.deepcopy(s) == s
    assert s != c and s != None and s in [None, s]  # noqa: E711
    sc = paraspine.Scenario.load(FIXTURE, overrides={"repetitions": 2})
    back = pickle.loads(pickle.dumps(sc))
    assert (back.text, back.file, back.frames) == (sc.text, sc.file, sc.frames)
    assert copy.deepcopy(sc) is sc
    m = paraspine.Model.load("lumbar")
    assert copy.deepcopy(m) is m and copy.copy(m) is m


def test_too_many_repetitions_says_the_limit():
    # repetitions=10**7 (a whole number >= 1) was refused as "must be a whole number ≥ 1".
    with pytest.raises(paraspine.InputError, match=r"repetitions: must be a whole number from 1 to 1000000"):
        paraspine.Scenario.load(FIXTURE, overrides={"repetitions": 10 ** 7})


def test_a_sweep_s_output_path_is_checked_before_the_grid_runs(tmp_path):
    # sweep(..., output="no/such/folder/s.h5") ran every grid point, then failed when writing.
    ran = []
    with pytest.raises(paraspine.InputError, match="does not exist"):
        paraspine.sweep(FIXTURE, {"subject.mass": [60, 70]}, output=tmp_path / "no" / "s.h5", progress=ran.append)
    assert ran == []


def test_sweep_values_run_with_every_digit():
    # A scenario value reached the grid point as std::to_string(v), 6 decimals: load 5.0000004 ran
    # as 5.0 (the same summary as 5.0) while the sweep labelled it 5.0000004. The engine now passes
    # the shortest text that reads back as the value, so nearby values give different runs.
    axis = "keyframes[1].hands.both.load_kg"
    r = paraspine.sweep(FIXTURE, {axis: [5.0, 5.0000004]}, progress=False)
    a, b = (r.summary(**{axis: v})["joints"]["L4-L5"]["peak_compression_N"] for v in (5.0, 5.0000004))
    assert a != b
    ok = paraspine.sweep(FIXTURE, {axis: [5.0000004], "subject.mass": [70.00000001]}, progress=False)
    assert len(ok) == 1


def test_statistics_and_plots_of_a_file_read_it_block_by_block(tmp_path):
    # level_profile read each whole field of a file (r.get), and compare whole columns of every
    # muscle group twice (mean activation; the last frame's fatigue): an 8 h file at 50 Hz is
    # 1.44 M frames, 288 MB per joint field and 7.8 GB per muscle field.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    mem = paraspine.simulate(None, FIXTURE, progress=False)
    out = tmp_path / "f.h5"
    with paraspine.simulate(None, FIXTURE, output=out, progress=False) as res:
        for how, expect in (("max", mem.compression.max(axis=0)), ("absmax", np.abs(mem.compression).max(axis=0)),
                            ("min", mem.compression.min(axis=0)), ("mean", mem.compression.mean(axis=0)),
                            ("last", mem.compression[-1])):
            assert np.allclose(res.statistic("compression", how), expect, rtol=1e-12), how
            assert np.allclose(mem.statistic("compression", how), expect, rtol=1e-12), how
        idx = mem.joint(["L4-L5", "L5-S1"]).indices
        assert np.array_equal(res.statistic("shear_ap", "absmax", idx), np.abs(mem.shear_ap[:, idx]).max(axis=0))
        a = paraspine.plot.level_profile(res, statistic="mean")
        b = paraspine.plot.level_profile(mem, statistic="mean")
        assert np.allclose(a.get_lines()[0].get_xdata(), b.get_lines()[0].get_xdata())
        m = res.to_pandas("muscles")
        assert np.allclose(m["mean_force_N"], mem.muscle_force.mean(axis=0), rtol=1e-12)
        assert np.array_equal(m["end_fatigued_fraction"], mem.fatigue_fatigued[-1])
        fig = paraspine.plot.compare([res])
        assert set(res._cache) <= {"time"}  # no field was read whole
        ref = paraspine.plot.compare([mem])
        for k in (0, 3):
            assert np.allclose(fig.axes[k].get_lines()[0].get_ydata(), ref.axes[k].get_lines()[0].get_ydata())
        assert fig.axes[3].get_title() == ref.axes[3].get_title()
    with pytest.raises(ValueError, match="how must be"):
        mem.statistic("compression", "median")
    plt.close("all")


def test_static_frame_and_max_exertion_take_a_model_name():
    # simulate takes a Model or a name; static_frame("lumbar") raised "incompatible function arguments".
    import pathlib
    m = paraspine.Model.load("lumbar")
    a = paraspine.static_frame(m, {"lumbar.flexion": 20}, load_kg=5)
    b = paraspine.static_frame("lumbar", {"lumbar.flexion": 20}, load_kg=5)
    assert np.array_equal(a["activation"], b["activation"])
    top = m.segment_names[-1]
    e = paraspine.max_exertion(pathlib.Path(m.file), pad_segment=top)
    assert e["force_N"] == paraspine.max_exertion(m, pad_segment=top)["force_N"]
    with pytest.raises(TypeError, match="model must be a paraspine.Model or a model name or path, not int"):
        paraspine.static_frame(3)
    with pytest.raises(paraspine.InputError, match="no model 'lumbr'"):
        paraspine.static_frame("lumbr")


def test_sweep_stops_at_ctrl_c_and_at_a_raising_progress_callback():
    # The sweep ran every grid point before noticing Ctrl-C, and a progress callback that raised was
    # only reported as unraisable while the sweep went on. Both now stop it: the points not started
    # are skipped and the exception is raised.
    import _thread
    axis = {"subject.mass": [60, 65, 70, 75, 80, 85]}
    calls = []

    class Stop(Exception):
        pass

    def raising(f):
        calls.append(f)
        raise Stop()

    with pytest.raises(Stop):
        paraspine.sweep(FIXTURE, axis, threads=1, progress=raising)
    assert len(calls) == 1

    calls.clear()

    def interrupting(f):
        calls.append(f)
        if len(calls) == 1:
            _thread.interrupt_main()

    with pytest.raises(KeyboardInterrupt):
        paraspine.sweep(FIXTURE, axis, threads=1, progress=interrupting)
    assert len(calls) <= 2


def test_an_output_named_as_text_is_refused_before_the_run_as_on_the_command_line(tmp_path):
    # simulate(output="x.json") wrote an HDF5 file named x.json without a word, where
    # `paraspine run -o x.json` exits 2 with advice. The CLI's own check, naming `output`: refused
    # before any frame runs, no file (nor a .partial) left behind; simulate and sweep alike.
    ran = []
    for name in ("x.json", "X.CSV", "x.txt", "x.yaml", "x.yml"):
        out = tmp_path / name
        ext = name.split(".")[1].lower()
        with pytest.raises(paraspine.InputError) as e:
            paraspine.simulate(None, FIXTURE, output=out, progress=lambda *a: ran.append(a))
        assert str(e.value).startswith(f"output: {out}: results files are HDF5, not {ext}: give a .h5 name ("), str(e.value)
        assert e.value.field == str(out)
        with pytest.raises(paraspine.InputError, match=f"results files are HDF5, not {ext}: give a .h5 name"):
            paraspine.sweep(FIXTURE, {"subject.mass": [60, 70]}, output=out, progress=ran.append)
    assert ran == [] and list(tmp_path.iterdir()) == []
    # The same words as the command line's, the option named as each caller writes it.
    r = cli("run", FIXTURE, "-o", str(tmp_path / "x.json"))
    assert r.returncode == 2 and r.stderr.startswith(f"error: -o: {tmp_path / 'x.json'}: results files are HDF5, not json: give a .h5 name (")
    # Another name without an HDF5 suffix is written, with the CLI's warning; an .h5 name without one.
    with pytest.warns(UserWarning, match=r"output='.*x\.res': the results file is HDF5 \(usually named \.h5\)") as w:
        paraspine.simulate(None, FIXTURE, output=tmp_path / "x.res", progress=False, fatigue=False, fields="compression")
    assert w[0].filename == __file__  # pointing at the caller's line
    assert (tmp_path / "x.res").exists()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paraspine.simulate(None, FIXTURE, output=tmp_path / "x.h5", progress=False, fatigue=False, fields="compression")


def test_to_hdf5_checks_the_name_as_the_command_line_does(tmp_path):
    # Results.to_hdf5("x.json") and SweepResults.to_hdf5("x.csv") wrote HDF5 files under text names
    # without a word, where simulate(output=) and `paraspine run -o` refuse them. Refused before
    # anything is written; an unknown suffix warns once, pointing at the caller's line.
    import warnings
    res = paraspine.simulate(None, FIXTURE, progress=False, fatigue=False)
    sw = paraspine.sweep(FIXTURE, {"subject.mass": [60, 70]}, threads=1, progress=False)
    for obj in (res, sw):
        for name in ("x.json", "x.CSV", "x.yaml"):
            with pytest.raises(paraspine.InputError, match=r"^to_hdf5: .*results files are HDF5, not "):
                obj.to_hdf5(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    with pytest.warns(UserWarning, match=r"to_hdf5\('.*x\.res'\): the results file is HDF5") as w:
        res.to_hdf5(tmp_path / "x.res")
    assert len(w) == 1 and w[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sw.to_hdf5(tmp_path / "s.h5")
        res.to_hdf5(tmp_path / "r.h5")
        # sweep(output=) warns once for its own name, not a second time when it writes
    with pytest.warns(UserWarning) as w:
        paraspine.sweep(FIXTURE, {"subject.mass": [60, 70]}, threads=1, progress=False, output=tmp_path / "s.res")
    assert len([x for x in w if "HDF5" in str(x.message)]) == 1
    assert {p.name for p in tmp_path.iterdir()} == {"x.res", "s.h5", "r.h5", "s.res"}
