"""Per-level angles (`joints_deg`) end to end: `paraspine run` with `--set` on a joint name with '-',
the angles in the HDF5 file, errors naming file, line and field, and the Python Scenario API."""
import h5py
import numpy as np
import pytest

from cli_helpers import run

# Neutral at 0 s, a head tilt at 1 s held to 2 s; T1-T2 flexes 3° on top of the rhythm's share.
SCENARIO = """\
paraspine_scenario: 1
name: tilt
model: full_spine
output_rate_hz: 2
keyframes:
  - time: 0
  - time: 1
    regions_deg: {cervical: {flexion: 20}, head: {flexion: 10}}
    joints_deg: {T1-T2: {flexion: 3}}
  - time: 2
    regions_deg: {cervical: {flexion: 20}, head: {flexion: 10}}
    joints_deg: {T1-T2: {flexion: 3}}
"""


@pytest.fixture(scope="module")
def angles(tmp_path_factory):
    """Joint angles (deg, frames × joints × 3) with T1-T2's offset at 3° and, by --set, at 0°."""
    d = tmp_path_factory.mktemp("joints_deg")
    path = d / "tilt.yaml"
    path.write_text(SCENARIO)
    out = {}
    for value in ("3", "0"):
        h5 = d / f"tilt_{value}.h5"
        r = run("run", str(path), "--no-fatigue", "-o", str(h5), "--fields", "kinematics",
                "--set", f"keyframes[1].joints_deg.T1-T2.flexion={value}",
                "--set", f"keyframes[2].joints_deg.T1-T2.flexion={value}")
        assert r.returncode == 0, r.stderr
        with h5py.File(h5) as f:
            names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
            out[value] = (np.degrees(f["kinematics/joint_angles"][()]), f["time"][()], names)
            assert "T1-T2: {flexion: " + value + "}" in f.attrs["scenario_text"]
    return out


def test_the_offset_adds_at_its_level_only_and_interpolates(angles):
    with_offset, time, names = angles["3"]
    without, _, _ = angles["0"]
    diff = with_offset - without
    j = names.index("T1-T2")
    # t = 0, 0.5 (halfway from rest to the hold), 1, 1.5, 2 s.
    np.testing.assert_allclose(time, [0, 0.5, 1, 1.5, 2])
    np.testing.assert_allclose(diff[:, j, 0], [0, 1.5, 3, 3, 3], atol=1e-9)
    rest = np.ones(diff.shape, bool)
    rest[:, j, 0] = False
    assert np.abs(diff[rest]).max() < 1e-12
    # The regions' rhythm is unchanged: the neck still flexes its 30° with or without the offset.
    neck = [names.index(n) for n in ("C0-C1", "C1-C2", "C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1")]
    assert with_offset[2, neck, 0].sum() == pytest.approx(30, abs=1e-9)


@pytest.mark.parametrize("joint, field, message", [
    ("T9-T9: {flexion: 3}", "keyframes[1].joints_deg.T9-T9", "unknown joint 'T9-T9'"),
    ("T1-T2: {flexon: 3}", "keyframes[1].joints_deg.T1-T2.flexon", "unknown key 'flexon'"),
    ("T1-T2: {flexion: .nan}", "keyframes[1].joints_deg.T1-T2.flexion", "must be finite"),
    ("T1-T2: {flexion: 40}", "keyframes[1].joints_deg.T1-T2.flexion", "joint T1-T2 flexion would be 40.0°"),
])
def test_mistakes_name_file_line_and_field(tmp_path, joint, field, message):
    path = tmp_path / "bad.yaml"
    path.write_text(SCENARIO.replace("T1-T2: {flexion: 3}", joint, 1))
    out = tmp_path / "bad.h5"
    r = run("run", str(path), "--no-fatigue", "-o", str(out))
    assert r.returncode == 2, r.stderr
    assert f"{path}:9: {field}: " in r.stderr, r.stderr
    assert message in r.stderr
    assert not out.exists()


def test_python_scenarios_take_and_override_joints_deg():
    import yaml

    import paraspine

    s = paraspine.Scenario.from_dict(yaml.safe_load(SCENARIO))
    changed = s.with_overrides({"keyframes[2].joints_deg.T1-T2.flexion": 2.5})
    assert changed.to_dict()["keyframes"][2]["joints_deg"] == {"T1-T2": {"flexion": 2.5}}
    bad = yaml.safe_load(SCENARIO)
    bad["keyframes"][1]["joints_deg"] = {"T1-T2": {"flexion": "three"}}
    with pytest.raises(paraspine.InputError, match=r"keyframes\[1\]\.joints_deg\.T1-T2\.flexion: expected a number"):
        paraspine.Scenario.from_dict(bad)
