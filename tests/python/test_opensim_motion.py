"""OpenSim motion files (docs/scenarios.md, "OpenSim motion files"): an inverse-kinematics result
(.mot / .sto: a header ending in endheader, then a tab-separated table) drives a run as the
equivalent CSV does, its coordinates mapped to keyframe keys by the scenario's motion.columns and by
the built-in mapping, whose signs follow the axes the .osim files give; its errors name the file,
line and column and leave no output."""
import math
import os

import h5py
import numpy as np
import pytest

from cli_helpers import run

LUMBAR = ["L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"]


def header(n_rows, n_columns, degrees="yes", version="1"):
    if version == "4":  # as OpenSim 4's STOFileAdapter writes it
        return f"DataRate=100.000000\nDataType=double\nversion=3\nOpenSimVersion=4.1\ninDegrees={degrees}\nendheader\n"
    return (f"Coordinates\nversion=1\nnRows={n_rows}\nnColumns={n_columns}\ninDegrees={degrees}\n\n"
            "Units are S.I. units (second, meters, Newtons, ...)\n"
            "If the header above contains a line with 'inDegrees', this indicates whether rotational values are in degrees (yes) or radians (no).\n\n"
            "endheader\n")


def ik_rows(n=101, t0=0.0):
    """An IK-like trial at 100 Hz: the pelvis tilts forward and sinks while the trunk flexes."""
    rows = []
    for k in range(n):
        t = round(t0 + k * 0.01, 2)
        s = math.sin(math.pi * k / (n - 1) / 2) ** 2
        rows.append({"time": t, "pelvis_tilt": round(-12 * s, 6), "pelvis_list": round(2 * s, 6),
                     "pelvis_rotation": round(-3 * s, 6), "pelvis_tx": round(0.05 * s, 6),
                     "pelvis_ty": round(0.95 - 0.04 * s, 6), "pelvis_tz": round(0.01 * s, 6),
                     "hip_flexion_r": round(30 * s, 6), "knee_angle_r": round(-20 * s, 6),
                     "lumbar_extension": round(-25 * s, 6), "lumbar_bending": round(3 * s, 6),
                     "lumbar_rotation": round(-4 * s, 6)})
    return rows


def mot_text(rows, degrees="yes", version="1", sep="\t", eol="\n", labels=None):
    names = list(rows[0])
    angles = {n for n in names if n not in ("time", "pelvis_tx", "pelvis_ty", "pelvis_tz")}
    body = []
    for r in rows:
        vals = [r[n] if degrees == "yes" or n not in angles else math.radians(r[n]) for n in names]
        body.append(sep.join(repr(v) for v in vals))
    text = header(len(rows), len(names), degrees, version) + sep.join(labels or names) + "\n" + "\n".join(body) + "\n"
    return text.replace("\n", eol)


def scenario(folder, motion_file, extra="", name="s"):
    path = folder / f"{name}.yaml"
    path.write_text(f"paraspine_scenario: 1\nname: {name}\noutput_rate_hz: 100\nmotion:\n  file: {motion_file}\n{extra}")
    return str(path)


def run_ok(yaml, out):
    r = run("run", yaml, "--no-fatigue", "-o", str(out))
    assert r.returncode == 0, r.stderr
    return r


FIELDS = ("joints/compression", "joints/shear_ap", "joints/shear_lateral", "joints/net_moment", "kinematics/joint_angles")


def test_degrees_and_radians_give_the_same_run(tmp_path):
    rows = ik_rows()
    (tmp_path / "deg.mot").write_text(mot_text(rows, "yes"))
    (tmp_path / "rad.mot").write_text(mot_text(rows, "no"))
    run_ok(scenario(tmp_path, "deg.mot", name="d"), tmp_path / "d.h5")
    run_ok(scenario(tmp_path, "rad.mot", name="r"), tmp_path / "r.h5")
    with h5py.File(tmp_path / "d.h5") as a, h5py.File(tmp_path / "r.h5") as b:
        assert np.array_equal(a["time"][()], b["time"][()])
        # The radians are the degrees converted and printed to 17 digits: equal to rounding.
        for f in FIELDS:
            assert np.allclose(a[f][()], b[f][()], rtol=1e-9, atol=1e-7), f
        assert np.abs(a["kinematics/joint_angles"][()]).max() > math.radians(3)  # it moved


