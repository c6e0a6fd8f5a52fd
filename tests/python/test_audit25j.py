"""A sports-science student's audit (audit25j) and the bad-input audit's Python rows (audit25i): the
plots draw every run asked for and say what a marked instant is; the tables and messages a notebook
user sees."""
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

import paraspine
from cli_helpers import run


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, "tests/data/test_lift.yaml", progress=False)


@pytest.fixture(scope="module")
def swing():
    # One golf swing: its task-failure rule fires at 3.1 s as a strength limit (a suboccipital fascicle
    # at full activation even fresh, at C1-C2), not as fatigue.
    return paraspine.simulate(None, "golf_swing", overrides={"repetitions": 1}, progress=False)


def test_labels_must_match_the_results_one_for_one(lift, swing):
    # audit25j #1: zip(runs, labels) left the third run out of all four panels without a word.
    runs = [lift, swing, lift]
    with pytest.raises(ValueError, match=r"compare: labels has 2 entries for 3 results"):
        paraspine.plot.compare(runs, labels=["a", "b"])
    with pytest.raises(ValueError, match=r"compare: labels has 4 entries for 3 results"):
        paraspine.plot.compare(runs, labels=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"level_profile: labels has 1 entry for 3 results"):
        paraspine.plot.level_profile(runs, labels=["upright"])
    ax = paraspine.plot.level_profile(runs, labels=["a", "b", "c"])
    assert [ln.get_label() for ln in ax.get_lines()] == ["a", "b", "c"]
    assert len(paraspine.plot.level_profile(lift, labels="one").get_lines()) == 1  # one str for one run
    fig = paraspine.plot.compare(runs, labels=["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[2].get_legend().get_texts()] == ["a", "b", "c"]
