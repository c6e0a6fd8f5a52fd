"""Categorical sweep axes (audit24s #3): `--vary subject.sex=male,female` and words on a scenario value
(`--vary criterion=activation2,activation3`) in one grid, through the CLI's table, CSV, --json and
sweep file and through paraspine.sweep / load_sweep. Before, a percentile x sex study needed one sweep
per sex ("'male' is not a number") and the sex was lost when the two were concatenated."""
import csv
import json

import numpy as np
import pytest

import paraspine
from cli_helpers import FIXTURE, run

SEX = ["--vary", "subject.sex=male,female", "--vary", "subject.percentile=5,95", "--no-fatigue"]


def test_cli_sex_by_percentile_in_one_grid(tmp_path):
    out, table = tmp_path / "s.h5", tmp_path / "s.csv"
    r = run("sweep", FIXTURE, *SEX, "-o", str(out), "--csv", str(table))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(table)))
    assert [(row["subject.sex"], row["subject.percentile"]) for row in rows] == [
        ("male", "5"), ("male", "95"), ("female", "5"), ("female", "95")]
    assert [row["subject_sex"] for row in rows] == ["male", "male", "female", "female"]
    # The percentile is read in each sex's column: the 95th-percentile woman is lighter than the man.
    assert float(rows[3]["subject_mass_kg"]) < float(rows[1]["subject_mass_kg"])
    # Each point is the run of that subject.
    alone = json.loads(run("run", FIXTURE, "--no-fatigue", "--subject", "percentile=95,sex=female", "--json").stdout)
    doc = json.loads(run("sweep", FIXTURE, *SEX, "--json").stdout)
    assert doc["axes"][0] == {"path": "subject.sex", "values": ["male", "female"]}
    assert doc["points"][3]["grid"] == {"subject.sex": "female", "subject.percentile": 95.0}
    assert doc["points"][3]["joints"] == alone["joints"]
    sw = paraspine.load_sweep(out)
    assert sw.axes[0][0] == "subject.sex" and list(sw.axes[0][1]) == ["male", "female"]
    assert sw.summary(**{"subject.sex": "female", "subject.percentile": 95})["joints"] == alone["joints"]
    with pytest.raises(KeyError, match="not on the grid"):
        sw.summary(**{"subject.sex": "woman", "subject.percentile": 95})


def test_python_words_make_a_categorical_axis_and_round_trip(tmp_path):
    sw = paraspine.sweep(FIXTURE, {"subject.sex": ["male", "female"], "subject.percentile": [50],
                                   "criterion": "activation2,activation3"}, fatigue=False, progress=False)
    df = sw.to_pandas()
    assert list(df["subject.sex"]) == ["male", "male", "female", "female"]
    assert list(df["subject.percentile"]) == [50.0] * 4
    assert list(df["criterion"]) == ["activation2", "activation3"] * 2
    assert [s["criterion"] for s in sw.summaries] == ["activation2", "activation3"] * 2
    assert [s["subject"]["sex"] for s in sw.summaries] == ["male", "male", "female", "female"]
    sw.to_hdf5(tmp_path / "p.h5")
    back = paraspine.load_sweep(tmp_path / "p.h5")
    assert [list(v) for _, v in back.axes] == [["male", "female"], [50.0], ["activation2", "activation3"]]
    assert back.summaries == sw.summaries
    import h5py

    with h5py.File(tmp_path / "p.h5") as f:
        assert f.attrs["criterion"] == "varied: see /grid"  # not the base scenario's, which not every point ran
        assert f["grid/0"].attrs["units"] == "" and f["grid/0"].attrs["path"] == "subject.sex"
    # Number strings are numbers, as on the command line (review25); a set has no grid order.
    assert paraspine.sweep(FIXTURE, {"subject.mass": ["60", "70"]}, fatigue=False, progress=False).axes[0][1].dtype == float
    with pytest.raises(TypeError, match="not a set"):
        paraspine.sweep(FIXTURE, {"subject.sex": {"male", "female"}}, progress=False)
    # A sex given both ways is refused, as the command line refuses it.
    with pytest.raises(ValueError, match="subject= gives a sex and vary varies subject.sex"):
        paraspine.sweep(FIXTURE, {"subject.sex": ["male", "female"]}, subject=paraspine.Subject(sex="male"), progress=False)


@pytest.mark.parametrize("vary, message", [
    (["subject.sex=male,femal"], "expected male or female, got 'femal'"),
    (["subject.sex=male,male"], "'male' given twice"),
    (["subject.mass=60,heavy"], "'heavy' is not a number"),
    (["subject.sex=0:1:2"], "expected male and/or female"),
    (["criterion=activation2,nosuch"], "unknown criterion 'nosuch'"),
])
def test_cli_refuses_bad_words_before_any_point_runs(vary, message, tmp_path):
    args = [a for v in vary for a in ("--vary", v)]
    r = run("sweep", FIXTURE, *args, "-o", str(tmp_path / "x.h5"))
    assert r.returncode != 0 and message in r.stderr, r.stderr
    assert not list(tmp_path.iterdir())  # no file, not even a partial one


def test_cli_refuses_a_sex_given_both_ways():
    r = run("sweep", FIXTURE, "--subject", "sex=male", "--vary", "subject.sex=male,female")
    assert r.returncode != 0 and "also set by --vary subject.sex" in r.stderr, r.stderr
    ok = run("sweep", FIXTURE, "--subject", "percentile=50", "--vary", "subject.sex=male,female", "--no-fatigue", "--json")
    assert ok.returncode == 0, ok.stderr
    assert [p["subject"]["sex"] for p in json.loads(ok.stdout)["points"]] == ["male", "female"]


def test_python_refuses_words_on_a_numeric_subject_key():
    with pytest.raises(paraspine.InputError, match="takes numbers, not words"):
        paraspine.sweep(FIXTURE, {"subject.mass": ["a", "b"]}, progress=False)
    with pytest.raises(paraspine.InputError, match="male and/or female, not numbers"):
        paraspine.sweep(FIXTURE, {"subject.sex": [1, 2]}, progress=False)
    assert np.asarray(paraspine.sweep(FIXTURE, {"subject.mass": [60]}, fatigue=False, progress=False).axes[0][1]).dtype == float


def test_the_grid_does_not_depend_on_the_order_of_the_axes():
    # review25 T6: each point's percentile is read in its own sex's column whichever axis comes first.
    a = json.loads(run("sweep", FIXTURE, "--vary", "subject.sex=male,female", "--vary", "subject.percentile=5,95",
                       "--no-fatigue", "--json").stdout)["points"]
    b = json.loads(run("sweep", FIXTURE, "--vary", "subject.percentile=5,95", "--vary", "subject.sex=female,male",
                       "--no-fatigue", "--json").stdout)["points"]
    by = lambda pts: {(p["grid"]["subject.sex"], p["grid"]["subject.percentile"]): p["joints"] for p in pts}
    assert by(a) == by(b)
    assert len(by(a)) == 4
