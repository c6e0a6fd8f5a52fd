"""An ergonomist's job analysis (session 21's audit as a 3DSSPP / NIOSH user):

- every lumbar level is read against the NIOSH compression limits (action 3400 N, maximum permissible
  6400 N) and the AP shear limits (700 / 1000 N) in the summary, the run table, batch and sweep;
- where reserves carried moment the loads are lower bounds, and say so (a weaker subject used to
  read a lower, safer-looking compression);
- batch and sweep write their table as CSV (--csv);
- results files record the command line and the commit the program was built from.
"""
import csv
import json
import textwrap

import h5py
import pytest

import paraspine

from cli_helpers import run

STOOP = textwrap.dedent("""\
    paraspine_scenario: 1
    name: stoop_box
    description: a box from low to waist, stooped (session 21 audit, job j1)
    keyframes:
      - time: 0
        hands: {both: {hanging: true}}
      - time: 1.5
        pelvis_position: [0, -0.05, 0]
        pelvis_deg: {flexion: 60}
        regions_deg: {lumbar: {flexion: 40}, thoracic: {flexion: 15}}
        hands: {both: {position: [0.45, -0.60, 0.18], load_kg: LOAD}}
      - time: 2.5
        hands: {both: {position: [0.20, -0.05, 0.18], load_kg: LOAD}}
    """)

TWIST = textwrap.dedent("""\
    paraspine_scenario: 1
    name: twist_tote
    description: a tote lifted from low at the right side, twisted (session 21 audit, job j5)
    keyframes:
      - time: 0
        hands: {both: {hanging: true}}
      - time: 1.5
        pelvis_deg: {flexion: 60, axial_rotation: 15}
        regions_deg: {lumbar: {flexion: 35, axial_rotation: 10}, thoracic: {flexion: 15, axial_rotation: 20}}
        hands:
          right: {position: [0.45, -0.35, 0.30], load_kg: 6}
          left: {position: [0.50, -0.50, 0.05], load_kg: 6}
      - time: 3.0
        hands: {both: {position: [0.20, -0.05, 0.18], load_kg: 6}}
    """)


def _scenario(tmp_path, text, name, load=None):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("LOAD", str(load)) if load is not None else text)
    return path


