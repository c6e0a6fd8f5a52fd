"""Per-fascicle static attributes travel with the fields: to_xarray() carries each fascicle's F0
(`max_force`, N), `group`, `side` and `subdivision` as coordinates on the muscle axis, and
to_pandas("muscles") as columns. Session-11 teaching review, F18: without F0 a student on the
xarray path took the plain mean of M_F over a group (another number than the share of strength
lost) and could not form force / F0 without a second lookup."""
import warnings

import h5py
import numpy as np
import pytest

import paraspine
from cli_helpers import FIXTURE


@pytest.fixture(scope="module")
def lift(tmp_path_factory):
    """The fixture lift in memory and streamed to a file (the same run)."""
    h5 = tmp_path_factory.mktemp("xarray") / "lift.h5"
    mem = paraspine.simulate(None, FIXTURE, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the file's model is unchanged: no warning
        paraspine.simulate(None, FIXTURE, progress=False, output=str(h5)).close()
    return mem, h5


def check_static_coordinates(ds, r):
    model = paraspine.Model.load("full_spine")
    assert list(ds.muscle.values) == r.muscle_names
    assert np.array_equal(ds.max_force.values, r.muscle_max_force) and ds.max_force.dims == ("muscle",)
    assert ds.max_force.attrs["units"] == "N" and "F0" in ds.max_force.attrs["description"]
    assert list(ds.subdivision.values) == list(model.muscle_subdivisions) == r.muscle_subdivisions
    assert list(ds.group.values) == r.muscle_groups and list(ds.side.values) == r.muscle_sides
    # Subdivisions are the model's own (e.g. longissimus thoracis pars lumborum), not a blank column.
    subs = {s for s, g in zip(ds.subdivision.values, ds.group.values) if g == "longissimus"}
    assert "lumborum_pars_lumborum" in {s for s in ds.subdivision.values} and len(subs - {""}) >= 2, subs


def test_to_xarray_carries_f0_group_side_and_subdivision(lift):
    mem, h5 = lift
    ds = mem.to_xarray()
    check_static_coordinates(ds, mem)
    # The scaled model's F0, the weights of the summary's end_fatigued_fraction.
    assert np.array_equal(ds.max_force.values, np.asarray(mem.model.muscle_max_force))
    # Force as a share of F0: one expression, the same numbers as the arrays give.
    share = ds.muscle_force / ds.max_force
    assert np.allclose(share.values, mem.muscle_force / mem.muscle_max_force, rtol=1e-12)
    # The F0-weighted mean over a group is the share of its strength lost (group_strength_lost and
    # the summary), where the plain mean is another number.
    for g, side in (("longissimus", None), ("iliocostalis", "left")):
        sel = ds.group == g if side is None else (ds.group == g) & (ds.side == side)
        mf = ds.fatigue_fatigued.where(sel, drop=True)
        weighted = mf.weighted(mf.max_force).mean("muscle").values
        assert np.allclose(weighted, mem.group_strength_lost(g, side), rtol=1e-12, atol=1e-15)
        assert not np.allclose(mf.mean("muscle").values[-1], weighted[-1], rtol=1e-3)
    end = ds.fatigue_fatigued.isel(time=-1).where(ds.group == "longissimus", drop=True)
    left = end.where(end.side == "left", drop=True)
    assert np.isclose(float(left.weighted(left.max_force).mean()),
                      mem.summary["groups"]["longissimus"]["left"]["end_fatigued_fraction"], rtol=1e-9)


def test_file_backed_results_and_selections_carry_them_too(lift):
    mem, h5 = lift
    with paraspine.load_results(h5) as r:
        ds = r.to_xarray(fields="muscle_force")
        check_static_coordinates(ds, r)
        assert np.allclose(ds.max_force.values, mem.muscle_max_force, rtol=1e-12)
        sel = r.muscles(group="multifidus", side="right")
        m = sel.to_xarray()
        assert list(m.muscle.values) == sel.names
        assert np.array_equal(m.max_force.values, r.muscle_max_force[sel.indices])
        assert list(m.subdivision.values) == [r.muscle_subdivisions[i] for i in sel.indices]
        df = r.to_pandas("muscles")
        # The file's root attribute `compression` (its filters) was ds.attrs["compression"], beside
        # the variable ds["compression"] (F18); it is file_compression now, the other attributes as they were.
        full = r.to_xarray(fields="compression")
        assert full.attrs["file_compression"] == r.metadata["compression"] == "shuffle+deflate"
        assert "compression" not in full.attrs and full.attrs["scenario"] == r.metadata["scenario"]
    assert np.array_equal(df["max_force_N"].values, mem.muscle_max_force)
    assert list(df["subdivision"]) == mem.muscle_subdivisions
    assert list(df.columns[:4]) == ["group", "side", "subdivision", "max_force_N"]


def test_a_file_whose_model_cannot_be_found_still_converts_saying_what_is_missing(lift, tmp_path):
    _, h5 = lift
    orphan = tmp_path / "orphan.h5"
    orphan.write_bytes(h5.read_bytes())
    with h5py.File(orphan, "r+") as f:
        del f["inputs/model_text"]  # as a file written before the model text was stored (session 21)
        f.attrs["model"] = "no_such_model"
        f.attrs["model_file"] = str(tmp_path / "no_such_model.yaml")
    with paraspine.load_results(orphan) as r:
        with pytest.warns(UserWarning, match="no subdivision coordinate.*no_such_model"):
            ds = r.to_xarray(fields="compression,muscle_force")
        # F0 come from the file itself (/muscles/max_force, session 18): kept; the subdivision needs the model
        assert "max_force" in ds.coords and "subdivision" not in ds.coords
        assert list(ds.group.values) == r.muscle_groups  # what the file itself holds stays
        with pytest.warns(UserWarning, match="no subdivision column"):
            df = r.to_pandas("muscles")
        assert "max_force_N" in df.columns and "subdivision" not in df.columns and "peak_force_N" in df.columns
