"""Bundled scenarios across subjects and models, as a user runs them (session-11 review F6, F12, F13;
docs/scenarios.md "Positions", "Changing a scenario from the command line", "Running on another
model")."""
import json

import pytest

import paraspine

from cli_helpers import run

FAST = ["--no-fatigue", "--threads", "0", "--set", "output_rate_hz=10", "--json"]


@pytest.mark.parametrize("scenario", ["rounded_back_lift", "squat_lift"])
@pytest.mark.parametrize("height", [1.50, 1.95])
@pytest.mark.parametrize("sex", ["female", "male"])
def test_bundled_lifts_run_for_short_and_tall_subjects(scenario, height, sex):
    # F6: positions: scaled (the default) moves the box with the body; 1.50 m used to exit 2.
    mass = 50 if height < 1.7 else 100
    r = run("run", scenario, "--subject", f"height={height},sex={sex},mass={mass}", *FAST)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["subject"]["height_m"] == height and s["subject"]["sex"] == sex and s["subject"]["body_mass_kg"] == mass
    assert s["joints"]["L4-L5"]["peak_compression_N"] > 0


def test_absolute_positions_keep_the_old_behaviour():
    r = run("run", "rounded_back_lift", "--subject", "height=1.55,sex=female,mass=60", "--set", "positions=absolute", *FAST)
    assert r.returncode == 2, r.stdout
    assert "rounded_back_lift.yaml:" in r.stderr and "beyond the arm's 0.559 m reach" in r.stderr, r.stderr
    # At the reference height the two settings are the same run.
    a = run("run", "squat_lift", "--set", "positions=absolute", *FAST)
    b = run("run", "squat_lift", *FAST)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout)["joints"] == json.loads(b.stdout)["joints"]


def test_scaled_positions_change_the_answer_with_height_and_absolute_do_not_reach():
    # The same run with absolute positions at 1.90 m differs from the scaled one (the box is lower
    # and further for the taller body when scaled).
    a = run("run", "squat_lift", "--subject", "height=1.9", "--set", "positions=absolute", *FAST)
    b = run("run", "squat_lift", "--subject", "height=1.9", *FAST)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    pa = json.loads(a.stdout)["joints"]["L4-L5"]["peak_compression_N"]
    pb = json.loads(b.stdout)["joints"]["L4-L5"]["peak_compression_N"]
    assert pa != pb


def test_a_height_sweep_runs_every_point_and_names_a_failing_one(tmp_path):
    out = tmp_path / "h.h5"
    r = run("sweep", "squat_lift", "--set", "output_rate_hz=5", "--vary", "subject.height=1.5,1.95", "-o", str(out), "--threads", "2")
    assert r.returncode == 0, r.stderr
    assert out.exists()
    r = run("sweep", "rounded_back_lift", "--set", "positions=absolute", "--vary", "subject.height=1.7,1.5", "--threads", "1")
    assert r.returncode == 2
    assert "at grid point subject.height=1.5" in r.stderr and "beyond the arm's" in r.stderr, r.stderr


SUBJECT_FILE = """paraspine_scenario: 1
name: held
subject: {body_mass: 60, height: 1.6, sex: female, strength_factor: 0.9}
positions: scaled
output_rate_hz: 5
keyframes:
  - time: 0
    hands: {both: {position: [0.30, 0.0, 0.18], load_kg: 2}}
  - time: 1
    hands: {both: {position: [0.30, 0.0, 0.18], load_kg: 2}}
"""


def test_a_partial_subject_keeps_the_scenarios_other_values(tmp_path):
    # F12: --subject height=1.8 on a 60 kg woman's scenario is a 1.8 m, 60 kg woman.
    f = tmp_path / "held.yaml"
    f.write_text(SUBJECT_FILE)
    r = run("run", str(f), "--subject", "height=1.8", "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)["subject"]
    assert (s["height_m"], s["body_mass_kg"], s["sex"], s["strength_factor"]) == (1.8, 60, "female", 0.9), s
    r = run("run", str(f), "--subject", "sex=male,strength=1", "--no-fatigue", "--json")
    s = json.loads(r.stdout)["subject"]
    assert (s["height_m"], s["body_mass_kg"], s["sex"], s["strength_factor"]) == (1.6, 60, "male", 1.0), s
    # Python: the values a Subject leaves unset are the scenario's.
    res = paraspine.simulate(None, str(f), subject=paraspine.Subject(height=1.8), fatigue=False, progress=False)
    m = res.metadata["subject"]
    assert (m["height_m"], m["body_mass_kg"], m["sex"], m["strength_factor"]) == (1.8, 60, "female", 0.9), m
    sw = paraspine.sweep(str(f), {"subject.mass": [70]}, subject=paraspine.Subject(height=1.7), threads=1, progress=False)
    p = sw.summary(**{"subject.mass": 70})["subject"]
    assert (p["height_m"], p["body_mass_kg"], p["sex"]) == (1.7, 70, "female"), p


def test_a_subject_height_with_positions_must_say_which(tmp_path):
    f = tmp_path / "held.yaml"
    f.write_text(SUBJECT_FILE.replace("positions: scaled\n", ""))
    r = run("run", str(f))
    assert r.returncode == 2
    assert f"{f}:3: subject.height:" in r.stderr and "positions: absolute" in r.stderr, r.stderr


@pytest.mark.parametrize("scenario", ["rounded_back_lift", "squat_lift", "twisting_lift"])
def test_full_spine_lifts_run_on_the_lumbar_model(scenario):
    # F13: head dropped, thoracic carried to T12-L1 by full_spine's rhythm, one warning naming them.
    r = run("run", scenario, "--model", "lumbar", *FAST)
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, r.stderr
    assert f"{scenario}.yaml: model 'lumbar' does not articulate all of this posture" in warnings[0]
    assert "dropped thoracic except its share at T12-L1 (full_spine's rhythm); head" in warnings[0], warnings[0]
    assert json.loads(r.stdout)["model"] == "lumbar"
    # On its own model: no warning.
    r = run("run", scenario, *FAST)
    assert r.returncode == 0 and "warning:" not in r.stderr, r.stderr


def test_a_misspelt_region_on_lumbar_is_still_an_error(tmp_path):
    text = open("scenarios/squat_lift.yaml").read()
    f = tmp_path / "typo.yaml"
    f.write_text(text.replace("head: {flexion: -10}", "haed: {flexion: -10}", 1))
    line = text[:text.find("head: {flexion: -10}")].count("\n") + 1
    for model in ("lumbar", "full_spine"):
        r = run("run", str(f), "--model", model)
        assert r.returncode == 2, r.stderr
        assert f"{f}:{line}: keyframes[1].regions_deg.haed.flexion: unknown region 'haed'" in r.stderr, r.stderr


def test_a_force_on_a_segment_lumbar_lumps_says_so():
    r = run("run", "backpack_carry", "--model", "lumbar", *FAST)
    assert r.returncode == 2
    assert "unknown segment 'T8' (the scenario was written for model 'full_spine', which has it" in r.stderr, r.stderr


def test_a_resting_segment_lumbar_lumps_says_so():
    r = run("run", "curl_up", "--model", "lumbar", *FAST)
    assert r.returncode == 2
    assert "resting: unknown segment 'T12' (the scenario was written for model 'full_spine', which has it" in r.stderr, r.stderr
