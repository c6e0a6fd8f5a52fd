"""Plots over time take the notebook's unit, and plot.fatigue says when it pools the sides (session-11
teaching review: F17, fatigue_across_postures drew its own plots in minutes and paraspine.plot's in
hours; F19, plot.fatigue without `side` pooled both sides without saying so)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import paraspine  # noqa: E402
from cli_helpers import FIXTURE  # noqa: E402


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, FIXTURE, progress=False)


def drawn(r, unit):
    """Every plot over time, drawn in `unit` (None: the default); their time axes."""
    axes = [paraspine.plot.compression(r, time_unit=unit),
            paraspine.plot.fatigue(r, groups=["longissimus"], time_unit=unit),
            paraspine.plot.activation_heatmap(r, group="multifidus", time_unit=unit)]
    fig = paraspine.plot.compare([r], time_unit=unit)
    return axes + [fig.axes[0], fig.axes[3]]


@pytest.mark.parametrize("unit, scale", [("s", 1.0), ("min", 60.0), ("h", 3600.0)])
def test_time_unit_sets_label_and_values(lift, unit, scale):
    for ax in drawn(lift, unit):
        assert ax.get_xlabel() == f"time ({unit})"
        if ax.get_images():  # the heat map: its extent
            assert np.allclose(np.asarray(ax.get_images()[0].get_extent()[:2]), lift.time[[0, -1]] / scale)
        else:
            x = np.asarray(ax.get_lines()[0].get_xdata())
            assert np.allclose(x[[0, -1]], lift.time[[0, -1]] / scale)
    plt.close("all")


def test_default_unit_follows_the_run_s_length_and_bad_units_are_refused(lift):
    assert lift.duration_s < 300
    assert {ax.get_xlabel() for ax in drawn(lift, None)} == {"time (s)"}
    with pytest.raises(ValueError, match="time_unit must be one of"):
        paraspine.plot.fatigue(lift, time_unit="hours")
    plt.close("all")


def test_fatigue_title_says_which_sides(lift):
    assert paraspine.plot.fatigue(lift, groups=["longissimus"]).get_title().endswith("(both sides)")
    assert paraspine.plot.fatigue(lift, groups=["longissimus"], side="left").get_title().endswith("(left)")
    assert paraspine.plot.compare([lift]).axes[3].get_title().endswith("(most fatigued group, both sides)")
    plt.close("all")
