"""SweepResults.to_pandas lists the documented numbers first (session-13 user review: the summary's
alphabetical order put ``L4-L5 end_creep_deg`` right after the axes, before any compression)."""
import paraspine


def test_sweep_table_starts_with_the_axes_then_compression_and_shears():
    sw = paraspine.sweep("squat_lift", {"subject.mass": [60, 90]}, threads=2, progress=False,
                         overrides={"output_rate_hz": 10})
    cols = list(sw.to_pandas().columns)
    # the axes, the point's subject (session 24, audit24s #3), then the documented numbers
    assert cols[:8] == ["subject.mass", "subject_sex", "subject_mass_kg", "subject_height_m", "L4-L5 peak_compression_N",
                        "L4-L5 mean_compression_N", "L4-L5 peak_shear_ap_N", "L4-L5 peak_shear_lateral_N"], cols
    assert cols[-10:-8] == ["reserve_peak_Nm", "endurance_s"] and "L4-L5 end_creep_deg" in cols
    # then the point's failure and the CLI CSV's other per-point columns (audit25j #11)
    assert cols[-8:] == ["first_to_fail", "first_to_fail_side", "failed_joint", "failure_kind", "most_loaded_level",
                         "most_loaded_peak_compression_N", "reserve_frames_pct", "loads_are_lower_bounds"], cols