def test_a_mot_runs_bit_for_bit_as_the_equivalent_csv(tmp_path):
    rows = ik_rows()
    (tmp_path / "ik.mot").write_text(mot_text(rows))
    ty0 = rows[0]["pelvis_ty"]
    csv = ["time,pelvis_deg.flexion,pelvis_deg.lateral_bending,pelvis_deg.axial_rotation,pelvis_position[0],"
           "pelvis_position[1],pelvis_position[2],regions_deg.lumbar.flexion,regions_deg.lumbar.lateral_bending,"
           "regions_deg.lumbar.axial_rotation"]
    for r in rows:  # the built-in mapping's signs; the pelvis translations from their first row
        csv.append(",".join(repr(v) for v in (r["time"], -r["pelvis_tilt"], r["pelvis_list"], -r["pelvis_rotation"],
                                               r["pelvis_tx"] - rows[0]["pelvis_tx"], r["pelvis_ty"] - ty0,
                                               r["pelvis_tz"] - rows[0]["pelvis_tz"], -r["lumbar_extension"],
                                               r["lumbar_bending"], -r["lumbar_rotation"])))
    (tmp_path / "ik.csv").write_text("\n".join(csv) + "\n")
    r = run_ok(scenario(tmp_path, "ik.mot", name="m"), tmp_path / "m.h5")
    # One note names the columns with no mapping.
    assert r.stderr.count("ignored: hip_flexion_r, knee_angle_r") == 1, r.stderr
    run_ok(scenario(tmp_path, "ik.csv", name="c"), tmp_path / "c.h5")
    with h5py.File(tmp_path / "m.h5") as a, h5py.File(tmp_path / "c.h5") as b:
        assert np.array_equal(a["time"][()], b["time"][()])
        for f in FIELDS + ("muscles/activation",):
            assert np.array_equal(a[f][()], b[f][()]), f
        assert a.attrs["motion_text"] == (tmp_path / "ik.mot").read_text()


def test_a_trial_that_starts_later_tab_or_space_crlf_and_opensim4_headers_read_alike(tmp_path):
    rows = ik_rows()
    (tmp_path / "base.mot").write_text(mot_text(rows))
    run_ok(scenario(tmp_path, "base.mot", name="base"), tmp_path / "base.h5")
    later = ik_rows(t0=1.25)  # OpenSim keeps the trial's own times: read from the first row on
    variants = {
        "later.mot": mot_text(later),
        "spaces.mot": mot_text(rows, sep="   "),
        "crlf.mot": mot_text(rows, eol="\r\n"),
        "v4.sto": mot_text(rows, version="4"),
        # an OpenSim 4 states file's labels; its speeds are not coordinates
        "states.sto": mot_text(rows, version="4", labels=["time"] + [f"/jointset/j/{n}/value" for n in list(rows[0])[1:]]),
        "noext.txt": mot_text(rows),  # found by its endheader line
    }
    with h5py.File(tmp_path / "base.h5") as base:
        for name, text in variants.items():
            (tmp_path / name).open("w", newline="").write(text)
            stem = name.replace(".", "_")
            run_ok(scenario(tmp_path, name, name=stem), tmp_path / f"{stem}.h5")
            with h5py.File(tmp_path / f"{stem}.h5") as b:
                for f in FIELDS:
                    if name == "later.mot":  # times 1.25 + k·0.01 - 1.25 differ from k·0.01 in the last bit
                        assert np.allclose(base[f][()], b[f][()], rtol=1e-9, atol=1e-6), (name, f)
                    else:
                        assert np.array_equal(base[f][()], b[f][()]), (name, f)


def held(columns, degrees="yes"):
    """A held posture: two rows with the same coordinate values."""
    names = ["time"] + list(columns)
    rows = [[0.0] + list(columns.values()), [1.0] + list(columns.values())]
    return header(2, len(names), degrees) + "\t".join(names) + "\n" + "\n".join("\t".join(repr(v) for v in r) for r in rows) + "\n"


def angles(tmp_path, name, columns, extra=""):
    (tmp_path / f"{name}.mot").write_text(held(columns))
    r = run_ok(scenario(tmp_path, f"{name}.mot", extra=extra, name=name), tmp_path / f"{name}.h5")
    with h5py.File(tmp_path / f"{name}.h5") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
        return {n: np.degrees(f["kinematics/joint_angles"][0, i, :]) for i, n in enumerate(names)}, f["joints/net_moment"][0], names, r


