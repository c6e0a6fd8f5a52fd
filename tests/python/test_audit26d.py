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


def test_a_fatigue_picture_defaults_to_the_last_frame(tmp_path):
    # #20: `render sitting.h5 --color fatigue` drew t = 0 of a still hold, where nothing is fatigued.
    import h5py
    import paraspine
    h5 = tmp_path / "bs.h5"
    assert run("run", "biering_sorensen", "--set", "output_rate_hz=2", "-o", str(h5)).returncode == 0
    with h5py.File(h5) as f:
        end = f["time"][-1]
    r = run("render", str(h5), "--color", "fatigue", "-o", str(tmp_path / "f.png"))
    assert r.returncode == 0 and f"t = {end:.2f} s" in r.stdout, r.stdout
    r = run("render", str(h5), "-o", str(tmp_path / "a.png"))  # activation: the usual default instant
    assert f"t = {end:.2f} s" not in r.stdout, r.stdout
    pic = paraspine.load_results(str(h5)).picture(color="fatigue")
    assert abs(pic.time_s - end) < 1e-9


def test_a_png_is_renders_whatever_the_process_drew_before(tmp_path):
    # Found while testing #20: after an SVG of another run in the same process, a notebook's PNG had
    # other glyph shapes than `render`'s (cairo shares scaled fonts between surfaces; the font
    # options were the surface's). The font options are now fixed (select_font, sim/render/plot.h).
    import paraspine
    hold, lift = tmp_path / "hold.h5", tmp_path / "lift.h5"
    assert run("run", "biering_sorensen", "--set", "output_rate_hz=2", "-o", str(hold)).returncode == 0
    assert run("run", "squat_lift", "--no-fatigue", "-o", str(lift)).returncode == 0
    paraspine.load_results(str(hold)).picture(color="fatigue", time=100)  # an SVG first
    cli = tmp_path / "cli.png"
    assert run("render", str(lift), "--time", "0.5", "--width", "800", "--height", "500", "-o", str(cli)).returncode == 0
    p = paraspine.load_results(str(lift)).picture(time=0.5, width=800, height=500, format="png")
    assert p.data == cli.read_bytes()
