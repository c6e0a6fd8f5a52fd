"""The command line after the session-9 review's input fixes: usage errors exit 2, the scenario's model
is never overwritten, the subject's factors are recorded, `list` shows the bundled library."""
import json
import os
import shutil
import subprocess

from cli_helpers import CLI, run

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCENARIO = """paraspine_scenario: 1
name: base
model: {model}
output_rate_hz: 10
keyframes:
  - time: 0
  - time: 1
    regions_deg: {{lumbar: {{flexion: 20}}}}
    hands: {{both: {{position: [0.3, 0.1, 0.2], load_kg: 5}}}}
"""


def test_usage_errors_exit_2():
    # CLI11's own codes were 105-114, std::invalid_argument from arguments 1.
    assert run("run").returncode == 2
    assert run("moments", "lumbar", "--mass-kg", "0").returncode == 2
    r = run("run", "squat_lift", "--threads", "-1")
    assert r.returncode == 2 and len(r.stderr) < 300, r.stderr
    r = run("moments", "lumbar", "--angle-deg", "lumbar.flex=10")
    assert r.returncode == 2 and "unknown axis" in r.stderr, r.stderr
    assert run("--help").returncode == 0 and run("run", "--help").returncode == 0


def test_sweep_refuses_to_overwrite_the_scenarios_model(tmp_path):
    # B3: run refused this; sweep replaced mymodel.yaml with HDF5. A9: the model is found beside the
    # scenario, from any working directory.
    shutil.copy(os.path.join(SOURCE, "models", "lumbar.yaml"), tmp_path / "mymodel.yaml")
    (tmp_path / "in_mm.yaml").write_text(SCENARIO.format(model="mymodel.yaml"))
    before = (tmp_path / "mymodel.yaml").read_bytes()
    r = run("sweep", str(tmp_path / "in_mm.yaml"), "--vary", "subject.mass=60,70", "-o", str(tmp_path / "mymodel.yaml"), cwd="/")
    assert r.returncode == 2, r.stderr
    assert (tmp_path / "mymodel.yaml").read_bytes() == before


def test_repeated_subject_keys_are_refused():
    r = run("run", "squat_lift", "--subject", "mass=70,mass=90")
    assert r.returncode == 2 and "mass: given twice" in r.stderr, r.stderr


def test_subject_factors_are_recorded_and_json_survives_bad_bytes(tmp_path):
    (tmp_path / "in.yaml").write_text(SCENARIO.format(model="lumbar"))
    out = tmp_path / "subj.h5"
    r = run("run", str(tmp_path / "in.yaml"), "--subject", "strength=0.5,fatigue_rate=3", "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    subject = json.loads(r.stdout)["subject"]
    assert subject["strength_factor"] == 0.5 and subject["fatigue_rate_scale"] == 3 and subject["recovery_rate_scale"] == 1
    import h5py
    with h5py.File(out, "r") as f:
        attr = f.attrs["subject"]
        stored = json.loads(attr.decode() if isinstance(attr, bytes) else attr)
    assert stored["strength_factor"] == 0.5 and stored["fatigue_rate_scale"] == 3
    # C1: a Latin-1 file name in compare --json is replaced, not an exception after the work.
    latin = os.path.join(os.fsencode(str(tmp_path)), b"r\xe9sultat.h5")
    shutil.copy(out, latin)
    r = subprocess.run([CLI, "compare", "--json", os.fsencode(str(out)), latin], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout.decode("utf-8"))) == 2


def test_model_verbs_say_a_scenario_is_a_scenario():
    for args in (["model", "info", "squat_lift"], ["bench", "--model", "squat_lift", "--frames", "2"]):
        r = run(*args)
        assert r.returncode == 2 and "is a scenario, not a model" in r.stderr, (args, r.stderr)


def test_list_shows_the_bundled_library_beside_local_folders(tmp_path):
    # D7: a ./models folder hid the bundled models; C6: a ./lumbar folder shadowed the bundled name.
    (tmp_path / "models").mkdir()
    shutil.copy(os.path.join(SOURCE, "models", "lumbar.yaml"), tmp_path / "models" / "mine.yaml")
    (tmp_path / "lumbar").mkdir()
    r = run("list", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "mine" in r.stdout and "full_spine" in r.stdout and "squat_lift" in r.stdout, r.stdout
    (tmp_path / "in.yaml").write_text(SCENARIO.format(model="lumbar"))
    r = run("run", "in.yaml", "--no-fatigue", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