def test_the_builtin_signs_follow_the_osim_axes(tmp_path):
    # back (pelvis -> torso), gait2354_simbody.osim: lumbar_extension about +z, positive = extension;
    # lumbar_bending about +x, positive = to the right; lumbar_rotation about +y, positive = to the left.
    q, _, _, _ = angles(tmp_path, "back", {"lumbar_extension": -20.0, "lumbar_bending": 4.0, "lumbar_rotation": 5.0})
    assert all(q[j][0] > 0 for j in LUMBAR) and abs(sum(q[j][0] for j in LUMBAR) - 20) < 1e-9  # flexion, the region's total
    assert all(q[j][1] > 0 for j in LUMBAR)  # bending to the right
    assert all(q[j][2] < 0 for j in LUMBAR)  # rotation to the left
    assert all(abs(q[j]).max() == 0 for j in q if j not in LUMBAR)  # the lumbar region only
    # MF-TL's per-level coordinates: <J>_FE about +z (extension +), _LB about +x, _AR about +y.
    q, _, _, _ = angles(tmp_path, "levels", {"L4_L5_FE": -3.0, "T7_T8_LB": 2.0, "L1_L2_AR": 1.5})
    assert abs(q["L4-L5"][0] - 3) < 1e-12 and abs(q["T7-T8"][1] - 2) < 1e-12 and abs(q["L1-L2"][2] + 1.5) < 1e-12
    assert sum(abs(q[j]).sum() for j in q) - 6.5 < 1e-9
    # Christophy 2012: flex_extension is the lumbar region (coupled shares summing to 1); its levels'
    # coupled columns are not added a second time.
    q, _, _, r = angles(tmp_path, "christophy", {"flex_extension": -20.0, "L4_L5_FE": -3.7, "L3_L4_FE": -4.08})
    assert abs(sum(q[j][0] for j in LUMBAR) - 20) < 1e-9
    assert "L4_L5_FE, L3_L4_FE ignored: the per-level shares" in r.stderr, r.stderr
    # ground_pelvis: pelvis_tilt about +z, positive = posterior tilt. A negative tilt (anterior) leans
    # the body forward as lumbar flexion does: the same sign of the flexion moment at L5-S1.
    _, m_tilt, names, _ = angles(tmp_path, "tilt", {"pelvis_tilt": -20.0})
    _, m_back, _, _ = angles(tmp_path, "stoop", {"lumbar_extension": -20.0})
    _, m_post, _, _ = angles(tmp_path, "post", {"pelvis_tilt": 20.0})
    i = names.index("L5-S1")
    assert m_tilt[i, 0] * m_back[i, 0] > 0 and m_post[i, 0] * m_back[i, 0] < 0, (m_tilt[i], m_back[i], m_post[i])


def test_a_user_mapping_sets_sign_and_factor_and_ignores(tmp_path):
    extra = ('  columns:\n    lumbar_extension: "-0.5*regions_deg.thoracic.flexion"\n'
             '    knee_angle_r: ignore\n    hip_flexion_r: "joints_deg.L5-S1.flexion"\n')
    q, _, _, r = angles(tmp_path, "user", {"lumbar_extension": -20.0, "knee_angle_r": 30.0, "hip_flexion_r": 2.0}, extra)
    thoracic = [j for j in q if j.startswith("T") and j != "T12-L1"] + ["T12-L1"]
    assert abs(sum(q[j][0] for j in thoracic) - 10) < 1e-9 and abs(q["L5-S1"][0] - 2) < 1e-12
    assert "ignored" not in r.stderr, r.stderr  # every column is mapped or ignored by name


