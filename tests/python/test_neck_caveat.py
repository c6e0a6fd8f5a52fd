"""run says when a scenario flexes the neck into the range where the model's cervical loads are known
to be too high (audit23t #1: the neck's tables and pictures carried no warning)."""
from cli_helpers import FIXTURE, run


def test_a_phone_reading_neck_gets_the_caveat_and_a_lift_does_not():
    r = run("run", "forward_head_posture", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    assert "note: the neck flexes up to 49° here" in r.stdout
    assert 'docs/model.md "The neck: what is and is not validated"' in r.stdout
    r = run("run", FIXTURE, "--no-fatigue")
    assert r.returncode == 0 and "the neck flexes" not in r.stdout
