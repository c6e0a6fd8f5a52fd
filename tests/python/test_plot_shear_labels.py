"""Shear plots say which way is + (teacherpics review): the AP shear of a lift is negative at the
upper lumbar levels, and an axis reading "anterior shear (N)" with values down to -400 N, or a level
profile of "peak |anterior shear|" for the largest shear either way, read as forward shear only."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import paraspine  # noqa: E402
from cli_helpers import FIXTURE  # noqa: E402


@pytest.fixture(scope="module")
def lift():
    return paraspine.simulate(None, FIXTURE, progress=False)


def test_shear_axes_name_their_sign(lift):
    assert paraspine.plot.compression(lift, quantity="shear_ap").get_ylabel() == "AP shear (N, + anterior)"
    assert paraspine.plot.compression(lift, quantity="shear_lateral").get_ylabel() == "lateral shear (N, + right)"
    assert paraspine.plot.level_profile(lift, quantity="shear_ap").get_xlabel() == "peak |AP shear| (N, either direction)"
    assert paraspine.plot.level_profile(lift, quantity="shear_ap", statistic="mean").get_xlabel() == "mean AP shear (N, + anterior)"
    assert paraspine.plot.level_profile(lift, quantity="compression").get_xlabel() == "peak compression (N)"
    assert paraspine.plot.compression(lift).get_ylabel() == "compression (N)"
    plt.close("all")
