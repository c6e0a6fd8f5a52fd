"""`paraspine run`: a scenario end to end (summary, JSON, HDF5 read back with h5py), and every kind
of bad input: a clear message naming file, line and field, exit code 2, and no output file."""
import concurrent.futures
import functools
import json
import os

import h5py
import numpy as np
import pytest

from cli_helpers import CLI, FIXTURE, run


def test_run_writes_a_complete_self_describing_file(tmp_path):
    out = tmp_path / "lift.h5"
    r = run("run", FIXTURE, "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    for key in ("scenario", "model", "subject", "joints", "groups", "reserves", "endurance_s",
                "first_to_fail", "duration_s", "frames"):
        assert key in summary
    assert set(summary["joints"]["L4-L5"]) == {"peak_compression_N", "mean_compression_N",
                                               "peak_shear_ap_N", "peak_shear_lateral_N", "peak_shear_ap_signed_N",
                                               "peak_shear_lateral_signed_N", "end_creep_deg",
                                               "peak_compression_time_s", "fresh_peak_compression_N",
                                               "fresh_peak_compression_time_s",  # session 24
                                               "compression_verdict", "shear_ap_verdict"}  # lumbar levels (session 21)
    assert set(summary["recovery"]) == {"to_90_percent_s", "to_95_percent_s", "slowest_group", "slowest_side"}
    assert summary["failure_kind"] in (None, "fatigue", "strength_limit")
    assert (summary["failure_kind"] is None) == (summary["endurance_s"] is None)
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
        # A group's end fatigued fraction is the share of its strength lost: the fascicles' M_F at
        # the last frame weighted by their maximum force F0 (docs/fatigue.md), not a plain mean over
        # fascicles, which here differs by up to half (multifidus: many thin thoracic fascicles).
        import paraspine
        model = paraspine.Model.load("full_spine")  # the fixture's model, reference subject
        assert list(f["muscles/name"].asstr()[:]) == list(model.muscle_names)
        f0 = np.array(model.muscle_max_force)
        # The file holds F0 itself (it had to be rebuilt from the model), with its unit and axis.
        assert f["muscles/max_force"].attrs["units"] == "N" and f["muscles/max_force"].shape == (M,)
        assert f["muscles/max_force"].dims[0][0].name == "/muscles/name"
        assert np.array_equal(f["muscles/max_force"][:], f0)
        end = f["fatigue/fatigued"][-1]
        group, side = f["muscles/group"].asstr()[:], f["muscles/side"].asstr()[:]
        largest_gap = 0.0
        for g, sides in summary["groups"].items():
            for sd, v in sides.items():
                i = (group == g) & (side == sd)
                weighted = (f0[i] * end[i]).sum() / f0[i].sum()
                assert v["end_fatigued_fraction"] == pytest.approx(weighted, rel=1e-12, abs=1e-15), (g, sd)
                largest_gap = max(largest_gap, abs(weighted - end[i].mean()) / max(weighted, 1e-12))
        assert summary["groups"]["multifidus"]["left"]["end_fatigued_fraction"] > 0
        assert largest_gap > 0.1  # the two means do differ here, so the check can tell them apart


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
    ("pelvis_deg: {flexion: 30}", "pelvis_deg: {flexion: 1e9}", "keyframes[1].pelvis_deg.flexion: 1e+09° is more than a half turn"),
])
def test_bad_scenarios_fail_cleanly(tmp_path, replace, with_text, expect):
    err, path = bad(tmp_path, replace, with_text)
    assert expect in err, err
    assert err.startswith(f"error: {path}:"), err  # file and line first


def test_a_motion_faster_than_people_warns_and_its_short_run_says_how_long(tmp_path):
    # 30° of lumbar flexion in 10 ms ran without a word, under a header saying "0.0 s".
    path = tmp_path / "fast.yaml"
    path.write_text("paraspine_scenario: 1\nname: fast\noutput_rate_hz: 1000\nkeyframes:\n  - time: 0\n"
                    "  - time: 0.01\n    regions_deg: {lumbar: {flexion: 30}}\n")
    r = run("run", str(path), "--no-fatigue")
    assert r.returncode == 0, r.stderr
    assert f"warning: {path}:7: keyframes[1].regions_deg.lumbar.flexion: changes at a mean 3000°/s" in r.stderr, r.stderr
    assert "criterion activation2, 0.01 s, 11 frames" in r.stdout.splitlines()[0], r.stdout


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
    # Two runs of one scenario are headed by their file names (were both 'test_lift').
    assert r.stdout.splitlines()[0].split() == ["a.h5", "b.h5"], r.stdout.splitlines()[0]
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
        summaries = f["summaries"].asstr()[()]  # every point's summary, shaped like the grid
        assert summaries.shape == (3, 2)
        assert json.loads(summaries[2, 1])["joints"]["L4-L5"]["peak_compression_N"] == c[2, 1]
    assert not (tmp_path / "sweep.h5.partial").exists()
    r = run("sweep", FIXTURE, "--vary", "subject.mass=60:90")
    assert r.returncode == 2 and "START:STOP:N" in r.stderr


