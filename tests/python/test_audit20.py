"""Defects found by session 20's acceptance audit (a student comparing postures in Python, a
researcher feeding in their own scenario files), each checked where the user met it:

2. YAML syntax errors named the line after the mistake (tests/cpp/test_scenario_input.cpp holds the
   parser; here the CLI and Python messages);
7. a sweep's per-group fatigue was out of reach of to_pandas, and a CLI sweep file could not be
   loaded back into Python.
"""
import textwrap

import numpy as np
import pytest

import paraspine

from cli_helpers import run

SMALL = textwrap.dedent("""\
    paraspine_scenario: 1
    name: small
    model: lumbar
    output_rate_hz: 10
    keyframes:
      - time: 0
      - time: 1
        regions_deg: {lumbar: {flexion: 20}}
        hands: {both: {position: [0.3, 0.1, 0.2], load_kg: 5}}
    """)


def test_an_unclosed_bracket_is_named_on_its_own_line_by_the_cli_and_python(tmp_path):
    bad = SMALL.replace("{lumbar: {flexion: 20}}", "{lumbar: {flexion: 20}")
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    r = run("run", str(path), "-o", str(tmp_path / "x.h5"))
    assert r.returncode == 2
    assert f"{path}:8: YAML syntax error: the '{{' at col 18 is never closed" in r.stderr, r.stderr
    assert not (tmp_path / "x.h5").exists()
    with pytest.raises(paraspine.InputError) as e:
        paraspine.Scenario.from_yaml(bad, "bad.yaml")
    assert e.value.line == 8 and "is never closed" in str(e.value)


def test_a_sweep_gives_its_groups_to_pandas_and_its_file_loads_back(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL)
    sw = paraspine.sweep(str(scenario), {"keyframes[1].hands.both.load_kg": [2, 6]}, threads=1, progress=False)
    groups = sw.to_pandas("groups")
    path = "keyframes[1].hands.both.load_kg"
    assert list(groups.columns[:6]) == [path, "subject_sex", "subject_mass_kg", "subject_height_m", "group", "side"]
    one = groups[(groups["group"] == "longissimus") & (groups["side"] == "left")].set_index(path)
    assert len(one) == 2
    for load in (2, 6):
        assert one.loc[load, "mean_activation"] == sw.summary(**{path: load})["groups"]["longissimus"]["left"]["mean_activation"]
    assert one.loc[6, "mean_activation"] > one.loc[2, "mean_activation"]  # more load, more work
    with pytest.raises(KeyError, match="'groups' for the muscle groups"):
        sw.to_pandas("L9-L10")

    # The CLI's sweep file reads back as the same SweepResults.
    out = tmp_path / "sw.h5"
    r = run("sweep", str(scenario), "--vary", f"{path}=2,6", "-o", str(out))
    assert r.returncode == 0, r.stderr
    back = paraspine.load_sweep(out)
    assert back.shape == (2,) and back.axes[0][0] == path and np.array_equal(back.axes[0][1], [2.0, 6.0])
    assert back.scenario.name == "small"
    assert back.to_pandas().equals(sw.to_pandas())
    assert back.to_pandas("groups").equals(groups)

    # Not a sweep file: named, with the reader to use.
    single = tmp_path / "one.h5"
    assert run("run", str(scenario), "-o", str(single)).returncode == 0
    with pytest.raises(paraspine.InputError, match="not a sweep file .*load_results"):
        paraspine.load_sweep(single)
    with pytest.raises(FileNotFoundError):
        paraspine.load_sweep(tmp_path / "missing.h5")


def test_validate_on_another_model_runs_every_case_it_can():
    """audit20b #2: `validate --model lumbar` stopped at the first case resting on a segment lumbar
    lumps (T12) and printed no JSON; such a case now gives no value and says why, the others run."""
    import json
    r = run("validate", "--model", "lumbar", "--json")
    assert r.returncode == 3, r.stderr  # failures, not an input error
    cases = json.loads(r.stdout)["cases"]
    assert len(cases) == 37
    na = [c for c in cases if c["status"] == "not applicable"]
    assert 0 < len(na) < len(cases)
    assert all(c["predicted"] is None and "not applicable to model" in c["detail"] and "lumbar" in c["detail"] for c in na)
    assert any("T12" in c["detail"] for c in na)
    assert sum(c["predicted"] is not None for c in cases) >= 20


def test_compare_shows_every_group_and_says_when_the_models_differ(tmp_path):
    """audit20b #8: compare left out a group only the second file had, and never said two runs used
    different models (a variant of the same name)."""
    text = open("models/lumbar.yaml").read()
    variant = tmp_path / "variant.yaml"
    variant.write_text(text.replace("group: multifidus\n", "group: multifidus_x\n").replace("\n  multifidus: {", "\n  multifidus_x: {"))
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL)
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    assert run("run", str(scenario), "--no-fatigue", "-o", str(a)).returncode == 0
    r = run("run", str(scenario), "--model", str(variant), "--no-fatigue", "-o", str(b))
    assert r.returncode == 0, r.stderr
    out = run("compare", str(a), str(b)).stdout
    assert "model (differs)" in out and "multifidus_x mean activation" in out and "multifidus mean activation" in out, out
    assert "model (differs)" not in run("compare", str(a), str(a)).stdout


def test_a_model_shows_each_fascicles_parameters():
    """audit20b #7: only F0 was reachable from Python; an author could not check an edit."""
    m = paraspine.Model.load("lumbar")
    i = m.muscle_names.index("IL_L2_r")
    assert m.muscle_max_force[i] == pytest.approx(426.320265)
    assert m.muscle_optimal_fiber_length[i] == pytest.approx(0.0634, abs=1e-4)
    assert m.muscle_tendon_slack_length[i] == pytest.approx(0.0735, abs=1e-4)
    assert m.muscle_pcsa[i] == pytest.approx(m.muscle_max_force[i] / 1e6)
    assert 0 <= m.muscle_pennation[i] < 1 and 0 < m.muscle_type1_fraction[i] <= 1 and m.muscle_passive_strain[i] > 0
    assert "MF-TL" in m.muscle_sources[i] or m.muscle_sources[i]
    s = m.scaled(paraspine.Subject(height=2 * m.reference_height / 1.9, mass=m.reference_body_mass))
    assert s.muscle_optimal_fiber_length[i] == pytest.approx(m.muscle_optimal_fiber_length[i] * 2 / 1.9)


def test_model_info_json_lists_every_fascicle_with_its_neutral_fibre_length():
    """audit20b #7: model info gave group counts and sums only; an author checks a fascicle's numbers
    and where its fibres sit at neutral (the loader refuses outside 0.2-5, the bundled 0.79-1.12)."""
    import json
    r = run("model", "info", "full_spine", "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    fascicles = {f["name"]: f for f in info["fascicles"]}
    assert len(fascicles) == info["muscles"] == 678
    il = fascicles["IL_L1_r"]
    assert il["group"] == "iliocostalis" and il["side"] == "right" and il["levels"] == ["L5-S1", "L1-L2"]
    m = paraspine.Model.load("full_spine")
    i = m.muscle_names.index("IL_L1_r")
    assert il["optimal_fiber_length_m"] == m.muscle_optimal_fiber_length[i] and il["max_force_N"] == m.muscle_max_force[i]
    norms = [f["neutral_fiber_length_norm"] for f in info["fascicles"]]
    assert 0.75 < min(norms) and max(norms) < 1.15
