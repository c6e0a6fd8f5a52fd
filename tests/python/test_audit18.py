"""Defects found by session 18's user-acceptance audit (a demanding user running the CLI and Python as
README promises), each checked where the user met it:

1. a results file from a model given by a relative path could not be drawn or weighted from another
   folder, and where a bundled model had the same name it was silently drawn with that one, with a
   note blaming a "changed" file the run never used;
2. ``-o ''`` (a script's unset ``$OUT``) ran, exited 0 and wrote nothing;
3. xarray's h5netcdf engine could not open the ``muscles`` group (group and side had no scale);
4. an out-of-range ``--lowpass-hz`` was blamed on line 42 of the scenario file;
5. a file-size limit killed the run with SIGXFSZ, leaving ``NAME.partial`` and no message.
"""
import os
import resource
import shutil
import subprocess
import warnings

import h5py
import numpy as np
import pytest

import paraspine

from cli_helpers import CLI, FIXTURE, run


def _variant(folder, name):
    """A copy of the bundled lumbar model under the name `name`, in `folder`."""
    text = open("models/lumbar.yaml").read()
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("name: "):
            lines[i] = f"name: {name}\n"
            break
    path = folder / "variant.yaml"
    path.write_text("".join(lines))
    return path


def test_model_file_is_recorded_absolute_and_found_from_any_folder(tmp_path):
    sub, other = tmp_path / "sub", tmp_path / "other"
    sub.mkdir()
    other.mkdir()
    _variant(sub, "my_variant")
    r = run("run", os.path.abspath(FIXTURE), "--model", "variant.yaml", "--no-fatigue", "-o", "../other/v.h5", cwd=sub)
    assert r.returncode == 0, r.stderr
    with h5py.File(other / "v.h5", "r") as f:
        recorded = f.attrs["model_file"]
    recorded = recorded.decode() if isinstance(recorded, bytes) else recorded
    assert recorded == str(sub / "variant.yaml")
    # From the results file's folder, not the run's: drawn with the run's model, no note.
    r = run("render", "v.h5", "-o", "v.svg", cwd=other)
    assert r.returncode == 0, r.stderr
    assert "not found" not in r.stderr and "changed" not in r.stderr
    res = paraspine.load_results(other / "v.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert res.muscle_subdivisions  # rebuilt from the recorded file, without a warning
    res.close()


def _drop_stored_model_text(path):
    with h5py.File(path, "r+") as f:
        del f["inputs/model_text"]


def test_a_missing_model_file_says_so_instead_of_blaming_a_bundled_namesake(tmp_path):
    """The variant is named 'lumbar' (a bundled model) and deleted after the run: render must say the
    recorded file is gone and the bundled 'lumbar' was used, whose text is not the run's."""
    model = _variant(tmp_path, "lumbar")
    model.write_text(model.read_text() + "\n# edited\n")  # another text than the bundled lumbar.yaml
    out = tmp_path / "l.h5"
    r = run("run", FIXTURE, "--model", str(model), "--no-fatigue", "-o", str(out))
    assert r.returncode == 0, r.stderr
    model.unlink()
    # Since session 21 the file stores the model's text and is drawn from it, silently:
    r = run("render", str(out), "-o", str(tmp_path / "stored.svg"))
    assert r.returncode == 0 and "not found" not in r.stderr, r.stderr
    _drop_stored_model_text(out)  # a file from before session 21 names its model file only
    r = run("render", str(out), "-o", str(tmp_path / "l.svg"))
    assert r.returncode == 0, r.stderr
    assert "that the run recorded is not found" in r.stderr and "'lumbar' was loaded instead" in r.stderr, r.stderr
    assert "has changed since the run" not in r.stderr
    # Python's F0 weights are the run's own (/muscles/max_force), whatever model is found now.
    res = paraspine.load_results(out)
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(res.muscle_max_force, f["muscles/max_force"][()])
    with pytest.warns(UserWarning, match="is not found"):
        res.muscle_subdivisions
    res.close()


def test_a_missing_model_file_without_a_namesake_names_the_file(tmp_path):
    model = _variant(tmp_path, "my_variant")
    out = tmp_path / "v.h5"
    r = run("run", FIXTURE, "--model", str(model), "--no-fatigue", "-o", str(out))
    assert r.returncode == 0, r.stderr
    model.unlink()
    assert run("render", str(out), "-o", str(tmp_path / "stored.svg")).returncode == 0  # the stored text (session 21)
    _drop_stored_model_text(out)  # as a file from before session 21
    r = run("render", str(out), "-o", str(tmp_path / "v.svg"))
    assert r.returncode == 2
    assert str(model) in r.stderr and "no bundled model is named 'my_variant'" in r.stderr, r.stderr
    res = paraspine.load_results(out)
    with pytest.raises(FileNotFoundError, match="no bundled model is named 'my_variant'"):
        res.muscle_subdivisions
    res.close()


@pytest.mark.parametrize("args", [["run", FIXTURE, "--no-fatigue"], ["sweep", FIXTURE, "--vary", "subject.mass=60,70"],
                                  ["batch", FIXTURE]])
def test_an_empty_output_name_is_refused(args):
    r = run(*args, "-o", "")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "empty file name" in r.stderr


def test_python_refuses_an_empty_output_name():
    with pytest.raises(paraspine.InputError, match="empty file name"):
        paraspine.simulate(None, FIXTURE, output="")


def test_xarray_opens_the_joints_and_muscles_groups(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    out = tmp_path / "x.h5"
    assert run("run", FIXTURE, "--no-fatigue", "-o", str(out)).returncode == 0
    m = xr.open_dataset(out, group="muscles", engine="h5netcdf")
    assert m["group"].dims == ("name",) and m["side"].dims == ("name",) and m["activation"].dims == ("time", "name")
    m.close()
    j = xr.open_dataset(out, group="joints", engine="h5netcdf")
    assert j["compression"].dims == ("time", "name")
    j.close()


def test_an_out_of_range_lowpass_is_the_options_error(tmp_path):
    csv = tmp_path / "m.csv"
    csv.write_text("time_s,regions_deg.lumbar.flexion\n0,0\n1,10\n2,20\n")
    r = run("run", FIXTURE, "--motion", str(csv), "--lowpass-hz", "1000", "--no-fatigue")
    assert r.returncode == 2
    assert r.stderr.startswith("error: --lowpass-hz: "), r.stderr
    assert str(csv) in r.stderr


def test_a_file_size_limit_is_a_clean_write_error(tmp_path):
    out = tmp_path / "big.h5"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))

    p = subprocess.run([CLI, "run", FIXTURE, "--no-fatigue", "-o", str(out)], capture_output=True, text=True,
                       preexec_fn=limit, timeout=600)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "error" in p.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".partial"), os.listdir(tmp_path)


