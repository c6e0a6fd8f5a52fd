"""The newcomer's path through the docs (audit26d) runs as written and gives the figures it quotes:

#1   docs/scenarios.md "Your first scenario": its YAML block runs, with the quoted peaks;
#2   "The text summary, column by column": its sample rows are `run upright_sitting`'s own output,
     and every JSON key its tables name is in the summary;
#3   the example motion files README.md runs (examples/motion/) exist, give the same run as CSV and
     as OpenSim .mot, and are what their generator writes;
#4/5 the twisting table's printed peaks and marks, and the stoop_box and --model lumbar figures.
"""
import importlib.util
import json
import pathlib
import re

from cli_helpers import run

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS_MD = (ROOT / "docs/scenarios.md").read_text()
README = (ROOT / "README.md").read_text()


def section(title):
    start = SCENARIOS_MD.index(f"## {title}\n")
    return SCENARIOS_MD[start:SCENARIOS_MD.index("\n## ", start + 1)]


def summary(*args):
    r = run("run", *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_first_scenario_runs_with_the_quoted_figures(tmp_path):
    text = section("Your first scenario")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    f = tmp_path / "stoop_box.yaml"
    f.write_text(blocks[0])
    s = summary(str(f))
    j = s["joints"]
    assert round(j["L5-S1"]["peak_compression_N"]) == 3236 and round(j["L5-S1"]["peak_compression_time_s"], 1) == 1.7
    assert round(j["L2-L3"]["peak_compression_N"]) == 3885
    assert max(j, key=lambda k: j[k]["peak_compression_N"]) == "L2-L3"
    assert j["L2-L3"]["compression_verdict"] == "above_action_limit"
    assert "3236 N at t = 1.7 s" in text and "3885 N" in text
    # The three things that trip people up are said there.
    assert "mass in each hand" in text and "h − 0.93" in text and "degrees" in text
    # README points a newcomer to it and to the column guide.
    assert "docs/scenarios.md#your-first-scenario" in README
    assert "docs/scenarios.md#the-text-summary-column-by-column" in README


def test_text_summary_sample_is_the_runs_output():
    text = section("The text summary, column by column")
    sample = re.findall(r"```\n(.*?)```", text, flags=re.S)[0]
    r = run("run", "upright_sitting")
    assert r.returncode == 0, r.stderr
    printed = r.stdout.splitlines()
    for line in sample.splitlines():
        if line.strip() != "…":
            assert line in printed, line


def test_text_summary_tables_name_keys_the_summary_has():
    text = section("The text summary, column by column")
    s = summary("upright_sitting")
    joint, group = s["joints"]["L5-S1"], s["groups"]["longissimus"]["left"]
    keys = set()
    for row in re.findall(r"^\| [^|]*\| ([^|]*) \|", text, flags=re.M):
        keys.update(re.findall(r"`(\w+)`", row))
    assert len(keys) >= 15, keys
    for k in keys:
        assert k in joint or k in group, k
    for k in ("loads_are_lower_bounds", "fatigue_limited_from_s", "recovery", "endurance_s", "creep", "notes"):
        assert k in s and f"`{k}`" in text, k


def test_example_motion_files_run_alike_and_are_their_generators_output(tmp_path):
    csv, mot = ROOT / "examples/motion/stoop_trial.csv", ROOT / "examples/motion/stoop_trial.mot"
    for f in (csv, mot):
        assert str(f.relative_to(ROOT)) in README
    a, b = summary("squat_lift", "--motion", str(csv)), summary("squat_lift", "--motion", str(mot))
    assert a.pop("motion_file") == str(csv) and b.pop("motion_file") == str(mot)
    assert a == b
    assert a["frames"] == 401 and a["duration_s"] == 4.0
    # The README's batch command over the folder names the run after the file.
    r = run("batch", "squat_lift", "-o", str(tmp_path / "results"), "--lowpass-hz", "6", "--motion", str(csv))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "results/stoop_trial.h5").exists()
    # The files are what make_stoop_trial.py writes.
    spec = importlib.util.spec_from_file_location("make_stoop_trial", ROOT / "examples/motion/make_stoop_trial.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.HERE = tmp_path
    gen.main()
    assert (tmp_path / "stoop_trial.csv").read_bytes() == csv.read_bytes()
    assert (tmp_path / "stoop_trial.mot").read_bytes() == mot.read_bytes()
    # Not among the bundled scenarios.
    listed = run("list")
    assert listed.returncode == 0 and "stoop_trial" not in listed.stdout


def _peak(s, joint="L5-S1"):
    j = s["joints"][joint]
    return round(j["peak_compression_N"]), round(j["fresh_peak_compression_N"]), s["loads_are_lower_bounds"]


def test_twisting_table_gives_the_printed_peaks():
    text = section("Pushing, pulling and carrying")
    rows = {}
    for lumbar, pelvis in ((7, 35), (10, 32), (12, 30)):
        s = summary("twisting_lift", "--set", f"keyframes[3,4].regions_deg.lumbar.axial_rotation={lumbar}",
                    "--set", f"keyframes[3,4].pelvis_deg.axial_rotation={pelvis}")
        rows[lumbar] = _peak(s)
        if lumbar == 12:
            assert round(s["reserves"]["peak_moment_Nm"], 1) == 37.2
            assert round(100 * s["reserves"]["frames_used_fraction"], 1) == 24.7
    assert rows == {7: (2464, 2454, False), 10: (2506, 2502, False), 12: (2818, 2825, True)}
    assert "| 2464 N | 2454 N |" in text and "| 2506 N | 2502 N |" in text and "| ≥2818 N | ≥2825 N |" in text


def test_stoop_box_and_lumbar_figures(tmp_path):
    limits = section("Reading loads against occupational limits")
    other = section("Running on another model (`--model`)")
    f = tmp_path / "stoop_box.yaml"
    f.write_text(re.findall(r"```yaml\n(.*?)```", limits, flags=re.S)[0])
    assert _peak(summary(str(f))) == (3236, 3225, False)
    assert _peak(summary(str(f), "--set", "abdominal_pressure=false"))[0] == 4125
    assert "3236 N" in limits and "4125 N" in limits
    assert _peak(summary("rounded_back_lift", "--model", "lumbar")) == (3334, 3334, True)
    assert _peak(summary("squat_lift", "--model", "lumbar")) == (2963, 2963, True)
    assert "≥3334 N" in other and "≥2963 N" in other


def test_fatigue_holds_table_gives_the_printed_peaks():
    # docs/fatigue.md, "Peaks under fatigue": the rows re-measured in session 26, every one a lower bound.
    text = (ROOT / "docs/fatigue.md").read_text()
    fhp = summary("forward_head_posture")
    assert _peak(fhp, "T2-T3") == (1534, 1134, True) and _peak(fhp, "L5-S1") == (1264, 876, True)
    assert "T2-T3 ≥1534 N (940 s) / ≥1134 N" in text and "L5-S1 ≥1264 / ≥876 N" in text
    bag = summary("backpack_carry")
    assert _peak(bag, "T9-T10") == (1261, 706, True) and _peak(bag, "L5-S1") == (1256, 666, True)
    assert "T9-T10 ≥1261 N (1363 s) / ≥706 N" in text and "L5-S1 ≥1256 / ≥666 N" in text


def test_python_tour_example_converges_and_its_note_is_true():
    # docs/python.md, "Scenarios from Python" (audit26d #11): the example's run has no unconverged
    # solve; the activation3 variant the text describes has 4 of 86.
    import paraspine

    s = paraspine.Scenario.load("upright_sitting", overrides={"keyframes[1].time": 600})
    s = s.with_overrides({"output_rate_hz": 0.2})
    s = s.with_overrides({"fatigue.F": 0.0151, "fatigue.groups.longissimus.R": 0.001})
    d = s.to_dict()
    d["name"] = "my_sitting"
    mine = paraspine.Scenario.from_dict(d)
    subject = paraspine.Subject(mass=62, height=1.65, sex="female")
    text = (ROOT / "docs/python.md").read_text()
    assert 'criterion="stress2")' in text and "4 of 86 load-sharing solves" in text and "440 s" in text
    r = paraspine.simulate(None, mine, subject=subject, criterion="stress2")
    assert r.summary["load_sharing_unconverged_solves"] == 0 and r.summary["endurance_s"] == 440
    assert sorted(n["key"] if isinstance(n, dict) else n for n in r.summary["notes"]) == ["loads_fall_after_failure", "lower_bounds"]
    r3 = paraspine.simulate(None, mine, subject=subject, criterion="activation3")
    assert (r3.summary["load_sharing_unconverged_solves"], r3.summary["load_sharing_solves"]) == (4, 86)
    assert r3.summary["load_sharing_max_residual_Nm"] < 1e-9
