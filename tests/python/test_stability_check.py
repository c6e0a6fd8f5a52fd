"""scripts/stability_check.py: the spine stiffness matrix against a case computed by hand (one joint,
one muscle, one mass, one passive law) and the tool's re-computed geometry against the engine."""
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import stability_check as sc  # noqa: E402

REPO = os.path.join(os.path.dirname(__file__), "..", "..")


def one_joint_chain(A, B, com, mass, ce=2.0, be=0.3):
    """A base and a link joined at the origin; the muscle runs from A (base) to B (link)."""
    law = sc.PassiveLaw(sc.PassiveLaw._branch({"ce": ce, "be": be}, True), sc.PassiveLaw._branch({"ce": ce, "be": be}, True))
    eye = np.eye(3)
    return sc.Chain(
        segment_names=["base", "link"], parent=[-1, 0], joint_of_child={1: 0}, joint_names=["J"],
        joint_parent=[0], joint_child=[1], pos_in_parent=np.zeros((1, 3)), rot_in_parent=eye[None],
        pos_in_child=np.zeros((1, 3)), rot_in_child=eye[None], segment_mass=np.array([1.0, mass]),
        segment_com=np.array([[0.0, 0.0, 0.0], com]), passive=[[law, None, None]], muscle_names=["m"],
        muscle_paths=[[(0, np.array(A, float)), (1, np.array(B, float))]])


def test_one_joint_one_muscle_matches_hand_computation():
    A, B, com, mass, F, qc = [-0.05, -0.20, 0.0], [-0.06, 0.30, 0.0], [0.02, 0.40, 0.0], 30.0, 400.0, 10.0
    ce, be = 2.0, 0.3  # N·m/deg, 1/deg
    ch = one_joint_chain(A, B, com, mass, ce, be)
    th = math.radians(4.0)
    q = np.array([th, 0.0, 0.0])
    dofs = [0]

    # By hand. Flexion turns the link about −z: B(θ) = Rz(−θ) B, so B'' = −B in the plane and
    # L² = |A|² + |B|² − 2 A·B(θ)  ⇒  L' = −A·B'/L,  L'' = (A·B(θ) − L'²)/L.
    c, s = math.cos(-th), math.sin(-th)
    Bt = np.array([c * B[0] - s * B[1], s * B[0] + c * B[1], 0.0])
    Bp = np.cross([0.0, 0.0, -1.0], Bt)
    L = np.linalg.norm(Bt - np.array(A))
    dL = -np.dot(A, Bp) / L
    d2L = (np.dot(A, Bt) - dL**2) / L
    # Gravity: V = m g y_com(θ), y'' = −y ⇒ ∂²V/∂θ² = −m g y_com(θ) (a weight above the joint destabilizes)
    com_t = np.array([c * com[0] - s * com[1], s * com[0] + c * com[1], 0.0])
    k_gravity = -mass * sc.G * com_t[1]
    # Passive: M = −ce(e^{be|θ|} − 1) per degree ⇒ −dM/dθ = ce·be·e^{be θ°} · (180/π) per radian
    k_passive = ce * be * math.exp(be * 4.0) * 180.0 / math.pi
    expected = k_passive + qc * F / L * dL**2 + F * d2L + k_gravity

    pose = sc.forward_kinematics(ch, q)
    Ls, G = sc.muscle_lengths_gradients(ch, pose, dofs, ch.descendants())
    H = sc.length_hessians(ch, q, dofs)
    Kp = sc.passive_stiffness(ch, q, dofs)
    Hg = sc.gravity_hessian(ch, q, dofs)
    K = sc.stiffness_matrix([F], Ls, G, H, qc, Kp, Hg)

    assert Ls[0] == pytest.approx(L, rel=1e-12)
    assert G[0, 0] == pytest.approx(dL, rel=1e-10)
    assert H[0, 0, 0] == pytest.approx(d2L, rel=1e-6)
    assert Kp[0, 0] == pytest.approx(k_passive, rel=1e-12)
    assert Hg[0, 0] == pytest.approx(k_gravity, rel=1e-6)
    assert K[0, 0] == pytest.approx(expected, rel=1e-6)
    # the engine's sign conventions: moment arm = −∂L/∂q, net moment τ = ∂V/∂q = m g ∂y/∂θ
    assert sc.gravity_gradient(ch, q, dofs)[0] == pytest.approx(mass * sc.G * np.cross([0, 0, -1.0], com_t)[1], rel=1e-12)
    # and the passive moment opposes the rotation
    assert sc.passive_moments(ch, q)[0] == pytest.approx(-ce * (math.exp(be * 4.0) - 1) * 180 / math.pi / (180 / math.pi), rel=1e-12)


