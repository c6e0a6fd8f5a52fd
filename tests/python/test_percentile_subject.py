"""A subject by population percentile (docs/scenarios.md, "Subject"; the table and its source:
docs/sources/anthropometric_percentiles.md): `--subject percentile=5,sex=female` on the command line,
`percentile:` in a scenario's subject block, a `subject.percentile` sweep axis, and
`paraspine.Subject(percentile=..., sex=...)` in Python all give the table's stature and body mass."""
import json
import pickle

import pytest

import paraspine
from cli_helpers import run

# Fryar et al. 2025 (NHANES 2021-2023), Table 7 (cm) and Table 3 (kg), rows "20 and older".
TABLE = {("female", 5): (149.6, 50.7), ("female", 50): (161.2, 73.5), ("female", 95): (172.5, 119.2),
         ("male", 5): (162.2, 60.9), ("male", 50): (175.2, 86.6), ("male", 95): (187.2, 131.8)}

SCENARIO = """paraspine_scenario: 1
name: base
model: lumbar
output_rate_hz: 10
{subject}keyframes:
  - time: 0
  - time: 1
    regions_deg: {{lumbar: {{flexion: 20}}}}
    hands: {{both: {{position: [0.3, 0.1, 0.2], load_kg: 5}}}}
"""


def test_cli_percentile_gives_the_tables_stature_and_mass_in_the_summary(tmp_path):
    (tmp_path / "in.yaml").write_text(SCENARIO.format(subject=""))
    r = run("run", str(tmp_path / "in.yaml"), "--subject", "percentile=5,sex=female")
    assert r.returncode == 0, r.stderr
    assert "50.7 kg / 1.50 m female" in r.stdout, r.stdout
    assert "5th percentile female: stature 149.6 cm and body mass 50.7 kg" in r.stdout, r.stdout
    assert "univariate" in r.stdout and "NHANES 2021-2023" in r.stdout, r.stdout
    j = json.loads(run("run", str(tmp_path / "in.yaml"), "--subject", "percentile=95,sex=male", "--json").stdout)["subject"]
    assert j["height_m"] == pytest.approx(1.872, abs=1e-12) and j["body_mass_kg"] == pytest.approx(131.8, abs=1e-12)
    assert j["percentile"] == 95 and "Fryar" in j["anthropometric_table"]
    # Without a percentile the subject's record is as it was: no percentile keys.
    plain = json.loads(run("run", str(tmp_path / "in.yaml"), "--json").stdout)["subject"]
    assert "percentile" not in plain and "anthropometric_table" not in plain


def test_cli_percentile_errors_name_the_key(tmp_path):
    (tmp_path / "in.yaml").write_text(SCENARIO.format(subject=""))
    scenario = str(tmp_path / "in.yaml")
    r = run("run", scenario, "--subject", "percentile=99,sex=female")
    assert r.returncode == 2 and "--subject: percentile: must be between 5 and 95" in r.stderr, r.stderr
    r = run("run", scenario, "--subject", "percentile=50")
    assert r.returncode == 2 and "--subject: percentile: needs a sex" in r.stderr, r.stderr
    r = run("run", scenario, "--subject", "percentile=50,sex=male,height=1.8")
    assert r.returncode == 2 and "--subject: percentile: given with height" in r.stderr, r.stderr
    r = run("run", scenario, "--subject", "percentile=abc,sex=male")
    assert r.returncode == 2 and "is not a number" in r.stderr, r.stderr


def test_scenario_percentile_and_command_line_overrides(tmp_path):
    (tmp_path / "p.yaml").write_text(SCENARIO.format(subject="subject: {percentile: 50, sex: female}\npositions: scaled\n"))
    p = str(tmp_path / "p.yaml")
    j = json.loads(run("run", p, "--json").stdout)["subject"]
    assert (j["height_m"], j["body_mass_kg"], j["percentile"]) == (pytest.approx(1.612), pytest.approx(73.5), 50)
    # A sex on the command line reads the same percentile in that column.
    j = json.loads(run("run", p, "--subject", "sex=male", "--json").stdout)["subject"]
    assert (j["height_m"], j["body_mass_kg"], j["sex"]) == (pytest.approx(1.752), pytest.approx(86.6), "male")
    # A measured mass replaces the table's and ends the percentile; the height stays the table's.
    j = json.loads(run("run", p, "--subject", "mass=65", "--json").stdout)["subject"]
    assert j["body_mass_kg"] == 65 and j["height_m"] == pytest.approx(1.612) and "percentile" not in j
    # Out of range in the file: named by file, line and field.
    (tmp_path / "bad.yaml").write_text(SCENARIO.format(subject="subject: {percentile: 1, sex: female}\npositions: scaled\n"))
    r = run("run", str(tmp_path / "bad.yaml"))
    assert r.returncode == 2 and "bad.yaml:5: subject.percentile: must be between 5 and 95" in r.stderr, r.stderr


