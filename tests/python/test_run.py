"""`paraspine run`: a scenario end to end (summary, JSON, HDF5 read back with h5py), and every kind
of bad input: a clear message naming file, line and field, exit code 2, and no output file."""
import json
import os
import subprocess

import h5py
import numpy as np
import pytest

CLI = os.environ.get("PARASPINE_CLI", "build/paraspine")
FIXTURE = "tests/data/test_lift.yaml"


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


def test_run_writes_a_complete_self_describing_file(tmp_path):
    out = tmp_path / "lift.h5"
    r = run("run", FIXTURE, "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    for key in ("scenario", "model", "subject", "joints", "groups", "reserves", "endurance_s",
                "first_to_fail", "duration_s", "frames"):
        assert key in summary
    assert set(summary["joints"]["L4-L5"]) == {"peak_compression_N", "mean_compression_N",
                                               "peak_shear_ap_N", "peak_shear_lateral_N", "end_creep_deg"}
    assert set(summary["recovery"]) == {"to_90_percent_s", "to_95_percent_s", "slowest_group"}
    assert {"recovery_to_90_s", "recovery_to_95_s"} <= set(summary["groups"]["longissimus"]["left"])
    assert not (tmp_path / "lift.h5.partial").exists()
    with h5py.File(out) as f:
        assert f.attrs["schema_version"] == 1
        assert f.attrs["scenario"] == "test_lift"
        assert "keyframes:" in f.attrs["scenario_text"]
        T, J, M = summary["frames"], len(f["joints/name"]), len(f["muscles/name"])
        assert f["time"].shape == (T,)
        assert f["joints/compression"].shape == (T, J) and f["joints/compression"].attrs["units"] == "N"
        assert f["joints/net_moment"].shape == (T, J, 3)
        assert f["muscles/force"].shape == (T, M)
        assert f["fatigue/capacity"].shape == (T, M)
        # The summary in the file is the summary printed.
        assert json.loads(f["summary"].attrs["json"]) == summary
        # Peak compression at L4-L5 in the file equals the summary's.
        k = list(f["joints/name"].asstr()[:]).index("L4-L5")
        assert np.isclose(f["joints/compression"][:, k].max(), summary["joints"]["L4-L5"]["peak_compression_N"])
        # Fatigue fractions sum to one in every frame.
        s = f["fatigue/active"][:] + f["fatigue/resting"][:] + f["fatigue/fatigued"][:]
        assert np.allclose(s, 1.0, atol=1e-9)
        # The time axis is a dimension scale of the per-frame datasets.
        assert f["joints/compression"].dims[0][0].name == "/time"


def bad(tmp_path, replace, with_text):
    text = open(FIXTURE).read()
    assert replace in text, replace
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(replace, with_text, 1))
    out = tmp_path / "out.h5"
    r = run("run", str(path), "-o", str(out))
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert not out.exists() and not (tmp_path / "out.h5.partial").exists()
    return r.stderr, str(path)


@pytest.mark.parametrize("replace,with_text,expect", [
    ("output_rate_hz: 50", "output_rate_hz: 50\noutput_rate: 20", "unknown key 'output_rate'"),
    ("regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {lumbr: {flexion: 30}}", "unknown region 'lumbr'"),
    ("pelvis_deg: {flexion: 30}", "pelvis_deg: {flexion: .nan}", "must be finite"),
    ("regions_deg: {lumbar: {flexion: 30}}", "regions_deg: {lumbar: {flexion: 130}}", "beyond its range"),
    ("load_kg: 5}}\n  - time: 3.0", "load_kg: 500}}\n  - time: 3.0", "no person holds 500 kg"),
    ("position: [0.35, -0.20, 0.18]", "position: [1.35, -0.20, 0.18]", "beyond the arm's"),
    ("- time: 3.0", "- time: 1.0", "keyframe times must increase"),
    ("criterion: activation2", "criterion: activation2\nsubject: {body_mass: -70}", "subject.body_mass"),
    ("repetitions: 2", "repetitions: [2", "YAML syntax error"),
])
def test_bad_scenarios_fail_cleanly(tmp_path, replace, with_text, expect):
    err, path = bad(tmp_path, replace, with_text)
    assert expect in err, err
    assert err.startswith(f"error: {path}:"), err  # file and line first


def test_unknown_model_and_unwritable_output(tmp_path):
    r = run("run", FIXTURE, "--model", "no_such_model")
    assert r.returncode == 2 and "no_such_model" in r.stderr
    r = run("run", FIXTURE, "-o", "/no/such/dir/out.h5")
    assert r.returncode == 2 and "/no/such/dir/out.h5" in r.stderr
    assert not os.path.exists("/no/such/dir/out.h5")


