"""paraspine.sweep (parallel, GIL released, same file as the CLI), paraspine.plot, and the API's
documentation: docstrings on every public name and a stub that lists them."""
import ast
import inspect
import json
import os
import threading
import time

import h5py
import numpy as np
import pytest

import paraspine
from conftest import FIXTURE, cli, counts_while



@pytest.fixture(scope="module")
def grid():
    return paraspine.sweep(FIXTURE, {"subject.mass": [60, 90], "keyframes[1].hands.both.load_kg": "2:8:2"},
                           threads=2, progress=False)


def test_sweep_matches_single_runs_and_the_cli(grid, tmp_path):
    assert grid.shape == (2, 2) and len(grid) == 4
    assert [p for p, _ in grid.axes] == ["subject.mass", "keyframes[1].hands.both.load_kg"]
    assert np.allclose(grid.axes[1][1], [2, 8])
    # A grid point is the same run as simulate with that subject and override.
    one = paraspine.simulate(None, FIXTURE, subject=paraspine.Subject(mass=90),
                             overrides={"keyframes[1].hands.both.load_kg": 8.0}, progress=False)
    point = grid.summary(**{"subject.mass": 90, "keyframes[1].hands.both.load_kg": 8})
    assert point["joints"] == one.summary["joints"]
    # Heavier subject and heavier box: more compression at L4-L5.
    c = grid.to_xarray()["peak_compression_N"].sel(joint="L4-L5").values
    assert c[1, 0] > c[0, 0] and c[0, 1] > c[0, 0]
    ds = grid.to_xarray()
    assert ds["peak_activation"].dims == ("subject.mass", "keyframes[1].hands.both.load_kg", "group", "side")
    df = grid.to_pandas()
    assert len(df) == 4 and list(df.columns[:2]) == ["subject.mass", "keyframes[1].hands.both.load_kg"]
    assert np.isclose(df["L4-L5 peak_compression_N"].iloc[3], point["joints"]["L4-L5"]["peak_compression_N"])
    # The sweep file is the CLI's.
    py = grid.to_hdf5(tmp_path / "py_sweep.h5")
    out = tmp_path / "cli_sweep.h5"
    r = cli("sweep", FIXTURE, "--vary", "subject.mass=60,90", "--vary", "keyframes[1].hands.both.load_kg=2:8:2",
            "-o", str(out), "--threads", "2")
    assert r.returncode == 0, r.stderr
    with h5py.File(py) as a, h5py.File(out) as b:
        names = []
        b.visit(names.append)
        pnames = []
        a.visit(pnames.append)
        assert names == pnames
        for n in names:
            if n == "summaries":  # JSON text: equal as summaries
                assert [json.loads(x) for x in a[n].asstr()[()].ravel()] == [json.loads(x) for x in b[n].asstr()[()].ravel()]
            elif isinstance(b[n], h5py.Dataset):
                assert np.array_equal(a[n][()], b[n][()], equal_nan=True), n


def test_sweep_bad_input():
    with pytest.raises(ValueError, match="at least one axis"):
        paraspine.sweep(FIXTURE, {}, progress=False)
    with pytest.raises(paraspine.InputError, match="START:STOP:N"):
        paraspine.sweep(FIXTURE, {"subject.mass": "60:90"}, progress=False)
    with pytest.raises(paraspine.InputError, match="nosuchkey"):
        paraspine.sweep(FIXTURE, {"keyframes[1].nosuchkey": [1, 2]}, progress=False)
    with pytest.raises(ValueError, match="no values"):
        paraspine.sweep(FIXTURE, {"subject.mass": []}, progress=False)
    with pytest.raises(ValueError, match="threads"):
        paraspine.sweep(FIXTURE, {"subject.mass": [70]}, threads=0, progress=False)
    # A grid point the model rejects (checked when that point runs): the CLI's message.
    r = cli("sweep", FIXTURE, "--vary", "keyframes[1].hands.both.load_kg=5,100")
    with pytest.raises(ValueError) as e:
        paraspine.sweep(FIXTURE, {"keyframes[1].hands.both.load_kg": [5, 100]}, progress=False)
    assert r.returncode != 0 and "limit 60 kg" in str(e.value)
    # Same message, each naming the option the way its caller writes it (Python `vary`, CLI `--vary`).
    assert "(with vary " in str(e.value) and "(with --vary " in r.stderr
    assert str(e.value).replace(os.path.abspath(FIXTURE), FIXTURE).replace("(with vary ", "(with --vary ") in r.stderr


def test_sweep_progress_reaches_one():
    seen = []
    paraspine.sweep(FIXTURE, {"subject.mass": [60, 70]}, threads=1, progress=seen.append)
    assert seen and seen[-1] == 1.0


def test_sweep_releases_the_gil():
    assert counts_while(lambda: paraspine.sweep(FIXTURE, {"subject.mass": [60, 80]}, threads=1, progress=False)) > 10000