def test_sweep_over_percentiles(tmp_path):
    (tmp_path / "f.yaml").write_text(SCENARIO.format(subject="subject: {sex: female}\n"))
    r = run("sweep", str(tmp_path / "f.yaml"), "--vary", "subject.percentile=5,95", "--json")
    assert r.returncode == 0, r.stderr
    got = sorted((p["subject"]["height_m"], p["subject"]["body_mass_kg"]) for p in json.loads(r.stdout)["points"])
    assert got == [pytest.approx((1.496, 50.7)), pytest.approx((1.725, 119.2))]
    (tmp_path / "n.yaml").write_text(SCENARIO.format(subject=""))
    r = run("sweep", str(tmp_path / "n.yaml"), "--vary", "subject.percentile=5,95")
    assert r.returncode == 2 and "subject.percentile: needs the subject's sex" in r.stderr, r.stderr
    assert "--subject sex=female" in r.stderr, r.stderr
    # The sex from sweep --subject (a bundled scenario has no subject block).
    r = run("sweep", str(tmp_path / "n.yaml"), "--subject", "sex=male", "--vary", "subject.percentile=50", "--json")
    assert r.returncode == 0, r.stderr
    (point,) = json.loads(r.stdout)["points"]
    assert (point["subject"]["height_m"], point["subject"]["body_mass_kg"]) == (pytest.approx(1.752), pytest.approx(86.6))
    # A --subject key the axes vary would be replaced at every point: refused.
    r = run("sweep", str(tmp_path / "n.yaml"), "--subject", "sex=male,mass=70", "--vary", "subject.percentile=50")
    assert r.returncode == 2 and "--subject: mass: also set by --vary subject.percentile" in r.stderr, r.stderr
    # Python: the base subject gives the sex, and the message names Python's argument.
    with pytest.raises(paraspine.InputError, match="Subject\\(sex='female'\\)"):
        paraspine.sweep(str(tmp_path / "n.yaml"), {"subject.percentile": [5]}, progress=False)
    sw = paraspine.sweep(str(tmp_path / "n.yaml"), {"subject.percentile": [5, 95]}, subject=paraspine.Subject(sex="female"),
                         progress=False, threads=1)
    assert sw.summary(**{"subject.percentile": 95})["subject"]["body_mass_kg"] == pytest.approx(119.2)


@pytest.mark.parametrize("sex,p", sorted(TABLE))
def test_python_subject_by_percentile(sex, p):
    s = paraspine.Subject(percentile=p, sex=sex)
    cm, kg = TABLE[(sex, p)]
    assert s.height == pytest.approx(cm / 100, abs=1e-12) and s.mass == pytest.approx(kg, abs=1e-12)
    assert s.percentile == p
    assert pickle.loads(pickle.dumps(s)) == s
    assert eval(repr(s), {"paraspine": paraspine}) == s


def test_python_subject_percentile_rules():
    with pytest.raises(ValueError, match="between 5 and 95"):
        paraspine.Subject(percentile=99, sex="male")
    with pytest.raises(ValueError, match="needs sex"):
        paraspine.Subject(percentile=50)
    with pytest.raises(ValueError, match="not both"):
        paraspine.Subject(percentile=50, sex="male", mass=80)
    s = paraspine.Subject(percentile=20, sex="male")  # halfway between the 15th and 25th
    assert s.height == pytest.approx((1.675 + 1.700) / 2) and s.mass == pytest.approx((70.0 + 75.4) / 2)
    s.sex = "female"  # the same percentile, the female column
    assert s.height == pytest.approx((1.539 + 1.564) / 2)
    s.mass = 60  # a measured value: no longer the table's
    assert s.percentile == 0 and s.mass == 60
    m = paraspine.Model.load("lumbar").scaled(paraspine.Subject(percentile=5, sex="female"))
    assert (m.reference_height, m.reference_body_mass, m.reference_percentile) == (pytest.approx(1.496), pytest.approx(50.7), 5)
    assert m.scaled(paraspine.Subject(height=1.7)).reference_percentile == 0  # a measured height: no longer the table's


def test_python_simulate_takes_a_percentile_subject(tmp_path):
    (tmp_path / "in.yaml").write_text(SCENARIO.format(subject=""))
    r = paraspine.simulate(None, str(tmp_path / "in.yaml"), subject=paraspine.Subject(percentile=5, sex="female"), progress=False,
                           output=tmp_path / "py.h5")
    assert r.summary["subject"]["height_m"] == pytest.approx(1.496) and r.summary["subject"]["percentile"] == 5
    # Results files record the percentile and the table, from Python as from the command line.
    assert run("run", str(tmp_path / "in.yaml"), "--subject", "percentile=5,sex=female", "-o", str(tmp_path / "cli.h5")).returncode == 0
    import h5py
    for name in ("py.h5", "cli.h5"):
        with h5py.File(tmp_path / name, "r") as f:
            attr = f.attrs["subject"]
            stored = json.loads(attr.decode() if isinstance(attr, bytes) else attr)
        assert stored["percentile"] == 5 and stored["height_m"] == pytest.approx(1.496), name
        assert "NHANES 2021-2023" in stored["anthropometric_table"], name
