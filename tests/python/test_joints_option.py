"""--joints LIST in run, compare, sweep and batch, the neck row of run, and compare's lower-bound marks
(audit22a #3: every CLI table was lumbar-only, even for neck tasks; audit22b #8: compare printed 2099
where run printed ≥2099, and did not say that one file ran without fatigue)."""
import csv
import json
import textwrap

from cli_helpers import run

# A short neck flexion with the trunk bent a little, so the most loaded level is not a cervical one.
NECK = textwrap.dedent("""\
    paraspine_scenario: 1
    name: neck_flex
    model: full_spine
    output_rate_hz: 10
    keyframes:
      - time: 0
        hands: {both: {hanging: true}}
      - time: 2
        regions_deg: {lumbar: {flexion: LUMBAR}, cervical: {flexion: 30}, head: {flexion: 15}}
        hands: {both: {hanging: true}}
      - time: 3
        regions_deg: {lumbar: {flexion: LUMBAR}, cervical: {flexion: 30}, head: {flexion: 15}}
        hands: {both: {hanging: true}}
    """)

# No head or neck angle anywhere: no neck row.
TRUNK = textwrap.dedent("""\
    paraspine_scenario: 1
    name: trunk_flex
    model: full_spine
    output_rate_hz: 10
    keyframes:
      - time: 0
        hands: {both: {hanging: true}}
      - time: 2
        regions_deg: {lumbar: {flexion: 20}}
        hands: {both: {hanging: true}}
    """)

