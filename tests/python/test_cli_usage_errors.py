"""Usage errors that CLI11 itself detects (a value outside its set, a number out of range, an
unknown option) start with the same "error: " prefix as every other error, exit 2 and print
nothing on stdout (session-13 user review, F9)."""
import pytest

from cli_helpers import run


@pytest.mark.parametrize("args,expect", [
    (["run", "rounded_back_lift", "--threads", "-1"], "--threads: must be 0 (all cores) or more, got -1"),
    (["run", "rounded_back_lift", "--precision", "half", "-o", "x.h5"], "--precision: half not in {double,single}"),
    (["run", "rounded_back_lift", "--criterion", "foo"], "--criterion: foo not in"),
    (["run", "rounded_back_lift", "--no-such-option"], "--no-such-option"),
    (["sweep", "rounded_back_lift", "--threads", "-3"], "--threads"),
])
def test_usage_errors_carry_the_error_prefix(tmp_path, args, expect):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stdout == "", r.stdout
    assert r.stderr.startswith("error: "), r.stderr
    assert expect in r.stderr, r.stderr
    assert "Run with --help for more information." in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == [], "a usage error must not write a file"
