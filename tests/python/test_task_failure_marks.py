"""After task failure a run's fatigue curves describe a task the body could no longer do (audit23 #1):
the plots mark the instant and shade what follows, and the groups table gives each group's share of
strength lost at that instant beside its end value. side="both", the summary's word, selects both sides."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

import paraspine
from cli_helpers import run


@pytest.fixture(scope="module")
def sitting():
    return paraspine.simulate(None, "upright_sitting", progress=False)


def failure_lines(ax):
    return [ln for ln in ax.get_lines() if ln.get_linestyle() == ":" and "task failure" in ln.get_label()]


def test_plots_mark_the_failure_and_shade_what_follows(sitting):
    end = sitting.summary["endurance_s"]
    assert end is not None and 0 < end < sitting.duration_s
    ax = paraspine.plot.fatigue(sitting, time_unit="s")
    (line,) = failure_lines(ax)
    assert line.get_xdata()[0] == pytest.approx(end)
    assert len(ax.patches) == 1  # the band after failure
    ax = paraspine.plot.compression(sitting, time_unit="min")
    assert failure_lines(ax)[0].get_xdata()[0] == pytest.approx(end / 60)
    fresh = paraspine.simulate(None, "upright_sitting", progress=False, fatigue=False)
    assert failure_lines(paraspine.plot.fatigue(fresh)) == []
    fig = paraspine.plot.compare([sitting, fresh])
    assert len(failure_lines(fig.axes[0])) == 1 and len(failure_lines(fig.axes[3])) == 1


def test_groups_table_gives_the_share_lost_at_failure(sitting, tmp_path):
    df = sitting.to_pandas("groups")
    end = sitting.summary["endurance_s"]
    assert df.attrs["endurance_s"] == end
    frame = int(np.searchsorted(sitting.time, end + 1e-9, side="right")) - 1
    assert sitting.time[frame] == end  # stored at 1 Hz: the instant itself
    for g in ("multifidus", "spinalis"):
        lost = sitting.group_strength_lost(g, "left")
        assert df.loc[(g, "left"), "fatigued_fraction_at_failure"] == pytest.approx(lost[frame], abs=1e-12)
        assert df.loc[(g, "left"), "end_fatigued_fraction"] == pytest.approx(lost[-1], abs=1e-9)
    # The end of a run past failure differs from its value at failure (here multifidus 0.53 vs 0.34).
    assert (df.end_fatigued_fraction - df.fatigued_fraction_at_failure).abs().max() > 0.1
    f = paraspine.load_results(sitting.to_hdf5(tmp_path / "up.h5"))
    assert np.allclose(f.to_pandas("groups").fatigued_fraction_at_failure, df.fatigued_fraction_at_failure, atol=1e-12)
    fresh = paraspine.simulate(None, "upright_sitting", progress=False, fatigue=False).to_pandas("groups")
    assert fresh.attrs["endurance_s"] is None and "fatigued_fraction_at_failure" not in fresh


def test_side_both_is_both_sides(sitting):
    assert np.array_equal(sitting.muscles("spinalis", side="both").indices, sitting.muscles("spinalis").indices)
    assert np.array_equal(sitting.group_strength_lost("spinalis", "both"), sitting.group_strength_lost("spinalis"))
    with pytest.raises(KeyError, match="'both'"):
        sitting.muscles(side="middle")


def test_micro_breaks_can_be_given_to_any_scenario_by_overrides():
    # audit23 #6: break_every / break_s were refused ("overrides can only change existing values").
    base = paraspine.Scenario.load("upright_sitting", overrides={"keyframes[1].time": 600})
    sc = base.with_overrides({"repetitions": 3, "break_every": 1, "break_s": 300, "break_posture": "supported"})
    r = paraspine.simulate(None, sc, progress=False, fatigue=False)
    assert r.duration_s == pytest.approx(3 * 600 + 2 * 300)
    with pytest.raises(paraspine.InputError, match="break_every: needs break_s"):
        base.with_overrides({"repetitions": 3, "break_every": 1})


def test_a_rest_without_repetitions_is_warned_about(capfd):
    paraspine.Scenario.load("upright_sitting", overrides={"rest_s": 600})
    assert "rest_s: a rest comes between repetitions, and the scenario has 1: no rest happens" in capfd.readouterr().err
    r = run("run", "upright_sitting", "--set", "rest_s=600", "--set", "repetitions=2", "--set", "keyframes[1].time=60", "--no-fatigue")
    assert r.returncode == 0 and "no rest happens" not in r.stderr
