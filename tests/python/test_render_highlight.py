"""render --highlight / Results.picture(highlight=) (audit25t D2: 678 fascicles hide the three
paraspinal groups a lecture is about): the named groups or fascicles drawn as usual, the others
faint; the legend says which and how many; an unknown name is refused with the model's groups."""
import paraspine
import pytest

from cli_helpers import run


@pytest.fixture(scope="module")
def stoop(tmp_path_factory):
    out = tmp_path_factory.mktemp("hl") / "stoop.h5"
    assert run("run", "rounded_back_lift", "--no-fatigue", "--set", "output_rate_hz=20", "-o", str(out)).returncode == 0
    return out


def test_highlight_draws_the_groups_and_says_so(stoop, tmp_path):
    plain, hl = tmp_path / "plain.svg", tmp_path / "hl.svg"
    assert run("render", str(stoop), "-o", str(plain)).returncode == 0
    r = run("render", str(stoop), "--highlight", "iliocostalis,longissimus,spinalis", "-o", str(hl))
    assert r.returncode == 0, r.stderr
    assert plain.read_bytes() != hl.read_bytes()
    res = paraspine.load_results(str(stoop))
    n = sum(g in ("iliocostalis", "longissimus", "spinalis") for g in res.muscle_groups)
    assert n == 104  # docs/model.md: 104 paraspinal fascicles
    # The Python picture draws the same thing as render, byte for byte.
    p = res.picture(highlight=["iliocostalis", "longissimus", "spinalis"], format="png", width=800, height=500)
    cli = tmp_path / "hl.png"
    assert run("render", str(stoop), "--highlight", "iliocostalis,longissimus,spinalis", "--width", "800", "--height", "500",
               "-o", str(cli)).returncode == 0
    assert p.data == cli.read_bytes()
    one = res.picture(highlight="LTpL_L5_r", format="png", width=800, height=500)  # one fascicle by name
    assert one.data != p.data


def test_an_unknown_name_is_refused_with_the_groups(stoop, tmp_path):
    r = run("render", str(stoop), "--highlight", "erector_spinae", "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2 and "--highlight: erector_spinae: no muscle group or fascicle" in r.stderr
    assert "iliocostalis, longissimus, spinalis" in r.stderr and not (tmp_path / "x.png").exists()
    with pytest.raises(paraspine.InputError, match="erector_spinae"):
        paraspine.load_results(str(stoop)).picture(highlight=["erector_spinae"])
