"""Motion files (docs/scenarios.md, "Motion files"): a CSV of keyframe values drives a run exactly as
the same keyframes written in YAML do, except that its first and last rows keep the data's own
velocity where keyframes start and end at rest; its errors name the CSV's line and column; results
files keep its text, so pictures rebuild the run without it."""
import math
import os

import h5py
import numpy as np

from cli_helpers import run

KEYFRAMES = """paraspine_scenario: 1
name: kf
output_rate_hz: 20
keyframes:
  - time: 0
    hands: {both: {position: [0.25, 0.1, 0.2], load_kg: 0}}
  - time: 1
    pelvis_deg: {flexion: 30}
    regions_deg: {lumbar: {flexion: 30}, thoracic: {lateral_bending: 4}}
    joints_deg: {L5-S1: {axial_rotation: 1.5}}
    hands: {both: {position: [0.4, -0.25, 0.2], load_kg: 5}}
  - time: 2
    pelvis_deg: {flexion: 30}
    regions_deg: {lumbar: {flexion: 30}, thoracic: {lateral_bending: 4}}
    joints_deg: {L5-S1: {axial_rotation: 1.5}}
    hands: {both: {position: [0.4, -0.25, 0.2], load_kg: 5}}
"""

CSV = """# the keyframes above, as a table
time,pelvis_deg.flexion,regions_deg.lumbar.flexion,regions_deg.thoracic.lateral_bending,joints_deg.L5-S1.axial_rotation,hands.both.position[0],hands.both.position[1],hands.both.position[2],hands.both.load_kg
0,0,0,0,0,0.25,0.1,0.2,0
1,30,30,4,1.5,0.4,-0.25,0.2,5
2,30,30,4,1.5,0.4,-0.25,0.2,5
"""


def motion_scenario(folder, csv=CSV, motion="{file: m.csv}"):
    (folder / "m.csv").write_text(csv)
    (folder / "mf.yaml").write_text(f"paraspine_scenario: 1\nname: mf\noutput_rate_hz: 20\nmotion: {motion}\n")
    return str(folder / "mf.yaml")


def test_a_motion_file_runs_exactly_as_the_same_keyframes(tmp_path):
    # Keyframes start and end at rest; a motion file's end rows keep the data's slope (session 22).
    # So a table that starts and ends still (a repeated first row, a hold at the end) is bit for bit
    # the keyframes; CSV, which starts moving (0 → 30° in its first second), differs in that second
    # only, and its first frame is already moving.
    held = CSV.replace("\n0,0,0,0,0,0.25,0.1,0.2,0\n", "\n0,0,0,0,0,0.25,0.1,0.2,0\n0.5,0,0,0,0,0.25,0.1,0.2,0\n")
    held = held.replace("\n1,30,", "\n1.5,30,").replace("\n2,30,", "\n2.5,30,")
    kf_held = KEYFRAMES.replace("  - time: 1\n", "  - time: 0.5\n    hands: {both: {position: [0.25, 0.1, 0.2], load_kg: 0}}\n  - time: 1.5\n")
    kf_held = kf_held.replace("  - time: 2\n", "  - time: 2.5\n")
    assert held.count("\n") == CSV.count("\n") + 1 and kf_held.count("time:") == 4
    for name, kf, csv in (("held", kf_held, held), ("moving", KEYFRAMES, CSV)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "kf.yaml").write_text(kf)
        assert run("run", str(folder / "kf.yaml"), "-o", str(folder / "kf.h5")).returncode == 0
        r = run("run", motion_scenario(folder, csv=csv), "-o", str(folder / "mf.h5"))
        assert r.returncode == 0, r.stderr
        if name == "moving":
            for out, scen in (("kf_nf.h5", str(folder / "kf.yaml")), ("mf_nf.h5", str(folder / "mf.yaml"))):
                assert run("run", scen, "--no-fatigue", "-o", str(folder / out)).returncode == 0
            with h5py.File(folder / "kf_nf.h5") as a, h5py.File(folder / "mf_nf.h5") as b:
                t = a["time"][()]
                for path in ("joints/compression", "joints/net_moment"):
                    assert np.allclose(a[path][()][t >= 1], b[path][()][t >= 1], rtol=1e-9, atol=1e-6), path
        with h5py.File(folder / "kf.h5") as a, h5py.File(folder / "mf.h5") as b:
            t = a["time"][()]
            assert np.array_equal(t, b["time"][()])
            for path in ("joints/compression", "joints/shear_ap", "joints/shear_lateral", "joints/net_moment", "muscles/activation"):
                if name == "held":
                    assert np.array_equal(a[path][()], b[path][()]), path
                else:  # the same motion from the end of the first interval (t = 1 s) on; the
                    # fatigue the first second left differs, so compare the fresh loads there
                    pass
                    assert not np.array_equal(a[path][()][t < 1], b[path][()][t < 1]), path
            assert b.attrs["motion_text"] == csv
            assert "motion_text" not in a.attrs


