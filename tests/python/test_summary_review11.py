"""The run summary as a user reads it (session-11 user review): peak shears keep their sign (F4),
and a peak's time is when it was first reached, also in a repeated task (F9)."""
import json

import h5py
import numpy as np

from cli_helpers import FIXTURE, run


def test_peak_shears_are_signed_at_their_largest_magnitude(tmp_path):
    # The summary gave |shear| only: a posterior peak (-293 N at L3-L4 here) read as anterior.
    out = tmp_path / "lift.h5"
    r = run("run", FIXTURE, "-o", str(out))
    assert r.returncode == 0, r.stderr
    s = json.loads(run("compare", str(out), "--json").stdout)[0]["summary"]
    with h5py.File(out) as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
        negative = 0
        for q, key in (("shear_ap", "ap"), ("shear_lateral", "lateral")):
            a = f["joints/" + q][()]
            at = a[np.abs(a).argmax(axis=0), np.arange(a.shape[1])]
            for k, name in enumerate(names):
                j = s["joints"][name]
                assert j[f"peak_shear_{key}_signed_N"] == at[k], (name, q)
                assert j[f"peak_shear_{key}_N"] == abs(at[k]), (name, q)  # the magnitude keeps its meaning
                negative += key == "ap" and at[k] < -1
    assert negative >= 3  # this lift has posterior peaks, so the test can tell sign from magnitude
    # The text prints the signed value, and says what the sign means.
    l5 = s["joints"]["L5-S1"]
    cells = next(line for line in r.stdout.splitlines() if line.strip().startswith("L5-S1")).split()
    assert f"{l5['peak_shear_ap_signed_N']:.0f}" in cells
    assert "AP + anterior, - posterior" in r.stdout


def test_peak_time_is_the_first_repetition_that_reaches_it():
    # Ten repetitions (5 s each) with fresh muscles reach every peak in each repetition, to
    # rounding; the times used to be those of whichever repetition rounded highest (up to 37.8 s).
    r = run("run", FIXTURE, "--set", "repetitions=10", "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["duration_s"] == 48
    late = {k: v["peak_compression_time_s"] for k, v in s["joints"].items() if v["peak_compression_time_s"] >= 5}
    assert late == {}
    late = {(g, side): v["peak_activation_time_s"] for g, sides in s["groups"].items() for side, v in sides.items()
            if v["peak_activation_time_s"] >= 5}
    assert late == {}
    # Mirror groups reach their peaks together (they gave 21.66 and 26.66 s, 1.76 and 36.76 s).
    for g, sides in s["groups"].items():
        if "left" in sides and "right" in sides:
            assert sides["left"]["peak_activation_time_s"] == sides["right"]["peak_activation_time_s"], g


def test_summary_names_the_peak_reserves_rotation_and_time(tmp_path):
    # teachrev F3: with the paraspinal columns alone the summary printed "reserves: peak 24.81 N·m"
    # and then named C7-T1 (the failure rule's rotation and the first failure), while the peak is
    # L5-S1 extension. The summary now names the peak's joint, rotation and time, checked against
    # the file's /joints/reserve_moment (positive: flexion, right lateral bending, right axial rotation).
    out = tmp_path / "po.h5"
    r = run("run", "rounded_back_lift", "--model", "paraspinal_only", "-o", str(out))
    assert r.returncode == 0, r.stderr
    s = json.loads(run("compare", str(out), "--json").stdout)[0]["summary"]["reserves"]
    senses = (("flexion", "extension"), ("right lateral bending", "left lateral bending"),
              ("right axial rotation", "left axial rotation"))
    with h5py.File(out) as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
        a = f["joints/reserve_moment"][()]  # (T, J, 3)
        t = f["time"][()]
    frame, joint, axis = np.unravel_index(np.abs(a).argmax(), a.shape)
    value = a[frame, joint, axis]
    assert s["peak_moment_Nm"] == abs(value)  # the old key keeps its meaning
    assert s["peak_joint"] == names[joint] == "L5-S1"
    assert s["peak_rotation"] == f"L5-S1 {senses[axis][0 if value > 0 else 1]} moment" == "L5-S1 extension moment"
    assert s["peak_signed_Nm"] == value < -10
    first = np.flatnonzero(np.abs(a).max(axis=(1, 2)) >= abs(value) / (1 + 1e-9))[0]
    assert s["peak_time_s"] == t[first]
    # The text names it on the reserves line, apart from the failure rule's rotation (elsewhere here).
    line = next(x for x in r.stdout.splitlines() if x.strip().startswith("reserves: peak"))
    assert f"peak {abs(value):.2f} N·m (L5-S1 extension moment, at t = " in line, line
    assert "failure rule: the part fatigue added" in r.stdout
    assert "L5-S1" not in s.get("peak_fatigue_rotation", "L5-S1")  # the case the review met: two different joints
