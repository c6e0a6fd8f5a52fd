"""`paraspine render --joint-forces` as a user meets it (docs/render.md, "Joint loads"): the arrows
are opt-in, so a picture without the option is the same file as before; with it the violet shear
arrows appear; a file written without the shears says so and draws none; animations take it too."""
import shutil

import matplotlib.image
import numpy as np
import pytest

from cli_helpers import run


def violet(png):
    img = matplotlib.image.imread(str(png))[..., :3] * 255
    return int((np.abs(img - np.array([128, 38, 204])).max(axis=2) < 20).sum())


def test_joint_force_arrows_are_opt_in(tmp_path):
    lift = tmp_path / "lift.h5"
    assert run("run", "rounded_back_lift", "--set", "output_rate_hz=10", "-o", str(lift)).returncode == 0
    plain, again, loads = tmp_path / "plain.png", tmp_path / "again.png", tmp_path / "loads.png"
    assert run("render", str(lift), "-o", str(plain)).returncode == 0
    assert run("render", str(lift), "-o", str(again)).returncode == 0
    r = run("render", str(lift), "--joint-forces", "-o", str(loads))
    assert r.returncode == 0 and "note:" not in r.stderr, r.stderr
    assert plain.read_bytes() == again.read_bytes()
    assert violet(plain) == 0
    assert violet(loads) > 30, "the lift's shear arrows"
    # Without the shears (--fields): no arrows, and a note that says why.
    sub = tmp_path / "sub.h5"
    assert run("run", "rounded_back_lift", "--set", "output_rate_hz=10", "-o", str(sub),
               "--fields", "kinematics,joints/compression,muscles/activation").returncode == 0
    r = run("render", str(sub), "--joint-forces", "-o", str(tmp_path / "sub.png"))
    assert r.returncode == 0, r.stderr
    assert any("shear" in line and "no joint-load arrows" in line for line in r.stderr.splitlines()), r.stderr
    assert violet(tmp_path / "sub.png") == 0


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_animations_take_the_option(tmp_path):
    lift = tmp_path / "lift.h5"
    assert run("run", "rounded_back_lift", "--set", "output_rate_hz=5", "-o", str(lift)).returncode == 0
    r = run("render", str(lift), "--joint-forces", "--animate", "--fps", "2", "--width", "400", "--height", "250",
            "-o", str(tmp_path / "lift.gif"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "lift.gif").stat().st_size > 1000


def test_the_report_takes_the_option(tmp_path):
    lift = tmp_path / "lift.h5"
    assert run("run", "rounded_back_lift", "--set", "output_rate_hz=5", "-o", str(lift)).returncode == 0
    plain, loads = tmp_path / "plain.html", tmp_path / "loads.html"
    assert run("report", str(lift), "-o", str(plain)).returncode == 0
    r = run("report", str(lift), "--joint-forces", "-o", str(loads))
    assert r.returncode == 0 and "note:" not in r.stderr, r.stderr
    assert "Arrows at the discs" in loads.read_text() and "Arrows at the discs" not in plain.read_text()