def test_a_trial_cut_mid_movement_has_no_inertial_spike_at_its_ends(tmp_path):
    # audit22b: a lumbar flexion at a steady 30°/s, cut to 1 s and sampled at 100 Hz, was forced to
    # start and end at rest, so its whole velocity changed within the first and the last row: L4-L5
    # read 1990 N at t = 0.01 s and 2099 N at 0.99 s against about 600 and 1100 N around them, and
    # the peak grew with the sampling rate (200 Hz: L5-S1 3925 N). The data's own end slope is kept
    # now: the loads follow the motion smoothly to both ends, at every rate.
    for hz in (50, 100, 200):
        t = np.arange(0, hz + 1) / hz
        csv = "time,regions_deg.lumbar.flexion\n" + "".join(f"{a:.4f},{30 * a:.4f}\n" for a in t)
        folder = tmp_path / str(hz)
        folder.mkdir()
        (folder / "m.csv").write_text(csv)
        (folder / "mf.yaml").write_text(f"paraspine_scenario: 1\nname: ramp\nmodel: full_spine\noutput_rate_hz: {hz}\n"
                                        "motion: {file: m.csv}\n")
        r = run("run", str(folder / "mf.yaml"), "--no-fatigue", "-o", str(folder / "out.h5"))
        assert r.returncode == 0, r.stderr
        with h5py.File(folder / "out.h5") as f:
            names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
            for joint in ("L4-L5", "L5-S1"):
                c = f["joints/compression"][()][:, names.index(joint)]
                assert len(c) == hz + 1
                # a steady motion: every frame-to-frame change is small, the ends' included
                step = np.abs(np.diff(c))
                assert step.max() < 5 * np.median(step) + 1, (hz, joint, step.max(), np.median(step))
                assert c.max() < 1300, (hz, joint, c.max())