def test_muscles_table_of_a_fields_file_has_the_recorded_columns(tmp_path):
    out = tmp_path / "f.h5"
    assert run("run", FIXTURE, "--no-fatigue", "-o", str(out), "--fields", "joints,muscles/activation").returncode == 0
    with paraspine.load_results(out) as r:
        t = r.to_pandas("muscles")
    assert "peak_activation" in t and "mean_activation" in t
    assert "peak_force_N" not in t and "end_fatigued_fraction" not in t
    assert len(t) == len(t.index.unique())


# --- session 18 review of the fixes above ----------------------------------------------------------

def test_a_project_folder_moved_with_its_model_still_renders(tmp_path):
    """The recorded absolute path is gone, but a file of the same name with the run's text lies beside
    the results file: it is found (by name and model_digest), with no note."""
    old = tmp_path / "old"
    old.mkdir()
    _variant(old, "my_variant")
    assert run("run", FIXTURE, "--model", str(old / "variant.yaml"), "--no-fatigue", "-o", str(old / "v.h5")).returncode == 0
    new = tmp_path / "new"
    shutil.move(str(old), str(new))
    r = run("render", str(new / "v.h5"), "-o", str(new / "v.svg"))
    assert r.returncode == 0, r.stderr
    assert "not found" not in r.stderr and "changed" not in r.stderr, r.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with paraspine.load_results(new / "v.h5") as res:
            assert res.muscle_subdivisions


def test_the_runs_f0_survive_close(tmp_path):
    model = _variant(tmp_path, "my_variant")
    out = tmp_path / "v.h5"
    assert run("run", FIXTURE, "--model", str(model), "--no-fatigue", "-o", str(out)).returncode == 0
    model.unlink()
    res = paraspine.load_results(out)
    with h5py.File(out, "r") as f:
        f0 = f["muscles/max_force"][()]
    res.close()
    np.testing.assert_array_equal(res.muscle_max_force, f0)


