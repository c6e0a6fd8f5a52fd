"""Defects found by session 21's acceptance audit (an occupational ergonomist placing hands and
forces for NIOSH-style job analysis), checked where the user met them — the command line and Python:

F5   the reach error gives the shoulder, the nearest reachable point, the frame and the floor, and
     names the mirrored left hand of hands.both (tests/cpp/test_scenario_audit21.cpp holds the rest);
F11  centimetres in the reach error, radian-looking angles warned about;
F9   --set takes index lists and whole lists;
F7   docs/scenarios.md's push/carry/lift recipes run as written and give the figures it quotes, and
     force_N is the force on the hands (its sign checked against a held load's weight).
"""
import json
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

import paraspine

from cli_helpers import run

ROOT = pathlib.Path(__file__).resolve().parents[2]

HOLD = textwrap.dedent("""\
    paraspine_scenario: 1
    name: reach
    keyframes:
      - time: 0
      - time: 1
        hands: {HANDS}
    """)


def write(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    return f


def test_reach_error_places_the_hand(tmp_path):
    f = write(tmp_path, "far.yaml", HOLD.replace("{HANDS}", "{both: {position: [0.75, -0.45, 0.25], load_kg: 5}}"))
    out = tmp_path / "far.h5"
    r = run("run", str(f), "-o", str(out))
    assert r.returncode == 2 and not out.exists(), r.stderr
    msg = r.stderr
    assert f"{f}:6: keyframes[1].hands.both.position: the hand is " in msg and " — the right hand of hands.both. " in msg, msg
    assert "The right shoulder is at [" in msg and "the nearest point within reach on the line from it to the hand is [" in msg, msg
    assert "Positions are metres from the pelvis origin in relaxed standing, [forward, up, right]; the floor is at up = -0.930 m" in msg, msg
    # The suggested point, written in, runs.
    nearest = re.search(r"to the hand is (\[[^\]]+\])", msg).group(1)
    g = write(tmp_path, "near.yaml", HOLD.replace("{HANDS}", "{both: {position: " + nearest + ", load_kg: 5}}"))
    r = run("run", str(g), "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    # Python raises the same message.
    with pytest.raises(paraspine.InputError, match=r"The right shoulder is at \["):
        paraspine.simulate(None, str(f), fatigue=False, progress=False)


def test_reach_error_says_metres_for_centimetres(tmp_path):
    f = write(tmp_path, "cm.yaml", HOLD.replace("{HANDS}", "{both: {position: [45, -60, 18], load_kg: 5}}"))
    r = run("run", str(f))
    assert r.returncode == 2
    assert "positions are in metres (centimetres typed?)" in r.stderr, r.stderr


RADIANS = textwrap.dedent("""\
    paraspine_scenario: 1
    name: radians
    keyframes:
      - time: 0
      - time: 1
        pelvis_deg: {flexion: 0.52}
        regions_deg: {lumbar: {flexion: 1.05}}
    """)


def test_radian_angles_draw_a_warning_and_run(tmp_path):
    f = write(tmp_path, "rad.yaml", RADIANS)
    r = run("run", str(f), "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    assert (f"warning: {f}:6: keyframes[1].pelvis_deg.flexion: every angle in the file's keyframes is below 3.2 in magnitude, "
            "as radians would be: angles are in degrees") in r.stderr, r.stderr
    json.loads(r.stdout)  # the run went on


def test_radian_warning_reaches_python(tmp_path, capfd):
    f = write(tmp_path, "rad_py.yaml", RADIANS)
    paraspine.simulate(None, str(f), fatigue=False, progress=False)
    assert "rad_py.yaml:6: keyframes[1].pelvis_deg.flexion: every angle" in capfd.readouterr().err


def test_no_bundled_scenario_draws_the_radian_warning():
    # The warning is given when a file is read: load every bundled and validation scenario in one
    # process and look at its stderr (the engine's, not sys.stderr).
    files = [str(p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    files += [str(p) for p in sorted((ROOT / "tests/validation").rglob("*.yaml")) if "paraspine_scenario:" in p.read_text()
              and "keyframes:" in p.read_text()]
    assert len(files) >= 30
    code = "import sys, paraspine\nfor f in sys.argv[1:]: paraspine.Scenario.load(f)"
    p = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert "radians" not in p.stderr, p.stderr


def test_set_index_lists_and_whole_lists():
    r = run("run", "rounded_back_lift", "--no-fatigue", "--json", "--set", "keyframes[2,3].hands.both.load_kg=5",
            "--set", "keyframes[1,2].hands.both.position=[0.40, -0.50, 0.18]")
    assert r.returncode == 0, r.stderr
    s = paraspine.Scenario.load("rounded_back_lift", overrides=["keyframes[2,3].hands.both.load_kg=5",
                                                               "keyframes[1,2].hands.both.position=[0.40, -0.50, 0.18]"])
    k = s.to_dict()["keyframes"]
    assert [k[i]["hands"]["both"]["load_kg"] for i in (2, 3)] == [5, 5]
    assert [k[i]["hands"]["both"]["position"] for i in (1, 2)] == [[0.40, -0.50, 0.18]] * 2
    # Errors name the option and the path.
    r = run("run", "rounded_back_lift", "--set", "keyframes[2].hands.both.position=[0.4, -0.5]")
    assert r.returncode == 2
    assert "--set: keyframes[2].hands.both.position: 2 values for a list of 3" in r.stderr, r.stderr
    # A sweep refuses a --set list that its axis varies.
    r = run("sweep", "rounded_back_lift", "--vary", "keyframes[3].hands.both.load_kg=5,10", "--set",
            "keyframes[2,3].hands.both.load_kg=5")
    assert r.returncode == 2 and "also varied by --vary" in r.stderr, r.stderr


def _yaml_blocks(section):
    text = (ROOT / "docs/scenarios.md").read_text()
    start = text.index(f"## {section}\n")
    end = text.index("\n## ", start + 1)
    return [b for b in re.findall(r"```yaml\n(.*?)```", text[start:end], flags=re.S) if b.startswith("paraspine_scenario:")]


def _peaks(tmp_path, text, name, *extra):
    f = write(tmp_path, name + ".yaml", text)
    r = run("run", str(f), "--no-fatigue", "--json", *extra)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_docs_recipes_run_and_give_the_quoted_figures(tmp_path):
    blocks = {re.search(r"name: (\w+)", b).group(1): b for b in _yaml_blocks("Pushing, pulling and carrying")}
    assert set(blocks) == {"cart_push", "suitcase_carry", "one_hand_lift"}, blocks.keys()

    def c(summary, joint):
        return round(summary["joints"][joint]["peak_compression_N"])

    push = _peaks(tmp_path, blocks["cart_push"], "cart_push")
    assert (c(push, "L5-S1"), c(push, "L4-L5"), c(push, "T9-T10")) == (1205, 1155, 2571)
    assert max(push["joints"], key=lambda j: push["joints"][j]["peak_compression_N"]) == "T9-T10"
    pull = _peaks(tmp_path, blocks["cart_push"].replace("force_N: [-200, 0, 0]", "force_N: [200, 0, 0]"), "cart_pull")
    assert (c(pull, "L5-S1"), c(pull, "L4-L5")) == (1143, 1242)
    none = _peaks(tmp_path, blocks["cart_push"].replace("force_N: [-200, 0, 0]", "force_N: [0, 0, 0]"), "cart_none")
    assert (c(none, "L5-S1"), c(none, "T10-T11")) == (1014, 1315)
    carry = _peaks(tmp_path, blocks["suitcase_carry"], "suitcase_carry")
    assert (c(carry, "L5-S1"), c(carry, "L4-L5")) == (1138, 1148)
    upright = _peaks(tmp_path, blocks["suitcase_carry"].replace("lateral_bending: -5", "lateral_bending: 0"), "suitcase_upright")
    assert (c(upright, "L5-S1"), c(upright, "L4-L5")) == (1289, 1311)
    lift = _peaks(tmp_path, blocks["one_hand_lift"], "one_hand_lift")
    assert (c(lift, "L5-S1"), c(lift, "L4-L5"), c(lift, "L2-L3")) == (1938, 1842, 2097)
    assert round(lift["joints"]["L5-S1"]["peak_shear_lateral_signed_N"]) == -59


def test_force_N_is_the_force_on_the_hands(tmp_path):
    # The weight of a held load is a force down on the hands: [0, -98.1, 0] at both hands is 5 kg in each.
    push = _yaml_blocks("Pushing, pulling and carrying")[0]
    weight = push.replace("force_N: [0, 0, 0]", "force_N: [0, -98.1, 0]").replace(
        "    forces: {push: {force_N: [-200, 0, 0]}}         # pushing forward: the handle pushes the hands back\n", "")
    held = push.replace("position: [0.45, 0.07, 0.18]}", "position: [0.45, 0.07, 0.18], load_kg: 5}").replace(
        "    forces: {push: {force_N: [-200, 0, 0]}}         # pushing forward: the handle pushes the hands back\n", "")
    assert weight != push and held != push and "load_kg" in held and "-200" not in weight + held
    a, b = _peaks(tmp_path, weight, "weight"), _peaks(tmp_path, held, "held")
    for joint in ("L5-S1", "L4-L5", "T9-T10"):
        assert a["joints"][joint]["peak_compression_N"] == pytest.approx(b["joints"][joint]["peak_compression_N"], abs=0.1), joint
    assert round(a["joints"]["L5-S1"]["peak_compression_N"], 1) == 1697.5


def test_docs_twist_table(tmp_path):
    def twist(lumbar):
        sets = ["--set", f"keyframes[3,4].regions_deg.lumbar.axial_rotation={lumbar}",
                "--set", f"keyframes[3,4].pelvis_deg.axial_rotation={42 - lumbar}"]
        return run("run", "twisting_lift", "--no-fatigue", "--json", *sets)
    figures = {}
    for lumbar in (7, 10, 12):
        r = twist(lumbar)
        assert r.returncode == 0, r.stderr
        s = json.loads(r.stdout)
        figures[lumbar] = (round(s["joints"]["L5-S1"]["peak_compression_N"]), round(s["reserves"]["peak_moment_Nm"], 1))
    assert figures == {7: (2454, 0.0), 10: (2502, 0.0), 12: (2825, 36.7)}, figures
    r = twist(15)
    assert r.returncode == 2 and "L5-S1 axial_rotation would be 3.2°, beyond its range" in r.stderr, r.stderr
