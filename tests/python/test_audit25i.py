"""Bad input on the motion files and outputs (audit25i): each case used to crash, write NaN or absurd
loads with exit 0, leave a corrupt or partial file, or name the wrong file in its error."""
import os
import stat
import subprocess

import h5py
import numpy as np
import pytest

from cli_helpers import run
from test_opensim_motion import ik_rows, mot_text, scenario


def csv_motion(folder, times, angles, name="m.csv"):
    path = folder / name
    path.write_text("time,regions_deg.lumbar.flexion\n" + "".join(f"{t!r},{a!r}\n" for t, a in zip(times, angles)))
    return path


def run_and_fake_ffmpeg(tmp_path, body):
    """A short run's results file, and an environment whose ffmpeg is a shell stand-in: `body` runs
    with $last the output file it was given. Returns (results, env, cli)."""
    csv_motion(tmp_path, [round(0.05 * k, 2) for k in range(21)], [1.0 * k for k in range(21)])
    out = tmp_path / "r.h5"
    assert run("run", scenario(tmp_path, "m.csv"), "--no-fatigue", "-o", str(out)).returncode == 0
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ffmpeg").write_text("#!/bin/sh\nfor last; do :; done\n" + body)
    (fake / "ffmpeg").chmod(0o755)
    return out, dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}"), os.environ.get("PARASPINE_CLI", "build/paraspine")


def test_motion_option_on_a_motion_block_without_columns_runs(tmp_path):
    # #1: "error: invalid node; first invalid key: "columns"" (exit 1) for any scenario whose motion
    # block had no columns, the documented `batch walk.yaml --motion ik/*.mot` workflow.
    (tmp_path / "a.mot").write_text(mot_text(ik_rows()))
    (tmp_path / "b.mot").write_text(mot_text(ik_rows(n=51)))
    template = scenario(tmp_path, "a.mot", extra="  lowpass_hz: 6\n  hands: {both: {position: [0.35, 0.05, 0.0], load_kg: 5}}\n")
    out = tmp_path / "b.h5"
    r = run("run", template, "--motion", str(tmp_path / "b.mot"), "--no-fatigue", "-o", str(out))
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        text = f.attrs["scenario_text"]
        text = text.decode() if isinstance(text, bytes) else text
    # The template's other motion settings go with it: its cutoff and the load its hands hold.
    line = next(l for l in text.splitlines() if l.startswith("motion: {"))
    assert "b.mot" in line and "lowpass_hz: 6" in line and "load_kg: 5" in line, line
    # --lowpass-hz still replaces the template's cutoff.
    r = run("run", template, "--motion", str(tmp_path / "b.mot"), "--lowpass-hz", "4", "--no-fatigue", "-o", str(out))
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        text = f.attrs["scenario_text"]
        text = text.decode() if isinstance(text, bytes) else text
    assert "lowpass_hz: 4" in text and "lowpass_hz: 6" not in text.split("motion: {")[-1]


@pytest.mark.parametrize("gap", [1e-9, 1e-6])
def test_a_row_a_sliver_after_another_is_refused(tmp_path, gap):
    # #2: rows 1e-9 s apart wrote NaN into every per-frame field with exit 0; 1e-6 s gave -7.8e11 N.
    times = [round(0.01 * k, 2) for k in range(51)] + []
    times.insert(26, 0.25 + gap)  # a duplicated row that survived rounding
    angles = [min(10.0, 0.4 * k) for k in range(len(times))]
    csv_motion(tmp_path, times, angles)
    yaml = scenario(tmp_path, "m.csv")
    out = tmp_path / "x.h5"
    r = run("run", yaml, "--no-fatigue", "-o", str(out))
    assert r.returncode == 2, r.stdout
    assert "m.csv:28: time: this row is" in r.stderr and "a duplicated or mistimed row" in r.stderr, r.stderr
    assert not list(p for p in tmp_path.iterdir() if p.suffix in (".h5", ".partial"))
    # Evenly sampled rows run, and their loads are finite.
    csv_motion(tmp_path, [round(0.01 * k, 2) for k in range(51)], [0.2 * k for k in range(51)])
    ok = run("run", yaml, "--no-fatigue", "-o", str(out))
    assert ok.returncode == 0, ok.stderr
    with h5py.File(out) as f:
        assert np.isfinite(f["joints/compression"][()]).all()