def test_instability_of_an_unbraced_inverted_pendulum_and_the_muscle_force_that_braces_it():
    # No passive law, a 30 kg weight 0.4 m above the joint: λ = −m g h < 0. A muscle's short-range
    # stiffness qc F/L r² must exceed m g h (+ the geometric term) to make it stable.
    A, B, com = [-0.05, -0.20, 0.0], [-0.05, 0.30, 0.0], [0.0, 0.40, 0.0]
    ch = one_joint_chain(A, B, com, 30.0, ce=0.0, be=0.0)
    q, dofs = np.zeros(3), [0]
    pose = sc.forward_kinematics(ch, q)
    L, G = sc.muscle_lengths_gradients(ch, pose, dofs, ch.descendants())
    H = sc.length_hessians(ch, q, dofs)
    Hg = sc.gravity_hessian(ch, q, dofs)
    Kp = sc.passive_stiffness(ch, q, dofs)
    assert Hg[0, 0] == pytest.approx(-30.0 * sc.G * 0.4, rel=1e-6)
    per_newton = 10.0 / L[0] * G[0, 0] ** 2 + H[0, 0, 0]
    F_critical = -Hg[0, 0] / per_newton
    for F, sign in ((0.9 * F_critical, -1), (1.1 * F_critical, 1)):
        K = sc.stiffness_matrix([F], L, G, H, 10.0, Kp, Hg)
        assert np.sign(np.linalg.eigvalsh(K)[0]) == sign


paraspine = pytest.importorskip("paraspine")


@pytest.mark.parametrize("angles", [{}, {"pelvis.flexion": 40, "lumbar.flexion": 30, "thoracic.lateral_bending": 5}])
def test_recomputed_geometry_and_gravity_match_the_engine(angles):
    m = paraspine.Model.load("full_spine")
    ch = sc.Chain.from_yaml(os.path.join(REPO, "models/full_spine.yaml"), m)
    f2 = paraspine.static_frame(m, angles, 5.0, "activation2")
    pel = tuple(math.radians(angles.get(f"pelvis.{a}", 0.0)) for a in ("flexion", "lateral_bending", "axial_rotation"))
    fr = sc.Frame("t", f2["q"], pel, (0, 0, 0), [{"load_kg": 5.0}, {"load_kg": 5.0}], f2["muscle_force"], f2["activation"],
                  f2["fiber_length"], f2["tau"], f2["passive_moment"], f2["abdominal_pressure_moment"], f2["reserve"],
                  f2["disc_force"][:, 0], f2["muscle_length"], f2["moment_arm"], np.asarray(m.muscle_max_force))
    dofs = sc.dof_list(ch, sc.LUMBAR_JOINTS)
    chk = sc.check_against_engine(ch, fr, dofs)
    assert chk["length_max_abs_err_m"] < 1e-9
    assert chk["moment_arm_max_abs_err_m"] < 1e-9
    assert chk["passive_moment_max_abs_err_Nm"] < 1e-9
    assert chk["gravity_vs_net_moment_max_abs_err_Nm"] < 1e-6 * max(1.0, chk["net_moment_max_abs_Nm"])
    assert chk["force_decomposition_max_abs_err_N"] < 1e-6
    # The compression a change of muscle forces makes, against the engine's own second solution.
    f3 = paraspine.static_frame(m, angles, 5.0, "activation3")
    for joint in ("L5-S1", "L4-L5", "L1-L2"):
        j = m.joint_names.index(joint)
        assert sc.compression_change(ch, fr, f3["muscle_force"], joint) == pytest.approx(
            f3["disc_force"][j, 0] - f2["disc_force"][j, 0], abs=1e-6)