def test_one_sweep_axis_sets_the_load_of_several_keyframes(tmp_path):
    # The README's sweep varied only the lift keyframe's load; the hold kept the file's. An index
    # list sets every keyframe it names, as --set on each would.
    r = run("sweep", FIXTURE, "--vary", "keyframes[1,2].hands.both.load_kg=1,3", "--json")
    assert r.returncode == 0, r.stderr
    points = json.loads(r.stdout)["points"]
    for v, point in zip((1, 3), points):
        both = summary(FIXTURE, "--set", f"keyframes[1].hands.both.load_kg={v}", "--set", f"keyframes[2].hands.both.load_kg={v}")
        only_first = summary(FIXTURE, "--set", f"keyframes[1].hands.both.load_kg={v}")
        assert point["joints"]["L4-L5"] == both["joints"]["L4-L5"]
        assert point["joints"]["L4-L5"]["mean_compression_N"] != only_first["joints"]["L4-L5"]["mean_compression_N"]


BUNDLED = sorted(f[:-5] for f in os.listdir("scenarios") if f.endswith(".yaml"))


# Long scenarios shortened for the tests (one repetition, a minute of a hold).
SHORTEN = {
    "repetitive_lifting_shift": ["--set", "repetitions=80"],
    "repetitive_lifting_shift_microbreaks": ["--set", "repetitions=80"],
    "golf_swing": ["--set", "repetitions=1"],
    "bird_dog": ["--set", "repetitions=1"],
    "superman": ["--set", "repetitions=1"],
    "side_plank": ["--set", "repetitions=1"],
    "curl_up": ["--set", "repetitions=1"],
    "backpack_carry": ["--set", "keyframes[1].time=60"],
}


@functools.lru_cache(maxsize=None)
def _summary_text(name, extra):
    r = run("run", name, "--json", *SHORTEN.get(name, []), *extra)
    assert r.returncode == 0, r.stderr
    return r.stdout


def summary(name, *extra):
    # Runs a bundled scenario (shortened as above) once per argument list; tests share the result.
    return json.loads(_summary_text(name, tuple(extra)))


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_runs(name):
    # Each shipped scenario loads (ranges, reach), runs to the end and gives finite, positive
    # compression at every level; `paraspine list` shows it.
    # The 8 h shifts take about two minutes each; here 80 lifts (20 min, two micro-breaks) suffice.
    s = summary(name)
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
    # measurably less fatigue in every erector group; a break spent standing free lowers it less
    # (the erectors hold the standing posture: docs/fatigue.md, "Breaks").
    # Until session 4 this also asked a standing break to leave iliocostalis and multifidus within
    # 1 % of no break. Since the rib-cage arm path and the ilium registration fix, a standing break
    # lowers iliocostalis by 1.1 % and raises longissimus by 1.3 % (0.263 vs 0.259): the model's
    # quiet standing holds longissimus pars lumborum L5 near 20 % (the L5-S1 demand, issue 3), so
    # a minute of standing is not rest for it. Only the supported break is asserted to help.
    end = {}
    for name, extra in (("plain", ("repetitive_lifting_shift",)),
                        ("supported", ("repetitive_lifting_shift_microbreaks",)),
                        ("standing", ("repetitive_lifting_shift_microbreaks", "--set", "break_posture=standing"))):
        r = run("run", extra[0], "--json", "--set", "repetitions=80", *extra[1:])
        assert r.returncode == 0, r.stderr
        end[name] = json.loads(r.stdout)
    assert end["supported"]["duration_s"] == pytest.approx(end["plain"]["duration_s"] + 60.0)
    assert end["supported"]["frames"] == end["plain"]["frames"] + 600
    # Session 5 (per-fascicle dissection PCSAs, docs/sources/lumbosacral_extensors.md): the plain run
    # now fails (LTpL_L5, L5-S1) at 602 s, just after the place of the break (after the 40th lift), so
    # the break postpones that failure (standing 662 s, supported 1022 s since session 11's silent
    # supported breaks; 722 s in session 5) and the supported run then has
    # its muscles carry frames that the plain run hands to reserves: after a task failure, end-of-run
    # fatigue no longer measures the rest alone (session 11: longissimus 0.320 supported vs 0.256 plain,
    # F0-weighted, docs/fatigue.md; session 5: 0.286 vs 0.275, plain fascicle means). Where the
    # plain run fails inside the window, the break is therefore judged by when the failure comes.
    fatigue = {k: {g: v["groups"][g]["left"]["end_fatigued_fraction"] for g in ("longissimus", "iliocostalis", "multifidus")}
               for k, v in end.items()}
    failure = {k: v.get("endurance_s") for k, v in end.items()}
    plain_failed = failure["plain"] is not None and failure["plain"] < end["plain"]["duration_s"]
    if plain_failed and failure["plain"] > 40 * 15.0:  # the failure comes after the break's place
        assert failure["supported"] is None or failure["supported"] > failure["plain"] + 30.0, failure
        assert failure["standing"] is None or failure["supported"] is None or failure["supported"] > failure["standing"], failure
        return
    for g in ("longissimus", "iliocostalis", "multifidus"):
        assert fatigue["supported"][g] < 0.98 * fatigue["plain"][g], (g, fatigue)
        assert fatigue["supported"][g] < fatigue["standing"][g], (g, fatigue)


