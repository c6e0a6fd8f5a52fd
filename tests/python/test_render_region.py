"""`paraspine render --region` and `report --region` as a user meets them (docs/render.md, "Regions"):
a picture of the neck is cropped to C7-T1 … the head (the command says how many metres it shows), an
unknown region is an error that lists the valid ones and leaves no file, animations and reports take
the option. The camera and the bones inside the frame are checked in tests/cpp/test_render.cpp."""
import re
import shutil

import pytest

import os

from cli_helpers import run

# forward_head_posture's 0° and 60° angles (its keyframes), 0 → 60° in 2 s and held 1 s, at 5 Hz.
NECK = os.path.join(os.path.dirname(__file__), "..", "data", "neck_flexion.yaml")


@pytest.fixture(scope="module")
def neck(tmp_path_factory):
    d = tmp_path_factory.mktemp("region")
    h5 = d / "neck.h5"
    r = run("run", NECK, "-o", str(h5))
    assert r.returncode == 0, r.stderr
    return d, h5


def test_a_neck_picture_is_cropped_to_the_neck(neck):
    d, h5 = neck
    whole, cropped = d / "whole.svg", d / "neck.svg"
    assert run("render", str(h5), "--time", "3", "-o", str(whole)).returncode == 0
    r = run("render", str(h5), "--time", "3", "--region", "neck", "--joint-forces", "-o", str(cropped))
    assert r.returncode == 0 and "note:" not in r.stderr, r.stderr
    m = re.search(r"\(neck region, ([0-9.]+) × ([0-9.]+) m\)", r.stdout)
    assert m, r.stdout
    assert float(m.group(2)) < 0.6, "a picture of the neck, not of the body (about 1.9 m tall)"
    # What lies wholly outside the frame (the pelvis, the lumbar and leg-ward muscle paths) is not written.
    assert cropped.stat().st_size < 0.8 * whole.stat().st_size
    # --region whole is the picture without the option, byte for byte.
    again = d / "whole_again.svg"
    assert run("render", str(h5), "--time", "3", "--region", "whole", "-o", str(again)).returncode == 0
    assert again.read_bytes() == whole.read_bytes()


def test_an_unknown_region_is_a_clear_error_and_leaves_no_file(neck):
    d, h5 = neck
    out = d / "bad.png"
    r = run("render", str(h5), "--region", "cervix", "-o", str(out))
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "--region" in r.stderr and "cervix" in r.stderr and "whole, lumbar, thoracic, neck" in r.stderr, r.stderr
    assert not out.exists() and not (d / "bad.png.partial").exists()
    report = d / "bad.html"
    r = run("report", str(h5), "--region", "cervix", "-o", str(report))
    assert r.returncode == 2 and "whole, lumbar, thoracic, neck" in r.stderr, r.stderr
    assert not report.exists()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_an_animation_takes_the_region(neck):
    d, h5 = neck
    out = d / "neck.gif"
    r = run("render", str(h5), "--region", "neck", "--joint-forces", "--animate", "--fps", "5",
            "--width", "400", "--height", "250", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "16 frames" in r.stdout, r.stdout
    assert out.stat().st_size > 1000


def test_the_report_takes_the_region(neck):
    d, h5 = neck
    out = d / "neck.html"
    r = run("report", str(h5), "--region", "neck", "--joints", "cervical", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "Every picture frames the neck" in out.read_text()
