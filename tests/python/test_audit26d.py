"""A newcomer's findings (audit26d): a --motion run says where its kinematics came from and that the
template's boxes are gone (#17); sweep grid values are the decimals meant (#7); an error's distance
is not rounded into a contradiction (#18)."""
import csv
import json

from cli_helpers import run


def test_a_motion_run_names_its_file_and_its_hand_loads(tmp_path):
    motion = tmp_path / "trial.csv"
    motion.write_text("time,regions_deg.lumbar.flexion\n0,0\n1,30\n2,0\n")
    r = run("run", "squat_lift", "--motion", str(motion), "--no-fatigue")
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.strip().startswith("motion:"))
    assert str(motion) in line and "3 rows, in place of squat_lift's keyframes" in line and "hands: no load" in line, line
    s = json.loads(run("run", "squat_lift", "--motion", str(motion), "--no-fatigue", "--json").stdout)
    assert s["motion_file"] == str(motion)
    # The scenario's own keyframes: no motion line, no key.
    r = run("run", "squat_lift", "--no-fatigue")
    assert "motion:" not in r.stdout
    assert "motion_file" not in json.loads(run("run", "squat_lift", "--no-fatigue", "--json").stdout)


def test_sweep_csv_grid_values_are_the_decimals_meant(tmp_path):
    out = tmp_path / "grid.csv"
    r = run("sweep", "squat_lift", "--no-fatigue", "--vary", "subject.strength=0.3:1.0:8", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    with open(out) as f:
        values = [row["subject.strength"] for row in csv.DictReader(f)]
    assert values == ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"], values


def test_a_travelling_pelvis_is_named_with_its_distance_to_the_millimetre(tmp_path):
    motion = tmp_path / "walk.csv"
    motion.write_text("time,pelvis_position[0]\n0,0\n1,1.004\n")
    r = run("run", "squat_lift", "--motion", str(motion), "--no-fatigue")
    assert r.returncode == 2 and "the pelvis is 1.004 m from where it stands, more than 1 m" in r.stderr, r.stderr