def test_a_whole_shift_with_supported_breaks_ends_with_less_fatigue():
    # Issue 5: "a repetitive-lifting shift with short breaks ends with measurably less fatigue than
    # the same work without breaks". Over 80 lifts (above) the plain run fails just after the first
    # break's place, so there the break is judged by the failure it postpones; over the whole 8-h
    # shift (the same 1920 lifts, 47 one-minute supported breaks) the claim of docs/fatigue.md
    # ("Breaks between lifts") is asserted as written: every erector group, both sides, ends with
    # less strength lost, and the three together by more than a tenth (measured at 04ea8f6:
    # longissimus / iliocostalis / multifidus 0.307 / 0.300 / 0.398 against 0.360 / 0.316 / 0.535,
    # 17 % less in all; task failure 1022 s against 602 s). About 20 s per run; the two run at once.
    names = ("repetitive_lifting_shift", "repetitive_lifting_shift_microbreaks")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        done = dict(zip(names, pool.map(lambda n: run("run", n, "--json"), names)))
    end = {}
    for name, r in done.items():
        assert r.returncode == 0, r.stderr
        end[name] = json.loads(r.stdout)
    plain, breaks = end["repetitive_lifting_shift"], end["repetitive_lifting_shift_microbreaks"]
    assert breaks["duration_s"] > plain["duration_s"] + 40 * 60.0  # the same work plus the breaks
    groups = ("longissimus", "iliocostalis", "multifidus")
    lost = {k: {(g, side): v["groups"][g][side]["end_fatigued_fraction"] for g in groups for side in ("left", "right")}
            for k, v in (("plain", plain), ("breaks", breaks))}
    for key in lost["plain"]:
        assert lost["breaks"][key] < lost["plain"][key], (key, lost)
    assert sum(lost["breaks"].values()) < 0.9 * sum(lost["plain"].values()), lost
    assert breaks["endurance_s"] is None or breaks["endurance_s"] > plain["endurance_s"], (breaks["endurance_s"], plain["endurance_s"])


def mean_act(s, group, side=None):
    sides = s["groups"][group]
    return sides[side]["mean_activation"] if side else sum(v["mean_activation"] for v in sides.values()) / len(sides)


def test_core_exercises_load_the_spine_as_published():
    ex = {n: summary(n) for n in ("curl_up", "bird_dog", "side_plank", "superman")}
    standing = summary("prolonged_standing", "--set", "keyframes[1].time=60")
    l45 = {n: s["joints"]["L4-L5"]["peak_compression_N"] for n, s in ex.items()}
    # The partial curl-up challenges the abdominals at the least spine compression of the four
    # (Axler & McGill 1997); it needs the abdominals, standing does not.
    assert l45["curl_up"] == min(l45.values()), l45
    abdominals = lambda s: mean_act(s, "rectus_abdominis") + mean_act(s, "external_oblique") + mean_act(s, "internal_oblique")
    assert abdominals(ex["curl_up"]) > 5 * abdominals(standing) and abdominals(ex["curl_up"]) > 0.2
    # The side plank on the right forearm bends the spine laterally: the down-side (right)
    # quadratus lumborum works, the up-side one hardly; lateral shear appears.
    sp = ex["side_plank"]
    assert mean_act(sp, "quadratus_lumborum", "right") > 3 * mean_act(sp, "quadratus_lumborum", "left")
    assert sp["joints"]["L4-L5"]["peak_shear_lateral_N"] > 50
    # Superman: all extensors, no abdominals; symmetric, so no lateral shear.
    sm = ex["superman"]
    assert mean_act(sm, "rectus_abdominis") < 0.01 and sm["joints"]["L4-L5"]["peak_shear_lateral_N"] < 1
    assert mean_act(sm, "longissimus") > mean_act(ex["curl_up"], "longissimus")
    # Bird dog: one hand and the opposite knee carry the body, so the trunk twists (asymmetric).
    bd = ex["bird_dog"]
    assert bd["joints"]["L4-L5"]["peak_shear_lateral_N"] > 20


# Known deviation since session 7 (shown, not hidden: strict, so it fails loudly once it passes). Before the
# intercostals the rise was 15.2 % (8.0 % with fresh muscles, the rest fatigue within the minute, the pack a
# point load on T8). With the intercostals and the pack carried by the rib cage (carried_by: rib_cage, as the
# arms' load) the L5-S1 resultant rises 10.7 % (634 -> 702 N), fresh or fatigued: under the band's 13.4 %. The
# band is a heuristic around a WALKING measurement; the model says standing still raises L5-S1 less (the pack's
# backward moment relieves the extensors). Not widened to pass; docs/model.md, open findings.
@pytest.mark.xfail(strict=True, reason="standing with the pack: L5-S1 rise 10.7 % < 13.4 % (a band around Goh's walking +26.7 %; docs/model.md)")
def test_backpack_raises_lumbosacral_force():
    # 15 % of body weight behind the back raises the force on every lumbar disc; at L5-S1 the
    # resultant rises by 26.7 % in walking (Goh, Thambyah & Bose 1998, Clin Biomech 13:S26). Standing
    # still there is no gait loading, and the pack's backward moment partly relieves the extensors,
    # so the rise is held to half to one and a half times Goh's (13-40 %) rather than to the value.
    # (Until session 4 this test asked for a rise above the pack's weight at L5-S1; that holds at
    # L4-L5 and above but is not physics at L5-S1, whose inclined disc takes part of the weight as
    # shear and whose extensors the pack relieves.)
    pack = summary("backpack_carry")
    standing = summary("prolonged_standing", "--set", "keyframes[1].time=60")
    for level in ("L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2", "T12-L1"):
        assert pack["joints"][level]["peak_compression_N"] > standing["joints"][level]["peak_compression_N"], level
    resultant = lambda s: np.hypot(s["joints"]["L5-S1"]["peak_compression_N"], s["joints"]["L5-S1"]["peak_shear_ap_N"])
    rise = resultant(pack) / resultant(standing) - 1
    assert 0.5 * 0.267 < rise < 1.5 * 0.267, rise


