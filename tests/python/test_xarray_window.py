"""to_xarray on a long file (audit23 #4: an 8-hour shift read whole, 27 s and 6.1 GB RSS, no guard):
a time window reads only its rows, and a read larger than max_memory is refused with the way out."""
import numpy as np
import pytest

import paraspine
from cli_helpers import FIXTURE, run


@pytest.fixture(scope="module")
def lift_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("xr") / "lift.h5"
    r = run("run", FIXTURE, "-o", str(path))
    assert r.returncode == 0, r.stderr
    return path


def test_a_window_reads_its_rows_and_equals_the_whole_selection(lift_file):
    whole = paraspine.load_results(lift_file).to_xarray()
    res = paraspine.load_results(lift_file)
    t = res.time
    a, b = float(t[5]), float(t[12])
    part = res.to_xarray(time=slice(a, b))
    assert part.sizes["time"] == 8  # both ends included, as xarray's sel
    ref = whole.sel(time=slice(a, b))
    for name in ("compression", "activation", "fatigue_fatigued"):
        assert np.array_equal(part[name].values, ref[name].values)
    assert res._cache == {} or "compression" not in res._cache  # a window is not kept as the whole field
    assert res.to_xarray(time=slice(None, a)).sizes["time"] == 6
    with pytest.raises(ValueError, match="holds no frame"):
        res.to_xarray(time=slice(b, a))
    with pytest.raises(TypeError, match="slice"):
        res.to_xarray(time=3.0)


def test_a_read_larger_than_max_memory_is_refused_with_the_way_out(lift_file):
    res = paraspine.load_results(lift_file)
    with pytest.raises(ValueError, match=r"would read .* GB .*fields=\[...\], a window time=slice"):
        res.to_xarray(max_memory=1e4)
    small = res.to_xarray(fields="compression", time=slice(0, 0.1), max_memory=1e4)
    assert list(small.data_vars) == ["compression"]
    mem = paraspine.simulate(None, FIXTURE, progress=False)
    assert mem.to_xarray(max_memory=1).sizes["time"] == mem.frames  # in memory: nothing to read
