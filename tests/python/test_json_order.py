"""--json lists a summary's joints from the pelvis up, as the tables and the Python package do (JSON
objects were printed with sorted keys: C0-C1 first, L5-S1 in the middle, T1-T2 after it)."""
import json

import paraspine
from cli_helpers import FIXTURE, run

MODEL_ORDER = paraspine.Model.load("full_spine").joint_names  # L5-S1, L4-L5, ..., C0-C1


def joints_of(summary):
    return list(summary["joints"])


def test_run_json_joints_follow_the_spine_from_the_pelvis_up(tmp_path):
    r = run("run", FIXTURE, "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert joints_of(s) == MODEL_ORDER
    assert MODEL_ORDER[0] == "L5-S1" and MODEL_ORDER[-1] == "C0-C1"
    assert list(s) == sorted(s)  # other keys stay sorted


def test_compare_sweep_and_batch_json_alike(tmp_path):
    a = tmp_path / "a.h5"
    assert run("run", FIXTURE, "--no-fatigue", "-o", str(a)).returncode == 0
    r = run("compare", str(a), str(a), "--json")
    assert r.returncode == 0, r.stderr
    assert all(joints_of(f["summary"]) == MODEL_ORDER for f in json.loads(r.stdout))
    r = run("sweep", FIXTURE, "--vary", "subject.mass=70,80", "--json")
    assert r.returncode == 0, r.stderr
    assert all(joints_of(p) == MODEL_ORDER for p in json.loads(r.stdout)["points"])
    r = run("batch", FIXTURE, FIXTURE, "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    assert all(joints_of(e["summary"]) == MODEL_ORDER for e in json.loads(r.stdout)["scenarios"])