def _thread_cpu_seconds():
    """CPU time of each thread of this process, from /proc (utime + stime)."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir("/proc/self/task"):
        try:
            fields = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[tid] = (int(fields[11]) + int(fields[12])) / tick
    return out


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_sweep_with_two_threads_splits_the_work():
    vary = {"subject.mass": [60, 70, 80, 90]}
    sc = paraspine.Scenario.load(FIXTURE)
    # With threads=2 two OS threads each do a real share of the grid (CPU time per thread). The
    # speed-up itself is measured by the benchmarks and docs/performance.md (sweep of 20 points:
    # 88 % parallel efficiency on 2 threads), not here: a timed assertion under `ctest -j2` on a
    # shared 2-core machine fails whenever the other test slot takes the second core (it did).
    before = _thread_cpu_seconds()
    paraspine.sweep(sc, vary, threads=2, progress=False)
    after = _thread_cpu_seconds()
    used = sorted((after[t] - before.get(t, 0.0) for t in after), reverse=True)
    # The second busiest thread must have computed at least one grid point: half of the average
    # point's CPU time, the calling thread's checks of every axis value before the grid (session 7)
    # counted in. (Comparing it with the busiest thread failed in a CI rehearsal when the other test
    # slot held the second core and the first thread took three of the four points: 0.14 vs 0.03 s.)
    per_point = sum(used) / len(vary["subject.mass"])
    assert len(used) >= 2 and used[1] > 0.5 * per_point, (used, per_point)


# --- plots -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_runs():
    a = paraspine.simulate(None, FIXTURE, progress=False)
    b = paraspine.simulate(None, FIXTURE, overrides={"keyframes[1].hands.both.load_kg": 10}, progress=False)
    return a, b


def test_plots_draw_what_they_say(two_runs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a, b = two_runs
    ax = paraspine.plot.compression(a, joints=["L4-L5", "L5-S1"])
    assert [l.get_label() for l in ax.get_lines()][:2] == ["L4-L5", "L5-S1"]
    assert np.array_equal(ax.get_lines()[0].get_ydata(), a.joint("L4-L5").compression)
    ax = paraspine.plot.compression(a, quantity="shear_ap")
    assert "shear" in ax.get_ylabel()
    ax = paraspine.plot.level_profile([a, b], labels=["5 kg", "10 kg"])
    assert np.allclose(ax.get_lines()[1].get_xdata(), b.compression.max(axis=0))
    ax = paraspine.plot.activation_heatmap(a, group="longissimus")
    img = ax.get_images()[0].get_array()
    assert img.shape == (len(a.muscles(group="longissimus")), a.frames)
    ax = paraspine.plot.activation_heatmap(a, max_columns=50)
    assert ax.get_images()[0].get_array().shape[1] <= 51
    assert np.isclose(ax.get_images()[0].get_array().max(), a.activation.max())  # block maxima keep peaks
    ax = paraspine.plot.fatigue(a, groups=["longissimus", "multifidus"])
    f0 = np.asarray(a.model.muscle_max_force)  # the share of the group's strength lost: M_F weighted by F0
    for line, g in zip(ax.get_lines(), ["longissimus", "multifidus"]):
        sel = a.muscles(group=g)
        lost = sel.fatigue_fatigued @ f0[sel.indices] / f0[sel.indices].sum()
        assert np.allclose(line.get_ydata(), lost, rtol=1e-12, atol=0), g
    fig = paraspine.plot.compare([a, b], labels=["5 kg", "10 kg"])
    assert len(fig.axes) == 4
    with pytest.raises(ValueError):
        paraspine.plot.compression(a, quantity="torque")
    plt.close("all")


# --- documentation -----------------------------------------------------------------------------

def _public(obj):
    for name in dir(obj):
        if name.startswith("_"):
            continue
        yield name, getattr(obj, name)


def test_every_public_name_has_a_docstring():
    missing = []
    for name in paraspine.__all__:
        obj = getattr(paraspine, name)
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for mname, member in _public(obj):
                if inspect.isclass(obj) and issubclass(obj, BaseException):
                    break
                raw = inspect.getattr_static(obj, mname)
                if isinstance(raw, (property, staticmethod, classmethod)) or callable(member) or \
                        type(raw).__name__ in ("instancemethod", "property"):
                    if not (inspect.getdoc(raw if isinstance(raw, property) else member) or "").strip():
                        missing.append(f"{name}.{mname}")
    for mod in (paraspine.plot,):
        for fname, f in _public(mod):
            if inspect.isfunction(f) and f.__module__ == mod.__name__ and not inspect.getdoc(f):
                missing.append(f"plot.{fname}")
    assert not missing, missing


def test_stub_covers_the_compiled_module():
    stub = os.path.join(os.path.dirname(paraspine.__file__), "_core.pyi")
    assert os.path.exists(stub) and os.path.exists(os.path.join(os.path.dirname(paraspine.__file__), "py.typed"))
    tree = ast.parse(open(stub).read())
    names = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    names |= {t.id for n in tree.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    from paraspine import _core
    public = {n for n in dir(_core) if not n.startswith("__")}
    assert public - names == set()
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for cls in ("Model", "Subject", "Scenario"):
        members = {m.name for m in classes[cls].body if isinstance(m, ast.FunctionDef)}
        members |= {m.target.id for m in classes[cls].body if isinstance(m, ast.AnnAssign)}
        actual = {n for n in dir(getattr(_core, cls)) if not n.startswith("__")}
        assert actual - members == set(), cls


def test_sweep_values_are_checked_before_any_grid_point_runs():
    # A subject value out of range used to fail inside the grid as "sweep: subject body mass ..."
    # (exit 1 on the command line, after other points had run); a path varied twice ran a
    # meaningless grid. Both now fail at once, with the CLI's message, named by the argument given
    # (Python's said "--vary", the command line's option).
    for vary, cli_args, expect in (
            ({"subject.mass": [60, 2.5]}, ["subject.mass=60,2.5"], "vary: subject.mass: must be between 20 and 300 kg, got 2.5"),
            ({"subject.mass": [60], "subject.body_mass": [70]}, ["subject.mass=60", "subject.body_mass=70"],
             "vary: subject.body_mass: varied twice")):
        with pytest.raises(paraspine.InputError) as e:
            paraspine.sweep(FIXTURE, vary, progress=False)
        assert str(e.value).startswith(expect), str(e.value)
        args = ["sweep", FIXTURE]
        for a in cli_args:
            args += ["--vary", a]
        r = cli(*args)
        assert r.returncode == 2 and r.stderr == f"error: --{e.value}\n", r.stderr


def test_a_sweep_file_given_where_a_run_file_belongs_is_named(tmp_path):
    # compare and load_results said "not a paraspine results file" of paraspine's own sweep file.
    out = tmp_path / "sweep.h5"
    r = cli("sweep", FIXTURE, "--vary", "subject.mass=60,70", "-o", str(out))
    assert r.returncode == 0, r.stderr
    with pytest.raises(paraspine.InputError, match=r"a sweep file \(paraspine sweep -o") as e:
        paraspine.load_results(str(out))
    # Session-13 user review: it said "this command reads ..." to a Python user, and "/summaries and
    # /summary" of a file whose /summary holds per-joint arrays; it now says what reads what.
    assert "this command" not in str(e.value) and "load_results" in str(e.value)
    # audit25j #6: it told a Python user to read the file with h5py; paraspine.load_sweep opens it.
    assert str(e.value).endswith(f"; open it with paraspine.load_sweep({str(out)!r})"), str(e.value)
    assert "h5py" not in str(e.value) and e.value.file == str(out) and type(e.value) is paraspine.InputError
    assert len(paraspine.load_sweep(str(out)).summaries) == 2
    r = cli("compare", str(out))
    assert r.returncode == 2 and "a sweep file (paraspine sweep -o" in r.stderr


def test_every_sweep_error_names_vary_as_python_writes_it():
    # A grid too large, a malformed 'START:STOP:N' value and a grid point whose values clash (each
    # accepted alone) said "--vary", the command line's option, to a Python user who typed `vary`.
    # The same messages with the argument named as each caller writes it.
    big = {"subject.mass": np.linspace(60, 90, 100), "subject.height": np.linspace(1.6, 1.9, 100),
           "subject.strength": np.linspace(0.8, 1.2, 101)}
    clash = {"keyframes[1].time": [2.5], "keyframes[2].time": [2.0]}  # 0, 2.5, 2.0: not in order
    for vary, cli_args, expect in (
            (big, ["subject.mass=60:90:100", "subject.height=1.6:1.9:100", "subject.strength=0.8:1.2:101"],
             "vary: the grid has more than 1000000 points"),
            ({"subject.mass": "60:90"}, ["subject.mass=60:90"], "vary: subject.mass=60:90: expected START:STOP:N"),
            (clash, ["keyframes[1].time=2.5", "keyframes[2].time=2.0"], None)):
        ran = []
        with pytest.raises(paraspine.InputError) as e:
            paraspine.sweep(FIXTURE, vary, progress=ran.append)
        msg = str(e.value)
        assert "--vary" not in msg and ran == [], msg
        args = ["sweep", FIXTURE]
        for a in cli_args:
            args += ["--vary", a]
        r = cli(*args)
        assert r.returncode == 2, r.stderr
        if expect:
            assert msg.startswith(expect), msg
            assert r.stderr == f"error: --{msg}\n", r.stderr
        else:
            assert "(with vary)" in msg, msg
            assert "(with --vary)" in r.stderr, r.stderr
            assert r.stderr.replace(os.path.abspath(FIXTURE), FIXTURE) == \
                "error: " + msg.replace(os.path.abspath(FIXTURE), FIXTURE).replace("(with vary)", "(with --vary)") + "\n"