def test_results_keep_the_motion_so_render_needs_no_csv(tmp_path):
    r = run("run", motion_scenario(tmp_path), "-o", str(tmp_path / "mf.h5"))
    assert r.returncode == 0, r.stderr
    os.remove(tmp_path / "m.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = run("render", str(tmp_path / "mf.h5"), "-o", "x.png", cwd=str(elsewhere))
    assert r.returncode == 0, r.stderr
    assert (elsewhere / "x.png").stat().st_size > 10000


def test_csv_errors_name_the_csv_line_and_column_and_write_nothing(tmp_path):
    cases = [
        ("time,regions_deg.lumbar.flexion\n0,0\n1,abc\n", "m.csv:3: regions_deg.lumbar.flexion: 'abc' is not a number"),
        ("time,regions_deg.lumbar.flexion\n0,0\n1,80\n", "m.csv:3: regions_deg.lumbar.flexion: at t = 1 s"),
        ("time,regions_deg.lumbr.flexion\n0,0\n1,1\n", "m.csv:1: regions_deg.lumbr.flexion (column 2): unknown region 'lumbr'"),  # the header, not a row
        ("time,regions_deg.lumbar.flexion\n0,0\n0,1\n", "m.csv:3: time: times must increase"),
        ("time,hands.both.position[0],hands.both.position[1],hands.both.position[2]\n0,0.3,0,0.2\n1,0.9,-0.9,0.2\n",
         "m.csv:3: hands.both.position: the hand is"),
    ]
    for i, (csv, expect) in enumerate(cases):
        folder = tmp_path / str(i)
        folder.mkdir()
        out = folder / "out.h5"
        r = run("run", motion_scenario(folder, csv), "-o", str(out))
        assert r.returncode == 2, (csv, r.stderr)
        assert expect in r.stderr, (expect, r.stderr)
        assert not out.exists()


def test_motion_keys_are_checked_in_the_scenario(tmp_path):
    r = run("run", motion_scenario(tmp_path, motion="{file: nowhere.csv}"))
    assert r.returncode == 2 and "mf.yaml:4: motion.file" in r.stderr and "nowhere.csv" in r.stderr
    r = run("run", motion_scenario(tmp_path, motion="{file: m.csv, lowpass_hz: 15}"))
    assert r.returncode == 2 and "mf.yaml:4: motion.lowpass_hz" in r.stderr and "half the sampling rate" in r.stderr
    (tmp_path / "both.yaml").write_text("paraspine_scenario: 1\nname: b\nmotion: {file: m.csv}\nkeyframes:\n  - time: 0\n")
    r = run("run", str(tmp_path / "both.yaml"))
    assert r.returncode == 2 and "both.yaml:5: keyframes" in r.stderr and "not both" in r.stderr


def test_lowpass_smooths_noise_without_moving_the_motion(tmp_path):
    # A 0.5-Hz flexion sampled at 100 Hz with ±1° of white noise: filtered at 6 Hz, the posture
    # follows the clean motion and the noise no longer drives the inertial loads.
    rng = np.random.default_rng(3)
    t = np.arange(0, 4.0001, 0.01)
    clean = 15 * (1 - np.cos(2 * np.pi * 0.5 * t)) / 2
    noisy = clean + rng.uniform(-1, 1, t.size)
    rows = "\n".join(f"{a:.2f},{b:.4f}" for a, b in zip(t, noisy))
    csv = "time,regions_deg.lumbar.flexion\n" + rows + "\n"
    paths = {}
    for name, motion in (("raw", "{file: m.csv}"), ("filtered", "{file: m.csv, lowpass_hz: 6}")):
        folder = tmp_path / name
        folder.mkdir()
        out = folder / "out.h5"
        r = run("run", motion_scenario(folder, csv, motion), "-o", str(out), "--no-fatigue")
        assert r.returncode == 0, r.stderr
        paths[name] = out
    with h5py.File(paths["raw"]) as raw, h5py.File(paths["filtered"]) as filt:
        comp_raw = raw["joints/compression"][()]
        comp_filt = filt["joints/compression"][()]
    # The frame-to-frame jitter of the L5-S1..L1-L2 compressions (second differences) falls with the filter.
    jitter = lambda c: np.abs(np.diff(c[:, :5], 2, axis=0)).mean()
    assert jitter(comp_filt) < 0.5 * jitter(comp_raw), (jitter(comp_filt), jitter(comp_raw))


def test_python_simulates_a_motion_file_and_keeps_it_in_the_file(tmp_path):
    import paraspine
    sc = paraspine.Scenario.load(motion_scenario(tmp_path))
    assert sc.motion_file.endswith("m.csv") and sc.motion_text == CSV and sc.nkeyframes == 3
    res = paraspine.simulate(None, sc, progress=False)
    res.to_hdf5(str(tmp_path / "py.h5"))
    with h5py.File(tmp_path / "py.h5") as f:
        assert f.attrs["motion_text"] == CSV
    assert res.metadata["motion_text"] == CSV


def test_a_csv_saved_by_excel_runs_as_the_plain_one_and_semicolons_are_refused(tmp_path):
    # Excel's "CSV UTF-8": a byte order mark, CRLF, quoted names, trailing commas. It used to fail
    # on its first column ("\ufefftime: unknown column").
    excel = "\ufeff" + "\r\n".join(
        ",".join(f'"{c}"' if i == 0 else c for c in line.split(",")) + ","
        for i, line in enumerate(CSV.splitlines()) if not line.startswith("#")) + "\r\n"
    outs = []
    for name, csv in (("plain", CSV), ("excel", excel)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "m.csv").write_bytes(csv.encode())
        r = run("run", _scenario_beside(folder), "-o", str(folder / "out.h5"), "--no-fatigue")
        assert r.returncode == 0, (name, r.stderr)
        outs.append(folder / "out.h5")
    with h5py.File(outs[0]) as a, h5py.File(outs[1]) as b:
        assert np.array_equal(a["joints/compression"][()], b["joints/compression"][()])
    # European Excel: semicolons and decimal commas, refused with what to do, nothing written.
    folder = tmp_path / "semicolon"
    folder.mkdir()
    (folder / "m.csv").write_text("time;regions_deg.lumbar.flexion\n0;0\n0,5;12,5\n")
    r = run("run", _scenario_beside(folder), "-o", str(folder / "out.h5"))
    assert r.returncode == 2 and "m.csv:1: header: the columns are separated by semicolons" in r.stderr, r.stderr
    assert not (folder / "out.h5").exists()


def _scenario_beside(folder):
    (folder / "mf.yaml").write_text("paraspine_scenario: 1\nname: mf\noutput_rate_hz: 20\nmotion: {file: m.csv}\n")
    return str(folder / "mf.yaml")


def test_rounded_times_of_evenly_sampled_data_are_filtered_as_the_exact_ones(tmp_path):
    # 120-Hz motion capture exported with times to 3 decimals: refused before ("not evenly spaced");
    # filtered or not, it gives the loads of the same motion with exact times, and says once that it
    # read the times as the even grid.
    t = np.arange(361) / 120
    flexion = 15 * (1 - np.cos(2 * np.pi * 0.5 * t)) / 2
    comp = {}
    for decimals in (3, 9):
        folder = tmp_path / str(decimals)
        folder.mkdir()
        csv = "time,regions_deg.lumbar.flexion\n" + "".join(f"{a:.{decimals}f},{b:.5f}\n" for a, b in zip(t, flexion))
        r = run("run", motion_scenario(folder, csv, "{file: m.csv, lowpass_hz: 6}"), "-o", str(folder / "out.h5"), "--no-fatigue")
        assert r.returncode == 0, r.stderr
        with h5py.File(folder / "out.h5") as f:
            comp[decimals] = f["joints/compression"][()]
        # unfiltered too: the rounded times are read as the even grid (review 16), so the loads are
        # the exact times' (they jittered by hundreds of newtons when taken as written)
        r = run("run", motion_scenario(folder, csv), "--no-fatigue", "-o", str(folder / "raw.h5"))
        assert r.returncode == 0, r.stderr
        assert ("given to 3 decimals" in r.stderr and "read as that even grid" in r.stderr) == (decimals == 3), r.stderr
        with h5py.File(folder / "raw.h5") as f:
            comp[f"raw{decimals}"] = f["joints/compression"][()]
    assert np.abs(comp[3] - comp[9]).max() < 0.5, np.abs(comp[3] - comp[9]).max()
    assert np.abs(comp["raw3"] - comp["raw9"]).max() < 0.5, np.abs(comp["raw3"] - comp["raw9"]).max()
    # the same times as whole milliseconds: the warning speaks of the file's unit (review 16: it said
    # "printed to 3 decimals" of a column of integers)
    csv = "time_ms,regions_deg.lumbar.flexion\n" + "".join(f"{round(a * 1000)},{b:.5f}\n" for a, b in zip(t, flexion))
    (tmp_path / "ms").mkdir()
    r = run("run", motion_scenario(tmp_path / "ms", csv), "--no-fatigue")
    assert r.returncode == 0 and "given to whole milliseconds" in r.stderr, r.stderr
    # audit24o #1: the same millisecond times written by a fixed-format writer (0.00800000) were taken
    # as 8-decimal times, left uneven, and raised the L5-S1 peak from 1746 to 3139 N in silence.
    (tmp_path / "zeros").mkdir()
    csv = "time,regions_deg.lumbar.flexion\n" + "".join(f"{round(a, 3):.8f},{b:.5f}\n" for a, b in zip(t, flexion))
    r = run("run", motion_scenario(tmp_path / "zeros", csv), "--no-fatigue", "-o", str(tmp_path / "zeros" / "z.h5"))
    assert r.returncode == 0 and "given to 3 decimals" in r.stderr, r.stderr
    with h5py.File(tmp_path / "zeros" / "z.h5") as f:
        assert np.abs(f["joints/compression"][()] - comp["raw9"]).max() < 0.5


def test_a_lumbar_run_of_a_full_spine_motion_names_the_csv_in_its_warning(tmp_path):
    csv = "time,regions_deg.lumbar.flexion,regions_deg.cervical.flexion\n0,0,0\n1,20,10\n"
    r = run("run", motion_scenario(tmp_path, csv), "--model", "lumbar", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    assert "mf.yaml (motion file " in r.stderr and "m.csv): model 'lumbar' does not articulate" in r.stderr, r.stderr
    assert "dropped" in r.stderr and "cervical" in r.stderr


def test_from_yaml_finds_the_motion_beside_the_file_it_is_given(tmp_path):
    import paraspine
    path = motion_scenario(tmp_path)
    sc = paraspine.Scenario.from_yaml(open(path).read(), path)
    assert sc.motion_file == str(tmp_path / "m.csv") and sc.motion_text == CSV


# --- a motion given in memory (a notebook's DataFrame) ---------------------------------------------

def _noisy_flexion(n=301, hz=100.0):
    """A 3-s lumbar flexion and return with a hand load, sampled at 100 Hz, with measurement noise."""
    rng = np.random.default_rng(7)
    t = np.arange(n) / hz
    lumbar = 20 * (1 - np.cos(2 * np.pi * t / 3)) + rng.normal(0, 0.3, n)
    return {"time": t, "regions_deg.lumbar.flexion": lumbar, "pelvis_deg.flexion": 0.5 * lumbar,
            "hands.both.load_kg": np.where(t > 1.0, 4.0, 0.0)}


def test_a_dataframe_runs_bit_identical_to_the_csv_file_of_its_values(tmp_path):
    import pandas as pd
    import paraspine
    cols = _noisy_flexion()
    df = pd.DataFrame(cols)
    df.to_csv(tmp_path / "m.csv", index=False)  # pandas prints floats to round-trip
    (tmp_path / "mf.yaml").write_text("paraspine_scenario: 1\nname: mf\noutput_rate_hz: 50\n"
                                      "motion: {file: m.csv, lowpass_hz: 6}\n")
    from_file = paraspine.Scenario.load(str(tmp_path / "mf.yaml"))
    spec = {"name": "mf", "output_rate_hz": 50, "motion": {"lowpass_hz": 6}}
    runs = [paraspine.simulate(None, s, progress=False) for s in (
        from_file,
        paraspine.Scenario.from_dict(spec, motion=df),
        paraspine.Scenario.from_dict(spec, motion=df.set_index("time")),  # the time as the index
        paraspine.Scenario.from_dict(spec, motion=cols),                  # a dict of numpy columns
        paraspine.Scenario.from_dict(spec, motion=str(tmp_path / "m.csv")),
    )]
    for r in runs[1:]:
        for name in ("compression", "shear_ap", "net_moment"):
            assert np.array_equal(getattr(runs[0].joint("L5-S1"), name), getattr(r.joint("L5-S1"), name)), name
        assert np.array_equal(runs[0].activation, r.activation)
    sc = paraspine.Scenario.from_dict(spec, motion=df)
    assert sc.motion_file == "<DataFrame>" and sc.nkeyframes == 301
    assert sc.motion_text.splitlines()[0] == ",".join(df.columns)


def test_a_dataframe_motion_is_kept_through_overrides_pickling_and_results_files(tmp_path):
    import pickle
    import pandas as pd
    import paraspine
    df = pd.DataFrame(_noisy_flexion())
    sc = paraspine.Scenario.load("rounded_back_lift").with_motion(df, lowpass_hz=6)
    assert sc.motion_file == "<DataFrame>" and sc.model == paraspine.Scenario.load("rounded_back_lift").model
    changed = sc.with_overrides({"output_rate_hz": 25, "motion.lowpass_hz": 4})
    assert changed.motion_text == sc.motion_text and changed.output_rate_hz == 25
    back = pickle.loads(pickle.dumps(changed))
    assert back.motion_text == sc.motion_text and back.text == changed.text
    res = paraspine.simulate(None, back, output=str(tmp_path / "df.h5"), progress=False)
    with h5py.File(tmp_path / "df.h5") as f:
        assert f.attrs["motion_text"] == sc.motion_text
    # the picture rebuilds the run from the file alone
    r = run("render", str(tmp_path / "df.h5"), "-o", str(tmp_path / "df.png"))
    assert r.returncode == 0, r.stderr
    assert res.joint("L5-S1").compression.max() > 0


def test_a_pickled_motion_file_scenario_keeps_the_rows_it_read(tmp_path):
    # It pickled as its YAML and re-read the CSV when unpickled: an edited (or moved, or relative to
    # another working directory) file changed the scenario without a word.
    import pickle
    import paraspine
    sc = paraspine.Scenario.load(motion_scenario(tmp_path))
    data = pickle.dumps(sc)
    (tmp_path / "m.csv").write_text(CSV.replace("1,30,30", "1,10,10"))
    back = pickle.loads(data)
    assert back.motion_text == CSV
    assert back.motion_file == sc.motion_file


def test_dataframe_motion_errors_name_the_table_line_and_column(tmp_path):
    import pandas as pd
    import pytest
    import paraspine
    cols = _noisy_flexion(n=5)
    bad = dict(cols)
    bad["regions_deg.lumbar.flexion"] = bad["regions_deg.lumbar.flexion"].copy()
    bad["regions_deg.lumbar.flexion"][2] = np.nan
    with pytest.raises(paraspine.InputError, match=r"<DataFrame>:4: regions_deg\.lumbar\.flexion: 'nan' is not a number"):
        paraspine.Scenario.from_dict({"name": "x"}, motion=pd.DataFrame(bad))
    with pytest.raises(paraspine.InputError, match=r"<dict>:1: regions_deg\.lumbar\.flex: unknown column"):
        paraspine.Scenario.from_dict({"name": "x"}, motion={"time": [0, 1], "regions_deg.lumbar.flex": [0, 1]})
    with pytest.raises(ValueError, match="leave 'keyframes' out"):
        paraspine.Scenario.from_dict({"name": "x", "keyframes": [{"time": 0}]}, motion=cols)
    with pytest.raises(ValueError, match=r"'hands.both.load_kg' has 2 rows"):
        paraspine.Scenario.from_dict({"name": "x"}, motion={"time": [0, 1, 2], "hands.both.load_kg": [0, 1]})
    with pytest.raises(TypeError, match=r"column 'pelvis_deg.flexion' is not numbers"):
        paraspine.Scenario.from_dict({"name": "x"}, motion={"time": [0, 1], "pelvis_deg.flexion": ["a", "b"]})
    with pytest.raises(FileNotFoundError, match="no_such.csv"):
        paraspine.Scenario.from_dict({"name": "x"}, motion=str(tmp_path / "no_such.csv"))


def test_dataframe_columns_read_as_their_csv_integer_times_time_indexes_and_bools(tmp_path):
    # Review 16: an integer time_ms column was printed as 8.0, 17.0, ... so the even-grid check lost
    # the millisecond rounding the CSV of the same frame keeps (to_csv prints 8, 17): a 120-Hz trial
    # with lowpass_hz ran from its CSV and was refused from its DataFrame. A DatetimeIndex or
    # TimedeltaIndex (IMU logs) became nanoseconds since 1970 ('the first row is at time 0', 'more
    # than a week'), and a column of bools became 0/1 kg where the CSV's True/False is refused.
    import pandas as pd
    import pytest
    import paraspine
    hz, n = 120, 241
    t = np.arange(n) / hz
    lumbar = 20 * (1 - np.cos(2 * np.pi * t / 2))
    df = pd.DataFrame({"time_ms": np.round(t * 1000).astype(int), "regions_deg.lumbar.flexion": lumbar})
    df.to_csv(tmp_path / "ms.csv", index=False)
    spec = {"name": "ms", "output_rate_hz": 50, "motion": {"lowpass_hz": 6}}
    sc = paraspine.Scenario.from_dict(spec, motion=df)
    assert sc.motion_text.splitlines()[2].startswith("8,")
    assert sc.motion_text == (tmp_path / "ms.csv").read_text()
    # a time index of any name, as seconds from its first row; the same bits as the float seconds
    hz, n = 100, 201
    secs = np.arange(n) / hz
    flex = {"regions_deg.lumbar.flexion": 20 * (1 - np.cos(2 * np.pi * secs / 2))}
    ref = paraspine.Scenario.from_dict({"name": "x"}, motion={"time": secs, **flex}).motion_text
    start = pd.Timestamp("2024-05-01 09:30:00")
    for index in (pd.DatetimeIndex(start + pd.to_timedelta(secs, unit="s")),
                  pd.DatetimeIndex(start + pd.to_timedelta(secs, unit="s")).tz_localize("Europe/Oslo"),
                  pd.to_timedelta(secs, unit="s")):
        frame = pd.DataFrame(flex, index=index)
        assert paraspine.Scenario.from_dict({"name": "x"}, motion=frame).motion_text == ref, type(index)
    frame = pd.DataFrame({"time": pd.to_timedelta(secs, unit="s"), **flex})
    assert paraspine.Scenario.from_dict({"name": "x"}, motion=frame).motion_text == ref
    with pytest.raises(TypeError, match=r"'hands.both.load_kg' is True/False"):
        paraspine.Scenario.from_dict({"name": "x"}, motion=pd.DataFrame({"time": secs, "hands.both.load_kg": secs > 1}))


# --- run/sweep --motion: a scenario's settings with a measured motion ------------------------------

def _trial_csv(folder):
    cols = _noisy_flexion()
    names = list(cols)
    rows = [",".join(names)] + [",".join(repr(float(cols[n][k])) for n in names) for k in range(len(cols["time"]))]
    (folder / "trial3.csv").write_text("\n".join(rows) + "\n")
    return folder / "trial3.csv"


def test_run_motion_replaces_the_keyframes_and_keeps_every_other_setting(tmp_path):
    import paraspine
    csv = _trial_csv(tmp_path)
    r = run("run", "rounded_back_lift", "--motion", str(csv), "--lowpass-hz", "6", "--no-fatigue", "-o", str(tmp_path / "t.h5"))
    assert r.returncode == 0, r.stderr
    py = paraspine.Scenario.load("rounded_back_lift").with_motion(str(csv), lowpass_hz=6)
    want = paraspine.simulate(None, py, fatigue=False, progress=False)
    with h5py.File(tmp_path / "t.h5") as f:
        assert f.attrs["motion_text"] == csv.read_text()
        text = f.attrs["scenario_text"]
        assert "# keyframes: replaced by --motion" in text and "lowpass_hz: 6}" in text
        # Python's with_motion edits the text as --motion does (one implementation): same lines
        # and comments, only the note names who replaced the keyframes
        assert py.text == text.replace("replaced by --motion", "replaced by with_motion")
        assert np.array_equal(f["joints/compression"][()], want.compression)
        assert np.array_equal(f["muscles/activation"][()], want.activation)
    # the scenario's own lines keep their numbers in errors (a --set after --motion names the line
    # where rounded_back_lift.yaml writes output_rate_hz)
    line = next(i for i, l in enumerate(open(paraspine.Scenario.load("rounded_back_lift").file), 1) if l.startswith("output_rate_hz"))
    r = run("run", "rounded_back_lift", "--motion", str(csv), "--set", "output_rate_hz=-5")
    assert r.returncode == 2 and f"rounded_back_lift.yaml:{line}: output_rate_hz" in r.stderr, r.stderr
    assert "(with --motion and --set)" in r.stderr


def test_run_motion_errors_and_inputs(tmp_path):
    csv = _trial_csv(tmp_path)
    r = run("run", "rounded_back_lift", "--lowpass-hz", "6")
    assert r.returncode == 2 and "--lowpass-hz requires --motion" in r.stderr, r.stderr
    r = run("run", "rounded_back_lift", "--motion", str(tmp_path / "no.csv"))
    assert r.returncode == 2 and "no.csv: the motion file does not exist" in r.stderr, r.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("time,regions_deg.lumbar.flexion\n0,0\n1,x\n")
    r = run("run", "rounded_back_lift", "--motion", str(bad), "-o", str(tmp_path / "bad.h5"))
    assert r.returncode == 2 and "bad.csv:3: regions_deg.lumbar.flexion: 'x' is not a number" in r.stderr, r.stderr
    assert not (tmp_path / "bad.h5").exists()
    # the motion is an input of the run: -o cannot replace it, whatever its name
    plain = tmp_path / "trial"
    plain.write_text(csv.read_text())
    r = run("run", "rounded_back_lift", "--motion", str(plain), "-o", str(plain))
    assert r.returncode == 2 and "is an input of the run" in r.stderr, r.stderr
    assert plain.read_text() == csv.read_text()


def test_sweep_motion_runs_the_grid_on_the_measured_motion(tmp_path):
    import json
    csv = _trial_csv(tmp_path)
    r = run("sweep", "rounded_back_lift", "--motion", str(csv), "--vary", "subject.mass=60,90", "--json", "--threads", "1")
    assert r.returncode == 0, r.stderr
    points = json.loads(r.stdout)["points"]
    assert len(points) == 2
    peaks = [p["joints"]["L5-S1"]["peak_compression_N"] for p in points]
    assert peaks[1] > peaks[0] > 0


def test_batch_motion_runs_one_scenario_per_trial_named_after_it(tmp_path):
    import json
    a = _trial_csv(tmp_path)
    b = tmp_path / "trial4.csv"
    cols = _noisy_flexion()
    cols["regions_deg.lumbar.flexion"] = 0.8 * cols["regions_deg.lumbar.flexion"]
    b.write_text("\n".join([",".join(cols)] + [",".join(repr(float(cols[n][k])) for n in cols) for k in range(len(cols["time"]))]) + "\n")
    r = run("batch", "squat_lift", "-o", str(tmp_path / "res"), "--no-fatigue", "--json", "--lowpass-hz", "6", "--motion", str(a), str(b))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [s["name"] for s in out["scenarios"]] == ["trial3", "trial4"]
    # each as `run --motion` gives it alone
    for stem, csv in (("trial3", a), ("trial4", b)):
        one = run("run", "squat_lift", "--motion", str(csv), "--lowpass-hz", "6", "--no-fatigue", "-o", str(tmp_path / f"{stem}_run.h5"))
        assert one.returncode == 0, one.stderr
        with h5py.File(tmp_path / "res" / f"{stem}.h5") as f, h5py.File(tmp_path / f"{stem}_run.h5") as g:
            assert np.array_equal(f["joints/compression"][()], g["joints/compression"][()]), stem
            assert f.attrs["motion_text"] == csv.read_text()
            assert f"name: {stem}" in f.attrs["scenario_text"]
    r = run("batch", "squat_lift", "rounded_back_lift", "--motion", str(a))
    assert r.returncode == 2 and "give one scenario with --motion" in r.stderr, r.stderr


def test_batch_motion_files_with_the_same_stem_are_named_in_the_error(tmp_path):
    # Review 16: trials/a.csv and other/a.csv were refused as "squat_lift.yaml: name: two scenarios in
    # the batch are named 'a'", blaming the scenario file for the motion files' names.
    (tmp_path / "trials").mkdir()
    (tmp_path / "other").mkdir()
    for d in ("trials", "other"):
        (tmp_path / d / "a.csv").write_text(CSV)
    r = run("batch", "squat_lift", "-o", str(tmp_path / "res"), "--no-fatigue",
            "--motion", str(tmp_path / "trials" / "a.csv"), str(tmp_path / "other" / "a.csv"))
    assert r.returncode == 2, r.stderr
    assert "--motion" in r.stderr and str(tmp_path / "trials" / "a.csv") in r.stderr and str(tmp_path / "other" / "a.csv") in r.stderr, r.stderr
    assert "squat_lift.yaml" not in r.stderr, r.stderr
    assert not (tmp_path / "res").exists()


def test_an_uneven_step_under_the_filter_is_named_where_it_is(tmp_path):
    # audit24o #6: a 100-ms gap of dropped rows named the first row (every regular step looked uneven
    # against the mean), and the message cited a scenario line --lowpass-hz had only in its rewritten text.
    t = [k * 0.01 for k in range(50)] + [0.6 + k * 0.01 for k in range(50)]
    csv = "time,regions_deg.lumbar.flexion\n" + "".join(f"{a:.2f},{10 * math.sin(a):.5f}\n" for a in t)
    (tmp_path / "m.csv").write_text(csv)
    (tmp_path / "s.yaml").write_text("paraspine_scenario: 1\nname: s\nkeyframes:\n  - time: 0\n  - time: 1\n")
    r = run("run", str(tmp_path / "s.yaml"), "--motion", str(tmp_path / "m.csv"), "--lowpass-hz", "6", "--no-fatigue")
    assert r.returncode == 2, r.stderr
    assert "m.csv:52: time: rows are not evenly spaced in time (this step 0.11 s, the usual 0.01 s" in r.stderr, r.stderr
    assert "s.yaml line" not in r.stderr


def test_a_load_held_through_a_motion_is_given_once(tmp_path):
    # audit24o #10: a box held throughout needed a column added to the IK output. motion.hands gives
    # it once, for every row: bit for bit the run with the same load as a column.
    t = [k * 0.05 for k in range(41)]
    angles = "".join(f"{a:.2f},{20 * math.sin(a) ** 2:.5f}\n" for a in t)
    (tmp_path / "m.csv").write_text("time,regions_deg.lumbar.flexion\n" + angles)
    (tmp_path / "col.csv").write_text("time,regions_deg.lumbar.flexion,hands.both.load_kg,hands.both.position[0],"
                                      "hands.both.position[1],hands.both.position[2]\n" +
                                      "".join(f"{line.rstrip()},5,0.35,0.05,0.18\n" for line in angles.splitlines()))
    (tmp_path / "once.yaml").write_text("paraspine_scenario: 1\nname: once\nmotion:\n  file: m.csv\n"
                                        "  hands: {both: {load_kg: 5, position: [0.35, 0.05, 0.18]}}\n")
    (tmp_path / "cols.yaml").write_text("paraspine_scenario: 1\nname: once\nmotion:\n  file: col.csv\n")
    for name in ("once", "cols"):
        r = run("run", str(tmp_path / f"{name}.yaml"), "--no-fatigue", "-o", str(tmp_path / f"{name}.h5"))
        assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "once.h5") as a, h5py.File(tmp_path / "cols.h5") as b:
        assert np.array_equal(a["joints/compression"][()], b["joints/compression"][()])
        assert a["joints/compression"][()].max() > 1000
    (tmp_path / "both.yaml").write_text("paraspine_scenario: 1\nname: both\nmotion:\n  file: col.csv\n"
                                        "  hands: {right: {load_kg: 2, position: [0.3, 0, 0.2]}}\n")
    bad = run("run", str(tmp_path / "both.yaml"), "--no-fatigue")
    assert bad.returncode == 2 and "both.yaml:5: motion.hands: the motion file gives the right hand in its columns" in bad.stderr, bad.stderr
