"""Defects found by session 19's user-acceptance audit of the fatigue features (an ergonomics
researcher at the command line, a student in Python), each checked where the user met it:

1. recovery times stopped at 86 400 s and were reported as if measured;
2. no bundled scenario's fatigue parameters could be changed from --set, sweep --vary or Python's
   overrides (none has a fatigue block, and overrides only changed existing values);
3. "first to fail" named the group but not its side or fascicle;
4. compare's text left out what fatigue did (end strength lost, recovery, creep);
5. break settings that do nothing were accepted without a word;
6. --no-fatigue said "the task never failed" and dropped the scenario's fatigue block silently.
"""
import json
import math
import os
import re
import subprocess

import pytest

import paraspine

from cli_helpers import CLI, run


def _json(*args):
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_recovery_is_not_capped_at_a_day():
    # R = 1e-5 s⁻¹ and r = 1 are inside the documented ranges; the longissimus ends with about half
    # its strength lost, so 90 % takes about ln(4.9) / 1e-5 ≈ 1.6e5 s, not the old cap of 86 400 s.
    s = _json("run", "biering_sorensen", "--set", "fatigue.R=0.00001", "--set", "fatigue.r=1")
    g = s["groups"]["longissimus"]["left"]
    lost = g["end_fatigued_fraction"]
    assert g["recovery_to_90_s"] > 86400
    assert g["recovery_to_90_s"] == pytest.approx(math.log(lost / 0.1) / 1e-5, rel=0.05)
    assert s["recovery"]["to_95_percent_s"] >= g["recovery_to_95_s"]
    text = run("run", "biering_sorensen", "--set", "fatigue.R=0.00001", "--set", "fatigue.r=1").stdout
    assert " h), to 95 % in " in text


def test_fatigue_parameters_can_be_set_on_a_scenario_without_them():
    base = _json("run", "biering_sorensen")
    faster = _json("run", "biering_sorensen", "--set", "fatigue.F=0.0151")
    assert faster["endurance_s"] < 0.7 * base["endurance_s"]
    # several at once: the first adds `fatigue: {...}`, the others go into it
    both = _json("run", "biering_sorensen", "--set", "fatigue.F=0.0151", "--set", "fatigue.groups.longissimus.R=0.002",
                 "--set", "fatigue.groups.multifidus.r=5")
    assert both["endurance_s"] is not None
    # Python's overrides and sweep's --vary take the same paths
    sc = paraspine.Scenario.load("biering_sorensen", overrides={"fatigue.F": 0.0151})
    assert paraspine.simulate(None, sc).summary["endurance_s"] == faster["endurance_s"]
    r = run("sweep", "biering_sorensen", "--vary", "fatigue.F=0.0151,0.03")
    assert r.returncode == 0, r.stderr


def test_fatigue_parameter_paths_are_checked(tmp_path):
    r = run("run", "biering_sorensen", "--set", "fatigue.X=0.01")
    assert r.returncode != 0 and "not a fatigue parameter: fatigue.F, fatigue.R, fatigue.r" in r.stderr
    r = run("run", "biering_sorensen", "--set", "fatigue.groups.nosuch.F=0.01")
    assert r.returncode != 0 and "no muscle of group 'nosuch'" in r.stderr
    # a block-style fatigue mapping is written in the file (inserting a line would move every later
    # line number); its line is named
    text = open("scenarios/biering_sorensen.yaml").read().replace("name: biering_sorensen", "name: bs_block")
    lines = text.rstrip("\n").count("\n") + 1
    block = tmp_path / "bs_block.yaml"
    block.write_text(text.rstrip("\n") + "\nfatigue:\n  F: 0.01\n")
    r = run("run", str(block), "--set", "fatigue.R=0.001")
    assert r.returncode != 0 and f"the scenario's 'fatigue' (line {lines + 1}) has no 'R': write it there" in r.stderr
    r = run("run", str(block), "--set", "fatigue.F=0.0151")  # an existing value is changed as before
    assert r.returncode == 0, r.stderr


def test_first_to_fail_names_side_and_fascicle():
    s = _json("run", "biering_sorensen", "--set", "fatigue.F=0.0151")
    fascicle, side = s["first_to_fail_fascicle"], s["first_to_fail_side"]
    m = paraspine.Model.load("full_spine")
    i = list(m.muscle_names).index(fascicle)
    assert m.muscle_groups[i] == s["first_to_fail"]
    # the Biering-Sørensen hold is symmetric: both sides fail together and recover alike
    assert side == "both" and s["recovery"]["slowest_side"] == "both"
    text = run("run", "biering_sorensen", "--set", "fatigue.F=0.0151").stdout
    assert f"({s['first_to_fail']} on both sides ({fascicle} and its mirror) first, at " in text
    # an asymmetric task names one side, the fascicle's own
    t = _json("run", "twisting_lift", "--set", "repetitions=300", "--set", "output_rate_hz=10")
    assert t["first_to_fail_side"] in ("left", "right")
    assert t["first_to_fail_fascicle"].endswith("_r" if t["first_to_fail_side"] == "right" else "_l")


def test_no_fatigue_says_endurance_was_not_evaluated(tmp_path):
    text = run("run", "biering_sorensen", "--no-fatigue").stdout
    assert "endurance: not evaluated (--no-fatigue" in text and "never failed" not in text
    src = open("scenarios/biering_sorensen.yaml").read().replace("name: biering_sorensen", "name: bs_f")
    f = tmp_path / "bs_f.yaml"
    f.write_text(src.rstrip("\n") + "\nfatigue: {F: 0.0151}\n")
    r = run("run", str(f), "--no-fatigue")
    assert r.returncode == 0 and "note: --no-fatigue: the scenario's fatigue parameters" in r.stderr