# A twisted lift by a weak subject: reserves act, the loads are lower bounds (test_job_analysis.py).
TWIST = textwrap.dedent("""\
    paraspine_scenario: 1
    name: twist_tote
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
WEAK = "mass=50,height=1.52,sex=female,strength=0.6"
# A light stooped lift with fresh muscles: no reserve.
LIGHT = textwrap.dedent("""\
    paraspine_scenario: 1
    name: stoop_light
    keyframes:
      - time: 0
        hands: {both: {hanging: true}}
      - time: 1.5
        pelvis_position: [0, -0.05, 0]
        pelvis_deg: {flexion: 60}
        regions_deg: {lumbar: {flexion: 40}, thoracic: {flexion: 15}}
        hands: {both: {position: [0.45, -0.60, 0.18], load_kg: 1}}
      - time: 2.5
        hands: {both: {position: [0.20, -0.05, 0.18], load_kg: 1}}
    """)


def _file(tmp_path, name, text):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return str(path)


def _neck(tmp_path, lumbar=20):
    return _file(tmp_path, f"neck{lumbar}", NECK.replace("LUMBAR", str(lumbar)))


def _rows(stdout):
    """The run table's rows: level name → its cells (marks kept)."""
    rows = {}
    lines = stdout.splitlines()
    start = next(k for k, line in enumerate(lines) if line.strip().startswith("level"))
    for line in lines[start + 1:]:
        if not line.startswith("  ") or line.strip().startswith(("(", "most loaded level:")):
            break
        cells = line.split()
        rows[cells[0]] = cells[1:]
    return rows


def _number(cell):
    return float(cell.replace("≥", "").rstrip("*"))


def test_run_joints_shows_those_rows_with_the_summary_numbers(tmp_path):
    path = _neck(tmp_path)
    summary = json.loads(run("run", path, "--no-fatigue", "--json").stdout)
    r = run("run", path, "--no-fatigue", "--brief", "--joints", "C4-C5,c7-t1")
    assert r.returncode == 0, r.stderr
    rows = _rows(r.stdout)
    assert list(rows)[:2] == ["C4-C5", "C7-T1"], r.stdout  # the names as the model spells them, in the order given
    assert "L5-S1" not in rows and "L4-L5" not in rows
    for j in ("C4-C5", "C7-T1"):
        s = summary["joints"][j]
        cells = rows[j]
        assert _number(cells[0]) == round(s["peak_compression_N"]), (j, cells)
        assert _number(cells[2]) == round(s["fresh_peak_compression_N"])
        assert _number(cells[3]) == round(s["mean_compression_N"])
        assert _number(cells[4]) == round(s["peak_shear_ap_signed_N"])
    # The limits are lumbar: said for the chosen cervical levels, and no verdict on their rows.
    assert "limits are for lumbar levels; C4-C5, C7-T1 not read against them" in r.stdout
    # The most loaded level, not chosen, is still named.
    most = max(summary["joints"], key=lambda j: summary["joints"][j]["peak_compression_N"])
    assert f"most loaded level: {most}" in r.stdout, r.stdout


def test_a_region_word_stands_for_the_models_levels_of_that_region(tmp_path):
    path = _neck(tmp_path)
    info = json.loads(run("model", "info", "full_spine", "--json").stdout)
    cervical = next(reg["joints"] for reg in info["regions"] if reg["name"] == "cervical")
    r = run("run", path, "--no-fatigue", "--brief", "--joints", "Cervical,L5-S1")
    assert r.returncode == 0, r.stderr
    assert list(_rows(r.stdout))[:len(cervical) + 1] == cervical + ["L5-S1"], r.stdout


def test_an_unknown_joint_is_a_usage_error_before_any_work(tmp_path):
    path = _neck(tmp_path)
    out = tmp_path / "x.h5"
    for verb in (["run", path, "-o", str(out)], ["sweep", path, "--vary", "subject.mass=60,80"], ["batch", path]):
        r = run(*verb, "--joints", "C4-C5,C9-C10")
        assert r.returncode == 2, (verb, r.stdout, r.stderr)
        assert "--joints: C9-C10: no such joint or region" in r.stderr, r.stderr
        assert "C4-C5" in r.stderr and "C7-T1" in r.stderr and "cervical" in r.stderr  # the valid names listed
        assert not out.exists() and r.stdout == ""
    empty = run("run", path, "--joints", "")
    assert empty.returncode == 2 and "--joints: an empty name" in empty.stderr, empty.stderr
    ok = run("run", path, "--no-fatigue", "-o", str(out))
    assert ok.returncode == 0, ok.stderr
    r = run("compare", str(out), "--joints", "neck")
    assert r.returncode == 2 and "--joints: neck: no such joint or region" in r.stderr, r.stderr


def test_run_adds_the_most_loaded_cervical_level_when_the_scenario_moves_the_neck(tmp_path):
    path = _neck(tmp_path)
    summary = json.loads(run("run", path, "--no-fatigue", "--json").stdout)
    cervical = {j: v["peak_compression_N"] for j, v in summary["joints"].items() if j.startswith("C")}
    neck = max(cervical, key=cervical.get)
    rows = _rows(run("run", path, "--no-fatigue", "--brief").stdout)
    assert list(rows)[:2] == ["L5-S1", "L4-L5"]  # the default rows stay
    assert neck in rows and "(most loaded cervical level)" in " ".join(rows[neck]), rows
    assert _number(rows[neck][0]) == round(cervical[neck])
    # A task that leaves the head and neck alone keeps the lumbar table.
    rows = _rows(run("run", _file(tmp_path, "trunk", TRUNK), "--no-fatigue", "--brief").stdout)
    assert not any(j.startswith("C") for j in rows), rows
    # --joints chooses the rows alone: no neck row added.
    rows = _rows(run("run", path, "--no-fatigue", "--brief", "--joints", "L5-S1").stdout)
    assert list(rows) == ["L5-S1"], rows


def test_compare_marks_lower_bounds_as_run_does_and_says_when_fatigue_differs(tmp_path):
    twist = _file(tmp_path, "twist", TWIST)
    weak, strong = tmp_path / "weak.h5", tmp_path / "strong.h5"
    r = run("run", twist, "--subject", WEAK, "-o", str(weak), "--brief")
    assert r.returncode == 0, r.stderr
    run_row = next(line for line in r.stdout.splitlines() if line.strip().startswith("L5-S1"))
    assert "≥" in run_row, r.stdout
    assert run("run", _file(tmp_path, "light", LIGHT), "--no-fatigue", "-o", str(strong)).returncode == 0
    c = run("compare", str(weak), str(strong))
    assert c.returncode == 0, c.stderr
    row = next(line for line in c.stdout.splitlines() if line.strip().startswith("L5-S1 peak compression"))
    cells = row.split()
    assert cells[3] == run_row.split()[1].rstrip("*"), (row, run_row)  # the same ≥ value as run's
    assert not cells[4].startswith("≥")  # the light lift's is a value, not a bound
    mean = next(line for line in c.stdout.splitlines() if line.strip().startswith("L5-S1 mean compression"))
    assert mean.split()[3].startswith("≥")
    shear = next(line for line in c.stdout.splitlines() if "L5-S1 peak AP shear" in line)
    assert "≥" not in shear  # shears are not bounded either way (as in run)
    assert "≥ lower bounds (twist_tote)" in c.stdout, c.stdout
    fatigue = next(line for line in c.stdout.splitlines() if line.strip().startswith("fatigue (differs)"))
    assert fatigue.split()[-2:] == ["on", "off"], fatigue
    # The same two without fatigue differences or bounds: neither line.
    same = run("compare", str(strong), str(strong))
    assert "fatigue (differs)" not in same.stdout and "≥" not in same.stdout


def test_compare_joints_chooses_the_rows(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run("run", _neck(tmp_path, 0), "--no-fatigue", "-o", str(a)).returncode == 0
    assert run("run", _neck(tmp_path, 20), "--no-fatigue", "-o", str(b)).returncode == 0
    c = run("compare", str(a), str(b), "--joints", "C7-T1,C4-C5")
    assert c.returncode == 0, c.stderr
    levels = [line.split()[0] for line in c.stdout.splitlines() if " peak compression " in line]
    assert levels == ["C7-T1", "C4-C5"], c.stdout
    summary = json.loads(run("compare", str(a), "--json").stdout)[0]["summary"]
    row = next(line for line in c.stdout.splitlines() if line.strip().startswith("C4-C5 peak compression"))
    assert _number(row.split()[3]) == round(summary["joints"]["C4-C5"]["peak_compression_N"])


def test_sweep_csv_joints_cervical_has_each_levels_columns(tmp_path):
    path = _neck(tmp_path)
    out = tmp_path / "sw.csv"
    r = run("sweep", path, "--vary", "subject.mass=60,90", "--joints", "cervical", "--csv", str(out), "--threads", "2")
    assert r.returncode == 0, r.stderr
    info = json.loads(run("model", "info", "full_spine", "--json").stdout)
    cervical = next(reg["joints"] for reg in info["regions"] if reg["name"] == "cervical")
    rows = list(csv.DictReader(out.open()))
    header = list(rows[0])
    assert [h for h in header if h.endswith("_peak_compression_N") and h[0] == "C"] == [f"{j}_peak_compression_N" for j in cervical]
    assert "L5-S1_peak_compression_N" not in header and "most_loaded_level" in header and "verdict" in header
    for j in cervical:
        for key in ("peak_compression_time_s", "peak_shear_ap_N", "peak_shear_lateral_N"):
            assert f"{j}_{key}" in header
    # The numbers are the runs' own.
    one = json.loads(run("run", path, "--subject", "mass=90", "--json").stdout)
    row = next(x for x in rows if float(x["subject.mass"]) == 90)
    assert float(row["C4-C5_peak_compression_N"]) == round(one["joints"]["C4-C5"]["peak_compression_N"])
    # The table on the terminal: one peak column per chosen level.
    head = next(line for line in r.stdout.splitlines() if "peak N" in line)
    assert [w for w in head.split() if w.startswith("C")] == cervical, head


def test_batch_csv_joints(tmp_path):
    path = _neck(tmp_path)
    out = tmp_path / "b.csv"
    r = run("batch", path, "--joints", "C4-C5,C7-T1", "--csv", str(out), "--threads", "1")
    assert r.returncode == 0, r.stderr
    row = next(csv.DictReader(out.open()))
    assert "C4-C5_peak_compression_N" in row and "C7-T1_peak_shear_ap_N" in row and "L4-L5_peak_compression_N" not in row
    assert "C4-C5 peak N" in r.stdout and "C7-T1 peak N" in r.stdout and "L4-L5 peak N" not in r.stdout
    # Without --joints the columns are as before.
    out0 = tmp_path / "b0.csv"
    assert run("batch", path, "--csv", str(out0)).returncode == 0
    assert "L4-L5_peak_compression_N" in next(csv.DictReader(out0.open()))


def test_report_joints_and_lower_bounds(tmp_path):
    weak = tmp_path / "weak.h5"
    assert run("run", _file(tmp_path, "twist", TWIST), "--subject", WEAK, "--no-fatigue", "-o", str(weak)).returncode == 0
    summary = json.loads(run("compare", str(weak), "--json").stdout)[0]["summary"]
    html = tmp_path / "r.html"
    r = run("report", str(weak), "--joints", "C4-C5,L5-S1", "-o", str(html))
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert "C4-C5 peak compression" in text and "L5-S1 peak compression" in text and "L4-L5 peak compression" not in text
    assert f"≥{round(summary['joints']['C4-C5']['peak_compression_N'])}<" in text  # the reserves' lower bound, marked
    assert "≥ lower bounds" in text
    bad = tmp_path / "bad.html"
    r = run("report", str(weak), "--joints", "C4-C5,L9-L10", "-o", str(bad))
    assert r.returncode == 2 and "--joints: L9-L10: no such joint or region" in r.stderr, r.stderr
    assert not bad.exists()