def _json_run(*args):
    r = run("run", *args, "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("load", [2, 15, 30])
def test_every_lumbar_level_gets_the_verdict_its_peaks_give(tmp_path, load):
    s = _json_run(str(_scenario(tmp_path, STOOP, f"stoop{load}", load / 2)), "--set", "abdominal_pressure=false")
    assert s["limits"]["compression_action_limit_N"] == 3400 and s["limits"]["compression_max_permissible_limit_N"] == 6400
    assert s["limits"]["shear_ap_occasional_limit_N"] == 1000 and s["limits"]["shear_ap_frequent_limit_N"] == 700
    lumbar = [j for j in s["joints"] if j.startswith("L")]
    assert set(lumbar) >= {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"}
    for name, j in s["joints"].items():
        if name not in lumbar:
            assert "compression_verdict" not in j  # the limits were set for the lumbar discs only
            continue
        c = j["peak_compression_N"]
        assert j["compression_verdict"] == ("above_max_permissible_limit" if c > 6400 else "above_action_limit" if c > 3400
                                            else "below_action_limit"), (name, c)
        sh = j["peak_shear_ap_N"]
        assert j["shear_ap_verdict"] == ("above_occasional_limit" if sh > 1000 else "above_frequent_limit" if sh > 700
                                         else "below_frequent_limit"), (name, sh)
    verdicts = {j["compression_verdict"] for n, j in s["joints"].items() if n in lumbar}
    if load == 2:
        assert verdicts == {"below_action_limit"}
    if load == 30:  # the heavy box puts L5-S1 over the action limit (the 15 kg box gives 4.1 kN without the pressure)
        assert s["joints"]["L5-S1"]["compression_verdict"] != "below_action_limit"


def test_the_run_table_names_the_limit_a_level_is_over(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop30", 15)
    r = run("run", str(path), "--no-fatigue", "--set", "abdominal_pressure=false")
    assert r.returncode == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if line.strip().startswith("L5-S1"))
    assert "above the NIOSH" in row, r.stdout
    assert "abdominal pressure off" in r.stdout
    on = run("run", str(path), "--no-fatigue")
    assert "abdominal pressure on (it relieves the lumbar discs" in on.stdout


def test_reserves_make_the_loads_lower_bounds_and_the_tables_say_so(tmp_path):
    path = _scenario(tmp_path, TWIST, "twist")
    weak = _json_run(str(path), "--subject", "mass=50,height=1.52,sex=female,strength=0.6")
    assert weak["reserves"]["peak_moment_Nm"] > 0.5 and weak["loads_are_lower_bounds"] is True
    text = run("run", str(path), "--no-fatigue", "--subject", "mass=50,height=1.52,sex=female,strength=0.6")
    row = next(line for line in text.stdout.splitlines() if line.strip().startswith("L5-S1"))
    assert "≥" in row and "≥ lower bounds" in text.stdout, text.stdout
    # A light symmetric task with fresh muscles needs no reserve: no mark.
    light = _json_run(str(_scenario(tmp_path, STOOP, "light", 1)))
    assert light["reserves"]["peak_moment_Nm"] < 0.5 and light["loads_are_lower_bounds"] is False
    text = run("run", str(_scenario(tmp_path, STOOP, "light", 1)), "--no-fatigue")
    assert "≥" not in text.stdout


def test_the_summary_says_what_the_hand_positions_were_scaled_by(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop", 2)
    small = _json_run(str(path), "--subject", "mass=55,height=1.52,sex=female")
    assert small["position_scale"] == pytest.approx(1.52 / 1.716, rel=0.01)
    text = run("run", str(path), "--no-fatigue", "--subject", "mass=55,height=1.52,sex=female")
    assert "its positions (hands, pelvis travel, force points) scaled ×0.88" in text.stdout, text.stdout
    absolute = _json_run(str(path), "--subject", "mass=90,height=1.85", "--set", "positions=absolute")
    assert absolute["position_scale"] == 1
    text = run("run", str(path), "--no-fatigue", "--subject", "mass=90,height=1.85", "--set", "positions=absolute")
    assert "scaled" not in text.stdout


def test_batch_writes_its_table_as_csv_with_the_failed_scenario_named(tmp_path):
    good, twist = _scenario(tmp_path, STOOP, "stoop", 7.5), _scenario(tmp_path, TWIST, "twist")
    bad = tmp_path / "bad.yaml"
    bad.write_text(STOOP.replace("LOAD", "7.5").replace("0.45, -0.60", "4.5, -0.60"))  # out of reach
    out = tmp_path / "jobs.csv"
    r = run("batch", str(good), str(twist), "--no-fatigue", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    assert "verdict (lumbar)" in r.stdout and "not capable (reserves), AP shear > 1000 (L5-S1)" in r.stdout
    rows = list(csv.DictReader(out.open()))
    assert [row["scenario"] for row in rows] == ["stoop_box", "twist_tote"]
    alone = _json_run(str(good))
    assert float(rows[0]["L5-S1_peak_compression_N"]) == round(alone["joints"]["L5-S1"]["peak_compression_N"])
    assert float(rows[0]["L5-S1_peak_shear_ap_N"]) == round(alone["joints"]["L5-S1"]["peak_shear_ap_signed_N"])
    assert rows[0]["loads_are_lower_bounds"] == "false" and rows[1]["loads_are_lower_bounds"] == "true"
    assert rows[1]["verdict"] == "not capable (reserves), AP shear > 1000 (L5-S1)"  # quoted: it has a comma
    assert rows[0]["subject_sex"] == "male" and float(rows[0]["subject_mass_kg"]) == pytest.approx(79.6, abs=0.1)
    # A scenario that fails in the batch (a hand out of reach, found when it runs: exit 2 as `run`
    # gives) still has its row, with the error and no numbers; the others' rows are whole.
    bad_batch = run("batch", str(good), str(bad), "--no-fatigue", "--csv", str(out))
    assert bad_batch.returncode == 2 and "some scenarios failed" in bad_batch.stderr, bad_batch.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 2
    assert rows[0]["error"] == "" and float(rows[0]["L5-S1_peak_compression_N"]) > 0
    assert "reach" in rows[1]["error"] and rows[1]["L5-S1_peak_compression_N"] == "" and rows[1]["verdict"] == ""
    assert not (tmp_path / "jobs.csv.partial").exists()


def test_sweep_writes_its_grid_as_csv(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop", 5)
    out = tmp_path / "grid.csv"
    r = run("sweep", str(path), "--vary", "keyframes[1,2].hands.both.load_kg=2,8", "--vary", "subject.mass=60,90",
            "--threads=1", "--csv", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4
    assert [(float(row["keyframes[1,2].hands.both.load_kg"]), float(row["subject.mass"])) for row in rows] == [
        (2, 60), (2, 90), (8, 60), (8, 90)]
    c = [float(row["L5-S1_peak_compression_N"]) for row in rows]
    assert c[2] > c[0] and c[3] > c[1] and c[1] > c[0]  # heavier box, heavier body: more compression
    assert "verdict (lumbar)" in r.stdout


def test_results_record_the_command_line_and_the_commit(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop", 5)
    out = tmp_path / "r.h5"
    r = run("run", str(path), "--no-fatigue", "--criterion", "activation3", "--subject", "mass=70", "-o", str(out))
    assert r.returncode == 0, r.stderr
    version = run("--version").stdout.strip()
    assert version.startswith(f"paraspine {paraspine.__version__} (commit ") and version.endswith(")")
    with h5py.File(out) as f:
        line = f.attrs["command_line"]
        commit = f.attrs["paraspine_commit"]
    assert line == f"paraspine run {path} --no-fatigue --criterion activation3 --subject mass=70 -o {out}"
    assert commit == paraspine.__commit__ and f"(commit {commit})" in version
    assert commit == "unknown" or len(commit.split("-")[0]) == 12


def test_brief_prints_the_loads_without_the_muscle_table(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop", 5)
    full = run("run", str(path), "--no-fatigue")
    brief = run("run", str(path), "--no-fatigue", "--brief")
    assert brief.returncode == 0, brief.stderr
    assert "muscle group" in full.stdout and "muscle group" not in brief.stdout
    assert "longissimus" not in brief.stdout
    for line in ("L5-S1", "reserves:", "abdominal pressure"):
        assert line in brief.stdout
    assert len(brief.stdout.splitlines()) < 20 < len(full.stdout.splitlines())


def test_a_csv_table_never_replaces_an_input_or_the_results_file(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop", 5)
    text = path.read_text()
    for args, why in [(["sweep", str(path), "--vary", "subject.mass=60,70", "--csv", str(path)], "input of the run"),
                      (["sweep", str(path), "--vary", "subject.mass=60,70", "-o", str(tmp_path / "g.h5"), "--csv",
                        str(tmp_path / "g.h5")], "not h5"),
                      (["sweep", str(path), "--vary", "subject.mass=60,70", "-o", str(tmp_path / "g.dat"), "--csv",
                        str(tmp_path / "g.dat")], "also the results file"),
                      (["batch", str(path), "--csv", str(path)], "input of the run"),
                      (["batch", str(path), "--model", "lumbar", "--csv", "models/lumbar.yaml"], "input of the run")]:
        r = run(*args)
        assert r.returncode == 2 and why in r.stderr, (args, r.stderr)
    assert path.read_text() == text and not (tmp_path / "g.h5").exists() and not (tmp_path / "g.dat").exists()


def test_replacing_an_earlier_results_file_is_said_before_the_work(tmp_path):
    path = _scenario(tmp_path, STOOP, "stoop", 5)
    out = tmp_path / "r.h5"
    first = run("run", str(path), "--no-fatigue", "-o", str(out))
    assert first.returncode == 0 and "exists" not in first.stderr, first.stderr
    again = run("run", str(path), "--no-fatigue", "-o", str(out))
    assert again.returncode == 0 and f"note: {out} exists and is replaced when this finishes" in again.stderr, again.stderr
    d = tmp_path / "batch"
    assert run("batch", str(path), "--no-fatigue", "-o", str(d)).returncode == 0
    r = run("batch", str(path), "--no-fatigue", "-o", str(d))
    assert r.returncode == 0 and f"note: 1 of the 1 results files in {d} exist" in r.stderr, r.stderr
