"""`paraspine render` and `paraspine report` as a user meets them: pictures of the requested size
that change with the instant, videos with the expected number of frames, clear errors that leave no
file, results stored as float32 read alike, and the HTML report opened in headless Chromium without
a console message, its screenshot not blank."""
import json
import math
import os
import re
import shutil
import struct
import subprocess

import h5py
import numpy as np
import pytest

from cli_helpers import run


@pytest.fixture(scope="module")
def lifts(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    out = {}
    for name in ("rounded_back_lift", "squat_lift"):
        path = d / f"{name}.h5"
        r = run("run", name, "--set", "output_rate_hz=10", "-o", str(path))
        assert r.returncode == 0, r.stderr
        out[name] = path
    return d, out


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_render_png_size_and_instants_differ(lifts):
    d, files = lifts
    a, b = d / "t0.png", d / "peak.png"
    r = run("render", str(files["rounded_back_lift"]), "--time", "0", "--width", "640", "--height", "400", "-o", str(a))
    assert r.returncode == 0, r.stderr
    assert "t = 0.00 s" in r.stdout
    r = run("render", str(files["rounded_back_lift"]), "--width", "640", "--height", "400", "-o", str(b))
    assert r.returncode == 0, r.stderr
    assert png_size(a) == (640, 400) and png_size(b) == (640, 400)
    assert a.read_bytes() != b.read_bytes()


def test_render_every_view_and_colour(lifts):
    d, files = lifts
    for view, colour in (("sagittal", "fatigue"), ("frontal", "activation"), ("top", "force"), ("oblique", "activation")):
        out = d / f"{view}_{colour}.svg"
        r = run("render", str(files["squat_lift"]), "--view", view, "--color", colour, "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert out.read_text().lstrip().startswith("<?xml")


def test_render_bad_input_is_a_clear_error_and_leaves_no_file(lifts):
    d, files = lifts
    r = run("render", str(d / "nope.h5"), "-o", str(d / "x.png"))
    assert r.returncode == 2 and "nope.h5" in r.stderr
    assert not (d / "x.png").exists()
    r = run("render", str(files["squat_lift"]), "-o", str(d / "x.bmp"))
    assert r.returncode == 2 and "x.bmp" in r.stderr and ".svg, .png or .pdf" in r.stderr
    assert not (d / "x.bmp").exists() and not (d / "x.bmp.partial").exists()
    r = run("render", str(files["squat_lift"]), "--view", "sideways", "-o", str(d / "x.png"))
    assert r.returncode != 0 and "sideways" in r.stderr
    r = run("report", str(files["squat_lift"]), "-o", str(d / "r.pdf"))
    assert r.returncode == 2 and not (d / "r.pdf").exists()


def test_render_frame_by_index(lifts):
    """teachrev F15: `--frame N` draws the file's frame N (as --time at that frame's time); out of range or
    together with --time is an error that leaves no file."""
    d, files = lifts
    with h5py.File(files["rounded_back_lift"], "r") as f:
        t = f["time"][10]
    a, b = d / "f10.png", d / "t10.png"
    r = run("render", str(files["rounded_back_lift"]), "--frame", "10", "--width", "640", "--height", "400", "-o", str(a))
    assert r.returncode == 0, r.stderr
    assert f"t = {t:.2f} s (frame 10)" in r.stdout, r.stdout
    r = run("render", str(files["rounded_back_lift"]), "--time", f"{t}", "--width", "640", "--height", "400", "-o", str(b))
    assert r.returncode == 0, r.stderr
    assert a.read_bytes() == b.read_bytes()
    r = run("render", str(files["rounded_back_lift"]), "--frame", "999999", "-o", str(d / "no.png"))
    assert r.returncode == 2 and "--frame" in r.stderr and "999999" in r.stderr, r.stderr
    assert not (d / "no.png").exists()
    r = run("render", str(files["rounded_back_lift"]), "--frame", "3", "--time", "0.1", "-o", str(d / "no.png"))
    assert r.returncode != 0 and not (d / "no.png").exists()


def test_float32_results_render_alike(lifts):
    """Another writer may store floats or other filters: the reader converts whatever it finds."""
    d, files = lifts
    src, dst = files["squat_lift"], d / "squat_f32.h5"
    with h5py.File(src) as f, h5py.File(dst, "w") as g:
        for k, v in f.attrs.items():
            g.attrs[k] = v
        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                grp = g.require_group(name)
                for k, v in obj.attrs.items():
                    grp.attrs[k] = v
            elif obj.dtype.kind == "f":
                g.create_dataset(name, data=obj[()].astype(np.float32), compression="gzip", chunks=True)
            else:
                g.create_dataset(name, data=obj[()], dtype=obj.dtype)
        f.visititems(copy)
    a, b = d / "f64.png", d / "f32.png"
    assert run("render", str(src), "--time", "2", "-o", str(a)).returncode == 0
    r = run("render", str(dst), "--time", "2", "-o", str(b))
    assert r.returncode == 0, r.stderr
    assert png_size(b) == png_size(a)


def have(program):
    return shutil.which(program) is not None


@pytest.mark.skipif(not (have("ffmpeg") and have("ffprobe")), reason="ffmpeg is not installed (scripts/setup.sh installs it)")
def test_animation_has_the_expected_frame_count(lifts):
    d, files = lifts
    for ext, fps, speed in ((".gif", 5, 1), (".mp4", 12, 2)):
        out = d / f"lift{ext}"
        r = run("render", str(files["rounded_back_lift"]), "--animate", "--fps", str(fps), "--speed", str(speed),
                "--width", "480", "--height", "300", "-o", str(out))
        assert r.returncode == 0, r.stderr
        expected = math.floor(5.5 * fps / speed + 1e-9) + 1  # the run lasts 5.5 s
        assert f"{expected} frames" in r.stdout
        probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                "stream=nb_read_frames,width,height", "-of", "csv=p=0", str(out)],
                               capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip() == f"480,300,{expected}", probe.stdout
        assert not out.with_name(out.name + ".partial").exists()


def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if have(name):
            return shutil.which(name)
    return None


def headless(browser, url, screenshot, workdir, size="1400,4000"):
    """Loads url in headless Chromium, saves a screenshot; returns the console lines it logged."""
    args = [browser, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--enable-logging=stderr", "--v=0", f"--user-data-dir={workdir}",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: anything fetched would fail
            f"--window-size={size}", f"--screenshot={screenshot}", url]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    r = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert os.path.exists(screenshot), r.stderr[-2000:]
    return [line for line in r.stderr.splitlines() if ":CONSOLE" in line]


def test_report_opens_in_headless_chromium(lifts, tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip("no Chromium could be installed on this machine (scripts/setup.sh tries Debian's chromium): "
                    "the browser check of the HTML report is skipped")
    d, files = lifts
    report = d / "report.html"
    r = run("report", str(files["rounded_back_lift"]), str(files["squat_lift"]), "-o", str(report))
    assert r.returncode == 0, r.stderr
    html = report.read_text()
    assert not re.search(r'(src|href)="(?!data:)', html), "the report refers to something outside itself"

    # The console check can fail: a page with an error is caught.
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>")
    assert headless(browser, bad.as_uri(), str(tmp_path / "bad.png"), str(tmp_path / "profile_bad"), "400,300"), \
        "a deliberate console error was not seen: the console check would be blind"

    shot = tmp_path / "report.png"
    console = headless(browser, report.as_uri(), str(shot), str(tmp_path / "profile"))
    assert console == [], console
    from PIL import Image
    im = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int32)
    assert im.shape[:2] == (4000, 1400)
    drawn = (im.sum(axis=2) < 3 * 250).mean()
    colours = len(np.unique(im.reshape(-1, 3) @ np.array([1 << 16, 1 << 8, 1])))
    assert drawn > 0.05, f"screenshot nearly blank: {drawn:.3f} of the pixels drawn"
    assert colours > 500, f"screenshot has only {colours} colours"


def test_help_has_examples():
    for verb in ("render", "report"):
        r = run(verb, "--help")
        assert r.returncode == 0 and "Examples:" in r.stdout


def test_instants_and_sizes_outside_what_can_be_drawn_are_refused(lifts):
    # --time 100 on a 5.5 s run, or NaN, used to draw the last / first frame and exit 0.
    d, files = lifts
    f = str(files["rounded_back_lift"])
    out = d / "refused.png"
    for args, expect in ((["--time", "100"], "--time: 100 s is outside the run"),
                         (["--time", "nan"], "--time: must be a finite time in s, got nan"),
                         (["--time", "-1"], "--time: -1 s is outside the run"),
                         (["--animate", "--end", "60"], "--end: 60 s is outside the run"),
                         (["--color-max", "nan"], "--color-max: must be a finite number"),
                         (["--width", "0"], "--width: Value 0 not in range 200 to 20000")):
        r = run("render", f, *args, "-o", str(out), timeout=60)
        assert r.returncode != 0 and r.stderr.startswith(("error: " + expect, expect)), (args, r.stderr)
        assert not out.exists()


def test_report_group_fatigue_is_the_summarys_lost_strength(lifts, tmp_path):
    """The report's 'fatigued at the end' is the share of the group's strength lost (M_F weighted by
    F0), the summary's end_fatigued_fraction, not a plain mean over fascicles (rounded_back_lift's
    multifidus: 0.0057 weighted, 0.0038 plain at 50 Hz)."""
    d, files = lifts
    report = tmp_path / "one.html"
    r = run("report", str(files["rounded_back_lift"]), "-o", str(report))
    assert r.returncode == 0, r.stderr
    html = report.read_text()
    import paraspine
    f0 = np.array(paraspine.Model.load("full_spine").muscle_max_force)  # the scenario's model, reference subject
    with h5py.File(files["rounded_back_lift"]) as f:
        summary = json.loads(f["summary"].attrs["json"])
        end = f["fatigue/fatigued"][-1]
        group = f["muscles/group"].asstr()[:]
    for g in ("multifidus", "longissimus", "iliocostalis"):
        m = re.search(r"<tr><td>%s</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>" % g, html)
        assert m, g
        i = group == g
        lost = (f0[i] * end[i]).sum() / f0[i].sum()
        assert float(m.group(1)) == pytest.approx(lost, abs=6e-5), g
        sides = summary["groups"][g]  # a symmetric lift: both sides equal the whole group's
        assert sides["left"]["end_fatigued_fraction"] == pytest.approx(lost, rel=1e-6), g
        assert sides["right"]["end_fatigued_fraction"] == pytest.approx(lost, rel=1e-6), g
    i = group == "multifidus"
    assert abs(end[i].mean() - (f0[i] * end[i]).sum() / f0[i].sum()) > 1e-3  # the plain mean would not pass


def test_python_plots_rank_groups_by_the_summarys_lost_strength(lifts):
    """paraspine.plot.fatigue and the compare dashboard's "most fatigued group" show the share of
    the group's strength lost (M_F weighted by F0 of the file's scaled model), the number of the
    summary's end_fatigued_fraction and the report, not the plain mean over fascicles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import paraspine

    d, files = lifts
    with paraspine.load_results(files["rounded_back_lift"]) as res:
        f0 = np.array(paraspine.Model.load("full_spine").muscle_max_force)  # reference subject, as the run
        assert np.allclose(res.muscle_max_force, f0, rtol=1e-12)
        groups = np.array(res.muscle_groups)
        end = res.fatigue_fatigued[-1]
        summary = res.summary["groups"]
        ax = paraspine.plot.fatigue(res, groups=["multifidus", "longissimus"])
        for line, g in zip(ax.get_lines(), ["multifidus", "longissimus"]):
            i = groups == g
            lost = (f0[i] * end[i]).sum() / f0[i].sum()
            assert line.get_ydata()[-1] == pytest.approx(lost, rel=1e-9), g
            assert line.get_ydata()[-1] == pytest.approx(summary[g]["left"]["end_fatigued_fraction"], rel=1e-6), g
        assert "strength lost" in ax.get_ylabel()
        i = groups == "multifidus"
        assert abs(end[i].mean() - (f0[i] * end[i]).sum() / f0[i].sum()) > 1e-3  # the plain mean would not pass
        # The dashboard: the group with the largest end_fatigued_fraction, drawn as its lost strength.
        worst = max(summary, key=lambda g: max(v["end_fatigued_fraction"] for v in summary[g].values()))
        fig = paraspine.plot.compare([res])
        panel = fig.axes[3]
        assert panel.get_title() == f"fatigue of {worst} (most fatigued group, both sides)"
        i = groups == worst
        assert panel.get_lines()[0].get_ydata()[-1] == pytest.approx((f0[i] * end[i]).sum() / f0[i].sum(), rel=1e-9)
        plt.close("all")
