"""Session 22: what the acceptance audits of session 21/22 asked of the Python API."""
import numpy as np
import pickle

import pytest

import paraspine


def test_an_output_that_cannot_be_written_is_an_oserror_and_still_an_inputerror(tmp_path):
    # audit21b: a full disk raised InputError (a ValueError) from simulate, while Results.to_hdf5
    # raised h5py's OSError; `except OSError` around a run missed it. Errors naming the output are
    # now OutputError: both an InputError (file, line, field) and an OSError.
    out = tmp_path / "no_such_folder" / "run.h5"
    with pytest.raises(OSError) as info:
        paraspine.simulate(None, "squat_lift", output=str(out))
    e = info.value
    assert isinstance(e, paraspine.OutputError) and isinstance(e, paraspine.InputError) and isinstance(e, ValueError)
    assert e.field == "output" and e.file == str(out) and "no_such_folder" in str(e)
    assert not out.parent.exists()
    # It pickles as itself (a worker process sends it back to the parent), parts included.
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is paraspine.OutputError and str(back) == str(e) and back.field == "output"
    # An error in the input is not an OSError.
    with pytest.raises(paraspine.InputError) as info:
        paraspine.simulate(None, "squat_lift", overrides={"subject.mass": -3})
    assert not isinstance(info.value, OSError)


def test_fascicles_are_chosen_by_subdivision_as_well_as_group():
    # audit22a: a neck study needs semispinalis capitis or cervical multifidus alone; muscles() took
    # groups, sides and names only (TypeError for subdivision=).
    r = paraspine.simulate(None, "squat_lift", fatigue=False, progress=False, overrides={"repetitions": 1})
    subs = r.muscle_subdivisions
    cap = r.muscles("semispinalis", subdivision="capitis")
    assert len(cap.names) > 0
    for n in cap.names:
        i = r.muscle_names.index(n)
        assert r.muscle_groups[i] == "semispinalis" and subs[i] == "capitis"
    both = r.muscles("semispinalis", subdivision=["capitis", "cervicis"], side="right")
    assert set(both.names) < set(r.muscles("semispinalis").names)
    assert all(subs[r.muscle_names.index(n)] in ("capitis", "cervicis") and n.endswith("_r") for n in both.names)
    with pytest.raises(KeyError, match="unknown subdivision 'capitus'.*capitis"):
        r.muscles("semispinalis", subdivision="capitus")


def test_one_level_angle_can_be_set_in_static_frame_and_moments():
    # audit22b: a run's per-level (joints_deg) posture could not be rebuilt posture by posture, since
    # static_frame and `moments --angle-deg` took regions only ("unknown region 'L4-L5'").
    import numpy as np
    from cli_helpers import run
    m = paraspine.Model.load("full_spine")
    j = list(m.joint_names).index("L4-L5")
    base = paraspine.static_frame(m, {"lumbar.flexion": 10})
    more = paraspine.static_frame(m, {"lumbar.flexion": 10, "L4-L5.flexion": 3})
    dq = np.degrees(more["q"] - base["q"])
    assert abs(dq[3 * j] - 3) < 1e-9 and np.abs(np.delete(dq, 3 * j)).max() < 1e-9
    # the same posture as a scenario's joints_deg: moments and the level's net moment agree
    sc = paraspine.Scenario.from_dict({"name": "lvl", "model": "full_spine", "keyframes": [
        {"time": t, "regions_deg": {"lumbar": {"flexion": 10}}, "joints_deg": {"L4-L5": {"flexion": 3}}} for t in (0, 1)]})
    res = paraspine.simulate(None, sc, fatigue=False, progress=False)
    assert np.allclose(res.joint_angles[0].reshape(-1), more["q"], atol=1e-12)
    with pytest.raises(ValueError, match="or a joint such as"):
        paraspine.static_frame(m, {"L4-L9.flexion": 3})
    r = run("moments", "full_spine", "--angle-deg", "L4-L5.flexion=3", "--json")
    assert r.returncode == 0, r.stderr
    r = run("moments", "full_spine", "--angle-deg", "L4-L9.flexion=3")
    assert r.returncode == 2 and "or a joint such as" in r.stderr


