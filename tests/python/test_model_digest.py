"""Results record a fingerprint of the model text the run used (root attribute model_digest), and
render, report and Python's muscle_max_force warn when the model file they rebuild from has changed
since (review_code10 #2: a regenerated or edited model drew a posture the run never had, with the
note "as the run sampled it", and weighted groups by the model as it is now, without a word)."""
import shutil
import warnings

import h5py
import numpy as np
import pytest

import paraspine

from cli_helpers import run


@pytest.fixture(scope="module")
def run_on_a_copied_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("digest")
    model = d / "fs.yaml"
    shutil.copyfile("models/full_spine.yaml", model)
    out = d / "sq.h5"
    r = run("run", "squat_lift", "--model", str(model), "--no-fatigue", "-o", str(out), "--fields", "joints,muscles/activation")
    assert r.returncode == 0, r.stderr
    return d, model, out


def test_the_results_file_records_the_model_texts_digest(run_on_a_copied_model):
    _, model, out = run_on_a_copied_model
    with h5py.File(out, "r") as f:
        digest = f.attrs["model_digest"]
    digest = digest.decode() if isinstance(digest, bytes) else digest
    assert digest.startswith("fnv1a64:") and len(digest) == len("fnv1a64:") + 16
    assert digest == paraspine.Model.load(model).source_digest
    assert paraspine.Model.load("lumbar").source_digest != digest


def test_render_report_and_python_say_when_the_model_file_changed(run_on_a_copied_model):
    d, model, out = run_on_a_copied_model
    unchanged = run("render", str(out), "--time", "2.2", "-o", str(d / "a.svg"))
    assert unchanged.returncode == 0, unchanged.stderr
    assert "as the run sampled it" in unchanged.stderr and "has changed since the run" not in unchanged.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with paraspine.load_results(out) as r:
            f0 = r.muscle_max_force.copy()
    text = model.read_text()
    try:
        model.write_text(text + "# edited after the run\n")
        changed = run("render", str(out), "--time", "2.2", "-o", str(d / "b.svg"))
        assert changed.returncode == 0, changed.stderr
        assert "has changed since the run" in changed.stderr, changed.stderr
        assert "as the run sampled it" not in changed.stderr
        rep = run("report", str(out), "-o", str(d / "r.html"))
        assert rep.returncode == 0, rep.stderr
        assert "has changed since the run" in rep.stderr + rep.stdout
        with paraspine.load_results(out) as r:
            # F0 is the run's own (/muscles/max_force, session 18): no warning, the same weights.
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert np.array_equal(r.muscle_max_force, f0)
            # What still comes from the model file as it is now says so.
            with pytest.warns(UserWarning, match="has changed since the run"):
                r.muscle_subdivisions
    finally:
        model.write_text(text)
