"""paraspine.simulate and Results: the same numbers as the CLI, labelled selection, conversions,
HDF5 round trips in both directions, streaming, progress, interruption and memory."""
import json
import os
import threading
import time

import h5py
import numpy as np
import pytest

import paraspine
from conftest import FIXTURE, cli, counts_while



@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, FIXTURE, progress=False)


@pytest.fixture(scope="module")
def cli_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "lift.h5"
    r = cli("run", FIXTURE, "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_results_shapes_labels_and_read_only(lift):
    m = lift.model
    T = lift.frames
    assert T == paraspine.Scenario.load(FIXTURE).frames == len(lift.time)
    assert lift.compression.shape == (T, m.njoint)
    assert lift.net_moment.shape == (T, m.njoint, 3)
    assert lift.muscle_force.shape == lift.activation.shape == lift.fatigue_fatigued.shape == (T, m.nmuscle)
    assert lift.joint_names == list(m.joint_names) and lift.muscle_names == list(m.muscle_names)
    assert set(lift.fields) == {f.name for f in paraspine.FIELDS}
    with pytest.raises(ValueError):
        lift.compression[0, 0] = 1.0  # results are records of a run
    # Arrays are the engine's buffers, not copies: the same object each time, owning no data.
    assert lift.compression is lift.compression and not lift.compression.flags.owndata
    # Fatigue fractions sum to one; capacity is 1 − M_F.
    s = lift.fatigue_active + lift.fatigue_resting + lift.fatigue_fatigued
    assert np.allclose(s, 1.0, atol=1e-9)
    assert np.allclose(lift.fatigue_capacity, 1 - lift.fatigue_fatigued, atol=1e-12)


def test_python_and_cli_give_identical_results(lift, cli_file):
    with h5py.File(cli_file) as f:
        assert np.array_equal(f["time"][()], lift.time)
        for fd in paraspine.FIELDS:
            assert np.array_equal(f[fd.path][()], lift.get(fd.name), equal_nan=True), fd.path
        assert json.loads(f["summary"].attrs["json"]) == lift.summary
    r = cli("run", FIXTURE, "--json")
    assert json.loads(r.stdout) == lift.summary


def test_subject_and_criterion_match_the_cli():
    subj = paraspine.Subject(mass=60, height=1.65, sex="female")
    py = paraspine.simulate("full_spine", FIXTURE, subject=subj, criterion="activation3", progress=False)
    r = cli("run", FIXTURE, "--subject", "mass=60,height=1.65,sex=female", "--criterion", "activation3", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == py.summary
    assert py.summary["subject"]["body_mass_kg"] == 60 and py.summary["criterion"] == "activation3"
    assert py.model.reference_body_mass == 60


def test_labelled_selection(lift):
    k = lift.joint_names.index("L4-L5")
    j = lift.joint("L4-L5")
    assert np.array_equal(j.compression, lift.compression[:, k])
    assert j.net_moment.shape == (lift.frames, 3)
    assert np.isclose(j.compression.max(), lift.summary["joints"]["L4-L5"]["peak_compression_N"])
    two = lift.joint(["L4-L5", "L5-S1"])
    assert two.compression.shape == (lift.frames, 2)
    sel = lift.muscles(group="longissimus", side="left")
    assert len(sel) > 0 and set(sel.groups) == {"longissimus"} and set(sel.sides) == {"left"}
    assert sel.force.shape == (lift.frames, len(sel))
    assert np.array_equal(sel.force, lift.muscle_force[:, sel.indices])
    # Left and right mirror each other in a symmetric lift.
    right = lift.muscles(group="longissimus", side="right")
    assert np.allclose(np.sort(sel.force.max(axis=0)), np.sort(right.force.max(axis=0)), rtol=1e-6, atol=1e-6)
    both = lift.muscles(group=["longissimus", "iliocostalis"])
    assert len(both) == len(lift.muscles(group="longissimus")) + len(lift.muscles(group="iliocostalis"))
    assert len(lift.muscles(names=[lift.muscle_names[0]])) == 1
    with pytest.raises(KeyError, match="unknown joint 'L9-L10'"):
        lift.joint("L9-L10")
    with pytest.raises(KeyError, match="unknown muscle group 'longisimus'"):
        lift.muscles(group="longisimus")
    with pytest.raises(KeyError, match="side"):
        lift.muscles(side="up")


def test_to_xarray_and_to_pandas(lift):
    ds = lift.to_xarray()
    assert dict(ds.sizes) == {"time": lift.frames, "joint": len(lift.joint_names), "muscle": len(lift.muscle_names),
                              "rotation": 3}
    assert ds["compression"].dims == ("time", "joint") and ds["compression"].attrs["units"] == "N"
    assert ds["net_moment"].dims == ("time", "joint", "rotation")
    assert float(ds["compression"].sel(joint="L4-L5").max()) == lift.summary["joints"]["L4-L5"]["peak_compression_N"]
    lg = ds["muscle_force"].where(ds.group == "longissimus", drop=True)
    assert lg.sizes["muscle"] == len(lift.muscles(group="longissimus"))
    assert np.shares_memory(ds["compression"].values, lift.compression)  # wrapped, not copied
    joints = lift.to_pandas()
    assert list(joints.index) == lift.joint_names
    assert joints.loc["L4-L5", "peak_compression_N"] == lift.summary["joints"]["L4-L5"]["peak_compression_N"]
    groups = lift.to_pandas("groups")
    assert groups.loc[("longissimus", "left"), "peak_activation"] == lift.summary["groups"]["longissimus"]["left"]["peak_activation"]
    muscles = lift.to_pandas("muscles")
    assert len(muscles) == len(lift.muscle_names)
    assert np.isclose(muscles["peak_activation"].max(), lift.activation.max())
    with pytest.raises(ValueError):
        lift.to_pandas("frames")
    j = lift.joint("L4-L5").to_xarray()
    assert "muscle" not in j.dims and j["compression"].dims == ("time",)
    m = lift.muscles(group="multifidus", side="left").to_xarray()
    assert m.sizes["muscle"] == len(lift.muscles(group="multifidus", side="left")) and set(m.side.values) == {"left"}
    assert "joint" not in m.dims


def _layout(path):
    out = {}
    with h5py.File(path) as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                attrs = {k: str(v) for k, v in obj.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
                out[name] = (obj.shape, str(obj.dtype), obj.chunks, obj.compression, attrs,
                             [d.label for d in obj.dims], [[s.name for s in d.values()] for d in obj.dims])
            else:
                out[name] = dict(obj.attrs)
        f.visititems(visit)
        # command_line is the CLI's record of how it was called; a file written from Python has none.
        out["/"] = sorted(k for k in f.attrs if k != "command_line")
    return out


def test_to_hdf5_is_laid_out_like_the_cli_file(lift, cli_file, tmp_path):
    path = lift.to_hdf5(tmp_path / "py.h5")
    assert not os.path.exists(str(path) + ".partial")
    assert _layout(path) == _layout(cli_file)
    with h5py.File(path) as a, h5py.File(cli_file) as b:
        for fd in paraspine.FIELDS:
            assert np.array_equal(a[fd.path][()], b[fd.path][()], equal_nan=True)
        for k in ("schema_version", "scenario", "scenario_text", "criterion", "subject", "model"):
            assert a.attrs[k] == b.attrs[k], k
    # The CLI reads it back.
    r = cli("compare", str(cli_file), str(path))
    assert r.returncode == 0, r.stderr


def test_load_results_reads_the_cli_file(lift, cli_file):
    with paraspine.load_results(cli_file) as res:
        assert res.file == str(cli_file)
        assert res.summary == lift.summary
        assert res.metadata["scenario"] == "test_lift" and res.metadata["schema_version"] == 1
        assert res.metadata["subject"]["body_mass_kg"] == lift.summary["subject"]["body_mass_kg"]
        assert res.joint_names == lift.joint_names and res.muscle_groups == lift.muscle_groups
        # Lazy: a selection reads its columns without loading whole fields.
        assert np.array_equal(res.joint("L4-L5").compression, lift.joint("L4-L5").compression)
        assert not res._cache or set(res._cache) <= {"time"}
        assert np.array_equal(res.muscles(group="multifidus", side="right").activation,
                              lift.muscles(group="multifidus", side="right").activation)
        for fd in paraspine.FIELDS:
            assert np.array_equal(res.get(fd.path), lift.get(fd.name), equal_nan=True)
        assert res.to_xarray()["compression"].equals(lift.to_xarray()["compression"])


def test_load_results_errors_name_the_file(tmp_path):
    missing = tmp_path / "none.h5"
    with pytest.raises(paraspine.InputError) as e:
        paraspine.load_results(missing)
    assert str(missing) in str(e.value) and e.value.file == str(missing)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = 1
    with pytest.raises(paraspine.InputError, match="not a paraspine results file"):
        paraspine.load_results(other)
    r = cli("compare", str(other), str(other))
    assert r.returncode != 0 and "not a paraspine results file" in r.stderr


def test_streaming_to_a_file(lift, tmp_path):
    out = tmp_path / "stream.h5"
    res = paraspine.simulate(None, FIXTURE, output=out, progress=False)
    try:
        assert res.file == str(out) and not os.path.exists(str(out) + ".partial")
        assert res.summary == lift.summary
        assert np.array_equal(res.compression, lift.compression)
        copy = res.to_hdf5(tmp_path / "copy.h5")  # file-backed: the file itself, copied
        assert _layout(copy) == _layout(out)
    finally:
        res.close()


def test_fields_and_memory_ceiling(lift):
    part = paraspine.simulate(None, FIXTURE, fields=["compression", "/muscles/activation"], progress=False)
    assert set(part.fields) == {"compression", "activation"}
    assert np.array_equal(part.compression, lift.compression)
    with pytest.raises(AttributeError, match="was not recorded"):
        part.muscle_force
    with pytest.raises(ValueError, match="every field"):
        part.to_hdf5("never.h5")
    assert not os.path.exists("never.h5")
    with pytest.raises(ValueError, match="unknown field"):
        paraspine.simulate(None, FIXTURE, fields=["compresion"], progress=False)
    with pytest.raises(ValueError, match="record nothing"):
        paraspine.simulate(None, FIXTURE, fields=[], progress=False)
    # An 8 h shift at 50 Hz would need tens of GB in memory: refused with advice, before running.
    t = time.perf_counter()
    with pytest.raises(ValueError, match="output="):
        paraspine.simulate(None, "repetitive_lifting_shift", progress=False)
    assert time.perf_counter() - t < 5


class _Stop(Exception):
    pass


def _assert_a_raising_progress_stops_cleanly(tmp_path, **kwargs):
    """A progress callback that raises stops the run with its exception and leaves no file."""
    def stop(done, total, t):
        raise _Stop(f"stopped at {done}")

    out = tmp_path / "stopped.h5"
    with pytest.raises(_Stop):
        paraspine.simulate(None, FIXTURE, output=out, progress=stop, **kwargs)
    assert not out.exists() and not (tmp_path / "stopped.h5.partial").exists()


def test_progress_callback_and_interruption(tmp_path):
    calls = []
    paraspine.simulate(None, FIXTURE, progress=lambda done, total, t: calls.append((done, total, t)))
    assert calls and calls[-1][0] == calls[-1][1] == paraspine.Scenario.load(FIXTURE).frames
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))

    _assert_a_raising_progress_stops_cleanly(tmp_path)
    # The default progress bar (tqdm) works outside notebooks too.
    paraspine.simulate(None, FIXTURE, progress=True, fields=["compression"])


def test_progress_bar_in_a_log_is_plain_lines():
    # `python job.py 2>log`: tqdm redrew its text bar in place with \r about ten times a second and
    # the log kept every redraw on one "line" (thousands for a long scenario). With stderr not a
    # terminal each redraw is a plain line, at most every _LOG_INTERVAL_S (here shortened to 0.3 s).
    import subprocess
    import sys
    code = ("import paraspine, paraspine.run as r; r._LOG_INTERVAL_S = 0.3; "
            f"paraspine.simulate(None, {FIXTURE!r}, overrides={{'repetitions': 150}}, fields=['compression'])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "\r" not in p.stderr, p.stderr[:500]
    lines = p.stderr.splitlines()
    assert lines and all(line.startswith("test_lift:") and "frame" in line for line in lines), p.stderr
    assert len(lines) < 200, len(lines)


def test_without_fatigue_frames_run_in_parallel_like_the_cli(tmp_path):
    # fatigue=False is `paraspine run --no-fatigue`: fresh muscles, frames solved in parallel chains,
    # the same bits for any thread count; the progress callback then runs on whichever thread hands
    # frames on, and an exception from it still stops the run without a partial file.
    one = paraspine.simulate(None, FIXTURE, fatigue=False, progress=False)
    two = paraspine.simulate(None, FIXTURE, fatigue=False, threads=2, progress=False)
    r = cli("run", FIXTURE, "--no-fatigue", "--threads", "2", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == one.summary == two.summary
    assert np.array_equal(one.activation, two.activation) and np.array_equal(one.compression, two.compression)
    assert all(v["end_fatigued_fraction"] == 0 for g in one.summary["groups"].values() for v in g.values())

    _assert_a_raising_progress_stops_cleanly(tmp_path, fatigue=False, threads=2)


def test_gil_is_released_during_simulate():
    assert counts_while(lambda: paraspine.simulate(None, FIXTURE, progress=False, fields=["compression"])) > 10000


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def test_no_memory_growth_over_repeated_simulations():
    sc = paraspine.Scenario.load(FIXTURE)
    m = paraspine.Model.load(sc.model)
    for _ in range(3):
        paraspine.simulate(m, sc, progress=False)
    start = _rss_mb()
    for _ in range(10):
        r = paraspine.simulate(m, sc, progress=False)
        r.to_xarray()
        del r
    grown = _rss_mb() - start
    one_run = sc.frames * 8 * sum({"joint3": 3 * m.njoint, "joint": m.njoint, "muscle": m.nmuscle}[f.shape]
                                  for f in paraspine.FIELDS) / 1e6
    # Ten more runs of ~10 MB each leave the process no bigger than about one run.
    assert grown < max(1.5 * one_run, 15), (grown, one_run)


def test_scenario_object_and_overrides():
    s = paraspine.Scenario.load("upright_sitting")
    assert s.name == "upright_sitting" and s.duration_s == 7200 and s.output_rate_hz == 1
    assert s.frames == 7201 and "upright" in s.description.lower()
    short = s.with_overrides({"keyframes[1].time": 600})
    assert short.duration_s == 600 and short.frames == 601 and s.duration_s == 7200
    assert "time: 600" in short.text
    assert paraspine.Scenario.load("upright_sitting", overrides=["keyframes[1].time=60"]).duration_s == 60
    r = paraspine.simulate(None, "upright_sitting", overrides={"keyframes[1].time": 60}, progress=False)
    assert r.frames == 61 and r.metadata["scenario_text"] == paraspine.Scenario.load(
        "upright_sitting", overrides={"keyframes[1].time": 60}).text
    d = s.to_dict()
    assert d["name"] == "upright_sitting"
    again = paraspine.Scenario.from_dict(d)
    assert again.frames == s.frames and again.file == "<from_dict>"
    with pytest.raises(TypeError):
        paraspine.simulate(None, 42)
    with pytest.raises(ValueError, match="threads"):
        paraspine.simulate(None, FIXTURE, threads=0)


def test_from_dict_builds_a_runnable_scenario():
    spec = {
        "name": "hold_5kg", "model": "full_spine", "output_rate_hz": np.float64(10),
        "keyframes": [
            {"time": 0, "regions_deg": {"lumbar": {"flexion": 20}},
             "hands": {"both": {"position": np.array([0.35, -0.1, 0.18]), "load_kg": 5}}},
            {"time": 2.0, "regions_deg": {"lumbar": {"flexion": 20}},
             "hands": {"both": {"position": [0.35, -0.1, 0.18], "load_kg": 5}}},
        ],
    }
    s = paraspine.Scenario.from_dict(spec)
    r = paraspine.simulate(None, s, progress=False)
    assert r.frames == 21
    # A symmetric hold: no lateral shear, extensors on both sides equally.
    assert np.abs(r.shear_lateral).max() < 1e-6 * np.abs(r.compression).max()


def _strip(msg, path):
    return msg.replace(str(path), "FILE")


def test_errors_carry_the_cli_messages(tmp_path):
    text = open(FIXTURE).read().replace("load_kg: 5}}\n  - time: 3.0", "load_kg: 5}}\n  - time: 1.0", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    r = cli("run", str(bad))
    assert r.returncode == 2
    with pytest.raises(paraspine.InputError) as e:
        paraspine.Scenario.load(str(bad))
    assert str(e.value) in r.stderr  # the CLI's message, word for word
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "time: 1.0" in l)
    assert e.value.file == str(bad) and e.value.line == line and e.value.field.startswith("keyframes[2]")
    assert isinstance(e.value, ValueError)
    # The same from a dict: the message names the line of the YAML made from it, and the field.
    d = paraspine.Scenario.load(FIXTURE).to_dict()
    d["keyframes"][2]["time"] = 1.0
    with pytest.raises(paraspine.InputError, match=r"<from_dict>:\d+: keyframes\[2\]") as e2:
        paraspine.Scenario.from_dict(d)
    assert e2.value.line > 0
    # Unknown keys and overrides.
    d = paraspine.Scenario.load(FIXTURE).to_dict()
    d["keyframes"][1]["hands"]["both"]["loadkg"] = 3
    with pytest.raises(paraspine.InputError, match="unknown key 'loadkg'"):
        paraspine.Scenario.from_dict(d)
    r = cli("run", FIXTURE, "--set", "keyframes[1].hands.both.loadkg=3")
    with pytest.raises(paraspine.InputError) as e3:
        paraspine.Scenario.load(FIXTURE, overrides={"keyframes[1].hands.both.loadkg": 3})
    assert "loadkg" in str(e3.value) and "loadkg" in r.stderr
    # Checks against the model (bind time) raise at simulate, with the CLI's message.
    far = tmp_path / "far.yaml"
    far.write_text(open(FIXTURE).read().replace("position: [0.35, -0.20, 0.18]", "position: [1.5, -0.20, 0.18]"))
    r = cli("run", str(far))
    with pytest.raises(paraspine.InputError) as e4:
        paraspine.simulate(None, str(far), progress=False)
    assert r.returncode == 2 and str(e4.value) in r.stderr
    with pytest.raises(paraspine.InputError, match="no-such-scenario"):
        paraspine.Scenario.load("no-such-scenario")
    with pytest.raises(ValueError, match="criterion"):
        paraspine.simulate(None, FIXTURE, criterion="fastest", progress=False)
    with pytest.raises(ValueError):
        paraspine.simulate(None, FIXTURE, subject=paraspine.Subject(mass=500), progress=False)


def test_ctrl_c_stops_a_run_quickly(tmp_path):
    import _thread

    out = tmp_path / "long.h5"
    timer = threading.Timer(0.5, _thread.interrupt_main)  # what Ctrl-C / the notebook's stop button does
    timer.start()
    t = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        # an hour of lifts (35 904 frames, ~10 s with output on a quiet core): stopping within 3 s is far short of
        # the work and holds on a busy machine
        paraspine.simulate(None, paraspine.Scenario.load("repetitive_lifting_shift", overrides={"repetitions": 240}),
                           output=out, progress=False)
    stopped = time.perf_counter() - t
    timer.join()
    assert stopped < 0.5 + 3.0, stopped
    assert not out.exists() and not (tmp_path / "long.h5.partial").exists()


def test_runs_from_several_python_threads_match_serial_runs(lift):
    sc = paraspine.Scenario.load(FIXTURE)
    out = [None, None]

    def work(k):
        out[k] = paraspine.simulate(lift.model, sc, progress=False, fields=["compression", "activation"])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for r in out:
        assert np.array_equal(r.compression, lift.compression)
        assert np.array_equal(r.activation, lift.activation)


def test_model_errors_carry_the_cli_messages(tmp_path):
    text = open("models/lumbar.yaml").read().replace("optimal_fiber_length:", "optimal_fibre_length:", 1)
    bad = tmp_path / "bad_model.yaml"
    bad.write_text(text)
    r = cli("model", "info", str(bad))
    with pytest.raises(paraspine.InputError) as e:
        paraspine.Model.load(str(bad))
    assert r.returncode == 2 and str(e.value) in r.stderr
    assert e.value.file == str(bad) and e.value.line > 0 and "optimal_fibre_length" in str(e.value)
    with pytest.raises(paraspine.InputError) as e2:
        paraspine.simulate(str(bad), FIXTURE, progress=False)
    assert str(e2.value) == str(e.value)


def test_reduced_reads_long_fields_block_by_block(lift, cli_file):
    idx = lift.joint(["L4-L5", "L5-S1", "T12-L1"]).indices  # not in file order
    t, v = lift.reduced("compression", idx, max_frames=40)
    step = int(np.ceil(lift.frames / 40))
    assert len(t) == len(v) == int(np.ceil(lift.frames / step)) and v.shape[1] == 3
    assert np.allclose(v.max(axis=0), lift.compression[:, idx].max(axis=0))  # peaks kept
    assert np.array_equal(t, lift.time[::step])
    with paraspine.load_results(cli_file) as res:
        t2, v2 = res.reduced("compression", idx, max_frames=40)
        assert np.array_equal(t2, t) and np.array_equal(v2, v)
        assert not res._cache.get("compression")  # read in blocks, never whole
        m = res.muscles(group="longissimus").indices
        _, f2 = res.reduced("fatigue_fatigued", m, max_frames=40, how="mean")
        _, f1 = lift.reduced("fatigue_fatigued", m, max_frames=40, how="mean")
        assert np.allclose(f1, f2)
    t3, v3 = lift.reduced("shear_ap", lift.joint("L5-S1").indices[0], max_frames=10 ** 6)
    assert np.array_equal(v3, lift.joint("L5-S1").shear_ap)
    with pytest.raises(ValueError):
        lift.reduced("compression", max_frames=10, how="median")


def test_threads_give_the_same_results():
    # simulate(threads=N) is `paraspine run --threads N`: identical results for any count (with
    # fatigue the frames run in order on one thread; see docs/performance.md, "Threads").
    model = paraspine.Model.load("full_spine")
    one = paraspine.simulate(model, "squat_lift", threads=1, progress=False)
    two = paraspine.simulate(model, "squat_lift", threads=2, progress=False)
    assert np.array_equal(one.compression, two.compression)
    assert np.array_equal(one.activation, two.activation)
    assert one.summary == two.summary


def test_simulate_many_equals_each_run_alone_and_runs_in_parallel():
    scenarios = [FIXTURE, "squat_lift", FIXTURE]
    alone = [paraspine.simulate(None, s, progress=False, fields=["compression"]) for s in scenarios]
    many = paraspine.simulate_many(scenarios, threads=2, progress=False, fields=["compression"])
    assert [r.summary for r in many] == [r.summary for r in alone]
    for a, b in zip(many, alone):
        np.testing.assert_array_equal(a.joint("L4-L5").compression, b.joint("L4-L5").compression)
    # the calling thread keeps running while the scenarios run (the engine releases the GIL)
    assert counts_while(lambda: paraspine.simulate_many([FIXTURE, FIXTURE], threads=2, progress=False,
                                                        fields=["compression"])) > 1000
    # bad input before anything runs; output= is refused (one file for several runs)
    with pytest.raises(Exception, match="no_such_scenario"):
        paraspine.simulate_many([FIXTURE, "no_such_scenario.yaml"], progress=False)
    with pytest.raises(ValueError, match="output"):
        paraspine.simulate_many([FIXTURE], output="x.h5")
    assert paraspine.simulate_many([]) == []


def test_output_path_is_checked_before_the_run(tmp_path):
    # output= naming a folder used to run the whole scenario, then fail when moving the file into place.
    long = paraspine.Scenario.load(FIXTURE, overrides={"repetitions": 100000})
    t0 = time.time()
    with pytest.raises(paraspine.InputError, match="is a directory") as e:
        paraspine.simulate(None, long, output=str(tmp_path), progress=False)
    assert time.time() - t0 < 20 and e.value.file == str(tmp_path) and e.value.field == "output"
    r = cli("run", FIXTURE, "-o", str(tmp_path))
    assert r.returncode == 2 and str(e.value) in r.stderr  # the CLI's message, word for word
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs,expect", [
    (dict(mass=-70), "Subject mass: must be between 20 and 300 kg"),   # was: the 79.6 kg reference, silently
    (dict(mass=float("nan")), "Subject mass: must be a finite number"),
    (dict(height=3), "Subject height: must be between 1.0 and 2.5 m"),
    (dict(sex="f"), "Subject sex: expected 'male' or 'female'"),
    (dict(strength_factor=0), "Subject strength_factor: must be in (0, 5]"),
])
def test_implausible_subject_raises_value_error(kwargs, expect):
    with pytest.raises(ValueError) as e:
        paraspine.Subject(**kwargs)
    assert str(e.value).startswith(expect), str(e.value)
    s = paraspine.Subject(mass=62)
    with pytest.raises(ValueError, match="Subject mass"):
        s.mass = -1
    assert s.mass == 62 and paraspine.Subject().mass == 0  # 0 = the model's reference


def test_fields_as_one_string(lift):
    # fields="compression" used to be iterated letter by letter: "unknown field 'c'".
    one = paraspine.simulate(None, FIXTURE, fields="compression", progress=False)
    assert set(one.fields) == {"compression"} and np.array_equal(one.compression, lift.compression)
    two = paraspine.simulate(None, FIXTURE, fields="compression, activation", progress=False)
    assert set(two.fields) == {"compression", "activation"}


def test_absurd_thread_counts_are_capped(lift):
    # simulate(threads=100000, fatigue=False) allocated a 1.3 MB Data per thread (130 GB); the count
    # is capped as on the command line (4 per core, at least 16): same numbers, bounded memory.
    import subprocess
    import sys
    code = ("import resource, json; resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30)); import paraspine; "
            f"r = paraspine.simulate(None, {FIXTURE!r}, fatigue=False, threads=100000, progress=False); "
            "print(json.dumps(r.summary))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-500:]
    fresh = paraspine.simulate(None, FIXTURE, fatigue=False, progress=False)
    assert json.loads(p.stdout) == fresh.summary


def test_static_postures_beyond_the_joints_ranges_raise():
    # static_frame / max_exertion accepted any angle (500° of lumbar flexion) and returned numbers.
    m = paraspine.Model.load("lumbar")
    for call in (lambda: paraspine.static_frame(m, {"lumbar.flexion": 500}),
                 lambda: paraspine.max_exertion(m, {"lumbar.flexion": -200}, pad_segment=m.segment_names[-1])):
        with pytest.raises(ValueError, match="beyond its range"):
            call()
    # the CLI's message (within a full turn: beyond it the CLI calls the angle a typo, session 19)
    r = cli("moments", "lumbar", "--angle-deg", "lumbar.flexion=300")
    with pytest.raises(ValueError) as e:
        paraspine.static_frame(m, {"lumbar.flexion": 300})
    assert str(e.value) in r.stderr


def test_missing_model_is_reported_at_the_scenario_line(tmp_path):
    # "nosuch: cannot open model file" named neither the scenario nor its line.
    text = open(FIXTURE).read().replace("model: full_spine", "model: nosuch")
    path = tmp_path / "nomodel.yaml"
    path.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("model:"))
    with pytest.raises(paraspine.InputError) as e:
        paraspine.simulate(None, str(path), progress=False)
    assert (e.value.file, e.value.line, e.value.field) == (str(path), line, "model")
    assert "neither a bundled model (" in str(e.value) and "full_spine" in str(e.value)
    r = cli("run", str(path))
    assert r.returncode == 2 and r.stderr == f"error: {e.value}\n"
    r = cli("run", FIXTURE, "--model", "nosuch")
    assert r.returncode == 2 and r.stderr.startswith("error: --model: no model 'nosuch'")
    # batch and sweep, and Python's sweep, name it the same way.
    for args in (["batch", str(path)], ["sweep", str(path), "--vary", "subject.mass=60,70"]):
        r = cli(*args)
        assert r.returncode == 2 and r.stderr == f"error: {e.value}\n", (args, r.stderr)
    with pytest.raises(paraspine.InputError) as e2:
        paraspine.sweep(str(path), {"subject.mass": [60, 70]}, progress=False)
    assert str(e2.value) == str(e.value)
    r = cli("batch", FIXTURE, "--model", "nosuch")
    assert r.returncode == 2 and r.stderr.startswith("error: --model: no model 'nosuch'")


def test_to_hdf5_checks_its_path_like_the_cli(lift, tmp_path):
    # to_hdf5(folder) said "cannot move the finished results into place: Is a directory" after
    # writing everything; to_hdf5 over the scenario file replaced it.
    with pytest.raises(paraspine.InputError, match="is a directory"):
        lift.to_hdf5(str(tmp_path))
    with pytest.raises(paraspine.InputError, match="does not exist"):
        lift.to_hdf5(str(tmp_path / "no" / "x.h5"))
    sc = tmp_path / "lift.yaml"
    sc.write_text(open(FIXTURE).read())
    r = paraspine.simulate(None, str(sc), progress=False, fields=None)
    with pytest.raises(paraspine.InputError, match="is an input of the run"):
        r.to_hdf5(str(sc))
    assert sc.read_text() == open(FIXTURE).read()
    with pytest.raises(paraspine.InputError, match="is an input of the run"):
        paraspine.simulate(None, str(sc), output=str(sc), progress=False)
    sw = paraspine.sweep(str(sc), {"subject.mass": [60]}, progress=False)
    with pytest.raises(paraspine.InputError, match="is a directory"):
        sw.to_hdf5(str(tmp_path))


def test_fields_of_a_closed_results_file_say_so(cli_file):
    # After close() (or the with block) an unread field raised h5py's "Dset_id is not a dataset id".
    with paraspine.load_results(str(cli_file)) as r:
        kept = r.compression
    assert kept.shape[0] == r.frames  # read before close(): still usable
    for get in (lambda: r.muscle_force, lambda: r.joint("L4-L5").shear_ap,
                lambda: r.reduced("activation", 0, 10, "max")):
        with pytest.raises(ValueError, match=r"is closed: fields read before close\(\) stay usable"):
            get()


def test_joint_by_number_is_a_clear_type_error(lift):
    with pytest.raises(TypeError, match=r"joint\(\) takes a joint name such as 'L4-L5'"):
        lift.joint(3)
    assert lift.joint(("L4-L5", "L5-S1")).compression.shape == (lift.frames, 2)


def test_a_field_missing_from_a_file_names_the_file(tmp_path):
    # A file written with --fields said the field was not chosen by "simulate(..., fields=...)".
    out = tmp_path / "joints.h5"
    assert cli("run", FIXTURE, "--fields", "joints", "-o", str(out)).returncode == 0
    with paraspine.load_results(str(out)) as r:
        with pytest.raises(AttributeError, match=f"the file {out} stores only"):
            r.activation
    part = paraspine.simulate(None, FIXTURE, fields=["compression"], progress=False)
    with pytest.raises(AttributeError, match=r"simulate\(\.\.\., fields=\.\.\.\) chose"):
        part.activation
