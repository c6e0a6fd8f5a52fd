"""Results.picture: the body at one instant drawn in a notebook, the same drawing as `paraspine
render` (PNG bytes equal for the same file and options), at the instant asked for, saved in any of the
render formats, with clear errors; in-memory results are drawn from a temporary file that goes away
with them."""
import gc
import os
import re

import pytest

import paraspine
from cli_helpers import FIXTURE, run


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, FIXTURE, fatigue=False, progress=False)


@pytest.fixture(scope="module")
def lift_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("picture") / "lift.h5"
    r = run("run", FIXTURE, "--no-fatigue", "-o", str(path))
    assert r.returncode == 0, r.stderr
    return path


def svg_size(text):
    m = re.search(r'<svg[^>]*width="([0-9.]+)(?:pt)?"[^>]*height="([0-9.]+)(?:pt)?"', text)
    return float(m.group(1)), float(m.group(2))


def test_the_picture_is_render_s_picture(lift_file, tmp_path):
    # PNG bytes: an SVG's glyph ids depend on what the process drew before (cairo's font cache), so a
    # notebook's second SVG differs from the CLI's in ids only; the pixels are the same drawing.
    out = tmp_path / "cli.png"
    r = run("render", str(lift_file), "--time", "0.5", "--view", "oblique", "--color", "force", "--joint-forces",
            "--width", "800", "--height", "500", "-o", str(out))
    assert r.returncode == 0, r.stderr
    res = paraspine.load_results(lift_file)
    p = res.picture(time=0.5, view="oblique", color="force", joint_forces=True, width=800, height=500, format="png")
    assert p.format == "png" and p.view == "oblique" and p.color == "force"
    assert p.data == out.read_bytes()
    assert f"t = {p.time_s:.2f} s (frame {p.frame})" in r.stdout
    svg = res.picture(time=0.5, view="oblique", color="force", joint_forces=True, width=800, height=500)
    assert svg_size(svg._repr_svg_()) == (800, 500) and svg._repr_png_() is None and p._repr_svg_() is None


def test_the_default_instant_is_the_peak_and_frames_count_from_the_end(lift):
    peak = lift.picture()
    level = int(lift.compression.max(axis=0).argmax())
    assert peak.frame == int(lift.compression[:, level].argmax())
    last = lift.picture(frame=-1, format="png")
    assert last.frame == lift.frames - 1 and last.data[:8] == b"\x89PNG\r\n\x1a\n" and last._repr_svg_() is None
    mid = lift.picture(time=float(lift.time[7]) + 1e-4)
    assert mid.frame == 7 and abs(mid.time_s - float(lift.time[7])) < 1e-12
    assert mid.data != peak.data


def test_save_writes_each_format_and_redraws_in_another(lift, tmp_path):
    p = lift.picture(frame=3, width=640, height=400)
    for name, head in (("a.svg", b"<?xml"), ("a.png", b"\x89PNG"), ("a.pdf", b"%PDF")):
        assert p.save(tmp_path / name) == str(tmp_path / name)
        assert (tmp_path / name).read_bytes().startswith(head)
    assert (tmp_path / "a.svg").read_bytes() == p.data
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".partial")]
    with pytest.raises(ValueError, match="svg, .png or .pdf"):
        p.save(tmp_path / "a.jpg")
    assert not (tmp_path / "a.jpg").exists()


def test_bad_requests_name_what_is_wrong(lift):
    with pytest.raises(ValueError, match="view must be one of sagittal"):
        lift.picture(view="side")
    with pytest.raises(ValueError, match="color must be one of"):
        lift.picture(color="stress")
    with pytest.raises(ValueError, match="time or frame, not both"):
        lift.picture(time=0.1, frame=2)
    with pytest.raises(paraspine.InputError, match="outside the run"):
        lift.picture(time=lift.duration_s + 5)
    with pytest.raises(paraspine.InputError, match="frame .* is outside the run"):
        lift.picture(frame=lift.frames)
    with pytest.raises(paraspine.InputError, match="width"):
        lift.picture(width=50)
    with pytest.raises(ValueError, match="format must be"):
        lift.picture(format="pdf")