def test_a_cutoff_below_one_cycle_over_the_trial_is_refused(tmp_path):
    # #9: lowpass_hz 1e-300 filtered the motion to zeros, exit 0.
    csv_motion(tmp_path, [round(0.01 * k, 2) for k in range(101)], [0.2 * k for k in range(101)])
    yaml = scenario(tmp_path, "m.csv", extra="  lowpass_hz: 1e-300\n")
    r = run("run", yaml, "--no-fatigue")
    assert r.returncode == 2 and "s.yaml:6: motion.lowpass_hz: a cutoff of 1e-300 Hz is below one cycle" in r.stderr, r.stderr
    assert run("run", scenario(tmp_path, "m.csv", extra="  lowpass_hz: 1.5\n"), "--no-fatigue").returncode == 0


def test_motion_hands_errors_name_the_scenario_line(tmp_path):
    # #7: "good.mot:9: motion.hands.right.position" named the motion file with the scenario's line.
    (tmp_path / "a.mot").write_text(mot_text(ik_rows()))
    yaml = scenario(tmp_path, "a.mot", extra="  hands: {right: {position: [3, 0.05, 0.18]}}\n")
    r = run("run", yaml, "--no-fatigue")
    assert r.returncode == 2 and "s.yaml:6: motion.hands.right.position: the hand is" in r.stderr, r.stderr
    tall = tmp_path / "t.yaml"
    tall.write_text(open(yaml).read().replace("output_rate_hz: 100\n", "output_rate_hz: 100\nsubject: {height: 1.9}\n"))
    r = run("run", str(tall), "--no-fatigue")
    assert r.returncode == 2 and "the scenario gives positions (line 7)" in r.stderr, r.stderr


