"""Review 10 (A1, A5, D1) as a user meets them: `render` and `report` on results written with `--fields` or `--no-fatigue`
(README's `--fields joints,muscles/activation` used to stop with "/muscles/force: dataset missing",
exit 2), saying once on stderr what they leave out; and batch's closing line without a double slash."""
from cli_helpers import run


def test_render_and_report_draw_files_written_with_fields(tmp_path):
    h5 = tmp_path / "sub.h5"
    r = run("run", "squat_lift", "--set", "output_rate_hz=5", "-o", str(h5), "--fields", "joints,muscles/activation",
            "--precision", "single")
    assert r.returncode == 0, r.stderr
    png = tmp_path / "sub.png"
    r = run("render", str(h5), "-o", str(png))
    assert r.returncode == 0, r.stderr
    assert png.stat().st_size > 10000
    # The posture comes from the stored scenario: said once, nothing else is missing for activation.
    notes = [line for line in r.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "/kinematics/joint_angles" in notes[0] and "recomputed" in notes[0], r.stderr
    r = run("render", str(h5), "--color", "force", "--view", "frontal", "-o", str(tmp_path / "force.png"))
    assert r.returncode == 0, r.stderr
    assert any("/muscles/force" in line and "coloured by activation" in line for line in r.stderr.splitlines()), r.stderr
    html = tmp_path / "sub.html"
    r = run("report", str(h5), "-o", str(html))
    assert r.returncode == 0, r.stderr
    assert "/fatigue/fatigued" in r.stderr and "/muscles/force" not in r.stderr
    page = html.read_text()
    assert "Not everything is shown" in page and "/fatigue/fatigued" in page
    # A full file says nothing.
    full = tmp_path / "full.h5"
    assert run("run", "squat_lift", "--set", "output_rate_hz=5", "-o", str(full)).returncode == 0
    r = run("render", str(full), "-o", str(tmp_path / "full.png"))
    assert r.returncode == 0 and "note:" not in r.stderr, r.stderr


def test_fatigue_pictures_of_a_run_without_fatigue_say_so(tmp_path):
    # Review 10, A5: an all-zero fatigue picture of a --no-fatigue run did not say fatigue was off.
    h5 = tmp_path / "nf.h5"
    assert run("run", "squat_lift", "--set", "output_rate_hz=5", "--no-fatigue", "-o", str(h5)).returncode == 0
    r = run("render", str(h5), "--color", "fatigue", "-o", str(tmp_path / "nf.png"))
    assert r.returncode == 0 and "--no-fatigue" in r.stderr, r.stderr
    r = run("render", str(h5), "-o", str(tmp_path / "act.png"))
    assert r.returncode == 0 and "note:" not in r.stderr, r.stderr


def test_batch_names_the_results_without_a_double_slash(tmp_path):
    out = tmp_path / "results"
    r = run("batch", "tests/data/test_lift.yaml", "-o", str(out) + "/", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    line = [l for l in r.stdout.splitlines() if "results:" in l]
    assert line == [f"  results: {out}/<scenario>.h5"], r.stdout
    assert (out / "test_lift.h5").exists()