def test_golf_swing_x_factor_and_sequence(tmp_path):
    out = tmp_path / "golf.h5"
    s = summary("golf_swing", "-o", str(out))
    with h5py.File(out) as f:
        t = f["time"][:]
        names = list(f["joints/name"].asstr()[:])
        trunk = [k for k, n in enumerate(names) if n[0] in "LT"]  # thorax relative to pelvis
        sep = np.degrees(f["kinematics/joint_angles"][:, trunk, 2].sum(axis=1))
    top, impact = np.argmin(np.abs(t - 3.30)), np.argmin(np.abs(t - 3.57))
    # X-factor 45° at the top (Cheetham et al. 2001; tour average ≈ 42°).
    assert 40 < sep[top] < 50, sep[top]
    # Thorax-relative-to-pelvis velocity peaks after impact (Steele et al. 2018).
    v = np.gradient(sep, t)
    assert t[np.argmax(np.abs(v[: np.argmin(np.abs(t - 4.5))]))] > t[impact]
    # Rotation with lateral bend: lateral shear at L4-L5, and a peak compression above standing.
    assert s["joints"]["L4-L5"]["peak_shear_lateral_N"] > 100
    assert s["joints"]["L4-L5"]["peak_compression_N"] > 3000


def test_golf_swing_keeps_every_level_inside_its_in_vivo_axial_range(tmp_path):
    # The swing's axial rotation, level by level, against in vivo imaging (docs/sources/
    # scenario_kinematics.md §10.1). Until session 9 the scenario put 10° of the X-factor in the
    # lumbar spine and all of the head's turn in the upper neck, and the rhythm gave T12-L1 a
    # thoracic level's share: L5-S1 2.1°, T12-L1 2.7°, C1-C2 40°, C0-C1 5.0° at the top.
    out = tmp_path / "golf.h5"
    r = run("run", "golf_swing", "--set", "repetitions=1", "--no-fatigue", "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        names = list(f["joints/name"].asstr()[:])
        ar = np.degrees(f["kinematics/joint_angles"][:, :, 2])
    col = {n: k for k, n in enumerate(names)}
    trunk = [col[n] for n in names if n[0] in "LT"]
    sep = np.abs(ar[:, trunk].sum(axis=1)).max()  # the largest thorax-on-pelvis rotation
    # Fujii et al. 2007 (MRI, 45° of trunk rotation): every segment T12/L1…L5/S1 turns 1.2–1.7°;
    # scaled to the swing's largest separation (linear, as the scenario's split).
    for n in ("T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"):
        assert np.abs(ar[:, col[n]]).max() <= 1.7 * sep / 45 + 1e-6, (n, np.abs(ar[:, col[n]]).max(), sep)
    # Maximal head rotation in vivo: C1-C2 36.2 ± 4.5° (Ishii 2004) and 37.5 ± 6.0° (Salem 2013);
    # C0-C1 1.7 ± 1.5° and 2.5 ± 1.0°; the whole C0-T1 55.5 ± 10.8° (dual fluoroscopy, 2021).
    assert np.abs(ar[:, col["C1-C2"]]).max() <= 37.5
    assert np.abs(ar[:, col["C0-C1"]]).max() <= 2.5
    neck = [col[n] for n in names if n[0] == "C"]
    assert np.abs(ar[:, neck].sum(axis=1)).max() <= 55.5


def test_threads_give_identical_results(tmp_path):
    # Without fatigue the frames are solved in parallel (chains of 16, blocks that depend on the
    # count): the same bits for 1, 2 and 3 threads. With fatigue they run in order on one thread,
    # and the count must not change a bit either.
    for extra in ([], ["--no-fatigue"]):
        outs = []
        for n in (1, 2, 3):
            out = tmp_path / f"t{n}{len(extra)}.h5"
            r = run("run", FIXTURE, "--json", "--threads", str(n), "-o", str(out), *extra)
            assert r.returncode == 0, r.stderr
            outs.append((r.stdout, out))
        assert outs[0][0] == outs[1][0] == outs[2][0]
        with h5py.File(outs[0][1]) as a, h5py.File(outs[1][1]) as b, h5py.File(outs[2][1]) as c:
            for name in ("joints/compression", "muscles/activation", "fatigue/fatigued", "joints/net_moment"):
                assert np.array_equal(a[name][:], b[name][:]) and np.array_equal(a[name][:], c[name][:]), name
    # Quasi-statically reused frames and supported breaks (three lifts, a supported break after each).
    files = []
    for n in (1, 2):
        out = tmp_path / f"breaks{n}.h5"
        r = run("run", "repetitive_lifting_shift_microbreaks", "--set", "repetitions=3", "--set", "break_every=1",
                "--threads", str(n), "-o", str(out), "--json")
        assert r.returncode == 0, r.stderr
        files.append((r.stdout, out))
    assert files[0][0] == files[1][0]
    with h5py.File(files[0][1]) as a, h5py.File(files[1][1]) as b:
        differ = []
        a.visititems(lambda n, o: differ.append(n) if isinstance(o, h5py.Dataset) and o.dtype.kind == "f"
                     and not np.array_equal(o[()], b[n][()], equal_nan=True) else None)
        assert differ == []
    # A swing has frames where reserves act: the warm start of the frame after one must follow the
    # frame before it in its chain, not whatever frame the same buffer held before (until session 6
    # it read a stale frame's reserves, and the last bits of the summary depended on --threads).
    swings = [run("run", "golf_swing", "--set", "repetitions=1", "--no-fatigue", "--json", "--threads", str(n))
              for n in (1, 2, 3)]
    assert all(r.returncode == 0 for r in swings), swings[0].stderr
    assert swings[0].stdout == swings[1].stdout == swings[2].stdout
    fresh = json.loads(run("run", FIXTURE, "--json", "--no-fatigue").stdout)
    assert all(v["end_fatigued_fraction"] == 0 for g in fresh["groups"].values() for v in g.values())


def test_storage_options_keep_the_schema(tmp_path):
    full, small = tmp_path / "full.h5", tmp_path / "small.h5"
    assert run("run", FIXTURE, "-o", str(full)).returncode == 0
    r = run("run", FIXTURE, "-o", str(small), "--precision", "single", "--fields", "joints,muscles/activation", "--json")
    assert r.returncode == 0, r.stderr
    with h5py.File(full) as a, h5py.File(small) as b:
        assert a.attrs["storage"] == "float64" and b.attrs["storage"] == "float32"
        assert b["time"].dtype == np.float64 and b["joints/compression"].dtype == np.float32
        assert np.allclose(a["joints/compression"][:], b["joints/compression"][:], rtol=1e-6, atol=1e-3)
        assert "muscles/activation" in b and "muscles/force" not in b and "fatigue" not in b
        assert b["muscles/activation"].attrs["units"] == "1" and b["muscles/activation"].dims[1][0].name == "/muscles/name"
    assert small.stat().st_size < 0.5 * full.stat().st_size
    assert run("compare", str(full), str(small)).returncode == 0
    r = run("run", FIXTURE, "-o", str(tmp_path / "bad.h5"), "--fields", "joints,muscle/force")
    assert r.returncode == 2 and "muscle/force" in r.stderr and not (tmp_path / "bad.h5").exists()


def test_xarray_labels_the_axes(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    out = tmp_path / "lift.h5"
    assert run("run", FIXTURE, "-o", str(out)).returncode == 0
    with xr.open_dataset(out, engine="h5netcdf", group="joints", phony_dims="access") as j:
        assert j["net_moment"].dims == ("time", "name", "rotation")
        assert "L4-L5" in list(j["name"].values)
        assert j["compression"].attrs["units"] == "N"
    with xr.open_dataset(out, engine="h5netcdf") as root:
        assert list(root["rotation"].values) == ["flexion", "lateral_bending", "axial_rotation"]
        assert root["time"].size > 1


def test_bad_external_force_names_file_line_and_field(tmp_path):
    text = """paraspine_scenario: 1
name: bad_support
external_forces:
  - name: strap
    segment: T66
    force_N: [0, 50, 0]
keyframes:
  - time: 0
  - time: 1
"""
    path = tmp_path / "bad_support.yaml"
    path.write_text(text)
    out = tmp_path / "out.h5"
    r = run("run", str(path), "-o", str(out))
    assert r.returncode == 2 and not out.exists()
    assert r.stderr.startswith(f"error: {path}:5: external_forces[0].segment: unknown segment 'T66'"), r.stderr
    path.write_text(text.replace("T66", "T6").replace("  - time: 1\n", "  - time: 1\n    forces: {strop: {force_N: [0, 1, 0]}}\n"))
    r = run("run", str(path))
    assert r.returncode == 2 and "keyframes[1].forces.strop" in r.stderr and "unknown force 'strop'" in r.stderr


def test_failure_kind_tells_fatigue_from_the_strength_limit():
    # Biering-Sørensen fails by fatigue (longissimus at L5-S1, after more than a minute); the golf
    # swing's first failure is a fascicle the swing asks for all of its strength when fresh
    # (docs/fatigue.md, "Endurance"): since session 9 the suboccipitals at C1-C2 after 3.1 s, the
    # obliquus capitis inferior holding 34° of atlantoaxial rotation at the top of the backswing
    # with its fibres at 0.55 of their optimal length (docs/sources/scenario_kinematics.md §10.1);
    # before, the external oblique at T11-T12 after 3.2 s.
    # (The squat lift was the example until its rectus capitis limit went with the arms' load path
    # through the rib cage, docs/model.md §4; the bird dog until the intercostals, session 7, after
    # which it fails by fatigue after 86 s.)
    bs = json.loads(run("run", "biering_sorensen", "--json").stdout)
    assert bs["failure_kind"] == "fatigue" and bs["endurance_s"] > 60 and bs["failed_joint"] == "L5-S1"
    golf = json.loads(run("run", "golf_swing", "--set", "repetitions=1", "--json").stdout)
    assert golf["failure_kind"] == "strength_limit" and golf["endurance_s"] < 10


@pytest.mark.parametrize("spec,expect", [
    ("mass=-70", "--subject: mass: must be between 20 and 300 kg, got -70"),   # was: the reference 79.6 kg
    ("mass=nan", "--subject: mass: must be a finite number"),                   # was: the reference
    ("mass=70kg", "--subject: mass: '70kg' is not a number"),                   # was: 70
    ("height=1.8,sex=alien", "--subject: sex: expected male or female"),        # was: exit 1
    ("strength=0", "--subject: strength: must be in (0, 5]"),                  # was: exit 1, no option named
    ("weight=70", "--subject: weight: unknown key"),
])
def test_bad_subject_option_fails_before_running(tmp_path, spec, expect):
    out = tmp_path / "out.h5"
    r = run("run", FIXTURE, "--subject", spec, "-o", str(out))
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.startswith("error: " + expect), r.stderr
    assert not out.exists() and not (tmp_path / "out.h5.partial").exists()


def test_bad_criterion_and_moments_subject_options_are_refused():
    for args in (["run", FIXTURE, "--criterion", "activation9"], ["moments", "lumbar", "--mass-kg", "-70"],
                 ["moments", "lumbar", "--height-m", "nan"], ["bench", "--criterion", "l2"]):
        r = run(*args)
        assert r.returncode != 0 and r.stdout == "", (args, r.stdout[:200])
        assert args[-2] in r.stderr, (args, r.stderr)


@pytest.mark.parametrize("verb,sig", [("run", "SIGINT"), ("run", "SIGTERM"), ("batch", "SIGINT"), ("sweep", "SIGINT")])
def test_interrupted_run_leaves_no_partial_file(tmp_path, verb, sig):
    # Ctrl-C used to kill the process with NAME.partial left behind (tens of MB; GB for a shift).
    import signal
    import subprocess
    import time
    out = tmp_path / "out.h5"
    if verb == "run":
        args, partial = ["run", FIXTURE, "--set", "repetitions=500", "-o", str(out)], tmp_path / "out.h5.partial"
    elif verb == "batch":
        lift = tmp_path / "long_lift.yaml"
        lift.write_text(open(FIXTURE).read().replace("repetitions: 2", "repetitions: 500"))
        args, partial = ["batch", str(lift), "-o", str(tmp_path)], tmp_path / "test_lift.h5.partial"
    else:
        # The sweep writes its file at the end: interrupt it while the grid runs, nothing may appear.
        args, partial = ["sweep", FIXTURE, "--vary", "repetitions=100,101", "--threads", "1", "-o", str(out)], out
    p = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)])
    deadline = time.time() + 60
    while not partial.exists() and verb != "sweep" and time.time() < deadline and p.poll() is None:
        time.sleep(0.02)
    time.sleep(0.3)
    assert p.poll() is None, "finished before the interrupt: make the run longer"
    p.send_signal(getattr(signal, sig))
    err = p.communicate(timeout=60)[1]
    assert p.returncode == -getattr(signal, sig), (p.returncode, err)
    assert "interrupted: no results file written" in err
    assert [f.name for f in tmp_path.iterdir() if f.suffix in (".h5", ".partial")] == []