def test_length_second_derivatives_match_the_engines_moment_arms():
    m = paraspine.Model.load("full_spine")
    ch = sc.Chain.from_yaml(os.path.join(REPO, "models/full_spine.yaml"), m)
    assert sc.check_hessian_against_engine(paraspine, m, ch, {"lumbar.flexion": 20}, ("lumbar", "flexion")) < 1e-7
    assert sc.check_hessian_against_engine(paraspine, m, ch, {}, ("lumbar", "lateral_bending")) < 1e-7


def test_cutting_planes_find_the_least_cocontraction_that_stabilizes_a_two_muscle_joint():
    # One flexion rotation, a flexor and an extensor, a weight leaning forward. Along the single
    # equilibrium the activations are a line a1(a2); the least Σa² with λ ≥ s and the largest
    # reachable λ are found by scanning that line, and the tool's cuts and LP must agree.
    law = sc.PassiveLaw(sc.PassiveLaw._branch({"ce": 0.2, "be": 0.3}, True), sc.PassiveLaw._branch({"ce": 0.2, "be": 0.3}, True))
    eye = np.eye(3)
    # short fascicles close to the joint: their short-range stiffness outweighs the geometric term
    # (long ones spanning far above and below a joint destabilize it, as a compressive load does)
    paths = [[(0, np.array([0.08, -0.05, 0.0])), (1, np.array([0.08, 0.05, 0.0]))],
             [(0, np.array([-0.05, -0.05, 0.0])), (1, np.array([-0.05, 0.05, 0.0]))]]
    ch = sc.Chain(["base", "link"], [-1, 0], {1: 0}, ["J"], [0], [1], np.zeros((1, 3)), eye[None], np.zeros((1, 3)),
                  eye[None], np.array([1.0, 30.0]), np.array([[0, 0, 0], [0.03, 0.40, 0.0]]), [[law, None, None]],
                  ["flexor", "extensor"], paths, [], np.array([0.1, 0.1]), np.zeros(2), np.full(2, 0.6))
    q, dofs, qc = np.zeros(3), [0], 10.0
    pose = sc.forward_kinematics(ch, q)
    L, G = sc.muscle_lengths_gradients(ch, pose, [0, 1, 2], ch.descendants())
    tau = np.zeros(3)
    tau[0] = sc.gravity_gradient(ch, q, [0])[0]
    fmax = np.array([2000.0, 2000.0])
    fr = sc.Frame("toy", q, (0, 0, 0), (0, 0, 0), None, np.zeros(2), np.zeros(2), np.full(2, 0.1), tau, np.zeros(3),
                  np.zeros(3), np.zeros(3), np.zeros(1), L, -G.T, fmax)
    parts = dict(dofs=dofs, L=L, G=G[:, :1], H=sc.length_hessians(ch, q, dofs), Kp=sc.passive_stiffness(ch, q, dofs),
                 Hg=sc.gravity_hessian(ch, q, dofs))
    fa, _ = sc.force_capacity(ch, fmax, fr.fiber_length)
    # the line of equilibria and λ along it
    R = -G[:, 0]
    a2 = np.linspace(0, 1, 200001)
    a1 = (tau[0] - R[1] * fa[1] * a2) / (R[0] * fa[0])
    ok = (a1 >= 0) & (a1 <= 1)
    per_a = qc * fa / L * G[:, 0] ** 2 + fa * parts["H"][:, 0, 0]
    lam = parts["Kp"][0, 0] + parts["Hg"][0, 0] + per_a[0] * a1 + per_a[1] * a2
    assert lam[ok][np.argmin(a1[ok] ** 2 + a2[ok] ** 2)] < 0  # the least-effort solution is unstable
    s = 20.0
    feasible = ok & (lam >= s)
    i = np.flatnonzero(feasible)[np.argmin((a1 ** 2 + a2 ** 2)[feasible])]
    st = sc.stabilize(ch, fr, parts, qc, s)
    assert st["history"][-1][1] == pytest.approx(s, abs=1e-3)
    assert st["activation"] == pytest.approx([a1[i], a2[i]], abs=2e-5)
    lo, up, _ = sc.max_stability(ch, fr, parts, qc)
    assert lo == pytest.approx(lam[ok].max(), rel=1e-6) and up >= lo - 1e-9


