"""The command-line tool as a user meets it: exit codes, messages naming file/line/field, JSON."""
import json

from cli_helpers import run


def test_model_info_json_has_required_fields():
    r = run("model", "info", "models/lumbar.yaml", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    for key in ("segments", "joints", "muscles", "groups"):
        assert key in info
    for group, sides in info["groups"].items():
        for side, v in sides.items():
            assert v["fascicles"] > 0 and v["max_force_N"] > 0
    # Both sides of every paraspinal group, mirrored: same count and force.
    for g in ("iliocostalis", "longissimus", "multifidus"):
        assert info["groups"][g]["left"] == info["groups"][g]["right"]


def test_model_info_of_the_default_model_per_group_and_side():
    # Issue 3: `paraspine model info models/full_spine.yaml` prints per group and side the fascicle
    # count, summed PCSA, max force and the levels spanned; at least 100 paraspinal fascicles; max
    # force = PCSA × one specific tension for every group (100 N/cm², docs/model.md §6).
    r = run("model", "info", "models/full_spine.yaml", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    joints = info["joint_list"] if isinstance(info["joint_list"][0], str) else [j["name"] for j in info["joint_list"]]
    for group, sides in info["groups"].items():
        assert set(sides) == {"left", "right"}, group
        assert sides["left"] == sides["right"], group
        for v in sides.values():
            assert v["fascicles"] > 0 and v["pcsa_cm2"] > 0, group
            assert abs(v["max_force_N"] / v["pcsa_cm2"] - 100.0) < 1e-9, group
            lo, hi = v["levels"]
            assert lo in joints and hi in joints and joints.index(lo) <= joints.index(hi), (group, v["levels"])
    assert sum(info["groups"][g][s]["fascicles"] for g in ("iliocostalis", "longissimus", "spinalis")
               for s in ("left", "right")) >= 100
    assert info["groups"]["spinalis"]["left"]["levels"] == ["T12-L1", "C0-C1"]
    text = run("model", "info", "models/full_spine.yaml").stdout
    assert "PCSA cm²" in text and "max force N" in text and "levels spanned" in text
    row = next(line.split() for line in text.splitlines() if line.split()[:2] == ["longissimus", "left"])
    assert row[2:] == ["28", "24.7", "2474.4", "L5-S1", "…", "C0-C1"], row


def test_bench_json_fields_and_motions():
    # The fields the solver benchmark promises, for both generated motions, and agreement with Ipopt.
    for motion in ("everyday", "harsh"):
        r = run("bench", "--model", "lumbar", "--frames", "60", "--motion", motion, "--json")
        assert r.returncode == 0, r.stderr
        b = json.loads(r.stdout)
        for key in ("model", "frames", "ours_warm_us_per_frame", "ours_cold_us_per_frame", "ipopt_us_per_frame",
                    "speedup_vs_ipopt", "max_force_deviation_N", "max_objective_rel_deviation",
                    "max_equilibrium_residual_Nm", "frames_with_reserves", "iterations_warm"):
            assert key in b, key
        assert b["motion"] == motion and b["frames"] == 60 and b["ipopt_failures"] == 0
        assert b["unconverged"] == {"warm": 0, "cold": 0}  # our own solves' status, not only Ipopt's
        assert b["max_force_deviation_N"] < 1e-3 and b["max_equilibrium_residual_Nm"] < 1e-6
        assert b["frames_with_reserves"] <= b["frames"] and b["iterations_warm"]["max"] >= b["iterations_warm"]["median"]
    r = run("bench", "--motion", "sideways")
    assert r.returncode != 0 and "--motion" in r.stderr


def test_bad_model_names_file_line_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = open("models/lumbar.yaml").read().replace("optimal_fiber_length:", "optimal_fibre_length:", 1)
    bad.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "optimal_fibre_length" in l)
    r = run("model", "info", str(bad))
    assert r.returncode == 2
    assert r.stdout == ""
    assert f"{bad}:{line}: muscles[" in r.stderr and "unknown key 'optimal_fibre_length'" in r.stderr


def test_moments_json_and_errors():
    r = run("moments", "lumbar", "--angle-deg", "lumbar.flexion=30", "--load-kg", "5", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert all(j["moment_Nm"]["flexion"] < 0 for j in out["joints"])
    r = run("moments", "lumbar", "--angle-deg", "lumbar.flexion=abc")
    assert r.returncode != 0 and "not a number" in r.stderr
    r = run("moments", "lumbar", "--angle-deg", "neck.flexion=10")
    assert r.returncode != 0 and "unknown region 'neck'" in r.stderr
    r = run("moments", "lumbar", "--load-kg", "-3")
    assert r.returncode != 0 and "--load-kg" in r.stderr


def test_moments_takes_the_subject_as_run_does_and_lists_l5_s1_first():
    # moments took only --mass-kg/--height-m/--sex, and its table listed C0-C1 first.
    new = json.loads(run("moments", "full_spine", "--subject", "mass=62,height=1.65,sex=female", "--json").stdout)
    old = json.loads(run("moments", "full_spine", "--mass-kg", "62", "--height-m", "1.65", "--sex", "female", "--json").stdout)
    assert new == old and new["subject"]["body_mass_kg"] == 62 and new["subject"]["sex"] == "female"
    r = run("moments", "full_spine", "--subject", "mass=62", "--mass-kg", "70")
    assert r.returncode == 2 and "not both" in r.stderr, r.stderr
    r = run("moments", "full_spine", "--subject", "weight=62")
    assert r.returncode == 2 and "--subject: weight: unknown key" in r.stderr, r.stderr
    table = run("moments", "full_spine", "--subject", "mass=62").stdout.splitlines()
    rows = [line.split()[0] for line in table if line.startswith("  ") and "|" in line and line.split()[0][:1] in "LTC"]
    assert rows == [j["name"] for j in new["joints"]] and rows[0] == "L5-S1" and rows[-1] == "C0-C1", rows


def test_help_has_examples():
    for verb in (["model", "info"], ["moments"], ["bench"], ["schema"], ["run"], ["list"], ["compare"], ["sweep"], ["batch"]):
        r = run(*verb, "--help")
        assert r.returncode == 0 and "Examples:" in r.stdout


def test_hdf5_schema_doc_is_generated_from_the_field_table():
    r = run("schema")
    assert r.returncode == 0
    assert r.stdout == open("docs/hdf5-schema.md").read(), "regenerate: paraspine schema > docs/hdf5-schema.md"


def test_batch_compression_and_the_fatigue_attribute(tmp_path):
    # batch --compression lz4 writes what run --compression lz4 writes; every results file says whether
    # the run had fatigue (root attribute `fatigue`: on, or off for --no-fatigue), as its summary does.
    import h5py
    import numpy as np
    out = tmp_path / "lz4"
    r = run("batch", "tests/data/test_lift.yaml", "-o", str(out), "--compression", "lz4", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    alone = tmp_path / "alone.h5"
    r = run("run", "tests/data/test_lift.yaml", "-o", str(alone), "--compression", "lz4", "--no-fatigue")
    assert r.returncode == 0, r.stderr
    fatigued = tmp_path / "fatigue.h5"
    r = run("run", "tests/data/test_lift.yaml", "-o", str(fatigued))
    assert r.returncode == 0, r.stderr
    with h5py.File(out / "test_lift.h5", "r") as a, h5py.File(alone, "r") as b, h5py.File(fatigued, "r") as c:
        assert a.attrs["compression"] == "shuffle+lz4" and "32004" in a["muscles/force"]._filters
        assert np.array_equal(a["muscles/force"][...], b["muscles/force"][...])
        assert a.attrs["fatigue"] == "off" and b.attrs["fatigue"] == "off" and c.attrs["fatigue"] == "on"
        assert json.loads(c["summary"].attrs["json"])["fatigue"] is True
        assert json.loads(a["summary"].attrs["json"])["fatigue"] is False
    r = run("batch", "tests/data/test_lift.yaml", "-o", str(tmp_path / "bad"), "--compression", "zstd")
    assert r.returncode != 0 and "--compression" in r.stderr
    assert not (tmp_path / "bad" / "test_lift.h5").exists()


def test_batch_json_and_errors(tmp_path):
    # Two scenarios at once: one summary each, equal to a run of each alone; files in the directory.
    out = tmp_path / "results"
    r = run("batch", "tests/data/test_lift.yaml", "squat_lift", "--threads", "2", "-o", str(out), "--json",
            "--precision", "single")
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert b["threads"] == 2 and [s["name"] for s in b["scenarios"]] == ["test_lift", "squat_lift"]
    alone = json.loads(run("run", "squat_lift", "--json").stdout)
    assert b["scenarios"][1]["summary"] == alone
    assert sorted(p.name for p in out.iterdir()) == ["squat_lift.h5", "test_lift.h5"]
    # A missing scenario: exit 2, named, no directory created.
    r = run("batch", "squat_lift", "no_such_scenario.yaml", "-o", str(tmp_path / "none"))
    assert r.returncode == 2 and "no_such_scenario" in r.stderr
    assert not (tmp_path / "none").exists()


def test_moments_refuses_postures_beyond_the_joints_ranges():
    # 500° of lumbar flexion used to print net moments as if the posture were possible.
    r = run("moments", "lumbar", "--angle-deg", "lumbar.flexion=300")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: --angle-deg: joint ") and "beyond its range" in r.stderr, r.stderr
    # past a full turn it is a typo, said as such (session 19: 1e307 printed a 300-digit joint angle)
    r = run("moments", "lumbar", "--angle-deg", "lumbar.flexion=1e307")
    assert r.returncode == 2 and "more than a full turn: give degrees within ±360" in r.stderr, r.stderr


def test_wrong_kind_of_file_or_name_for_a_scenario_says_so(tmp_path):
    # These said "unknown key 'paraspine_model' (allowed: ...)", "full_spine: cannot open scenario
    # file" (a model name), "squat_lif: cannot open scenario file" and, for a folder, "must be a
    # YAML mapping".
    line = next(i for i, l in enumerate(open("models/lumbar.yaml"), 1) if l.startswith("paraspine_model:"))
    for arg, expect in (("models/lumbar.yaml", f"models/lumbar.yaml:{line}: paraspine_model: this is a model file, not a scenario"),
                        ("full_spine", "full_spine: is a model, not a scenario"),
                        ("squat_lif", "squat_lif: no scenario of this name: neither a bundled scenario (backpack_carry,"),
                        (str(tmp_path), f"{tmp_path}: is a folder, not a scenario file")):
        r = run("run", arg)
        assert r.returncode == 2 and r.stderr.startswith("error: " + expect), r.stderr
    assert "squat_lift" in run("run", "squat_lif").stderr


def test_unknown_command_is_named():
    # Used to answer "A subcommand is required" to 'paraspine frobnicate'.
    r = run("frobnicate", "x")
    assert r.returncode == 2 and r.stderr.startswith("error: unknown command 'frobnicate' (commands: model, moments,")


def test_moments_load_is_held_to_what_a_hand_can_hold():
    # '--load-kg 1000' printed moments for a tonne in each hand; scenarios allow 0-60 kg per hand.
    r = run("moments", "lumbar", "--load-kg", "1000")
    assert r.returncode == 2 and r.stdout == "" and r.stderr.startswith("error: --load-kg: must be between 0 and 60 kg per hand")
    assert run("moments", "lumbar", "--load-kg", "60").returncode == 0


def test_run_compression_lz4_reads_back_equal_in_h5py(tmp_path):
    # --compression lz4: stock h5py (Debian's, no extra import) reads the file through the HDF5 LZ4
    # plugin (Debian hdf5-filter-plugin, scripts/setup.sh) and finds the values of the deflate file.
    import h5py
    import numpy as np
    assert h5py.h5z.filter_avail(32004), "the HDF5 LZ4 plugin is missing: apt-get install hdf5-filter-plugin (scripts/setup.sh)"
    files = {}
    for codec in ("deflate", "lz4"):
        files[codec] = tmp_path / f"{codec}.h5"
        r = run("run", "tests/data/test_lift.yaml", "-o", str(files[codec]), "--precision", "single", "--compression", codec, "--json")
        assert r.returncode == 0, r.stderr
    with h5py.File(files["deflate"], "r") as a, h5py.File(files["lz4"], "r") as b:
        assert b.attrs["compression"] == "shuffle+lz4" and a.attrs["compression"] == "shuffle+deflate"
        assert b["muscles/force"].compression is None and "32004" in b["muscles/force"]._filters
        assert b["muscles/force"].shuffle
        compared = 0
        def same(name, obj):
            nonlocal compared
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f":
                assert np.array_equal(a[name][...], obj[...], equal_nan=True), name
                compared += 1
        b.visititems(same)
        assert compared == 21  # /time, every per-frame field (19 since /joints/ligament_compression) and the static /muscles/max_force
    # paraspine reads it too (its own LZ4 decoder, plugin or not).
    r = run("compare", str(files["deflate"]), str(files["lz4"]), "--json")
    assert r.returncode == 0, r.stderr


def test_run_compression_option_errors(tmp_path):
    out = tmp_path / "x.h5"
    r = run("run", "tests/data/test_lift.yaml", "-o", str(out), "--compression", "zstd")
    assert r.returncode == 2 and r.stderr.startswith("error: --compression: 'zstd' is not a compression"), r.stderr
    assert not out.exists() and not (tmp_path / "x.h5.partial").exists()
    r = run("run", "tests/data/test_lift.yaml", "--compression", "lz4")
    assert r.returncode != 0 and "--compression requires --output" in r.stderr