@pytest.mark.parametrize("verb", ["run", "batch", "sweep"])
def test_interrupt_without_output_file_says_interrupted(tmp_path, verb):
    # Without -o, Ctrl-C ended the process with an empty stderr (review of session 11, F17).
    import signal
    import subprocess
    import time
    lift = tmp_path / "long_lift.yaml"
    lift.write_text(open(FIXTURE).read().replace("repetitions: 2", "repetitions: 500"))
    args = {"run": ["run", str(lift)], "batch": ["batch", str(lift)],
            "sweep": ["sweep", str(lift), "--vary", "repetitions=500,501", "--threads", "1"]}[verb]
    p = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(2.0)  # past loading, into the frames
    assert p.poll() is None, "finished before the interrupt: make the run longer"
    p.send_signal(signal.SIGINT)
    err = p.communicate(timeout=60)[1]
    assert p.returncode == -signal.SIGINT, (p.returncode, err)
    assert err.strip().splitlines()[-1] == "interrupted", err
    assert list(tmp_path.iterdir()) == [lift]


def test_output_path_that_cannot_be_written_fails_before_the_run(tmp_path):
    # -o naming a directory used to run the whole scenario and fail at the end ("cannot move the
    # finished results into place"); a sweep into a missing folder failed after every grid point.
    # Here the run would take minutes, so a quick exit shows the check comes first.
    import time
    long = ["--set", "repetitions=100000"]
    for args, expect in ((["run", FIXTURE, *long, "-o", str(tmp_path)], "is a directory"),
                         (["run", FIXTURE, *long, "-o", str(tmp_path / "no" / "x.h5")], "does not exist"),
                         (["sweep", FIXTURE, "--vary", "repetitions=50000,50001", "-o", str(tmp_path / "no" / "x.h5")],
                          "does not exist")):
        t0 = time.time()
        r = run(*args)
        assert r.returncode == 2 and expect in r.stderr and "output" in r.stderr, r.stderr
        assert time.time() - t0 < 20, "failed only after running"
    assert list(tmp_path.iterdir()) == []