def test_muscle_geometry_over_a_run_matches_static_frame_and_finite_differences():
    # audit22b #3: no MuscleAnalysis counterpart; moment arms over a run from its joint angles.
    import numpy as np
    m = paraspine.Model.load("full_spine")
    res = paraspine.simulate(None, "squat_lift", fatigue=False, progress=False, overrides={"repetitions": 1})
    q = res.joint_angles.reshape(len(res.time), -1)[::40]
    g = paraspine.muscle_geometry(m, q)
    T, M = q.shape[0], m.nmuscle
    assert g["muscle_length"].shape == (T, M) and g["moment_arm"].shape == (T, m.ndof, M)
    # the run's own fibre lengths, frame by frame
    assert np.allclose(g["fiber_length"], res.fiber_length[::40], rtol=0, atol=1e-9)
    # the same as static_frame at one posture
    f = paraspine.static_frame(m, {"lumbar.flexion": 20, "thoracic.axial_rotation": 5})
    one = paraspine.muscle_geometry(m, f["q"])
    assert np.allclose(one["moment_arm"], f["moment_arm"], atol=1e-12)
    assert np.allclose(one["muscle_length"], f["muscle_length"], atol=1e-12)
    # −∂length/∂q by central differences, for L4-L5 flexion, past the joint's range (no range check)
    k = 3 * list(m.joint_names).index("L4-L5")
    q0 = f["q"].copy()
    q0[k] = np.radians(25)  # beyond L4-L5's in vitro flexion range
    h = 1e-6
    qp, qm = q0.copy(), q0.copy()
    qp[k] += h
    qm[k] -= h
    sub = paraspine.muscle_geometry(m, np.stack([qp, qm, q0]), dofs=[k])
    fd = -(sub["muscle_length"][0] - sub["muscle_length"][1]) / (2 * h)
    assert sub["moment_arm"].shape == (3, 1, M) and sub["dofs"] == [k]
    assert np.allclose(fd, sub["moment_arm"][2, 0], atol=1e-7)
    with pytest.raises(ValueError, match="ndof"):
        paraspine.muscle_geometry(m, np.zeros(5))
    with pytest.raises(ValueError, match="not a dof"):
        paraspine.muscle_geometry(m, q0, dofs=[m.ndof])


def test_muscle_geometry_points_say_where_everything_is():
    # audit22b: joint frames and path points were not exposed. The straight pieces between a
    # fascicle's points add up to its length; the frame's centres and origins are static_frame's.
    m = paraspine.Model.load("full_spine")
    f = paraspine.static_frame(m, {"lumbar.flexion": 30, "thoracic.axial_rotation": 10})
    g = paraspine.muscle_geometry(m, f["q"], points=True)
    assert len(g["path_points"]) == len(m.muscle_names)
    lengths = np.array([np.linalg.norm(np.diff(p, axis=0), axis=1).sum() for p in g["path_points"]])
    assert np.abs(lengths - g["muscle_length"]).max() < 1e-12
    assert np.abs(g["joint_center"] - f["joint_center"]).max() < 1e-12
    assert np.abs(g["segment_origin"] - f["segment_origin"]).max() < 1e-12
    for R in g["segment_rotation"]:
        assert np.abs(R.T @ R - np.eye(3)).max() < 1e-12 and np.linalg.det(R) > 0
    # Two postures at once: a leading T, each row the one-posture answer.
    q2 = np.stack([np.zeros(m.ndof), f["q"]])
    g2 = paraspine.muscle_geometry(m, q2, points=True)
    assert g2["path_points"][5].shape == (2,) + g["path_points"][5].shape
    assert np.array_equal(g2["path_points"][5][1], g["path_points"][5])
    assert np.array_equal(g2["joint_frame"][1], g["joint_frame"])
    # Upright at neutral: the pelvis at the origin with the world's axes.
    n0 = paraspine.muscle_geometry(m, np.zeros(m.ndof), points=True)
    assert np.array_equal(n0["segment_origin"][0], np.zeros(3)) and np.allclose(n0["segment_rotation"][0], np.eye(3))
    assert "path_points" not in paraspine.muscle_geometry(m, np.zeros(m.ndof))


def test_disc_frame_is_the_frame_loads_are_read_in():
    # audit24p #1: joint_frame was documented as the disc frame, but it is the joint's frame on the
    # body below and does not turn with the joint; loads are read in the frame turned by half the
    # joint's rotation (and by the disc's tilt in the neck). Flex L5-S1 alone by 8°.
    m = paraspine.Model.load("full_spine")
    j = m.joint_names.index("L5-S1")
    q = np.zeros(m.ndof)
    g0 = paraspine.muscle_geometry(m, q, points=True)
    q[3 * j] = np.radians(8)
    g = paraspine.muscle_geometry(m, q, points=True)

    def angle(a, b):
        return np.degrees(np.arccos(np.clip(a @ b, -1, 1)))

    assert angle(g["joint_frame"][j][:, 1], g0["joint_frame"][j][:, 1]) < 1e-9
    assert abs(angle(g["disc_frame"][j][:, 1], g0["disc_frame"][j][:, 1]) - 4.0) < 1e-6
    assert np.allclose(g0["disc_frame"][j], g0["joint_frame"][j], atol=1e-12)  # lumbar: no tilt
    c = m.joint_names.index("C4-C5")
    assert angle(g0["disc_frame"][c][:, 1], g0["joint_frame"][c][:, 1]) > 1.0  # the neck's disc tilt
    for R in g["disc_frame"]:
        assert np.abs(R.T @ R - np.eye(3)).max() < 1e-12 and np.linalg.det(R) > 0
