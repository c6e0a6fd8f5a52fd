"""A population-study user's audit (audit24s): a long run's file made smaller without changing the
run. Lowering output_rate_hz changes the simulation (it is the time step); --write-every thins only
what is written."""
import json

import h5py
import numpy as np
import pytest

import paraspine
from cli_helpers import FIXTURE, run


def test_write_every_thins_the_file_not_the_run(tmp_path):
    full, thin = tmp_path / "full.h5", tmp_path / "thin.h5"
    a = run("run", FIXTURE, "-o", str(full), "--json")
    b = run("run", FIXTURE, "-o", str(thin), "--write-every", "7", "--json")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    sa, sb = json.loads(a.stdout), json.loads(b.stdout)
    assert sb["write_every"] == 7 and sa["write_every"] == 1
    for key in ("endurance_s", "frames", "duration_s"):
        assert sa[key] == sb[key], key
    assert sa["joints"] == sb["joints"]  # the summary covers every frame either way
    with h5py.File(full) as f, h5py.File(thin) as g:
        t, c = f["time"][()], f["joints/compression"][()]
        keep = np.r_[np.arange(0, len(t), 7), [len(t) - 1]] if (len(t) - 1) % 7 else np.arange(0, len(t), 7)
        assert np.array_equal(g["time"][()], t[keep])
        assert np.array_equal(g["joints/compression"][()], c[keep])
        assert np.array_equal(g["fatigue/fatigued"][()], f["fatigue/fatigued"][()][keep])
    # Python: the same file, and refused without a file to thin
    res = paraspine.simulate(None, FIXTURE, output=tmp_path / "py.h5", write_every=7, progress=False)
    assert len(res.time) == len(keep) and res.summary["write_every"] == 7
    with pytest.raises(ValueError, match="write_every"):
        paraspine.simulate(None, FIXTURE, write_every=7, progress=False)
    with pytest.raises(ValueError, match="write_every"):
        paraspine.simulate(None, FIXTURE, output=tmp_path / "x.h5", write_every=0, progress=False)
    bad = run("run", FIXTURE, "--write-every", "3")
    assert bad.returncode != 0 and "--write-every" in bad.stderr  # needs -o
    # batch writes each run thinned the same way
    out = tmp_path / "batch"
    r = run("batch", FIXTURE, "-o", str(out), "--write-every", "7")
    assert r.returncode == 0, r.stderr
    with h5py.File(next(out.glob("*.h5"))) as g:
        assert len(g["time"]) == len(keep)


def test_a_sweep_names_every_grid_point_that_cannot_run():
    # audit24s #2: only the first infeasible point was named; a population grid was then bisected by hand.
    r = run("sweep", "rounded_back_lift", "--subject", "sex=female", "--vary", "subject.percentile=5,95",
            "--vary", "keyframes[1,2].regions_deg.lumbar.flexion=20,25,50")
    assert r.returncode == 2, r.stderr
    assert "at grid point subject.percentile=5, keyframes[1,2].regions_deg.lumbar.flexion=20" in r.stderr
    assert "4 of the 6 grid points cannot run; the others:" in r.stderr, r.stderr
    listed = [line.strip() for line in r.stderr.splitlines() if line.startswith("    subject.percentile=")]
    assert listed == ["subject.percentile=5, keyframes[1,2].regions_deg.lumbar.flexion=25",
                      "subject.percentile=95, keyframes[1,2].regions_deg.lumbar.flexion=20",
                      "subject.percentile=95, keyframes[1,2].regions_deg.lumbar.flexion=25"]


def test_batch_takes_subject_and_set_as_run_does(tmp_path):
    # audit24s #8: a batch for a 5th-percentile woman needed a loop of runs.
    args = ["--subject", "percentile=5,sex=female", "--set", "abdominal_pressure=false", "--no-fatigue"]
    b = run("batch", "squat_lift", "rounded_back_lift", *args, "--json")
    assert b.returncode == 0, b.stderr
    batch = {e["name"]: e["summary"] for e in json.loads(b.stdout)["scenarios"]}
    for name in ("squat_lift", "rounded_back_lift"):
        alone = json.loads(run("run", name, *args, "--json").stdout)
        assert batch[name]["joints"]["L5-S1"] == alone["joints"]["L5-S1"], name
        assert batch[name]["subject"] == alone["subject"] and alone["subject"]["sex"] == "female"
    bad = run("batch", "squat_lift", "--subject", "mass=80kg")
    assert bad.returncode == 2 and "--subject" in bad.stderr