def test_absurd_thread_counts_are_capped_not_allocated():
    # '--threads 100000 --no-fatigue' used to allocate a 1.3 MB Data per thread (130 GB) and was
    # killed by the OOM killer. Under a 4 GB address-space limit (so an old binary fails instead of
    # exhausting the machine) the run now completes with the same summary as on one thread.
    import resource
    import subprocess

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    one = run("run", FIXTURE, "--no-fatigue", "--json")
    assert one.returncode == 0, one.stderr
    many = subprocess.run([CLI, "run", FIXTURE, "--no-fatigue", "--threads", "100000", "--json"],
                          capture_output=True, text=True, timeout=120, preexec_fn=limited)
    assert many.returncode == 0, many.stderr[-500:]
    assert json.loads(many.stdout) == json.loads(one.stdout)


def test_storage_options_without_a_results_file_are_refused():
    # '--fields joints' or '--precision single' without -o used to be ignored silently.
    for args in (["run", FIXTURE, "--fields", "joints"], ["run", FIXTURE, "--precision", "single"],
                 ["batch", FIXTURE, "--fields", "joints"]):
        r = run(*args)
        assert r.returncode != 0 and r.stdout == "" and "requires --output" in r.stderr, (args, r.stderr)


def test_models_without_lumbar_level_names_print_their_tables(tmp_path):
    # A model may name its levels as it likes; run printed the summary through "L4-L5" and
    # "L5-S1" and failed after writing the file ("[json.exception.type_error.305] ...", exit 1),
    # compare, batch and sweep likewise. Now the tables show the levels the model has ('-' else).
    model = tmp_path / "renamed.yaml"
    model.write_text(open("models/lumbar.yaml").read().replace("L5-S1", "LS").replace("L4-L5", "L45"))
    sc = tmp_path / "renamed_lift.yaml"
    sc.write_text(f"paraspine_scenario: 1\nname: renamed_lift\nmodel: {model}\nkeyframes:\n  - time: 0\n"
                  "  - time: 1\n    regions_deg: {lumbar: {flexion: 20}}\n")
    out = tmp_path / "r.h5"
    r = run("run", str(sc), "-o", str(out))
    assert r.returncode == 0 and "LS " in r.stdout and "(most loaded level)" in r.stdout, r.stderr
    for args in (["compare", str(out), str(out)], ["batch", str(sc)], ["sweep", str(sc), "--vary", "subject.mass=60,70"]):
        r = run(*args)
        assert r.returncode == 0, (args, r.stderr)
        assert "json.exception" not in r.stderr


