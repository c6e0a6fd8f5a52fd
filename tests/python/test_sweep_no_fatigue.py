"""sweep --no-fatigue and paraspine.sweep(fatigue=False): every grid point runs as run --no-fatigue
(fresh muscles, no creep), said in each summary and under the table; `sweep` refused the flag that
run and batch take."""
import json

import paraspine
from cli_helpers import FIXTURE, run


def test_sweep_without_fatigue_runs_every_point_as_run_does(tmp_path):
    r = run("sweep", FIXTURE, "--vary", "subject.mass=60,90", "--no-fatigue", "--json")
    assert r.returncode == 0, r.stderr
    points = json.loads(r.stdout)["points"]
    assert [p["fatigue"] for p in points] == [False, False]
    assert all(p["endurance_s"] is None for p in points)
    alone = run("run", FIXTURE, "--no-fatigue", "--set", "subject.body_mass=90", "--json")
    if alone.returncode != 0:  # the fixture may carry its subject under another key
        alone = run("run", FIXTURE, "--no-fatigue", "--subject", "mass=90", "--json")
    assert alone.returncode == 0, alone.stderr
    assert json.loads(alone.stdout)["joints"] == points[1]["joints"]
    with_fatigue = json.loads(run("sweep", FIXTURE, "--vary", "subject.mass=60,90", "--json").stdout)["points"]
    assert [p["fatigue"] for p in with_fatigue] == [True, True]
    table = run("sweep", FIXTURE, "--vary", "subject.mass=60,90", "--no-fatigue")
    assert table.returncode == 0 and "endurance: not evaluated (--no-fatigue" in table.stdout


def test_python_sweep_fatigue_false_gives_the_cli_s_summaries():
    res = paraspine.sweep(FIXTURE, {"subject.mass": [60, 90]}, fatigue=False, progress=False)
    assert [s["fatigue"] for s in res.summaries] == [False, False]
    cli = json.loads(run("sweep", FIXTURE, "--vary", "subject.mass=60,90", "--no-fatigue", "--json").stdout)["points"]
    assert [s["joints"] for s in res.summaries] == [p["joints"] for p in cli]


def test_sweep_long_form_has_every_joint_in_spinal_order():
    res = paraspine.sweep(FIXTURE, {"subject.mass": [60, 90]}, fatigue=False, progress=False)
    df = res.to_pandas("joints")
    assert len(df) == 2 * len(res.joint_names)
    assert list(df["joint"].cat.categories) == res.joint_names and res.joint_names[0] == "L5-S1"
    wide = res.to_pandas("L4-L5")
    long = df[df.joint == "L4-L5"].reset_index(drop=True)
    assert list(long["peak_compression_N"]) == list(wide["L4-L5 peak_compression_N"])
    assert "peak_compression_N" in df and "subject.mass" in df and "endurance_s" in df


def test_subject_factors_answer_to_both_names():
    # audit23 #8: --subject took fatigue_rate, the YAML and Subject fatigue_rate_scale; sweeps only the latter.
    a = run("sweep", FIXTURE, "--vary", "subject.fatigue_rate=1,2", "--json")
    b = run("sweep", FIXTURE, "--vary", "subject.fatigue_rate_scale=1,2", "--json")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert json.loads(a.stdout)["points"] == json.loads(b.stdout)["points"]
    assert json.loads(a.stdout)["axes"][0]["path"] == "subject.fatigue_rate_scale"
    r1 = run("run", FIXTURE, "--subject", "fatigue_rate_scale=2,body_mass=70,strength_factor=0.9", "--json")
    r2 = run("run", FIXTURE, "--subject", "fatigue_rate=2,mass=70,strength=0.9", "--json")
    assert r1.returncode == 0, r1.stderr
    assert json.loads(r1.stdout)["joints"] == json.loads(r2.stdout)["joints"]
    bad = run("run", FIXTURE, "--subject", "fatigue_rate=2,fatigue_rate_scale=3")
    assert bad.returncode == 2 and "given twice" in bad.stderr
    py = paraspine.sweep(FIXTURE, {"subject.fatigue_rate": [1, 2]}, progress=False)
    assert py.axes[0][0] == "subject.fatigue_rate_scale"
    assert [s["joints"] for s in py.summaries] == [p["joints"] for p in json.loads(a.stdout)["points"]]
