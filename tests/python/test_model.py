"""The Python module: loading, model summary, a static frame, and errors as exceptions."""
import json
import subprocess

import numpy as np
import pytest

import paraspine
from cli_helpers import CLI

MINI = None


def test_load_default_model():
    m = paraspine.Model.load("lumbar")
    assert m.nsegment == len(m.segment_names)
    assert m.ndof == 3 * m.njoint
    assert len(m.muscle_names) == m.nmuscle == len(m.muscle_groups) == len(m.muscle_sides)
    info = m.info()
    assert info["muscles"] == m.nmuscle
    assert set(info["groups"]) >= {"iliocostalis", "longissimus", "multifidus"}


def test_info_matches_cli_json():
    out = subprocess.run([CLI, "model", "info", "lumbar", "--json"], check=True,
                         capture_output=True, text=True).stdout
    assert json.loads(out)["groups"] == paraspine.Model.load("lumbar").info()["groups"]


def test_static_frame_shapes_and_symmetry():
    m = paraspine.Model.load("lumbar")
    f = paraspine.static_frame(m, {"lumbar.flexion": 30.0, "pelvis.flexion": 20.0}, load_kg=5.0)
    assert f["tau"].shape == (m.ndof,)
    assert f["moment_arm"].shape == (m.ndof, m.nmuscle)
    assert f["joint_force"].shape == (m.njoint, 3)
    # A symmetric posture and load: no lateral bending or axial rotation moment anywhere.
    tau = f["tau"].reshape(m.njoint, 3)
    assert np.all(np.abs(tau[:, 1:]) < 1e-9 * np.abs(tau[:, 0]).max())
    # Flexed forward with a load: the extensors must work at every level (negative flexion moment).
    assert np.all(tau[:, 0] < 0)


def test_static_frame_bad_input():
    m = paraspine.Model.load("lumbar")
    with pytest.raises(ValueError, match="unknown region 'neck'"):
        paraspine.static_frame(m, {"neck.flexion": 10.0})
    with pytest.raises(ValueError, match="load_kg"):
        paraspine.static_frame(m, {}, load_kg=float("nan"))
    # A tonne per hand used to be accepted; the scenario format's 0-60 kg per hand applies.
    with pytest.raises(ValueError, match="load_kg must be between 0 and 60 kg per hand"):
        paraspine.static_frame(m, {}, load_kg=1000)


def test_model_file_error_is_input_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("paraspine_model: 1\nname: x\nreference_subject: {body_mass: -1, height: 1.7, source: s}\n")
    with pytest.raises(paraspine.InputError, match=r"bad.yaml:3: reference_subject.body_mass: must be positive"):
        paraspine.Model.load(str(bad))


def test_subject_scaling():
    m = paraspine.Model.load("lumbar")
    s = m.scaled(paraspine.Subject(mass=2 * m.info()["reference_subject"]["body_mass_kg"]))
    assert s.total_mass == pytest.approx(2 * m.total_mass, rel=1e-12)


def _first_difference(generated: str, bundled: str, name: str, command: str) -> str:
    """What a hand-editor of a bundled model needs to read when it drifts from its generator."""
    a, b = generated.splitlines(), bundled.splitlines()
    n = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    muscle = next((line.split("name:", 1)[1].strip() for line in reversed(b[:n + 1]) if line.lstrip().startswith("- name:")), None)
    return (f"models/{name} differs from its generator's output at line {n + 1}"
            + (f" (in muscle {muscle})" if muscle else "") + f":\n  models/{name}: {b[n] if n < len(b) else '<end>'}\n"
            f"  generator:  {a[n] if n < len(a) else '<end>'}\n"
            f"The bundled models are generated: edit the generator and run `{command}` (docs/model.md, "
            "\"What the model contains\"). For a model of your own, copy the file outside models/ and use it with "
            "--model FILE or a scenario's model: key (docs/model-format.md, \"A model of your own\").")