def test_batch_lowpass_error_names_the_option(tmp_path):
    csv = tmp_path / "m.csv"
    csv.write_text("time_s,regions_deg.lumbar.flexion\n0,0\n1,10\n2,20\n")
    r = run("batch", FIXTURE, "--motion", str(csv), "--lowpass-hz", "1000", "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "--lowpass-hz: " in r.stderr and str(csv) in r.stderr and "test_lift.yaml:" not in r.stderr, r.stderr


def test_python_with_motion_lowpass_error_names_the_argument(tmp_path):
    csv = tmp_path / "m.csv"
    csv.write_text("time_s,regions_deg.lumbar.flexion\n0,0\n1,10\n2,20\n")
    sc = paraspine.Scenario.load(FIXTURE)
    with pytest.raises(paraspine.InputError, match="with_motion: lowpass_hz: ") as e:
        sc.with_motion(str(csv), lowpass_hz=1000)
    assert e.value.field == "lowpass_hz"


def test_stdout_cut_by_a_file_size_limit_is_an_error(tmp_path):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, resource.RLIM_INFINITY))

    with open(tmp_path / "o.json", "w") as out:
        p = subprocess.run([CLI, "run", FIXTURE, "--no-fatigue", "--json"], stdout=out, stderr=subprocess.PIPE, text=True,
                           preexec_fn=limit, timeout=600)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "writing to standard output failed" in p.stderr


# --- session 18, second audit (sweep, moments, static_frame) ------------------------------------------

def test_pelvis_angles_past_a_half_turn_are_refused_everywhere():
    r = run("moments", "lumbar", "--angle-deg", "pelvis.flexion=200")
    assert r.returncode == 2 and "more than a half turn" in r.stderr, r.stderr
    with pytest.raises(Exception, match="more than a half turn"):
        paraspine.static_frame("lumbar", {"pelvis.flexion": 181})
    paraspine.static_frame("lumbar", {"pelvis.flexion": 180})  # the limit itself is allowed, as in scenarios


def test_a_path_set_twice_is_refused():
    r = run("run", FIXTURE, "--no-fatigue", "--set", "keyframes[1].hands.both.load_kg=3", "--set", "keyframes[1].hands.both.load_kg=9")
    assert r.returncode == 2 and "set twice" in r.stderr, r.stderr
    r = run("moments", "lumbar", "--angle-deg", "lumbar.flexion=30", "--angle-deg", "lumbar.flexion=10")
    assert r.returncode == 2 and "given twice" in r.stderr, r.stderr


def test_a_one_point_range_that_cannot_reach_stop_is_refused():
    r = run("sweep", FIXTURE, "--vary", "subject.mass=60:80:1")
    assert r.returncode == 2 and "both included" in r.stderr, r.stderr
    assert run("sweep", FIXTURE, "--vary", "subject.mass=60:60:1").returncode == 0


def test_sweep_table_marks_points_where_reserves_act():
    # Marked * until session 21; now every load of such a point is "≥" and its verdict says why.
    r = run("sweep", "rounded_back_lift", "--vary", "keyframes[2,3].hands.both.load_kg=5,25")
    assert r.returncode == 0, r.stderr
    rows = [l for l in r.stdout.splitlines() if l.strip().startswith(("5", "25"))]
    assert len(rows) == 2 and "≥" not in rows[0] and rows[0].rstrip().endswith("ok"), r.stdout
    assert rows[1].split()[1].startswith("≥") and "not capable (reserves)" in rows[1], r.stdout
    assert "≥ lower bounds" in r.stdout


def test_validate_case_not_modelled_says_so_without_empty_tables():
    r = run("validate", "--case", "rohlmann_sitting_knee_stool_ratio")
    assert r.returncode == 0, r.stderr
    assert "is not modelled yet, so nothing was predicted" in r.stdout
    assert "0 of 0" not in r.stdout and "Pearson" not in r.stdout


def test_list_prints_whole_descriptions_in_one_column():
    r = run("list")
    assert r.returncode == 0 and "..." not in r.stdout
    starts = {len(l) - len(l.lstrip()) for l in r.stdout.splitlines() if l.startswith("    ")}
    assert starts, r.stdout  # wrapped lines are indented under the description column


def test_report_gives_signed_shear_differences_in_newtons(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run("run", FIXTURE, "--no-fatigue", "-o", str(a)).returncode == 0
    assert run("run", FIXTURE, "--no-fatigue", "--set", "keyframes[1].hands.both.load_kg=10", "-o", str(b)).returncode == 0
    r = run("report", str(a), str(b), "-o", str(tmp_path / "r.html"))
    assert r.returncode == 0, r.stderr
    import re
    html = (tmp_path / "r.html").read_text()
    cells = re.findall(r'AP shear \(\+ anterior, − posterior\), N</td><td>[^<]*</td><td>[^<]*</td><td class="diff">([^<]*)</td>', html)
    assert cells and all(c.endswith(" N") or c == "–" for c in cells), cells