def test_errors_name_the_file_line_and_column_and_write_nothing(tmp_path):
    good = mot_text(ik_rows(n=5))
    cases = [
        (good.replace("inDegrees=yes", "inDegrees=maybe"), "", "bad.mot:5: inDegrees: 'maybe'"),
        (good.replace("nRows=5", "nRows=five"), "", "bad.mot:3: nRows: 'five' is not a whole number"),
        (good.replace("nRows=5", "nRows=6"), "", "bad.mot:3: nRows: says 6 rows"),
        (good.replace("nColumns=12", "nColumns=13"), "", "bad.mot:4: nColumns: says 13 columns; the column names (line 11) are 12"),
        (good.replace("endheader\n", ""), "", "bad.mot:1: header: no 'endheader' line"),
        (good.replace("inDegrees=yes\n", ""), "", "bad.mot:9: inDegrees: the header does not say"),
        (good.replace("\ntime\t", "\nt\t"), "", "bad.mot:11: t (column 1): the first column"),
        (good.replace("\t0.0\t", "\tnan\t", 1), "", "bad.mot:12: pelvis_list (column 3): 'nan' is not a number"),
        (good.replace("lumbar_bending", "lumbar_extension"), "", "bad.mot:11: lumbar_extension (column 11): is given twice (column 10)"),
        (good, '  columns: {lumbar_extension: "-regions_deg.lumbar.flex"}\n',
         "bad.yaml:6: motion.columns.lumbar_extension: '-regions_deg.lumbar.flex': unknown column"),
        (good, '  columns:\n    lumbar_extension: "-regions_deg.lumbr.flexion"\n',
         "bad.yaml:7: motion.columns.lumbar_extension: unknown region 'lumbr'"),
        (good, '  columns:\n    lumbar_extension: ignore\n    lumbar_extention: "-regions_deg.lumbar.flexion"\n',
         "bad.yaml:8: motion.columns.lumbar_extention: no column 'lumbar_extention' in"),
        (good, '  columns:\n    hip_flexion_r: "-regions_deg.lumbar.flexion"\n',
         "bad.yaml:7: motion.columns.hip_flexion_r: sets the same keyframe key as column 10 (lumbar_extension, by the built-in"),
        (good, '  columns:\n    lumbar_extension: "x*regions_deg.lumbar.flexion"\n', "bad.yaml:7: motion.columns.lumbar_extension: 'x*"),
        (good, '  columns:\n    hip_flexion_r: "hands.both.position[0]"\n', "bad.yaml:7: motion.columns: hands.both.position: give all three"),
        (good, '  columns: [lumbar_extension]\n', "bad.yaml:6: motion.columns: expected {OPENSIM_COLUMN"),
    ]
    for text, extra, expect in cases:
        (tmp_path / "bad.mot").write_text(text)
        out = tmp_path / "bad.h5"
        r = run("run", scenario(tmp_path, "bad.mot", extra=extra, name="bad"), "-o", str(out))
        assert r.returncode == 2, (expect, r.stderr)
        assert expect in r.stderr, (expect, r.stderr)
        assert not out.exists() and not os.path.exists(str(out) + ".partial")


def test_a_csv_header_naming_an_unknown_region_or_joint_is_named_at_the_header(tmp_path):
    for header_, expect in (("time,regions_deg.lumbr.flexion", "m.csv:2: regions_deg.lumbr.flexion (column 2): unknown region 'lumbr'"),
                            ("time,pelvis_deg.flexion,joints_deg.L9-S1.flexion", "m.csv:2: joints_deg.L9-S1.flexion (column 3): unknown joint 'L9-S1'")):
        n = header_.count(",")
        (tmp_path / "m.csv").write_text("# a comment first\n" + header_ + "\n" + "\n".join(",".join([t] + ["1"] * n) for t in ("0", "1", "2")) + "\n")
        r = run("run", scenario(tmp_path, "m.csv", name="c"), "-o", str(tmp_path / "c.h5"))
        assert r.returncode == 2 and expect in r.stderr, r.stderr
        assert not (tmp_path / "c.h5").exists()


def test_python_scenarios_read_mot_files_through_the_same_reader(tmp_path):
    import paraspine
    (tmp_path / "ik.mot").write_text(mot_text(ik_rows()))
    sc = paraspine.Scenario.load(scenario(tmp_path, "ik.mot"))
    assert sc.nkeyframes == 101 and sc.motion_file.endswith("ik.mot")
    sc2 = paraspine.Scenario.load("squat_lift").with_motion(str(tmp_path / "ik.mot"))
    assert sc2.nkeyframes == 101