def test_bundled_model_is_what_its_generator_writes(tmp_path):
    """models/lumbar.yaml is generated from the source transcription; the two must not drift."""
    import sys
    out = tmp_path / "lumbar.yaml"
    subprocess.run([sys.executable, "models/tools/build_lumbar.py", "--out", str(out)], check=True,
                   capture_output=True)
    generated, bundled = out.read_text(), open("models/lumbar.yaml").read()
    assert generated == bundled, _first_difference(generated, bundled, "lumbar.yaml",
                                                   "/usr/bin/python3 models/tools/build_lumbar.py")


def test_full_spine_models_are_what_their_generator_writes(tmp_path):
    """full_spine.yaml and paraspinal_only.yaml are generated from the source transcriptions."""
    import sys
    subprocess.run([sys.executable, "models/tools/build_full_spine.py", "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("full_spine.yaml", "paraspinal_only.yaml"):
        generated, bundled = (tmp_path / name).read_text(), open("models/" + name).read()
        assert generated == bundled, _first_difference(generated, bundled, name,
                                                       "/usr/bin/python3 models/tools/build_full_spine.py")


def test_a_hand_edit_of_a_bundled_model_is_told_what_to_do():
    """The drift message names the line, the muscle and the command (audit20b: it was a bare diff)."""
    bundled = open("models/lumbar.yaml").read()
    edited = bundled.replace("max_isometric_force: 426.320265", "max_isometric_force: 500", 1)
    assert edited != bundled
    msg = _first_difference(bundled, edited, "lumbar.yaml", "/usr/bin/python3 models/tools/build_lumbar.py")
    line = 1 + bundled[:bundled.index("max_isometric_force: 426.320265")].count("\n")
    assert f"at line {line} (in muscle IL_L2)" in msg and "models/tools/build_lumbar.py" in msg, msg


def _build_what_if(tmp_path, *option):
    """build_full_spine.py with a what-if `option`: refused without --out (it must not overwrite
    models/), then built into tmp_path; the full_spine.yaml text."""
    import sys
    builder = [sys.executable, "models/tools/build_full_spine.py", *option]
    bad = subprocess.run(builder, capture_output=True, text=True)
    assert bad.returncode != 0 and "what-if" in bad.stderr
    subprocess.run(builder + ["--out", str(tmp_path)], check=True, capture_output=True)
    return (tmp_path / "full_spine.yaml").read_text()


def test_abdominal_wall_what_if_moves_only_the_abdominal_wall(tmp_path):
    """build_full_spine.py --abdominal-wall blended (docs/sources/abdominal_wall.md, a what-if): the
    rectus via points and oblique linea-alba points ride on the pelvis and T7 instead of a vertebra.
    At neutral they are where the vertebra rule puts them (every musculotendon length equal); bent, only
    the abdominal fascicles' lengths change; the what-if refuses to overwrite models/."""
    text = _build_what_if(tmp_path, "--abdominal-wall", "blended")
    assert text.count('{between: [pelvis, T7]') == 10  # rect_abd ×2, E0_R5-R9, IO1-IO3
    base, what_if = paraspine.Model.load("full_spine"), paraspine.Model.load(str(tmp_path / "full_spine.yaml"))
    names = list(base.muscle_names)
    assert list(what_if.muscle_names) == names
    np.testing.assert_allclose(paraspine.static_frame(what_if)["muscle_length"],
                               paraspine.static_frame(base)["muscle_length"], atol=1e-6)
    bent = {"lumbar.flexion": 30.0, "thoracic.axial_rotation": 10.0}
    d = np.abs(paraspine.static_frame(what_if, bent)["muscle_length"] - paraspine.static_frame(base, bent)["muscle_length"])
    abdominal = ("rect_abd", "E0_R5", "E0_R6", "E0_R7", "E0_R8", "E0_R9", "IO1", "IO2", "IO3")
    moved = {n[:-2] for n, x in zip(names, d) if x > 1e-6}
    assert moved == set(abdominal)


def test_lumbar_multifidus_what_if_scales_every_level_alike(tmp_path):
    """build_full_spine.py --lumbar-multifidus-total ward2009 (docs/sources/lumbosacral_capacity.md, a
    what-if): every lumbar multifidus fascicle × 23.9 / 14.07 (Ward et al. 2009's whole-muscle PCSA over
    AMMR's per-level total), the per-level split kept; no other muscle's strength changes; the source is
    in each scaled fascicle's pcsa source; the what-if refuses to overwrite models/."""
    text = _build_what_if(tmp_path, "--lumbar-multifidus-total", "ward2009")
    assert text.count("WHAT-IF (--lumbar-multifidus-total ward2009)") == 25  # MF_m1* … MF_m5*, five per level
    base, what_if = paraspine.Model.load("full_spine"), paraspine.Model.load(str(tmp_path / "full_spine.yaml"))
    assert list(what_if.muscle_names) == list(base.muscle_names)
    ratio = np.asarray(what_if.muscle_max_force) / np.asarray(base.muscle_max_force)
    lumbar_mf = np.array([g == "multifidus" and s == "lumbar"
                          for g, s in zip(base.muscle_groups, base.muscle_subdivisions)])
    assert lumbar_mf.sum() == 50
    np.testing.assert_allclose(ratio[lumbar_mf], 23.9 / 14.07, rtol=1e-6)  # the file rounds the PCSA
    np.testing.assert_allclose(ratio[~lumbar_mf], 1.0, rtol=1e-12)


def test_oblique_what_if_scales_only_the_obliques(tmp_path):
    """build_full_spine.py --oblique-pcsa mcgill1988 (docs/sources/oblique_size.md, a what-if): the external
    and internal oblique totals 6.24 → 9.4 and 6.24 → 8.1 cm² per side (McGill, Patt & Norman 1988), each
    group's split kept; no other muscle's strength changes; the source is in each scaled fascicle's pcsa
    source; the what-if refuses to overwrite models/."""
    text = _build_what_if(tmp_path, "--oblique-pcsa", "mcgill1988")
    assert text.count("WHAT-IF (--oblique-pcsa mcgill1988)") == 14  # E0_R5…R12 and IO1…IO6 (one entry for both sides)
    base, what_if = paraspine.Model.load("full_spine"), paraspine.Model.load(str(tmp_path / "full_spine.yaml"))
    assert list(what_if.muscle_names) == list(base.muscle_names)
    ratio = np.asarray(what_if.muscle_max_force) / np.asarray(base.muscle_max_force)
    groups = np.asarray(base.muscle_groups)
    eo, io = groups == "external_oblique", groups == "internal_oblique"
    assert eo.sum() == 16 and io.sum() == 12
    np.testing.assert_allclose(ratio[eo], 9.4 / 6.24, rtol=1e-6)  # the file rounds the PCSA
    np.testing.assert_allclose(ratio[io], 8.1 / 6.24, rtol=1e-6)
    np.testing.assert_allclose(ratio[~(eo | io)], 1.0, rtol=1e-12)


def test_static_frame_load_sharing_and_spinal_loads():
    m = paraspine.Model.load("full_spine")
    f = paraspine.static_frame(m, {"lumbar.flexion": 20.0, "pelvis.flexion": 20.0}, load_kg=5.0)
    assert f["equilibrium_residual"] < 1e-6
    assert f["activation"].shape == (m.nmuscle,) and f["activation"].min() >= 0
    # Muscles, passive tissue, intra-abdominal pressure and reserves carry exactly the net moment.
    carried = f["moment_arm"] @ f["muscle_force"] + f["passive_moment"] + f["reserve"] + f["abdominal_pressure_moment"]
    assert np.allclose(carried, f["tau"], atol=1e-5)
    k = m.joint_names.index("L4-L5")
    g = paraspine.static_frame(m, {"lumbar.flexion": 20.0, "pelvis.flexion": 20.0}, load_kg=10.0)
    assert g["disc_force"][k, 0] > f["disc_force"][k, 0] > 500
    with pytest.raises(ValueError, match="unknown criterion"):
        paraspine.static_frame(m, {}, criterion="fastest")


def test_static_frame_abdominal_pressure():
    # full_spine carries intra-abdominal pressure (docs/mechanics.md): lifting 10 kg in each hand
    # while stooped raises it, it carries part of the L4-L5 extension, the moments still balance,
    # and abdominal_pressure=False gives the engine without it.
    m = paraspine.Model.load("full_spine")
    angles = {"lumbar.flexion": 30.0, "pelvis.flexion": 30.0}
    on = paraspine.static_frame(m, angles, load_kg=10.0)
    off = paraspine.static_frame(m, angles, load_kg=10.0, abdominal_pressure=False)
    l45 = m.joint_names.index("L4-L5")
    assert 0 < on["abdominal_pressure"] <= 26600.0
    assert off["abdominal_pressure"] == 0.0 and not off["abdominal_pressure_moment"].any()
    assert on["abdominal_pressure_moment"][3 * l45] < 0  # extension
    total = on["moment_arm"] @ on["muscle_force"] + on["passive_moment"] + on["reserve"] + on["abdominal_pressure_moment"]
    assert np.allclose(total, on["tau"], atol=1e-6 * max(1.0, np.abs(on["tau"]).max()))
    assert on["disc_force"][l45, 0] < off["disc_force"][l45, 0]


def test_max_exertion_against_a_pad():
    # The trunk-extension strength test of the C++ suite (TrunkStrength), from Python: the whole
    # model holds less than the upper bound, the pad force and the held moment agree (moment =
    # force × lever + gravity), and a pad further from the pivot needs less force for the same muscles.
    m = paraspine.Model.load("full_spine")
    angles = {"pelvis.flexion": 10.0, "lumbar.flexion": 10.0}
    e = paraspine.max_exertion(m, angles)
    assert 200 < e["extension_moment_Nm"] < e["upper_bound_Nm"]
    assert e["limiting_joint"] == "L5-S1" and e["limiting_axis"] == "flexion"
    assert e["equilibrium_residual"] < 1e-6
    assert abs(np.linalg.norm(e["direction"]) - 1) < 1e-12
    still = paraspine.static_frame(m, angles)
    gravity = -still["tau"][3 * m.joint_names.index("L5-S1")]
    lever = e["point"] - still["joint_center"][m.joint_names.index("L5-S1")]
    pad_moment = lever[0] * e["direction"][1] - lever[1] * e["direction"][0]  # z of lever × direction
    assert e["extension_moment_Nm"] == pytest.approx(gravity - e["force_N"] * pad_moment, rel=1e-6)
    higher = paraspine.max_exertion(m, angles, pad_segment="T4")
    assert higher["force_N"] < e["force_N"]
    with pytest.raises(ValueError, match="unknown pad_segment 'T13'"):
        paraspine.max_exertion(m, angles, pad_segment="T13")
    with pytest.raises(ValueError, match="direction"):
        paraspine.max_exertion(m, angles, direction="up")


def test_latissimus_rib_cage_what_if_sends_the_humeral_force_through_the_rib_cage(tmp_path):
    """build_full_spine.py --latissimus-humeral rib_cage (docs/sources/latissimus_path.md, a what-if):
    LD's humeral end rides on T1…T10 (N-segment path point, shares 0.1). At neutral every length is
    unchanged; below T10 LD's moment arms are those of the point on T1 (the rib cage passes the
    whole force down), above it only the share of the vertebrae above each joint: at T1-T2 a tenth."""
    text = _build_what_if(tmp_path, "--latissimus-humeral", "rib_cage")
    assert text.count("{between: [T1, T2, T3, T4, T5, T6, T7, T8, T9, T10], shares: [") == 14  # every LD fascicle (14 per side, written once)
    base, what_if = paraspine.Model.load("full_spine"), paraspine.Model.load(str(tmp_path / "full_spine.yaml"))
    a, b = paraspine.static_frame(base), paraspine.static_frame(what_if)
    np.testing.assert_allclose(b["muscle_length"], a["muscle_length"], atol=1e-9)
    joints = list(base.joint_names)
    ld = [i for i, g in enumerate(base.muscle_groups) if g == "latissimus_dorsi"]
    R0, R1 = np.asarray(a["moment_arm"]), np.asarray(b["moment_arm"])
    for j in ("T10-T11", "T12-L1", "L3-L4", "L5-S1"):
        k = 3 * joints.index(j)
        np.testing.assert_allclose(R1[k:k + 3, ld], R0[k:k + 3, ld], atol=1e-12)
    k = 3 * joints.index("T1-T2")
    f = np.asarray(base.muscle_max_force)[ld]
    assert (R1[k, ld] @ f) == pytest.approx(0.1 * (R0[k, ld] @ f), rel=1e-6)
