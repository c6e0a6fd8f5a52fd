"""A long phase label is cut to the picture's width with "…" (docs/render.md, "Default instant"):
the title is drawn bold, and measuring it in the regular face let rounded_back_lift's peak
("grasp (the box's weight is now in the hands) → upright, box close a…") run off the right edge of a
1600 × 1000 picture, uncut (session-13 user review)."""
import matplotlib.image

from cli_helpers import run


def test_long_title_stays_inside_the_picture(tmp_path):
    lift, png = tmp_path / "lift.h5", tmp_path / "lift.png"
    assert run("run", "rounded_back_lift", "-o", str(lift)).returncode == 0
    for width, height in ((1600, 1000), (800, 500), (1200, 750)):
        r = run("render", str(lift), "--width", str(width), "--height", str(height), "-o", str(png))
        assert r.returncode == 0, r.stderr
        img = matplotlib.image.imread(str(png))[..., :3]
        fs = max(min(width, height) / 55, 12)
        # The title's line (baseline at 1.9 fs, 1.55 fs high) keeps a margin of one fs on the right.
        band = img[: int(2.4 * fs), width - int(fs) + 1:]
        assert band.min() > 0.99, f"{width} × {height}: the title reaches the right margin"
