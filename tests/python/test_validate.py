"""`paraspine validate`: the JSON contract of docs/validation.md, exit codes, and bad cases files."""
import json
import os

from cli_helpers import run

CASE_KEYS = {"name", "dataset", "quantity", "measured", "predicted", "error_pct", "tolerance_pct", "pass", "source"}
DATASET_KEYS = {"name", "n", "pearson_r", "mean_abs_error_pct"}


def test_json_has_the_documented_keys_and_consistent_errors():
    r = run("validate", "--case", "wilke_standing_flexed_ratio", "--json")
    assert r.returncode in (0, 3), r.stderr
    out = json.loads(r.stdout)
    assert len(out["cases"]) == 1 and len(out["datasets"]) == 1
    c = out["cases"][0]
    assert CASE_KEYS <= set(c)
    assert DATASET_KEYS <= set(out["datasets"][0])
    # The error is what the two numbers say, and pass follows from it and the tolerance.
    assert abs(c["error_pct"] - 100 * (c["predicted"] - c["measured"]) / c["measured"]) < 1e-9
    assert c["pass"] == (abs(c["error_pct"]) <= c["tolerance_pct"])
    assert (r.returncode == 0) == c["pass"]


def test_normalized_case_is_the_ratio_of_the_absolute_ones():
    abs_flexed = json.loads(run("validate", "--case", "wilke_standing_flexed_mpa", "--json").stdout)["cases"][0]
    abs_standing = json.loads(run("validate", "--case", "wilke_standing_relaxed_mpa", "--json").stdout)["cases"][0]
    ratio = json.loads(run("validate", "--case", "wilke_standing_flexed_ratio", "--json").stdout)["cases"][0]
    assert abs(ratio["predicted"] - abs_flexed["predicted"] / abs_standing["predicted"]) < 1e-9


def test_unknown_case_is_an_error_naming_the_cases():
    r = run("validate", "--case", "no_such_case")
    assert r.returncode != 0 and r.returncode != 3
    assert "no_such_case" in r.stderr and "wilke_standing_relaxed_mpa" in r.stderr