def test_compare_refuses_damaged_results_files_cleanly(tmp_path):
    # Results files changed by other tools: a summary string stored fixed-length (as h5py writes
    # numpy bytes) made compare read it as a pointer and crash (SIGSEGV); a summary without the
    # expected keys failed with a json exception (exit 1).
    import shutil
    good = tmp_path / "good.h5"
    assert run("run", FIXTURE, "--set", "repetitions=1", "-o", str(good)).returncode == 0
    text = json.dumps(json.loads(h5py.File(good)["summary"].attrs["json"]))
    cases = {
        "fixed.h5": lambda f: f["summary"].attrs.create("json", data=np.bytes_(text)),
        "empty_summary.h5": lambda f: f["summary"].attrs.__setitem__("json", "{}"),
        "text_version.h5": lambda f: f.attrs.__setitem__("schema_version", "1"),
    }
    for name, damage in cases.items():
        path = tmp_path / name
        shutil.copy(good, path)
        with h5py.File(path, "r+") as f:
            damage(f)
        r = run("compare", str(path))
        if name == "fixed.h5":  # still a complete file: read like the original
            assert r.returncode == 0 and r.stdout == run("compare", str(good)).stdout.replace("good.h5", name), r.stderr
        else:
            assert r.returncode == 2 and r.stderr.startswith(f"error: {path}: "), (name, r.returncode, r.stderr)