def test_subject_override_scales_the_model():
    r = run("run", FIXTURE, "--subject", "mass=60,height=1.65,sex=female", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["subject"]["body_mass_kg"] == 60 and s["subject"]["sex"] == "female"


def test_compare_two_runs(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run("run", FIXTURE, "-o", str(a)).returncode == 0
    assert run("run", FIXTURE, "-o", str(b), "--subject", "mass=60").returncode == 0
    r = run("compare", str(a), str(b))
    assert r.returncode == 0, r.stderr
    assert "L4-L5 peak compression" in r.stdout and "%" in r.stdout
    j = json.loads(run("compare", str(a), str(b), "--json").stdout)
    assert [x["file"] for x in j] == [str(a), str(b)]
    lighter = j[1]["summary"]["joints"]["L4-L5"]["peak_compression_N"]
    heavier = j[0]["summary"]["joints"]["L4-L5"]["peak_compression_N"]
    assert lighter < heavier  # a 60 kg subject loads the spine less than the 79.6 kg reference
    not_h5 = tmp_path / "x.h5"
    not_h5.write_text("not hdf5")
    r = run("compare", str(a), str(not_h5))
    assert r.returncode == 2 and str(not_h5) in r.stderr


def test_set_overrides_change_the_run_and_are_recorded(tmp_path):
    base = json.loads(run("run", FIXTURE, "--json").stdout)["joints"]["L4-L5"]["peak_compression_N"]
    out = tmp_path / "heavy.h5"
    args = ["run", FIXTURE, "--json", "-o", str(out)]
    for k in (1, 2):
        args += ["--set", f"keyframes[{k}].hands.both.load_kg=10"]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["joints"]["L4-L5"]["peak_compression_N"] > base
    with h5py.File(out) as f:
        assert "with overrides: keyframes[1].hands.both.load_kg=10" in f.attrs["scenario_text"]
    r = run("run", FIXTURE, "--set", "keyframes[1].hands.both.loadkg=3")
    assert r.returncode == 2 and "--set" in r.stderr and "loadkg" in r.stderr
    r = run("run", FIXTURE, "--set", "keyframes[9].time=1")
    assert r.returncode == 2 and "[9]" in r.stderr


def test_sweep_grid_in_parallel(tmp_path):
    out = tmp_path / "sweep.h5"
    r = run("sweep", FIXTURE, "--vary", "subject.mass=60:90:3",
            "--vary", "keyframes[1].hands.both.load_kg=0,5", "-o", str(out), "--threads", "2", "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert [a["values"] for a in j["axes"]] == [[60, 75, 90], [0, 5]]
    with h5py.File(out) as f:
        c = f["summary/L4-L5/peak_compression_N"][:]
        assert c.shape == (3, 2)
        assert f["grid/0"].attrs["path"] == "subject.mass"
        assert np.all(np.diff(c[:, 0]) > 0)  # heavier subjects load the spine more
        assert len(json.loads(f.attrs["summaries"])) == 6
    assert not (tmp_path / "sweep.h5.partial").exists()
    r = run("sweep", FIXTURE, "--vary", "subject.mass=60:90")
    assert r.returncode == 2 and "START:STOP:N" in r.stderr


BUNDLED = sorted(f[:-5] for f in os.listdir("scenarios") if f.endswith(".yaml"))


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_runs(name):
    # Each shipped scenario loads (ranges, reach), runs to the end and gives finite, positive
    # compression at every level; `paraspine list` shows it.
    # The 8 h shifts take about two minutes each; here 80 lifts (20 min, two micro-breaks) suffice.
    shorten = ["--set", "repetitions=80"] if name.startswith("repetitive_lifting_shift") else []
    r = run("run", name, "--json", *shorten)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["scenario"] == name and s["frames"] > 1
    for joint, v in s["joints"].items():
        assert np.isfinite(v["peak_compression_N"]) and v["peak_compression_N"] > 0, joint
    assert name in run("list").stdout


def test_twisting_lift_loads_the_spine_out_of_plane():
    # The symmetric stoop lift has no lateral shear; the same box carried 90° to the side does.
    lateral = {}
    for name in ("rounded_back_lift", "twisting_lift"):
        s = json.loads(run("run", name, "--json").stdout)
        lateral[name] = max(v["peak_shear_lateral_N"] for k, v in s["joints"].items() if k.startswith("L"))
    assert lateral["rounded_back_lift"] < 1.0
    assert lateral["twisting_lift"] > 20.0


def test_micro_breaks_change_the_timeline_and_lower_the_fatigue():
    # The same 80 lifts, with and without a 1-minute break after the 40th: 60 s longer. A break
    # spent leaning on a support (the bundled file, Beltran et al.'s "rest") ends the work with
    # measurably less fatigue in every erector group; a break spent standing free does not lower
    # it (the erectors hold the standing posture: docs/fatigue.md, "Breaks").
    end = {}
    for name, extra in (("plain", ("repetitive_lifting_shift",)),
                        ("supported", ("repetitive_lifting_shift_microbreaks",)),
                        ("standing", ("repetitive_lifting_shift_microbreaks", "--set", "break_posture=standing"))):
        r = run("run", extra[0], "--json", "--set", "repetitions=80", *extra[1:])
        assert r.returncode == 0, r.stderr
        end[name] = json.loads(r.stdout)
    assert end["supported"]["duration_s"] == pytest.approx(end["plain"]["duration_s"] + 60.0)
    assert end["supported"]["frames"] == end["plain"]["frames"] + 600
    fatigue = {k: {g: v["groups"][g]["left"]["end_fatigued_fraction"] for g in ("longissimus", "iliocostalis", "multifidus")}
               for k, v in end.items()}
    for g in ("longissimus", "iliocostalis", "multifidus"):
        assert fatigue["supported"][g] < 0.98 * fatigue["plain"][g], (g, fatigue)
        assert fatigue["standing"][g] > 0.99 * fatigue["plain"][g], (g, fatigue)