def test_bad_cases_file_names_file_line_field(tmp_path):
    text = open("tests/validation/cases.yaml").read().replace("tolerance_pct: 25", "tolerance_pc: 25", 1)
    bad = tmp_path / "cases.yaml"
    bad.write_text(text)
    (tmp_path / "scenarios").symlink_to(os.path.abspath("tests/validation/scenarios"))
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "tolerance_pc:" in l)
    r = run("validate", "--cases", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    assert f"{bad}:{line}: cases[0]" in r.stderr and "unknown key 'tolerance_pc'" in r.stderr


def test_missing_scenario_is_reported(tmp_path):
    text = open("tests/validation/cases.yaml").read().replace(
        "scenarios/wilke_standing_flexed.yaml}", "scenarios/nowhere.yaml}", 1)
    bad = tmp_path / "cases.yaml"
    bad.write_text(text)
    (tmp_path / "scenarios").symlink_to(os.path.abspath("tests/validation/scenarios"))
    r = run("validate", "--cases", str(bad))
    assert r.returncode == 2 and "nowhere.yaml" in r.stderr and "does not exist" in r.stderr


def test_erector_silence_is_found_when_the_trunk_leans_back(tmp_path):
    # From 30° of lumbar flexion back through upright into a backward lean: the erector spinae hold
    # the flexed trunk and must fall silent once its weight passes behind the spine, so the metric
    # has to report an angle inside the motion (the flexion–relaxation case itself finds none).
    (tmp_path / "lean_back.yaml").write_text("""paraspine_scenario: 1
name: lean_back
model: full_spine
output_rate_hz: 20
keyframes:
  - time: 0
    regions_deg: {lumbar: {flexion: 30}}
  - time: 4
    pelvis_deg: {flexion: -15}
    regions_deg: {lumbar: {flexion: -10}}
  - time: 5
    pelvis_deg: {flexion: -15}
    regions_deg: {lumbar: {flexion: -10}}
""")
    text = open("tests/validation/cases.yaml").read()
    head = text[: text.index("\ncases:") + 1]
    (tmp_path / "cases.yaml").write_text(head + """cases:
  - name: lean_back_silence
    dataset: test
    quantity: lumbar flexion at erector silence while leaning back
    unit: deg
    measured: 10
    tolerance_pct: 1000
    tolerance_reason: a check of the metric, not of the model
    source: none
    predict: {metric: erector_silence_lumbar_flexion, scenario: lean_back.yaml}
""")
    r = run("validate", "--cases", str(tmp_path / "cases.yaml"), "--json")
    assert r.returncode == 0, r.stderr + r.stdout
    c = json.loads(r.stdout)["cases"][0]
    assert c["predicted"] is not None and -10.5 < c["predicted"] < 30.5, c


def test_pressure_uses_the_models_disc_area_and_factor():
    # p = k · F / A with k and A read from the scenario's model (docs/model.md §9), not the cases file.
    c = json.loads(run("validate", "--case", "wilke_standing_relaxed_mpa", "--json").stdout)["cases"][0]
    k, area = c["correction_factor"], c["disc_area_cm2"]
    assert k == 1.5
    # The model's L4-L5 disc (20.03 cm² at 79.58 kg, 1.716 m) scaled to the scenario's 70 kg at that height.
    assert abs(area - 20.03 * 70 / 79.5835) < 0.01
    force = float(c["detail"].split("mean compression ")[1].split(" N")[0])
    assert abs(c["predicted"] - 1e-6 * k * force / (1e-4 * area)) < 0.002 * c["predicted"]


def test_cases_file_may_not_restate_the_disc_area_or_factor(tmp_path):
    (tmp_path / "scenarios").symlink_to(os.path.abspath("tests/validation/scenarios"))
    base = open("tests/validation/cases.yaml").read()
    for key in ("disc_area_cm2: 18", "correction_factor: 1.5"):
        text = base.replace("  joint: L4-L5\n", f"  joint: L4-L5\n  {key}\n", 1)
        bad = tmp_path / "cases.yaml"
        bad.write_text(text)
        line = next(i for i, l in enumerate(text.splitlines(), 1) if l.strip() == key)
        r = run("validate", "--cases", str(bad))
        assert r.returncode == 2 and r.stdout == ""
        assert f"{bad}:{line}: pressure_conversion.{key.split(':')[0]}" in r.stderr and "from the model" in r.stderr


def _bound_suite(tmp_path, bound, measured, tolerance="0", known=""):
    """A one-case suite holding the squat's L4-L5 peak shear (241 N) against a published bound."""
    text = open("tests/validation/cases.yaml").read()
    head = text[: text.index("\ncases:") + 1]
    (tmp_path / "scenarios").symlink_to(os.path.abspath("tests/validation/scenarios"))
    (tmp_path / "cases.yaml").write_text(head + f"""cases:
  - name: shear_bound
    dataset: "bound test"
    quantity: "L4-L5 peak shear"
    unit: N
    measured: {measured}
    bound: {bound}
    tolerance_pct: {tolerance}
    tolerance_reason: "test"
    source: "test"
    predict: {{metric: shear_ap, joint: L4-L5, statistic: peak, scenario: scenarios/kingma_squat.yaml}}
{known}""")
    return str(tmp_path / "cases.yaml")


def test_an_upper_bound_passes_inside_with_no_error_and_fails_by_the_excess(tmp_path):
    (tmp_path / "a").mkdir()
    inside = run("validate", "--cases", _bound_suite(tmp_path / "a", "upper", 300), "--json")
    assert inside.returncode == 0, inside.stderr
    c = json.loads(inside.stdout)["cases"][0]
    assert c["bound"] == "upper" and c["pass"] and c["error_pct"] == 0 and c["predicted"] < 300
    predicted = c["predicted"]
    # The same prediction against a bound it exceeds: the error is the excess, and the case fails.
    (tmp_path / "b").mkdir()
    out = run("validate", "--cases", _bound_suite(tmp_path / "b", "upper", 200), "--json")
    assert out.returncode == 3
    c = json.loads(out.stdout)["cases"][0]
    assert not c["pass"] and abs(c["error_pct"] - 100 * (predicted - 200) / 200) < 1e-9
    # A one-sided tolerance lets it exceed by that much; the text table shows the bound as '< 200'.
    (tmp_path / "c").mkdir()
    table = run("validate", "--cases", _bound_suite(tmp_path / "c", "upper", 200, tolerance="25"))
    assert table.returncode == 0 and "< 200" in table.stdout and "+25" in table.stdout
    # A lower bound below the prediction passes; above it, it fails by the shortfall.
    (tmp_path / "d").mkdir()
    c = json.loads(run("validate", "--cases", _bound_suite(tmp_path / "d", "lower", 100), "--json").stdout)["cases"][0]
    assert c["pass"] and c["error_pct"] == 0
    (tmp_path / "e").mkdir()
    c = json.loads(run("validate", "--cases", _bound_suite(tmp_path / "e", "lower", 400), "--json").stdout)["cases"][0]
    assert not c["pass"] and abs(c["error_pct"] - 100 * (predicted - 400) / 400) < 1e-9


def test_a_bad_bound_names_its_line_and_field(tmp_path):
    path = _bound_suite(tmp_path, "below", 300)
    line = next(i for i, l in enumerate(open(path).read().splitlines(), 1) if "bound: below" in l)
    r = run("validate", "--cases", path)
    assert r.returncode == 2 and r.stdout == ""
    assert f"{path}:{line}: cases[0].bound" in r.stderr and "upper or lower" in r.stderr


def test_only_a_bound_may_have_zero_tolerance(tmp_path):
    path = _bound_suite(tmp_path, "upper", 300)
    text = open(path).read().replace("    bound: upper\n", "")
    open(path, "w").write(text)
    r = run("validate", "--cases", path)
    assert r.returncode == 2 and "tolerance_pct" in r.stderr


def test_trunk_extension_holds_are_cases_without_scenarios():
    # The fatigue issue's sustained holds (sim/simulate/extension_hold.h) against Frey Law & Avin 2010's
    # curve ET = 22.69 f^-2.27 s: 20 % a known failure, 40-80 % within ±30 %, shorter with more load.
    out = json.loads(run("validate", "--case", "frey_law_trunk_hold_60pct", "--json").stdout)
    c = out["cases"][0]
    assert c["scenarios"] == [] and c["dataset"] == "Frey Law & Avin 2010 trunk endurance"
    assert abs(c["measured"] - 22.69 * 0.6 ** -2.27) < 0.01
    assert c["pass"] and c["known_failure"] is None
    assert "maximal effort" in c["detail"] and "T8" in c["detail"]
    r = run("validate", "--case", "frey_law_trunk_hold_20pct", "--json")
    assert r.returncode == 3
    low = json.loads(r.stdout)["cases"][0]
    assert low["status"] == "known failure" and low["predicted"] > c["predicted"]


def test_a_hold_on_a_missing_pad_names_its_line_and_field(tmp_path):
    bad = tmp_path / "cases.yaml"
    bad.write_text("paraspine_validation: 1\npressure_conversion: {joint: L4-L5, source: test}\ncases:\n"
                   "  - name: hold\n    dataset: d\n    quantity: q\n    unit: s\n    measured: 181.62\n"
                   "    tolerance_pct: 30\n    tolerance_reason: t\n    source: s\n"
                   "    predict: {metric: extension_hold_endurance, fraction: 0.4, pad: T13}\n")
    r = run("validate", "--cases", str(bad))
    assert r.returncode == 2 and r.stdout == ""
    assert f"{bad}:12: cases[0].predict.pad: no segment 'T13'" in r.stderr


def test_model_option_runs_every_case_on_another_model(tmp_path):
    """--model: the same cases on a model variant (a file or a bundled name), named in the output."""
    base = json.loads(run("validate", "--case", "wilke_standing_relaxed_mpa", "--json").stdout)
    assert base["model_override"] is None
    # The same model under another name gives the same prediction, and the hold names the file it used.
    variant = tmp_path / "variant.yaml"
    variant.write_text(open("models/full_spine.yaml").read())
    same = json.loads(run("validate", "--case", "wilke_standing_relaxed_mpa", "--model", str(variant), "--json").stdout)
    assert same["model_override"] == str(variant)
    assert same["cases"][0]["predicted"] == base["cases"][0]["predicted"]
    hold = json.loads(run("validate", "--case", "frey_law_trunk_hold_60pct", "--model", str(variant), "--json").stdout)
    assert "variant, standing neutral" in hold["cases"][0]["detail"]
    # Another model gives another answer, and the text table says which model ran.
    other = json.loads(run("validate", "--case", "wilke_standing_relaxed_mpa", "--model", "paraspinal_only", "--json").stdout)
    assert other["model_override"].endswith("paraspinal_only.yaml")
    assert other["cases"][0]["predicted"] != base["cases"][0]["predicted"]
    text = run("validate", "--case", "wilke_standing_relaxed_mpa", "--model", str(variant))
    assert f"Every case on the model {variant} (--model)" in text.stdout
    # A model that does not load stops before any case runs, naming its file and line.
    bad = tmp_path / "bad.yaml"
    bad.write_text(open("models/full_spine.yaml").read().replace("mass:", "mass: -", 1))
    r = run("validate", "--model", str(bad))
    assert r.returncode == 2 and r.stdout == "" and str(bad) in r.stderr