def test_progress_shows_on_a_terminal_even_when_stdout_is_redirected():
    # 'paraspine run long_task --json > summary.json' showed no progress at all: the bar needed
    # stdout to be a terminal too, though it is drawn on stderr.
    import pty
    import subprocess
    master, slave = pty.openpty()
    p = subprocess.Popen([CLI, "run", FIXTURE, "--json"], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    out = p.communicate(timeout=120)[0]
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    assert p.returncode == 0 and json.loads(out)["frames"] == 401
    assert b"100 %" in err, err


def test_progress_in_a_log_is_a_few_plain_lines():
    # stderr to a file or a pipe (`paraspine run shift -o x.h5 2>log`): the terminal's bar redrawn
    # with \r every 50 frames would pile up in the log (5760 redraws for an 8-hour shift at 10 Hz),
    # and without a terminal there was no progress at all. Now a plain line at each further tenth
    # of the work once it has taken 2 s; short runs say nothing, as on a terminal.
    import re
    import subprocess
    import time
    t0 = time.time()
    r = subprocess.run([CLI, "run", FIXTURE, "--set", "repetitions=250", "--json"], capture_output=True, text=True, timeout=600)
    took = time.time() - t0
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr
    lines = r.stderr.splitlines()
    if took > 3.5:  # the run itself past 2 s (a safe margin for loading the model)
        assert 1 <= len(lines) <= 11, r.stderr
        for line in lines:
            assert re.fullmatch(r"  +\d+ %  t = \d+ / \d+ s  \(\d+ s elapsed, \d+ s more at the pace so far\)", line), line
        assert lines[-1].lstrip().startswith("100 %"), r.stderr
    short = subprocess.run([CLI, "run", FIXTURE, "--set", "repetitions=1", "--set", "output_rate_hz=5"],
                           capture_output=True, text=True, timeout=120)
    assert short.returncode == 0 and short.stderr == "", short.stderr
    r = subprocess.run([CLI, "sweep", FIXTURE, "--vary", "repetitions=40,45,50,55", "--threads", "1"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and "\r" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()
    # k of N points and the time to go (audit24s #5)
    assert len(lines) <= 4 and all(re.fullmatch(r"  sweep: [1-4] / 4 grid points \(\d+ %, \d+ s elapsed, \d+ s more at the pace so far\)", l)
                                   for l in lines), r.stderr


def test_results_never_replace_an_input_file(tmp_path):
    # 'run lift.yaml -o lift.yaml' (a slip of the shell's history) replaced the scenario by the
    # HDF5 results; the same with the model file given by --model.
    sc, model = tmp_path / "lift.yaml", tmp_path / "model.yaml"
    sc.write_text(open(FIXTURE).read())
    model.write_text(open("models/lumbar.yaml").read())
    for args, victim in ((["run", str(sc), "-o", str(sc)], sc), (["run", str(sc), "--model", str(model), "-o", str(model)], model)):
        before = victim.read_bytes()
        r = run(*args)
        assert r.returncode == 2 and "is an input of the run" in r.stderr, r.stderr
        assert victim.read_bytes() == before


def test_a_results_file_named_as_text_is_refused_and_other_names_warned(tmp_path):
    # `-o out.json --json` silently wrote an HDF5 file named out.json.
    for verb in (["run", FIXTURE], ["sweep", FIXTURE, "--vary", "subject.mass=60"]):
        r = run(*verb, "-o", str(tmp_path / "out.json"), "--json")
        assert r.returncode == 2 and r.stderr.startswith(f"error: -o: {tmp_path / 'out.json'}: results files are HDF5, not json"), r.stderr
        assert not (tmp_path / "out.json").exists() and not (tmp_path / "out.json.partial").exists()
    r = run("run", FIXTURE, "--no-fatigue", "-o", str(tmp_path / "out.res"))
    assert r.returncode == 0 and "warning: -o " + str(tmp_path / "out.res") + ": the results file is HDF5" in r.stderr, r.stderr
    with h5py.File(tmp_path / "out.res") as f:
        assert f.attrs["schema_version"] == 1
    r = run("run", FIXTURE, "--no-fatigue", "-o", str(tmp_path / "out.h5"))
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr


def test_a_rerun_gives_a_byte_identical_file(tmp_path):
    # HDF5 stamped every dataset with the second it was made, and `created` said when: two runs of the
    # same input differed in about 30 bytes, so a lab could not check a result by its checksum
    # (audit21b). Objects now carry no stamp and `created` honours SOURCE_DATE_EPOCH. The runs are
    # over a second apart, and made in two folders with the same command line (it is stored).
    import subprocess
    import time
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    fixture = os.path.abspath(FIXTURE)
    blobs = []
    for k in (1, 2):
        d = tmp_path / f"run{k}"
        d.mkdir()
        for args in (["run", fixture, "-o", "out.h5"], ["sweep", fixture, "--vary", "subject.strength=0.8,1", "-o", "grid.h5"]):
            r = subprocess.run([CLI, *args], capture_output=True, text=True, cwd=d, env=env, timeout=600)
            assert r.returncode == 0, r.stderr
        blobs.append(((d / "out.h5").read_bytes(), (d / "grid.h5").read_bytes()))
        if k == 1:
            time.sleep(1.1)
    assert blobs[0][0] == blobs[1][0]
    assert blobs[0][1] == blobs[1][1]
    with h5py.File(tmp_path / "run1" / "out.h5") as f, h5py.File(tmp_path / "run1" / "grid.h5") as g:
        assert f.attrs["created"] == g.attrs["created"] == "2023-11-14T22:13:20Z"