def test_motion_option_keeps_the_scenarios_column_mapping_for_mot_files(tmp_path):
    # A folder of IK results through one scenario's mapping: run/batch --motion keep motion.columns.
    (tmp_path / "a.mot").write_text(held({"lumbar_extension": -20.0, "knee_angle_r": 30.0}))
    (tmp_path / "b.mot").write_text(held({"lumbar_extension": -10.0, "knee_angle_r": 10.0}))
    yaml = scenario(tmp_path, "a.mot", extra='  columns: {lumbar_extension: "-0.5*regions_deg.thoracic.flexion", knee_angle_r: ignore}\n', name="w")
    r = run("run", yaml, "--motion", str(tmp_path / "b.mot"), "--no-fatigue", "-o", str(tmp_path / "b.h5"))
    assert r.returncode == 0 and "ignored" not in r.stderr, r.stderr
    with h5py.File(tmp_path / "b.h5") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
        q = np.degrees(f["kinematics/joint_angles"][0, :, 0])
    assert abs(sum(q[i] for i, n in enumerate(names) if n.startswith("T")) - 5) < 1e-9  # 10° × 0.5, thoracic
    assert all(q[names.index(j)] == 0 for j in LUMBAR)
    out = tmp_path / "results"
    r = run("batch", yaml, "-o", str(out), "--no-fatigue", "--motion", str(tmp_path / "a.mot"), str(tmp_path / "b.mot"))
    assert r.returncode == 0, r.stderr
    for stem, total in (("a", 10), ("b", 5)):
        with h5py.File(out / f"{stem}.h5") as f:
            names = [n.decode() if isinstance(n, bytes) else n for n in f["joints/name"][()]]
            q = np.degrees(f["kinematics/joint_angles"][0, :, 0])
            assert abs(sum(q[i] for i, n in enumerate(names) if n.startswith("T")) - total) < 1e-9, stem
    # A CSV given with --motion names its keys itself: the mapping is dropped, not an error.
    (tmp_path / "c.csv").write_text("time,regions_deg.lumbar.flexion\n0,5\n1,5\n")
    r = run("run", yaml, "--motion", str(tmp_path / "c.csv"), "--no-fatigue", "-o", str(tmp_path / "c.h5"))
    assert r.returncode == 0, r.stderr


def test_a_builtin_level_the_model_lacks_is_dropped_one_named_in_columns_is_an_error(tmp_path):
    (tmp_path / "lv.mot").write_text(held({"L4_L5_FE": -2.0, "T7_T8_LB": 1.0}))
    (tmp_path / "lv.yaml").write_text("paraspine_scenario: 1\nname: lv\nmodel: lumbar\nmotion: {file: lv.mot}\n")
    r = run("run", str(tmp_path / "lv.yaml"), "--no-fatigue", "-o", str(tmp_path / "lv.h5"))
    assert r.returncode == 0, r.stderr
    assert "does not have every level or region the built-in OpenSim mapping reads: dropped joints_deg T7-T8 (T7_T8_LB)" in r.stderr
    (tmp_path / "lv2.yaml").write_text("paraspine_scenario: 1\nname: lv\nmodel: lumbar\n"
                                       "motion: {file: lv.mot, columns: {T7_T8_LB: joints_deg.T7-T8.lateral_bending}}\n")
    r = run("run", str(tmp_path / "lv2.yaml"), "-o", str(tmp_path / "lv2.h5"))
    assert r.returncode == 2 and "lv2.yaml:4: motion.columns.T7_T8_LB: unknown joint 'T7-T8'" in r.stderr, r.stderr
    assert not (tmp_path / "lv2.h5").exists()


def test_unit_and_travel_mistakes_are_said_with_the_way_out(tmp_path):
    # audit24o #8, #11: radians under inDegrees=yes ran as an almost still posture in silence; degrees
    # under inDegrees=no failed without naming inDegrees; a walking trial's error named no column.
    rows = ik_rows()
    radians_as_degrees = [{k: (math.radians(v) if k not in ("time", "pelvis_tx", "pelvis_ty", "pelvis_tz") else v)
                           for k, v in r.items()} for r in rows]
    (tmp_path / "rad.mot").write_text(mot_text(radians_as_degrees, degrees="yes"))
    r = run_ok(scenario(tmp_path, "rad.mot", name="rad"), tmp_path / "rad.h5")
    assert "says inDegrees=yes (line 5), but every angle column stays within ±π" in r.stderr, r.stderr
    (tmp_path / "deg.mot").write_text(mot_text(rows))
    ok = run_ok(scenario(tmp_path, "deg.mot", name="deg"), tmp_path / "deg.h5")
    assert "inDegrees" not in ok.stderr
    big = [dict(r, pelvis_tilt=-200.0) for r in rows]  # degrees written under inDegrees=no
    (tmp_path / "big.mot").write_text(header(len(big), len(big[0]), "no") + "\t".join(big[0]) + "\n" +
                                      "\n".join("\t".join(repr(v) for v in r.values()) for r in big) + "\n")
    bad = run("run", scenario(tmp_path, "big.mot", name="big"), "--no-fatigue")
    assert bad.returncode == 2 and "read as radians, as its header says inDegrees=no" in bad.stderr, bad.stderr
    walk = [dict(r, pelvis_tx=1.5 * k / 100) for k, r in enumerate(rows)]
    (tmp_path / "walk.mot").write_text(mot_text(walk))
    w = run("run", scenario(tmp_path, "walk.mot", name="walk"), "--no-fatigue")
    assert w.returncode == 2 and "pelvis_tx, pelvis_ty, pelvis_tz: the pelvis is" in w.stderr, w.stderr
    assert "{pelvis_tx: ignore}" in w.stderr


