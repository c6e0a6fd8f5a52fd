"""run says when a scenario flexes the neck into the range where the model's cervical loads are known
to be too high (audit23t #1: the neck's tables and pictures carried no warning)."""
from cli_helpers import FIXTURE, run


def test_a_phone_reading_neck_gets_the_caveat_and_a_lift_does_not():
    r = run("run", "forward_head_posture", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    assert "note: the neck flexes up to 49° here" in r.stdout
    assert 'docs/model.md "The neck: what is and is not validated"' in " ".join(r.stdout.split())  # wrapped lines
    r = run("run", FIXTURE, "--no-fatigue")
    assert r.returncode == 0 and "the neck flexes" not in r.stdout


def test_a_report_of_one_scenario_twice_tells_its_columns_apart(tmp_path):
    # audit23t #14: both columns were headed "forward_head_posture".
    a, b = tmp_path / "fresh.h5", tmp_path / "tired.h5"
    assert run("run", FIXTURE, "--no-fatigue", "-o", str(a)).returncode == 0
    assert run("run", FIXTURE, "-o", str(b)).returncode == 0
    out = tmp_path / "r.html"
    r = run("report", str(a), str(b), "--joints", "cervical", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert "<th>fresh.h5 (test_lift)</th>" in html and "<th>tired.h5 (test_lift)</th>" in html
    assert ">Spinal loads</td></tr>" in html and "Spinal loads (NIOSH" not in html