def test_a_failed_batch_row_names_no_results_file(tmp_path):
    # audit24s #10: the CSV's output column named a file that was never written.
    bad = tmp_path / "bad_reach.yaml"
    bad.write_text("paraspine_scenario: 1\nname: bad_reach\nkeyframes:\n  - time: 0\n  - time: 1\n"
                   "    hands: {both: {position: [0.95, -0.55, 0.18], load_kg: 5}}\n")  # out of reach
    out, csv = tmp_path / "res", tmp_path / "b.csv"
    r = run("batch", "squat_lift", str(bad), "-o", str(out), "--csv", str(csv), "--no-fatigue")
    assert r.returncode == 2, r.stderr
    import csv as csvmod
    rows = {row["scenario"]: row for row in csvmod.DictReader(open(csv))}
    assert rows["bad_reach"]["output"] == "" and rows["bad_reach"]["error"]
    assert rows["squat_lift"]["output"].endswith("squat_lift.h5")
    assert sorted(p.name for p in out.iterdir()) == ["squat_lift.h5"]


def test_sweep_points_say_where_they_are_and_who_the_subject_is():
    # audit24s #7: --json points carried no grid values; #3: the DataFrames carried no subject, so a
    # sweep per sex lost the sex when concatenated (the CSV had it).
    r = run("sweep", "squat_lift", "--subject", "sex=female", "--vary", "subject.mass=60,80",
            "--vary", "keyframes[2,3].hands.both.load_kg=5,10", "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    pts = json.loads(r.stdout)["points"]
    assert [p["grid"] for p in pts] == [{"subject.mass": m, "keyframes[2,3].hands.both.load_kg": l} for m in (60, 80) for l in (5, 10)]
    assert [p["subject"]["body_mass_kg"] for p in pts] == [60, 60, 80, 80]
    sw = paraspine.sweep("squat_lift", {"subject.mass": [60, 80]}, subject=paraspine.Subject(sex="female"), fatigue=False,
                         progress=False)
    for form in ("L5-S1", "joints", "groups"):
        df = sw.to_pandas(form)
        assert set(df["subject_sex"]) == {"female"}, form
        assert sorted(set(df["subject_mass_kg"])) == [60, 80], form
        assert df["subject_height_m"].notna().all(), form


def test_a_sweep_refuses_a_percentile_subject_with_a_mass_or_height_axis():
    # audit24s #11: run refuses percentile with mass; the sweep ran such points and said nothing.
    for axis in ("subject.mass=50,70", "subject.height=1.6,1.7"):
        r = run("sweep", "rounded_back_lift", "--subject", "percentile=50,sex=female", "--vary", axis)
        assert r.returncode == 2 and "percentile: sets mass and height" in r.stderr, r.stderr
    ok = run("sweep", "rounded_back_lift", "--subject", "height=1.6,sex=female", "--vary", "subject.mass=50,70", "--no-fatigue")
    assert ok.returncode == 0, ok.stderr


def test_batch_subject_percentile_takes_the_scenarios_sex(tmp_path):
    # review24 #3: batch parsed --subject against no subject first and refused percentile=5 for want
    # of a sex the scenario file gave; run accepts it.
    path = tmp_path / "her.yaml"
    path.write_text(open("tests/data/test_lift.yaml").read().replace("name: test_lift", "name: her\nsubject: {sex: female}"))
    b = run("batch", str(path), "--subject", "percentile=5", "--no-fatigue", "--json")
    assert b.returncode == 0, b.stderr
    alone = json.loads(run("run", str(path), "--subject", "percentile=5", "--no-fatigue", "--json").stdout)
    assert json.loads(b.stdout)["scenarios"][0]["summary"]["subject"] == alone["subject"]
    assert alone["subject"]["sex"] == "female"