def test_results_export_opensim_static_optimization_files(tmp_path):
    # audit24o #7: comparing with OpenSim's SO needed a hand-written export.
    import paraspine
    res = paraspine.simulate(None, "tests/data/test_lift.yaml", fatigue=False, progress=False)
    paths = res.to_sto(tmp_path / "lift", time_offset=1.25)
    assert [p.rsplit("/", 1)[1] for p in paths] == ["lift_StaticOptimization_activation.sto", "lift_StaticOptimization_force.sto"]
    for path, kind in zip(paths, ("activation", "force")):
        text = open(path).read()
        head, table = text.split("endheader\n")
        assert "version=1" in head and f"nRows={len(res.time)}" in head and "inDegrees=no" in head
        names = table.splitlines()[0].split("\t")
        data = np.loadtxt(path, skiprows=head.count("\n") + 2)
        assert data.shape == (len(res.time), len(names)) and names[0] == "time"
        assert np.allclose(data[:, 0], res.time + 1.25)
        if kind == "activation":
            assert names[1:] == res.muscle_names
            assert np.allclose(data[:, 1:], res.activation, rtol=1e-9, atol=1e-12)
        else:
            M = len(res.muscle_names)
            assert names[1:M + 1] == res.muscle_names and names[M + 1] == f"{res.joint_names[0]}_flexion_reserve"
            assert np.allclose(data[:, 1:M + 1], res.muscle_force, rtol=1e-9, atol=1e-9)
            assert np.allclose(data[:, M + 1:], res.reserve_moment.reshape(len(res.time), -1), atol=1e-9)
    with pytest.raises(paraspine.OutputError):
        res.to_sto(tmp_path / "missing" / "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lift_StaticOptimization_activation.sto", "lift_StaticOptimization_force.sto"]


def test_positions_from_a_motion_file_are_named_in_that_file(tmp_path):
    # audit24o #5: a subject height with a .mot's pelvis translations named "line 13" of a 5-line
    # scenario; and the text said "hand positions scaled" for scenarios without any position.
    (tmp_path / "ik.mot").write_text(mot_text(ik_rows()))
    path = scenario(tmp_path, "ik.mot", extra="subject: {height: 1.60, sex: female}\n", name="subj")
    r = run("run", path, "--no-fatigue")
    assert r.returncode == 2 and "the scenario gives positions (" in r.stderr and "ik.mot line 13)" in r.stderr, r.stderr
    angles_only = {k: v for k, v in ik_rows()[0].items() if k not in ("pelvis_tx", "pelvis_ty", "pelvis_tz")}
    rows = [{k: r[k] for k in angles_only} for r in ik_rows()]
    (tmp_path / "angles.mot").write_text(mot_text(rows))
    text = run("run", scenario(tmp_path, "angles.mot", name="ang"), "--no-fatigue", "--subject", "height=1.60,mass=60,sex=female")
    assert text.returncode == 0 and "scaled ×" not in text.stdout, text.stdout


def test_rows_faster_than_the_default_output_rate_are_said(tmp_path):
    # audit24o #9: a 100-Hz IK file ran at the default 50 Hz without a word; OpenSim's SO gives a
    # frame per row.
    (tmp_path / "ik.mot").write_text(mot_text(ik_rows()))
    (tmp_path / "plain.yaml").write_text("paraspine_scenario: 1\nname: plain\nmotion: {file: ik.mot}\n")
    r = run("run", str(tmp_path / "plain.yaml"), "--no-fatigue")
    assert r.returncode == 0 and "its rows come at 100 Hz, the results at the default output_rate_hz, 50 Hz" in r.stderr, r.stderr
    for extra in (["--set", "output_rate_hz=100"], ["--set", "output_rate_hz=50"]):
        quiet = run("run", str(tmp_path / "plain.yaml"), "--no-fatigue", *extra)
        assert quiet.returncode == 0 and "its rows come at" not in quiet.stderr, quiet.stderr
