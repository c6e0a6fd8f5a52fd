"""CLI messages from the session-11 user review: a missing results file is named as missing (F18),
a video asked for without --animate is pointed to it (F19), model info labels its ranges of motion
as in vitro (F20), moments errors name the option and the value (F23), a tab in a YAML file's
indentation is named (F24)."""
import pytest

from cli_helpers import FIXTURE, run


@pytest.mark.parametrize("verb", ["compare", "render", "report"])
def test_missing_results_file_is_said_to_be_missing(tmp_path, verb):
    # Said "cannot open as an HDF5 results file", as for a damaged file.
    missing = tmp_path / "nope.h5"
    out = {"compare": [], "render": ["-o", str(tmp_path / "x.png")], "report": ["-o", str(tmp_path / "x.html")]}[verb]
    r = run(verb, str(missing), *out)
    assert r.returncode == 2, r.stderr
    assert f"{missing}: the file does not exist" in r.stderr, r.stderr
    r = run(verb, str(tmp_path), *out)  # a folder
    assert r.returncode == 2 and "is a directory" in r.stderr, r.stderr


def test_render_to_a_video_without_animate_suggests_it(tmp_path):
    h5 = tmp_path / "lift.h5"
    assert run("run", FIXTURE, "--set", "repetitions=1", "--no-fatigue", "-o", str(h5)).returncode == 0
    for ext in ("mp4", "gif"):
        r = run("render", str(h5), "-o", str(tmp_path / f"x.{ext}"))
        assert r.returncode == 2 and "add --animate" in r.stderr, r.stderr
    r = run("render", str(h5), "-o", str(tmp_path / "x.jpg"))
    assert r.returncode == 2 and "unknown picture format '.jpg'" in r.stderr, r.stderr
    assert list(p.name for p in tmp_path.iterdir()) == ["lift.h5"]


def test_model_info_labels_the_ranges_as_in_vitro():
    r = run("model", "info", "lumbar")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = next(k for k, line in enumerate(lines) if "flexion (deg)" in line)
    assert "in vitro" in lines[header - 1], lines[header - 1]


@pytest.mark.parametrize("spec,expect", [
    ("lumbar.flex=10", "--angle-deg: lumbar.flex=10: unknown axis 'flex' (expected flexion, lateral_bending or axial_rotation)"),
    ("lumbr.flexion=10", "--angle-deg: lumbr.flexion=10: unknown region 'lumbr' (this model has: pelvis"),
    ("lumbar.flexion=nan", "--angle-deg: lumbar.flexion=nan: the angle must be a finite number of degrees"),
])
def test_moments_errors_name_the_option_and_the_value(spec, expect):
    r = run("moments", "lumbar", "--angle-deg", spec)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert r.stderr.startswith("error: " + expect), r.stderr


@pytest.mark.parametrize("overrides", [[], ["--set", "repetitions=1"]])
def test_tab_in_yaml_indentation_is_named(tmp_path, overrides):
    text = open(FIXTURE).read().replace("    regions_deg: {lumbar: {flexion: 30}}", "\tregions_deg: {lumbar: {flexion: 30}}")
    assert "\t" in text
    bad = tmp_path / "tabbed.yaml"
    bad.write_text(text)
    line = text[:text.index("\t")].count("\n") + 1
    r = run("run", str(bad), *overrides)
    assert r.returncode == 2, r.stderr
    assert f"tab character at line {line} col 1: YAML indentation must use spaces" in r.stderr, r.stderr
    assert r.stderr.startswith(f"error: {bad}:{line}: "), r.stderr
