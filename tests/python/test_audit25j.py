"""A sports-science student's audit (audit25j) and the bad-input audit's Python rows (audit25i): the
plots draw every run asked for and say what a marked instant is; the tables and messages a notebook
user sees."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

import paraspine
from cli_helpers import run


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, "tests/data/test_lift.yaml", progress=False)


@pytest.fixture(scope="module")
def swing():
    # One golf swing: its task-failure rule fires at 3.1 s as a strength limit (a suboccipital fascicle
    # at full activation even fresh, at C1-C2), not as fatigue.
    return paraspine.simulate(None, "golf_swing", overrides={"repetitions": 1}, progress=False)


def test_labels_must_match_the_results_one_for_one(lift, swing):
    # audit25j #1: zip(runs, labels) left the third run out of all four panels without a word.
    runs = [lift, swing, lift]
    with pytest.raises(ValueError, match=r"compare: labels has 2 entries for 3 results"):
        paraspine.plot.compare(runs, labels=["a", "b"])
    with pytest.raises(ValueError, match=r"compare: labels has 4 entries for 3 results"):
        paraspine.plot.compare(runs, labels=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"level_profile: labels has 1 entry for 3 results"):
        paraspine.plot.level_profile(runs, labels=["upright"])
    ax = paraspine.plot.level_profile(runs, labels=["a", "b", "c"])
    assert [ln.get_label() for ln in ax.get_lines()] == ["a", "b", "c"]
    assert len(paraspine.plot.level_profile(lift, labels="one").get_lines()) == 1  # one str for one run
    fig = paraspine.plot.compare(runs, labels=["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[2].get_legend().get_texts()] == ["a", "b", "c"]


def test_a_strength_limit_is_marked_as_such_and_not_shaded(swing, lift):
    # audit25j #3: failure_kind "strength_limit" was drawn as a task failure, greying out the swing.
    s = swing.summary
    assert s["failure_kind"] == "strength_limit" and s["failed_joint"] == "C1-C2"
    ax = paraspine.plot.compression(swing, time_unit="s")
    (mark,) = [ln for ln in ax.get_lines() if "strength limit" in ln.get_label()]
    assert mark.get_label() == "strength limit at C1-C2 (3.1 s)" and mark.get_linestyle() == "-."
    assert mark.get_xdata()[0] == pytest.approx(s["endurance_s"])
    assert not ax.patches and not [ln for ln in ax.get_lines() if "task failure" in ln.get_label()]
    ax = paraspine.plot.fatigue(swing, time_unit="s")
    assert not ax.patches and any(ln.get_label().startswith("strength limit at C1-C2") for ln in ax.get_lines())
    fig = paraspine.plot.compare([swing], labels=["swing"])
    assert any(ln.get_label() == "swing: strength limit at C1-C2 (3.1 s)" for ln in fig.axes[0].get_lines())
    assert not fig.axes[0].patches and not fig.axes[3].patches
    # A failure by fatigue is still a dotted line with the rest shaded.
    tired = paraspine.simulate(None, "biering_sorensen", progress=False)
    assert tired.summary["failure_kind"] == "fatigue"
    ax = paraspine.plot.fatigue(tired, time_unit="s")
    (mark,) = [ln for ln in ax.get_lines() if "task failure" in ln.get_label()]
    assert mark.get_linestyle() == ":" and len(ax.patches) == 1


def test_compare_groups_choose_the_fatigue_panel_too(lift):
    # audit25j #8: groups= filtered the bars only; the fatigue panel drew the most fatigued of all groups.
    tired = paraspine.simulate(None, "biering_sorensen", progress=False)
    fig = paraspine.plot.compare([tired, lift])
    worst_all = fig.axes[3].get_title()
    pick = [g for g in tired.groups if g not in worst_all][:2]
    fig = paraspine.plot.compare([tired, lift], groups=pick)
    ends = {g: tired.group_strength_lost(g)[-1] for g in pick}
    assert fig.axes[3].get_title().startswith(f"fatigue of {max(ends, key=ends.get)} ")
    assert [t.get_text() for t in fig.axes[2].get_xticklabels()] == pick


def test_sweep_table_has_the_csv_per_point_columns(tmp_path):
    # audit25j #11: to_pandas() had no first_to_fail / failed_joint / failure_kind, and lacked the CLI
    # CSV's most_loaded_level, reserve_frames_pct and loads_are_lower_bounds.
    import csv
    import json

    out = tmp_path / "bs.csv"
    r = run("sweep", "biering_sorensen", "--vary", "subject.mass=60,90", "--threads", "1", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    sw = paraspine.sweep("biering_sorensen", {"subject.mass": [60, 90]}, threads=1, progress=False)
    df = sw.to_pandas()
    assert list(df.columns[-8:]) == ["first_to_fail", "first_to_fail_side", "failed_joint", "failure_kind",
                                     "most_loaded_level", "most_loaded_peak_compression_N", "reserve_frames_pct",
                                     "loads_are_lower_bounds"]
    for (_, p), c, s in zip(df.iterrows(), rows, sw.summaries):
        assert p["most_loaded_level"] == c["most_loaded_level"]
        assert f"{p['most_loaded_peak_compression_N']:.0f}" == c["most_loaded_peak_compression_N"]
        assert f"{p['reserve_frames_pct']:.1f}" == c["reserve_frames_pct"]
        assert str(p["loads_are_lower_bounds"]).lower() == c["loads_are_lower_bounds"]
        assert f"{p['endurance_s']:.1f}" == c["endurance_s"]
        for k in ("first_to_fail", "first_to_fail_side", "failed_joint", "failure_kind"):
            assert p[k] == s[k]
    assert list(df["first_to_fail"]) == ["longissimus", "longissimus"] and set(df["failure_kind"]) == {"fatigue"}
    # The CLI's --json gives the same failure per point.
    j = run("sweep", "biering_sorensen", "--vary", "subject.mass=60,90", "--threads", "1", "--json")
    assert j.returncode == 0, j.stderr
    points = json.loads(j.stdout)["points"]
    for k in ("first_to_fail", "failed_joint", "failure_kind"):
        assert [x[k] for x in points] == list(df[k])
    # A point that never fails says so with None, not a missing column.
    fresh = paraspine.sweep("biering_sorensen", {"subject.mass": [60]}, threads=1, progress=False, fatigue=False).to_pandas()
    assert fresh.loc[0, "first_to_fail"] is None and fresh.loc[0, "failure_kind"] is None


def test_a_picture_refuses_to_redraw_from_a_file_another_run_replaced(tmp_path):
    # audit25i #5: with the results closed, or the picture unpickled, _Redraw only checked that the
    # path existed, and saved the other run's picture under this one's name.
    import os
    import pickle
    import shutil

    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    paraspine.simulate(None, "tests/data/test_lift.yaml", output=a, progress=False, fatigue=False)
    paraspine.simulate(None, "squat_lift", output=b, progress=False, fatigue=False,
                       overrides={"output_rate_hz": 10})
    r = paraspine.load_results(a)
    pic = r.picture(frame=2, format="png", width=300, height=200)
    blob = pickle.dumps(pic)
    pic.save(tmp_path / "ok.svg")  # the same file: drawn again in another format
    pickle.loads(blob).save(tmp_path / "ok2.svg")
    r.close()
    pic.save(tmp_path / "ok3.svg")  # closed results, file unchanged: still fine
    shutil.copyfile(a, tmp_path / "keep.h5")
    os.remove(a)
    with pytest.raises(ValueError, match=r"the results file this picture was drawn from, is gone") as e:
        pic.save(tmp_path / "x.svg")
    assert "unpickled" not in str(e.value)  # the results were closed, not unpickled
    with pytest.raises(ValueError, match=r"unpickled away from its results"):
        pickle.loads(blob).save(tmp_path / "x.svg")
    shutil.copyfile(b, a)  # another run under the same name
    for p in (pic, pickle.loads(blob)):
        with pytest.raises(ValueError, match=r"no longer holds the run this picture was drawn from \(scenario 'test_lift' "
                                             r"created .*it now holds scenario 'squat_lift'") as e:
            p.save(tmp_path / "y.pdf")
        assert str(a) in str(e.value)
    assert not (tmp_path / "y.pdf").exists() and not list(tmp_path.glob("*.partial"))
    pic.save(tmp_path / "own.png")  # its own bytes in its own format need no file
    shutil.copyfile(tmp_path / "keep.h5", a)  # a byte copy of the run's own file is that run
    pickle.loads(blob).save(tmp_path / "back.svg")


def _sto_times(path):
    text = open(path).read()
    head, table = text.split("endheader\n")
    return np.array([float(line.split("\t", 1)[0]) for line in table.splitlines()[1:]]), table.splitlines()[1]


def test_to_sto_keeps_large_time_offsets_and_refuses_what_it_cannot_keep(tmp_path):
    # audit25i #6: time_offset=<Unix time> collapsed the time column to 2 values (%.10g).
    r = paraspine.simulate(None, "tests/data/test_lift.yaml", progress=False, fatigue=False)
    unix = 1732492800.0
    act, _ = r.to_sto(tmp_path / "u", time_offset=unix)
    t, first = _sto_times(act)
    assert len(np.unique(t)) == len(r.time) and np.array_equal(t, r.time + unix)  # every digit kept
    assert first.startswith("1732492800\t") or first.startswith("1732492800.0")
    for bad in (True, np.bool_(False), 1e300, -1e300):
        with pytest.raises(ValueError, match="time_offset"):
            r.to_sto(tmp_path / "b", time_offset=bad)
    assert not list(tmp_path.glob("b_*"))


def test_to_sto_names_its_failures(tmp_path):
    # audit25i #4 / #15: a bare OSError on the .partial name, a .partial left, '' accepted, and an
    # AttributeError about a field the user never asked for.
    import os

    r = paraspine.simulate(None, "tests/data/test_lift.yaml", progress=False, fatigue=False)
    for prefix in ("", str(tmp_path) + os.sep):
        with pytest.raises(ValueError, match="names no file"):
            r.to_sto(prefix)
    assert not list(tmp_path.iterdir()) and not os.path.exists("_StaticOptimization_activation.sto")
    # A file that cannot be written: /proc takes no new files, even as root.
    with pytest.raises(paraspine.OutputError, match=r"/proc/x_StaticOptimization_activation.sto: to_sto: ") as e:
        r.to_sto("/proc/x")
    assert e.value.file == "/proc/x_StaticOptimization_activation.sto" and e.value.field == "to_sto"
    # The second file fails after the first was written: neither file nor .partial is left.
    (tmp_path / "y_StaticOptimization_force.sto.partial").mkdir()
    with pytest.raises(paraspine.OutputError, match=r"y_StaticOptimization_force.sto: to_sto: "):
        r.to_sto(tmp_path / "y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["y_StaticOptimization_force.sto.partial"]  # the folder was there
    # Results recorded without a field it writes say which, and how to record it.
    few = paraspine.simulate(None, "tests/data/test_lift.yaml", progress=False, fatigue=False, fields=["compression", "activation"])
    with pytest.raises(ValueError, match=r"no muscle_force, reserve_moment .*fields=\[\.\.\., 'muscle_force', 'reserve_moment'\]"):
        few.to_sto(tmp_path / "z")
    out = tmp_path / "k.h5"
    assert run("run", "tests/data/test_lift.yaml", "--no-fatigue", "-o", str(out), "--fields", "kinematics").returncode == 0
    with pytest.raises(ValueError, match=r"the file .*k.h5 stores no activation, muscle_force, reserve_moment .*--fields"):
        paraspine.load_results(out).to_sto(tmp_path / "z")
    assert not list(tmp_path.glob("z_*"))


def test_numbers_are_numbers_in_the_python_arguments(tmp_path, lift):
    # audit25i #15: bool/float/str were coerced by int()/float(), a huge write_every ended in pybind's
    # generic TypeError, and a numpy 0-d array in overrides said "'int' object is not iterable".
    motion = {"time": [0.0, 0.5, 1.0], "regions_deg.lumbar.flexion": [0.0, 10.0, 20.0]}
    base = paraspine.Scenario.load("tests/data/test_lift.yaml")
    for bad in (True, "6", np.bool_(True)):
        with pytest.raises(TypeError, match=r"with_motion: lowpass_hz must be a cutoff in Hz"):
            base.with_motion(motion, lowpass_hz=bad)
    base.with_motion(motion, lowpass_hz=None)  # None: no filter
    for bad in (1.5, True, 2.0, "2"):
        with pytest.raises(TypeError, match=r"frame must be a frame index, an int"):
            lift.picture(frame=bad, format="png", width=200, height=150)
    for bad in ("0.5", True):
        with pytest.raises(TypeError, match=r"time must be a number of seconds"):
            lift.picture(time=bad, format="png", width=200, height=150)
    assert lift.picture(frame=np.int64(2), format="png", width=200, height=150).frame == 2
    assert lift.picture(time=np.float32(0.5), format="png", width=200, height=150).time_s == pytest.approx(0.5, abs=0.05)
    with pytest.raises(ValueError, match=r"write_every=100000000000000000000 is more than the engine counts frames to"):
        paraspine.simulate(None, "tests/data/test_lift.yaml", output=tmp_path / "w.h5", write_every=10**20, progress=False)
    assert not list(tmp_path.iterdir())
    r = paraspine.simulate(None, "tests/data/test_lift.yaml", output=tmp_path / "w.h5", write_every=2**63 - 1,
                           progress=False, fatigue=False)
    assert r.frames == 2  # the first and the last
    sc = paraspine.Scenario.load("tests/data/test_lift.yaml", overrides={"output_rate_hz": np.array(25)})
    assert sc.frames == paraspine.Scenario.load("tests/data/test_lift.yaml", overrides={"output_rate_hz": 25}).frames
    assert paraspine.Scenario.from_dict({**base.to_dict(), "output_rate_hz": np.array(25.0)}).frames == sc.frames


def test_a_fascicle_given_as_a_group_points_to_names(lift):
    # audit25j #9: r.muscles("LTpL_L5_l") listed the groups without saying it is a fascicle.
    name = lift.muscles(group="longissimus").names[0]
    with pytest.raises(KeyError, match=rf"'{name}' is a fascicle, not a muscle group: muscles\(names='{name}'\) "
                                       rf"selects it \(its group: longissimus\)"):
        lift.muscles(name)
    assert lift.muscles(names=name).names == [name]
    with pytest.raises(KeyError, match="unknown muscle group 'longisimus'; groups: "):
        lift.muscles("longisimus")