def test_a_video_ffmpeg_could_not_finish_is_not_left_in_place(tmp_path, monkeypatch):
    # #3: ffmpeg exits 0 after "Error writing trailer" on a full disk; the truncated video was renamed
    # into place with exit 0. A stand-in ffmpeg that behaves so: reads its input, writes half a file,
    # complains and exits 0.
    out, env, cli = run_and_fake_ffmpeg(tmp_path, 'cat > /dev/null\nprintf GIF89a > "$last"\n'
                                              'echo "Error writing trailer of $last: No space left on device" >&2\nexit 0\n')
    video = tmp_path / "v.gif"
    r = subprocess.run([cli, "render", str(out), "--animate", "-o", str(video), "--width", "400", "--height", "300"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "v.gif: output: cannot write the video (ffmpeg: Error writing trailer" in r.stderr, r.stderr
    assert not video.exists() and not (tmp_path / "v.gif.partial").exists()


def test_no_empty_partial_file_when_the_results_file_cannot_be_created(tmp_path):
    # #4: a full disk at creation left a 0-byte NAME.h5.partial. A tmpfs filled to the brim is the
    # disk; where this machine cannot mount one, the test is skipped.
    full = tmp_path / "full"
    full.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        with open(full / "filler", "wb") as f:
            try:
                f.write(b"\0" * 65536)
            except OSError:
                pass
        csv_motion(tmp_path, [0.0, 0.5, 1.0], [0.0, 5.0, 10.0])
        r = run("run", scenario(tmp_path, "m.csv"), "--no-fatigue", "-o", str(full / "z.h5"))
        assert r.returncode == 2 and "cannot create the results file" in r.stderr, r.stderr
        assert sorted(p.name for p in full.iterdir()) == ["filler"]
    finally:
        subprocess.run(["umount", str(full)], capture_output=True)


def test_one_key_under_two_names_in_a_motion_csv_is_refused(tmp_path):
    # #8: regions_deg.pelvis.flexion beside pelvis_deg.flexion: one was dropped without a word.
    (tmp_path / "m.csv").write_text("time,regions_deg.pelvis.flexion,pelvis_deg.flexion\n0,0,0\n1,20,0\n")
    r = run("run", scenario(tmp_path, "m.csv"), "--no-fatigue")
    assert r.returncode == 2 and "m.csv:1: pelvis_deg.flexion: sets the same key as column 2 (regions_deg.pelvis.flexion)" in r.stderr, r.stderr


def test_a_mot_header_key_given_twice_is_refused(tmp_path):
    # #14: inDegrees=no then inDegrees=yes: the last one won.
    text = mot_text(ik_rows()).replace("inDegrees=yes\n", "inDegrees=no\ninDegrees=yes\n", 1)
    (tmp_path / "a.mot").write_text(text)
    r = run("run", scenario(tmp_path, "a.mot"), "--no-fatigue")
    assert r.returncode == 2 and "a.mot:6: inDegrees: given twice (line 5 gives it too)" in r.stderr, r.stderr


def test_a_second_yaml_document_is_refused(tmp_path):
    # #12: everything after a '---' was dropped without a word (here 1000 repetitions and a typo).
    csv_motion(tmp_path, [0.0, 0.5, 1.0], [0.0, 5.0, 10.0])
    path = tmp_path / "two.yaml"
    path.write_text(open(scenario(tmp_path, "m.csv")).read() + "---\nrepetitions: 1000\nmystery_key: 5\n")
    r = run("run", str(path), "--no-fatigue")
    assert r.returncode == 2 and "two.yaml:7: a second YAML document starts here" in r.stderr, r.stderr


def test_batch_names_the_scenario_a_set_does_not_fit_and_refuses_two_motion_files(tmp_path):
    # #10: with several scenarios, "the scenario has no ..." did not say which.
    csv_motion(tmp_path, [0.0, 0.5, 1.0], [0.0, 5.0, 10.0])
    yaml = scenario(tmp_path, "m.csv")
    r = run("batch", "squat_lift", yaml, "--no-fatigue", "--set", "keyframes[4].time=5")
    assert r.returncode == 2 and f"--set: keyframes[4].time: in {yaml}: the scenario has no 'keyframes' here" in r.stderr, r.stderr
    # #13: --set motion.file beside --motion ran one file under every name.
    r = run("batch", yaml, "--motion", str(tmp_path / "m.csv"), "--set", f"motion.file={tmp_path / 'm.csv'}", "--no-fatigue")
    assert r.returncode == 2 and "--set: motion.file: also given by --motion" in r.stderr, r.stderr
    r = run("run", yaml, "--motion", str(tmp_path / "m.csv"), "--set", f"motion.file={tmp_path / 'm.csv'}", "--no-fatigue")
    assert r.returncode == 2 and "--set: motion.file: also given by --motion" in r.stderr, r.stderr


def test_range_errors_print_the_value_given_and_arms_are_checked_against_the_body(tmp_path):
    # #16: 4.9999999 was printed "got 5" beside "between 5 and 95".
    r = run("run", "squat_lift", "--subject", "percentile=4.9999999,sex=male", "--no-fatigue")
    assert r.returncode == 2 and "got 4.9999999" in r.stderr, r.stderr
    # #17: an arm ten times too long (6.187 m) loaded and reached every grip.
    model = open(os.path.join(os.path.dirname(__file__), "..", "..", "models", "lumbar.yaml")).read()
    assert "length: 0.6187" in model
    bad = tmp_path / "arm.yaml"
    bad.write_text(model.replace("length: 0.6187", "length: 6.187", 1))
    r = run("run", "squat_lift", "--model", str(bad), "--no-fatigue")
    assert r.returncode == 2 and ".length: 6.187 m is 3.61 of the reference height" in r.stderr, r.stderr


# review25: the other side of the new checks -------------------------------------------------------

def test_a_talkative_ffmpeg_neither_hangs_the_render_nor_leaves_a_video(tmp_path):
    # ffmpeg's messages are read back while frames are written: one that says more than a pipe holds
    # (64 KiB) hung the render when they were read only between frames and after it exited.
    out, env, cli = run_and_fake_ffmpeg(tmp_path, 'head -c 200000 /dev/zero | tr "\\0" x >&2\n'
                                              'cat > /dev/null\nprintf GIF89a > "$last"\nexit 0\n')
    r = subprocess.run([cli, "render", str(out), "--animate", "-o", str(tmp_path / "v.gif"), "--width", "400", "--height", "300"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "cannot write the video (ffmpeg: xxx" in r.stderr, r.stderr[:300]
    assert not (tmp_path / "v.gif").exists() and not (tmp_path / "v.gif.partial").exists()


@pytest.mark.parametrize("text", [
    "\ufeff# a comment\n---\n{body}",                      # a byte order mark, then the document marker
    "{body}...\n# the end\n",                               # an end marker and a comment after it
    "---\n{body}description: |\n  a line\n  ---\n  more\n",  # '---' inside an indented block scalar
    "{body}".replace("\n", "\r\n"),                         # CRLF
])
def test_files_with_document_markers_that_are_one_document_still_run(tmp_path, text):
    csv_motion(tmp_path, [0.0, 0.5, 1.0], [0.0, 5.0, 10.0])
    body = "paraspine_scenario: 1\nname: s\noutput_rate_hz: 10\nmotion:\n  file: m.csv\n"
    path = tmp_path / "one.yaml"
    path.write_bytes(text.replace("{body}", body).encode("utf-8"))
    r = run("run", str(path), "--no-fatigue", "--brief")
    assert r.returncode == 0, r.stderr


def test_sparse_keyframe_like_rows_are_motion(tmp_path):
    # The first rule (1 % of the usual step) refused rows 0, 0.015, 2, 4 s, which YAML keyframes accept.
    csv_motion(tmp_path, [0.0, 0.015, 2.0, 4.0], [0.0, 0.5, 20.0, 0.0])
    r = run("run", scenario(tmp_path, "m.csv"), "--no-fatigue", "--brief")
    assert r.returncode == 0, r.stderr


def test_motion_option_keeps_the_template_hands_at_their_line_and_ignores_its_missing_file(tmp_path):
    # Under --motion the template's motion.hands errors named a line past the end of its file, and the
    # template's own motion file had to exist although --motion replaces it.
    (tmp_path / "b.mot").write_text(mot_text(ik_rows(n=51)))
    template = scenario(tmp_path, "not_there.mot", extra="  hands: {right: {position: [3, 0.05, 0.18]}}\n")
    r = run("run", template, "--motion", str(tmp_path / "b.mot"), "--no-fatigue")
    assert r.returncode == 2 and "s.yaml:4: motion.hands.right.position: the hand is" in r.stderr, r.stderr
    ok = scenario(tmp_path, "not_there.mot", extra="  hands: {both: {position: [0.35, 0.05, 0.0], load_kg: 5}}\n")
    r = run("run", ok, "--motion", str(tmp_path / "b.mot"), "--no-fatigue", "--brief")
    assert r.returncode == 0, r.stderr
    r = run("batch", ok, "--motion", str(tmp_path / "b.mot"), "--no-fatigue")
    assert r.returncode == 0, r.stderr


def test_model_and_cases_files_are_one_document_too(tmp_path):
    # #12 for the other YAML inputs (review25 T2): a model that opens with a byte order mark, a comment
    # and '---' loads; one with a second document is refused at its line, as is a cases file.
    model = open(os.path.join(os.path.dirname(__file__), "..", "..", "models", "lumbar.yaml"), encoding="utf-8").read()
    ok = tmp_path / "ok.yaml"
    ok.write_text("\ufeff# my copy\n---\n" + model, encoding="utf-8")
    assert run("model", "info", str(ok)).returncode == 0
    two = tmp_path / "two.yaml"
    two.write_text(model + "---\nsegments: nonsense\n", encoding="utf-8")
    r = run("model", "info", str(two))
    assert r.returncode == 2 and "a second YAML document starts here" in r.stderr, r.stderr
    cases = tmp_path / "cases.yaml"
    cases.write_text("paraspine_validation: 1\n---\ncases: []\n")
    r = run("validate", "--cases", str(cases))
    assert r.returncode == 2 and "cases.yaml:3: a second YAML document starts here" in r.stderr, r.stderr
