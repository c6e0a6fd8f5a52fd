"""`run --picture` (audit25t D4: one command from a scenario to a slide): the picture `render` draws
by default, with or without a results file, refused before the work when it cannot be written."""
import os
import subprocess

from cli_helpers import CLI, run


def test_the_picture_is_renders_default_and_no_temporary_results_are_left(tmp_path):
    pic, h5, rendered = tmp_path / "lift.png", tmp_path / "lift.h5", tmp_path / "rendered.png"
    r = run("run", "squat_lift", "--no-fatigue", "-o", str(h5), "--picture", str(pic))
    assert r.returncode == 0, r.stderr
    flowing = " ".join(r.stdout.split())  # the line is wrapped
    assert f"picture: {pic}: t = " in flowing and "(the peak compression, frame " in flowing, r.stdout
    assert run("render", str(h5), "-o", str(rendered)).returncode == 0
    assert pic.read_bytes() == rendered.read_bytes()  # the same drawing as render's defaults
    # Without -o: the same picture; the results went to a temporary file in TMPDIR (a folder of this
    # test's own, so no other job's files count), removed afterwards.
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    alone = tmp_path / "alone.png"
    r = subprocess.run([CLI, "run", "squat_lift", "--no-fatigue", "--picture", str(alone)], capture_output=True, text=True,
                       env={**os.environ, "TMPDIR": str(scratch)})
    assert r.returncode == 0, r.stderr
    assert alone.read_bytes() == rendered.read_bytes()
    assert "results:" not in r.stdout
    assert not list(scratch.iterdir())
    # A TMPDIR that is not there: a clear error before the run, not a raw filesystem error.
    r = subprocess.run([CLI, "run", "squat_lift", "--no-fatigue", "--picture", str(alone)], capture_output=True, text=True,
                       env={**os.environ, "TMPDIR": str(tmp_path / "missing")})
    assert r.returncode == 2 and "--picture" in r.stderr and "TMPDIR" in r.stderr, r.stderr
    # --json: stdout stays one JSON object; the picture line goes to stderr.
    svg = tmp_path / "lift.svg"
    r = run("run", "squat_lift", "--no-fatigue", "--json", "--picture", str(svg))
    assert r.returncode == 0 and r.stdout.lstrip().startswith("{") and f"picture {svg}:" in r.stderr
    assert svg.read_text().lstrip().startswith("<?xml")


def test_a_picture_that_cannot_be_written_is_refused_before_the_run(tmp_path):
    h5 = tmp_path / "r.h5"
    for picture, says in ((tmp_path / "v.mp4", "draws one still picture"), (tmp_path / "v.h5", "unknown picture format"),
                          (tmp_path / "no" / "p.png", "does not exist"), (tmp_path / "r.png", "is also the results file")):
        out = picture if picture.suffix == ".png" and picture.parent == tmp_path else h5
        r = run("run", "squat_lift", "--no-fatigue", "-o", str(out), "--picture", str(picture))
        assert r.returncode == 2 and says in r.stderr, (picture, r.stderr)
        assert "frames" not in r.stdout  # no run
        assert not h5.exists() and not picture.exists()
        assert "--animate" not in r.stderr or "render" in r.stderr  # run has no --animate


def test_a_picture_that_fails_after_the_run_keeps_the_summary(tmp_path):
    # review26 #11: a drawing error after a long run lost its printed summary. A directory where the
    # picture's temporary file goes makes the drawing fail after the run.
    h5, pic = tmp_path / "r.h5", tmp_path / "p.png"
    (tmp_path / "p.png.partial").mkdir()
    r = run("run", "squat_lift", "--no-fatigue", "-o", str(h5), "--picture", str(pic))
    assert r.returncode == 2, r.stderr
    assert "L5-S1" in r.stdout and f"results: {h5}" in r.stdout  # the summary was printed
    assert "cannot write the picture" in r.stderr and f"the results are in {h5}" in r.stderr
    assert h5.exists() and not pic.exists()
