"""max_exertion refuses a pad the pivot joint does not carry (review session 10, E2: pivot C0-C1
with the pad on T8 returned 579 N / 0.48 N·m). Failed before the fix."""
import pytest

import paraspine


def test_max_exertion_refuses_a_pad_below_the_pivot():
    # Returned force_N 579.2, extension_moment_Nm 0.48 for a moment about a joint the pad does not load.
    with pytest.raises(ValueError, match=r"pivot_joint 'C0-C1' does not carry pad_segment 'T8'.*at or below T8-T9"):
        paraspine.max_exertion("full_spine", {}, pivot_joint="C0-C1", pad_segment="T8")
    with pytest.raises(ValueError, match="pivot_joint 'C0-C1' does not carry pad_segment 'T8'"):
        paraspine.max_exertion("full_spine", {}, pivot_joint="C0-C1", pad_segment="T8", direction="horizontal")
    with pytest.raises(ValueError, match=r"unknown pad_segment 'T88' \(lumbar has pelvis, L5, "):
        paraspine.max_exertion("lumbar", {}, pad_segment="T88")