def test_in_memory_results_use_one_temporary_file_removed_with_them():
    r = paraspine.simulate(None, FIXTURE, fatigue=False, progress=False)
    r.picture(frame=0)
    path = r._picture_file
    assert os.path.exists(path)
    r.picture(frame=1)
    assert r._picture_file == path  # written once
    del r
    gc.collect()
    assert not os.path.exists(os.path.dirname(path))


def test_results_with_only_some_fields_and_no_file_are_refused():
    r = paraspine.simulate(None, FIXTURE, fatigue=False, progress=False, fields="joints")
    with pytest.raises(ValueError, match="to_hdf5 needs every field"):
        r.picture()


def test_a_region_frames_as_render_region_does(lift_file, tmp_path):
    out = tmp_path / "neck.png"
    r = run("render", str(lift_file), "--frame", "4", "--region", "neck", "--width", "700", "--height", "450", "-o", str(out))
    assert r.returncode == 0, r.stderr
    p = paraspine.load_results(lift_file).picture(frame=4, region="neck", width=700, height=450, format="png")
    assert p.region == "neck" and p.data == out.read_bytes()
    assert p.data != paraspine.load_results(lift_file).picture(frame=4, width=700, height=450, format="png").data
    with pytest.raises(ValueError, match="region must be one of whole, lumbar, thoracic, neck"):
        p = paraspine.load_results(lift_file).picture(region="cervical")


def test_fatigue_driven_loads_are_said_on_the_picture(tmp_path):
    # audit23t #2: forward_head_posture's default picture (its neutral hold, after fatigue had shifted
    # the load) showed C7-T1 at many times its fresh value and said nothing.
    path = tmp_path / "fhp.h5"
    r = run("run", "forward_head_posture", "--set", "output_rate_hz=0.1", "-o", str(path))
    assert r.returncode == 0, r.stderr
    res = paraspine.load_results(path)
    start = res.summary["fatigue_limited_from_s"]
    assert start is not None and start < res.summary["endurance_s"]
    before = res.picture(time=start - 100, format="png", width=600, height=400)
    after = res.picture(time=start + 200, format="png", width=600, height=400)
    assert not any("fatigue-driven" in s for s in before.status)
    assert any(s.startswith(f"fatigue-driven from t = {start:.0f} s") for s in after.status)
    failed = res.picture(frame=-1, format="png", width=600, height=400)  # past failure: that line instead
    assert any("task failed at" in s for s in failed.status) and not any("fatigue-driven" in s for s in failed.status)


