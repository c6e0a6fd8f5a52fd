"""The run summary as a user reads it (review_code10): peak times and the fatigue-driven footnote to
0.1 s in short runs (#7: a 4.8 s lift's peaks printed as "2", bird_dog's 0.8 s as "1"), and the
reserve fatigue added named by rotation with that rotation's strength in N·m (#5: "539 % of the
rotation's strength" read as an impossible fraction of an unnamed quantity)."""
import json

from cli_helpers import run


def row(text, start):
    return next(line for line in text.splitlines() if line.strip().startswith(start))


def test_short_runs_give_peak_times_to_a_tenth_of_a_second():
    s = json.loads(run("run", "squat_lift", "--no-fatigue", "--json").stdout)
    r = run("run", "squat_lift", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    cells = row(r.stdout, "L5-S1").split()
    assert cells[2] == f"{s['joints']['L5-S1']['peak_compression_time_s']:.1f}", r.stdout
    g = row(r.stdout, "longissimus").split()
    t = s["groups"]["longissimus"]["left" if g[1] == "both" else g[1]]["peak_activation_time_s"]  # "both": the sides alike
    assert g[3] == f"{t:.1f}", r.stdout  # the peak activation's time


def test_the_fatigue_driven_footnote_gives_its_time_to_a_tenth_of_a_second():
    s = json.loads(run("run", "bird_dog", "--json").stdout)
    r = run("run", "bird_dog")
    assert r.returncode == 0, r.stderr
    if s["fatigue_limited_from_s"] is not None and "* fatigue-driven" in r.stdout:
        assert f"reached after t = {s['fatigue_limited_from_s']:.1f} s" in r.stdout, r.stdout


def test_the_reserve_fatigue_added_names_its_rotation_and_both_moments():
    summary = json.loads(run("run", "bird_dog", "--json").stdout)
    s = summary["reserves"]
    share = s["peak_fatigue_share_of_strength"]
    assert share > 0
    rotation, added, strength = s["peak_fatigue_rotation"], s["peak_fatigue_added_Nm"], s["peak_fatigue_rotation_strength_Nm"]
    assert rotation.endswith(" moment") and rotation.split()[0] in summary["joints"], rotation
    assert strength > 0 and abs(added / strength - share) <= 1e-12 * share
    r = run("run", "bird_dog")
    assert r.returncode == 0, r.stderr
    flowing = " ".join(r.stdout.split())  # the failure-rule lines are wrapped
    line = flowing[flowing.index(f"(the {rotation}:"):][:160]
    assert f"{added:.3g} N·m" in line and f"{strength:.3g} N·m" in line, r.stdout
