"""Results record a fingerprint of the model text the run used (root attribute model_digest), and
render, report and Python's muscle_max_force warn when the model file they rebuild from has changed
since (review_code10 #2: a regenerated or edited model drew a posture the run never had, with the
note "as the run sampled it", and weighted groups by the model as it is now, without a word).

Since session 21 the file stores the model's text itself (/inputs/model_text), and render, report and Python
rebuild the run's model from it; the warnings remain for files written before (simulated here by
deleting /inputs/model_text from a copy)."""
import json
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


def _as_an_older_file(out, d):
    old = d / "older.h5"
    shutil.copyfile(out, old)
    with h5py.File(old, "r+") as f:
        del f["inputs/model_text"]
    return old


def test_the_results_file_stores_the_model_text_and_everything_rebuilds_from_it(run_on_a_copied_model):
    d, model, out = run_on_a_copied_model
    text = model.read_text()
    with h5py.File(out, "r") as f:
        ds = f["inputs/model_text"]
        assert ds.attrs["encoding"] in ("utf-8", b"utf-8")
        assert ds.compression == "gzip" and ds.id.get_storage_size() < len(text.encode()) / 4
        assert ds[()].tobytes().decode() == text
    got = run("model", "extract", str(out))
    assert got.returncode == 0 and got.stdout == text, got.stderr
    extracted = d / "extracted.yaml"
    got = run("model", "extract", str(out), "-o", str(extracted))
    assert got.returncode == 0, got.stderr
    assert extracted.read_text() == text and paraspine.Model.load(extracted).source_digest == paraspine.Model.load(model).source_digest
    with paraspine.load_results(out) as r:
        assert r.model_text == text
        f0 = r.muscle_max_force.copy()
        subdivisions = r.muscle_subdivisions
    moved = d / "moved_away.yaml"
    model.rename(moved)
    try:
        # The model file gone (and a different one in its place would not matter either): the run's
        # own model, with no warning and no note.
        info = run("model", "info", str(out), "--json")
        assert info.returncode == 0, info.stderr
        described = json.loads(info.stdout)
        assert described["name"] == "full_spine" and len(described["fascicles"]) == len(subdivisions) == 678
        assert described["file"] == f"{out} (model_text)"
        pic = run("render", str(out), "--time", "2.2", "-o", str(d / "gone.svg"))
        assert pic.returncode == 0, pic.stderr
        assert "not found" not in pic.stderr and "has changed" not in pic.stderr, pic.stderr
        rep = run("report", str(out), "-o", str(d / "gone.html"))
        assert rep.returncode == 0, rep.stderr
        assert "not found" not in rep.stderr + rep.stdout
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with paraspine.load_results(out) as r:
                assert np.array_equal(r.muscle_max_force, f0)
                assert r.muscle_subdivisions == subdivisions
        in_memory = paraspine.simulate(paraspine.Model.load(moved), "squat_lift", fatigue=False, progress=False)
        assert in_memory.model_text == text
    finally:
        moved.rename(model)


def test_extract_names_a_file_that_stores_no_model_text(run_on_a_copied_model, tmp_path):
    d, model, out = run_on_a_copied_model
    old = _as_an_older_file(out, tmp_path)
    got = run("model", "extract", str(old))
    assert got.returncode == 2 and got.stdout == ""
    assert f"{old}:0: /inputs/model_text: not stored" in got.stderr or f"{old}: /inputs/model_text: not stored" in got.stderr, got.stderr
    assert str(model) in got.stderr  # where the run read it
    with paraspine.load_results(old) as r:
        assert r.model_text is None
    not_results = run("model", "extract", "models/lumbar.yaml")
    assert not_results.returncode == 2 and "models/lumbar.yaml" in not_results.stderr


def test_render_report_and_python_say_when_the_model_file_changed(run_on_a_copied_model, tmp_path):
    d, model, out = run_on_a_copied_model
    out = _as_an_older_file(out, tmp_path)
    unchanged = run("render", str(out), "--time", "2.2", "-o", str(tmp_path / "a.svg"))
    assert unchanged.returncode == 0, unchanged.stderr
    assert "as the run sampled it" in unchanged.stderr and "has changed since the run" not in unchanged.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with paraspine.load_results(out) as r:
            f0 = r.muscle_max_force.copy()
    text = model.read_text()
    try:
        model.write_text(text + "# edited after the run\n")
        changed = run("render", str(out), "--time", "2.2", "-o", str(tmp_path / "b.svg"))
        assert changed.returncode == 0, changed.stderr
        assert "has changed since the run" in changed.stderr, changed.stderr
        assert "as the run sampled it" not in changed.stderr
        rep = run("report", str(out), "-o", str(tmp_path / "r.html"))
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


def test_a_sweep_file_stores_its_model_text_and_digest(tmp_path):
    out = tmp_path / "sw.h5"
    r = run("sweep", "squat_lift", "--vary", "subject.mass=60,80", "-o", str(out))
    assert r.returncode == 0, r.stderr
    lumbar = paraspine.Model.load("full_spine")  # the scenario's
    with h5py.File(out, "r") as f:
        digest = f.attrs["model_digest"]
        assert (digest.decode() if isinstance(digest, bytes) else digest) == lumbar.source_digest
        assert f["inputs/model_text"][()].tobytes().decode() == lumbar.source_text
    got = run("model", "extract", str(out))
    assert got.returncode == 0 and got.stdout == lumbar.source_text