def test_compare_text_shows_what_fatigue_did(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run("run", "biering_sorensen", "-o", str(a)).returncode == 0
    assert run("run", "biering_sorensen", "--set", "fatigue.F=0.0151", "-o", str(b)).returncode == 0
    out = run("compare", str(a), str(b)).stdout
    for label in ("longissimus end strength lost", "rest to 90 % strength (slowest)", "rest to 95 % strength (slowest)", "peak creep"):
        assert label in out, out
    # the longest labels ("sternocleidomastoid end strength lost") keep the columns: every row's first
    # value ends in the same column
    ends = set()
    for line in out.splitlines():
        if "end strength lost" in line or "mean activation" in line:
            ends.add(re.match(r"^  \S.*?\s+(-?[\d.]+) ", line).end(1))
    assert len(ends) == 1, out


def test_breaks_that_do_nothing_are_warned(tmp_path):
    r = run("run", "repetitive_lifting_shift_microbreaks", "--set", "repetitions=3", "--set", "break_every=5000")
    assert r.returncode == 0 and "break_every: 5000 repetitions between breaks, but the scenario has 3: no break happens" in r.stderr
    r = run("run", "repetitive_lifting_shift_microbreaks", "--set", "repetitions=3", "--set", "break_s=1")
    assert r.returncode == 0 and "shorter than rest_s" in r.stderr and "it shortens that pause" in r.stderr


def test_unconverged_solves_are_reported(tmp_path):
    # session 19's solver audit: 12 of 212 bird-dog min/max solves stopped at the iteration limit and
    # the run said nothing (the numbers were harmless: residual ≤ 5e-6 N·m). The summary counts them,
    # checked against the per-solve status of the diagnostic log (docs/performance.md).
    log = tmp_path / "solves.txt"
    env = dict(os.environ, PARASPINE_RUN_SOLVE_LOG=str(log))
    r = subprocess.run([CLI, "run", "bird_dog", "--criterion", "minmax", "--json"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    statuses = [int(line.split()[-1]) for line in log.read_text().splitlines()]
    assert len(statuses) == s["load_sharing_solves"]
    assert s["load_sharing_unconverged_solves"] == sum(1 for st in statuses if st != 0)
    assert 0 <= s["load_sharing_max_residual_Nm"] < 1e-4
    text = run("run", "bird_dog", "--criterion", "minmax").stdout
    said = f"load sharing: {s['load_sharing_unconverged_solves']} of {s['load_sharing_solves']} solves stopped before convergence"
    assert (said in text) == (s["load_sharing_unconverged_solves"] > 0)
    plain = _json("run", "upright_sitting")
    assert plain["load_sharing_unconverged_solves"] == 0
    assert "load sharing:" not in run("run", "upright_sitting").stdout


def test_flow_fatigue_edge_cases(tmp_path):
    # review19: a trailing comma YAML allows, and group names that are not plain words
    src = open("scenarios/biering_sorensen.yaml").read().replace("name: biering_sorensen", "name: bs_comma")
    f = tmp_path / "bs_comma.yaml"
    f.write_text(src.rstrip("\n") + "\nfatigue: {R: 0.002, }\n")
    r = run("run", str(f), "--set", "fatigue.F=0.0151", "--json")
    assert r.returncode == 0, r.stderr
    r = run("run", "biering_sorensen", "--set", "fatigue.groups.#x.F=0.02")
    assert r.returncode == 2 and "the group a plain name" in r.stderr, r.stderr


def test_no_fatigue_files_in_compare_and_report(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run("run", "biering_sorensen", "-o", str(a)).returncode == 0
    assert run("run", "biering_sorensen", "--no-fatigue", "-o", str(b)).returncode == 0
    out = run("compare", str(a), str(b)).stdout
    endurance = next(l for l in out.splitlines() if l.lstrip().startswith("endurance"))
    assert "not run" in endurance and "never" not in endurance, out
    assert "not run" in next(l for l in out.splitlines() if "rest to 90 %" in l)


def test_set_and_vary_of_one_path_and_a_byte_order_mark(tmp_path):
    # review19: a path given to both --set and --vary lost its --set silently; with a UTF-8 BOM
    # every --set of an existing value failed ("only values written on one line").
    r = run("sweep", "biering_sorensen", "--vary", "repetitions=1,2", "--set", "repetitions=3")
    assert r.returncode == 2 and "also varied by --vary" in r.stderr, r.stderr
    with pytest.raises(ValueError, match="also varied by vary"):
        paraspine.sweep("biering_sorensen", {"repetitions": [1, 2]}, overrides={"repetitions": 3})
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + open("scenarios/biering_sorensen.yaml", "rb").read().replace(b"name: biering_sorensen", b"name: bom"))
    r = run("run", str(f), "--set", "output_rate_hz=5", "--json")
    assert r.returncode == 0, r.stderr


def test_set_and_vary_through_an_index_list():
    # the rule is the core's in both front ends: a path inside an axis's index list counts too
    # (Python's own check compared the axis path as written and missed it)
    r = run("sweep", "squat_lift", "--vary", "keyframes[2,3].hands.both.load_kg=5,10",
            "--set", "keyframes[3].hands.both.load_kg=7")
    assert r.returncode == 2 and "keyframes[3].hands.both.load_kg: also varied by --vary" in r.stderr, r.stderr
    with pytest.raises(ValueError, match=r"keyframes\[3\]\.hands\.both\.load_kg: also varied by vary"):
        paraspine.sweep("squat_lift", {"keyframes[2,3].hands.both.load_kg": [5, 10]},
                        overrides={"keyframes[3].hands.both.load_kg": 7})
