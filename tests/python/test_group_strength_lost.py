"""A group's fatigue is the share of its strength lost, M_F weighted by F0 (review session 10, B1:
the fatigue notebook's table averaged M_F plainly over fascicles beside a plot and a summary that
weight by F0). Results.group_strength_lost is the one definition; failed before it existed."""
import numpy as np
import pytest

import paraspine
from cli_helpers import FIXTURE


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, FIXTURE, progress=False)


def test_a_group_s_fatigue_is_the_share_of_its_strength_lost(lift):
    # The fatigue notebook's table averaged M_F plainly over fascicles, beside a plot (and a summary)
    # weighting by F0: two numbers for one group.
    for g in ("multifidus", "longissimus", "iliocostalis"):
        for side in ("left", "right"):
            lost = lift.group_strength_lost(g, side)
            assert lost.shape == lift.time.shape
            assert lost[-1] == pytest.approx(lift.summary["groups"][g][side]["end_fatigued_fraction"], abs=1e-12)
            idx, w = lift.group_strength_weights(g, side)
            assert np.allclose(lost, lift.fatigue_fatigued[:, idx] @ w)
    # Not the plain mean: the weights differ across fascicles, and so do the numbers.
    plain = lift.muscles(group="multifidus").fatigue_fatigued[-1].mean()
    assert abs(lift.group_strength_lost("multifidus")[-1] - plain) > 1e-4 * plain