def test_point_on_two_segments_is_the_blend_of_its_components():
    """A via point shared 0.3 by the link (Model::point_blend): the re-computed length is the path
    through the blended point and its gradient equals the length's central difference."""
    ch = one_joint_chain([-0.05, -0.20, 0.0], [-0.06, 0.30, 0.0], [0.02, 0.40, 0.0], 30.0)
    via = np.array([0.10, 0.05, 0.02])
    ch.muscle_paths = [[(0, np.array([-0.05, -0.20, 0.0])), [(0, via, 0.7), (1, via.copy(), 0.3)], (1, np.array([-0.06, 0.30, 0.0]))]]
    desc = ch.descendants()
    q = np.array([0.3, -0.1, 0.2])
    pose = sc.forward_kinematics(ch, q)
    L, G = sc.muscle_lengths_gradients(ch, pose, [0, 1, 2], desc)
    X1 = pose.origin[1] + pose.R[1] @ via
    P = 0.7 * via + 0.3 * X1
    A, B = np.array([-0.05, -0.20, 0.0]), pose.origin[1] + pose.R[1] @ np.array([-0.06, 0.30, 0.0])
    assert L[0] == pytest.approx(np.linalg.norm(P - A) + np.linalg.norm(B - P), rel=1e-12)
    h = 1e-6
    for k in range(3):
        dq = np.zeros(3)
        dq[k] = h
        Lp, _ = sc.muscle_lengths_gradients(ch, sc.forward_kinematics(ch, q + dq), [0], desc)
        Lm, _ = sc.muscle_lengths_gradients(ch, sc.forward_kinematics(ch, q - dq), [0], desc)
        assert G[0, k] == pytest.approx((Lp[0] - Lm[0]) / (2 * h), abs=1e-8)


def _assert_recomputation_matches_engine(path, angles_deg):
    """The script's re-computed musculotendon lengths and moment arms of the model at `path`, in the
    posture `angles_deg`, equal the engine's to 1e-9."""
    import paraspine
    m = paraspine.Model.load(path)
    ch = sc.Chain.from_yaml(path, m)
    f = paraspine.static_frame(m, angles_deg)
    q = np.asarray(f["q"])
    L, G = sc.muscle_lengths_gradients(ch, sc.forward_kinematics(ch, q), list(range(len(q))), ch.descendants())
    assert np.max(np.abs(L - np.asarray(f["muscle_length"]))) < 1e-9
    assert np.max(np.abs(-G.T - np.asarray(f["moment_arm"]))) < 1e-9


def test_points_on_two_segments_with_anchors_match_the_engine(tmp_path):
    """The abdominal-wall what-if (docs/sources/abdominal_wall.md) writes linea-alba points with anchors;
    the re-computed lengths and moment arms equal the engine's in a bent, twisted posture."""
    import subprocess
    subprocess.run([sys.executable, os.path.join(REPO, "models/tools/build_full_spine.py"), "--abdominal-wall", "blended",
                    "--out", str(tmp_path)], check=True, capture_output=True)
    path = str(tmp_path / "full_spine.yaml")
    assert "anchors: [[" in open(path).read()
    _assert_recomputation_matches_engine(path, {"lumbar.flexion": 30.0, "thoracic.axial_rotation": 10.0, "lumbar.lateral_bending": -8.0})


def test_points_on_three_segments_match_the_engine(tmp_path):
    """A point on N segments ({between: [L2, L1, L3], shares: [0.3, 0.2, 0.5]}, docs/model-format.md) in
    the lumbar model's IL_R5: the re-computed lengths and moment arms equal the engine's."""
    text = open(os.path.join(REPO, "models/lumbar.yaml")).read()
    via = "- [L2, -0.060263, 0.0235332, 0.0451909]"
    assert text.count(via) == 1
    text = text.replace(via, "- {between: [L2, L1, L3], shares: [0.3, 0.2, 0.5], at: [-0.060263, 0.0235332, 0.0451909]}")
    path = str(tmp_path / "lumbar3.yaml")
    open(path, "w").write(text)
    _assert_recomputation_matches_engine(path, {"lumbar.flexion": 30.0, "lumbar.axial_rotation": 6.0, "lumbar.lateral_bending": -8.0})
