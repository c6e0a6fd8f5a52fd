"""run's muscle table prints a group once ("both") when its left and right rows are alike, and both
rows when they differ (audit23: a symmetric lift listed all 26 groups twice)."""
import re

from cli_helpers import FIXTURE, run


def rows(out):
    return re.findall(r"^  ([a-z_]+) +(left|right|both|midline) +[0-9]", out, re.M)


def test_a_symmetric_task_prints_each_group_once():
    r = run("run", FIXTURE, "--no-fatigue")
    assert r.returncode == 0, r.stderr
    sides = rows(r.stdout)
    assert sides and all(s == "both" for _, s in sides)
    assert len({g for g, _ in sides}) == len(sides)
    assert "both: the left and right rows alike to the digits shown" in r.stdout


def test_an_asymmetric_task_keeps_the_sides_that_differ():
    r = run("run", "golf_swing", "--no-fatigue", "--set", "repetitions=1")
    assert r.returncode == 0, r.stderr
    sides = dict()
    for g, s in rows(r.stdout):
        sides.setdefault(g, []).append(s)
    assert sides["external_oblique"] == ["left", "right"]
    assert all(v in (["both"], ["left", "right"]) for v in sides.values())
