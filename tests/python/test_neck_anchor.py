"""The neck muscles' neutral fibre length (docs/sources/muscle_architecture.md §5.1–5.2).

No measured neutral sarcomere length of a neck muscle was reachable, so the neck groups keep fibres
optimal in neutral (SL 2.8 µm). The generator also computes the neck source file's own neutral
operating point (Mortensen 2018, its own l_opt and l_ts at its default pose) and offers it only as a
what-if (--neck-anchor source). The expected values below are hand calculations from the transcription
(docs/sources/mortensen2018_neck_geometry.md §3.6 body origins + the muscle table), not model output.
"""
import os
import re
import subprocess
import sys

import pytest

TOOLS = os.path.join("models", "tools")


@pytest.fixture(scope="module")
def generator():
    sys.path.insert(0, TOOLS)
    try:
        import build_full_spine
    finally:
        sys.path.remove(TOOLS)
    return build_full_spine


def test_the_mortensen_files_own_neutral_operating_point(generator):
    t = generator.mortensen_neutral_fibre(generator.parse_mortensen())
    # obliquus capitis inferior: cerv2 (-39.7, -7.1, 6.0) mm + cerv2 origin (-34.7, 421.2) → (-74.4, 414.1, 6.0);
    # cerv1 (32.7, 3.8, 41.4) + cerv1 origin (-73.5, 440.6) → (-40.8, 444.4, 41.4): L = 57.45 mm,
    # l~ = (57.45 − 17.0) / 41.5 = 0.975 (pennation 0)
    L, lt = t["obl_cap_inf"]
    assert L == pytest.approx(0.05745, abs=2e-4)
    assert lt == pytest.approx(0.975, abs=0.005)
    # rectus capitis posterior major: cerv2 (-39.7, -7.1, 2.6) → (-74.4, 414.1, 2.6); skull (-57.2, 8.5, 21.8)
    # + skull origin (-26.2, 456.9) → (-83.4, 465.4, 21.8): L = 55.5 mm, l~ = √(32.4² + (37.4 sin 5°)²)/37.4 = 0.871
    L, lt = t["rectcap_post_maj"]
    assert L == pytest.approx(0.0555, abs=2e-4)
    assert lt == pytest.approx(0.871, abs=0.005)
    # the hyoid muscles Mortensen added in 2018 were set with fibres optimal in neutral: the same
    # computation must give 1.00 for them, or the pose it builds is not the file's
    for name in ("Sterno_hyoid", "SternoThyroid", "Omo_hyoid", "Mylohyoid_Post", "Mylohyoid_Ant"):
        assert t[name][1] == pytest.approx(1.0, abs=0.01), name


def test_the_default_model_keeps_the_assumption_and_says_so():
    text = open(os.path.join("models", "full_spine.yaml"), encoding="utf-8").read()
    block = text[text.index("  - name: semi_cap_sklc5\n"):]
    block = block[:block.index("\n  - name:")]
    assert "SL 2.8 µm (assumption: 2.8 µm, fibres optimal in neutral" in block
    assert "the Mortensen file's own l_opt, l_ts hold it at 0.872 l_opt in this neutral" in block
    assert "WHAT-IF" not in text


def test_the_source_anchor_is_a_what_if_written_elsewhere(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(TOOLS, "build_full_spine.py"), "--neck-anchor", "source"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "what-if" in r.stderr
    subprocess.run([sys.executable, os.path.join(TOOLS, "build_full_spine.py"), "--neck-anchor", "source",
                    "--out", str(tmp_path)], check=True, capture_output=True)
    text = (tmp_path / "full_spine.yaml").read_text(encoding="utf-8")

    def lopt(t, name):
        block = t[t.index("  - name: %s\n" % name):]
        return float(re.search(r"optimal_fiber_length: ([0-9.e-]+)", block).group(1))

    default = open(os.path.join("models", "full_spine.yaml"), encoding="utf-8").read()
    # obliquus capitis inferior is anchored at its file value 0.975 instead of 1: l_opt grows by ≈ 1/0.975
    # (the rule's own step, no fallback for it in either model)
    assert lopt(text, "obl_cap_inf") / lopt(default, "obl_cap_inf") == pytest.approx(1 / 0.975, rel=0.01)
    assert "WHAT-IF --neck-anchor source" in text
    # groups with a measured (lumbar) SL keep it: longissimus capitis is the same in both
    assert lopt(text, "longissi_cap_sklc6") == lopt(default, "longissi_cap_sklc6")