def test_chosen_discs_get_their_arrows(lift_file, tmp_path):
    # audit23t #8: --region lumbar --joint-forces drew L5-S1 and L2-L3 but never L4-L5.
    out = tmp_path / "cli.png"
    r = run("render", str(lift_file), "--frame", "20", "--joint-forces", "--joints", "L5-S1,L4-L5,L3-L4",
            "--width", "700", "--height", "450", "-o", str(out))
    assert r.returncode == 0, r.stderr
    res = paraspine.load_results(lift_file)
    chosen = res.picture(frame=20, joint_forces=True, joints=["L5-S1", "L4-L5", "L3-L4"], width=700, height=450, format="png")
    default = res.picture(frame=20, joint_forces=True, width=700, height=450, format="png")
    assert chosen.data == out.read_bytes() and chosen.data != default.data
    bad = run("render", str(lift_file), "--joints", "L4-L5", "-o", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "give --joint-forces too" in bad.stderr and not (tmp_path / "x.png").exists()
    bad = run("render", str(lift_file), "--joint-forces", "--joints", "L9-L10", "-o", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "no such joint" in bad.stderr and not (tmp_path / "x.png").exists()
    with pytest.raises(paraspine.InputError, match="give joint_forces=True"):
        res.picture(joints="L4-L5")


def test_a_level_that_cannot_have_arrows_is_named(lift_file, tmp_path):
    # review23 #3: C0-C1 (no disc) and levels outside --region were dropped without a word.
    for args in (["--joints", "C0-C1"], ["--region", "neck", "--joints", "L4-L5"]):
        out = tmp_path / "x.png"
        r = run("render", str(lift_file), "--joint-forces", *args, "-o", str(out))
        assert r.returncode == 2 and "has no joint-load arrows" in r.stderr and "levels that can" in r.stderr, r.stderr
        assert not out.exists()
    with pytest.raises(paraspine.InputError, match="L4-L5: has no joint-load arrows in the neck picture"):
        paraspine.load_results(lift_file).picture(joint_forces=True, region="neck", joints="L4-L5")


def test_the_picture_is_of_these_results(lift_file, tmp_path, monkeypatch):
    # review23 #1, #2: a results file loaded by a relative name, drawn after os.chdir; and a file
    # replaced by another run since it was opened.
    monkeypatch.chdir(lift_file.parent)
    res = paraspine.load_results(lift_file.name)
    monkeypatch.chdir(tmp_path)
    assert res.picture(frame=0, format="png", width=400, height=300).frame == 0
    copy = tmp_path / "again.h5"
    copy.write_bytes(lift_file.read_bytes())
    opened = paraspine.load_results(copy)
    (tmp_path / "other.h5").write_bytes(lift_file.read_bytes())
    os.replace(tmp_path / "other.h5", copy)  # another run's file under the same name
    with pytest.raises(ValueError, match="has been replaced since these results were opened"):
        opened.picture()


def test_a_flexed_neck_is_said_on_the_picture(tmp_path):
    # audit23t left open: run's text warned from 35° of summed neck flexion, the pictures did not.
    path = tmp_path / "neck.h5"
    r = run("run", "tests/data/neck_flexion.yaml", "--no-fatigue", "-o", str(path))
    assert r.returncode == 0, r.stderr
    res = paraspine.load_results(path)
    upright = res.picture(time=0, format="png", width=600, height=400)
    flexed = res.picture(time=3, format="png", width=600, height=400)
    assert not any("neck flexed" in s for s in upright.status)
    line = next(s for s in flexed.status if s.startswith("neck flexed"))
    assert "49°" in line and "from 35°" in line


def test_a_picture_pickles(lift_file, tmp_path):
    # A Picture crosses to another process (multiprocessing, joblib): its closure could not be pickled.
    import pickle
    import shutil
    copy = tmp_path / "copy.h5"
    shutil.copy(lift_file, copy)
    res = paraspine.load_results(copy)
    pic = res.picture(format="png", width=400, height=250)
    back = pickle.loads(pickle.dumps(pic))
    assert back.data == pic.data and back.status == pic.status and back.frame == pic.frame
    back.save(tmp_path / "p.svg")  # another format: drawn again from the file
    assert (tmp_path / "p.svg").read_bytes().startswith(b"<?xml")
    res.close()
    copy.unlink()
    back.save(tmp_path / "p.png")  # its own format: its bytes, whatever became of the file
    assert (tmp_path / "p.png").read_bytes() == pic.data
    with pytest.raises(ValueError, match="unpickled away from its results"):
        pickle.loads(pickle.dumps(pic)).save(tmp_path / "q.pdf")


def test_the_default_instant_of_a_fatigue_shifted_run_is_the_tasks_own_peak(tmp_path):
    # audit23t left open: forward_head_posture's default picture was its neutral hold at 940 s, where
    # fatigue had shifted the load (C7-T1 1116 N against 77 N fresh). Where fatigue visibly shifts
    # the load, the default is the time of the largest fresh-muscle peak: its 60° hold.
    path = tmp_path / "fhp.h5"
    assert run("run", "forward_head_posture", "--set", "output_rate_hz=0.1", "-o", str(path)).returncode == 0
    res = paraspine.load_results(path)
    joints = res.summary["joints"]
    top = max(joints, key=lambda j: joints[j]["fresh_peak_compression_N"])
    assert res.summary["fatigue_limited_from_s"] is not None
    pic = res.picture(format="png", width=600, height=400)
    assert pic.time_s == pytest.approx(joints[top]["fresh_peak_compression_time_s"], abs=10)
    assert any(s.startswith("neck flexed 49°") for s in pic.status)
