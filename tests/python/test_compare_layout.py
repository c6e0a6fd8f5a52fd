"""`paraspine compare` as a table a user reads (session-13 user review): every column lines up under
its heading even when a scenario name or a first-to-fail group is longer than the default column
(upright_sitting / slouched_sitting, longissimus / external_oblique used to run into each other),
and a signed change carries its unit once ("-133 N", not "-133 N N")."""
import json
import re

from cli_helpers import run


def test_compare_columns_line_up_and_signed_changes_name_their_unit_once(tmp_path):
    up, sl = tmp_path / "up.h5", tmp_path / "sl.h5"
    for name, out in (("upright_sitting", up), ("slouched_sitting", sl)):
        r = run("run", name, "--set", "output_rate_hz=0.2", "--set", "keyframes[1].time=1800", "-o", str(out))
        assert r.returncode == 0, r.stderr
    r = run("compare", str(up), str(sl))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    head = lines[0]
    ends = [head.index(label) + len(label) for label in ("upright_sitting", "slouched_sitting")]
    # The table ends at the first blank line (notes follow it: the ≥ lower bounds, session 22).
    table = lines[1:lines.index("")] if "" in lines else lines[1:]
    for line in table:
        assert not re.search(r" N N\s*$", line), line
        if line.strip().startswith("first to fail"):
            continue
        # Each file's value ends where its heading ends (a 35-character group label such as
        # "sternocleidomastoid mean activation" shifted its whole row by one).
        cells = list(re.finditer(r"\S+", line))
        for end in ends:
            assert any(m.end() == end for m in cells), (line, head)
    summaries = [s["summary"] for s in json.loads(run("compare", str(up), str(sl), "--json").stdout)]
    fail = next(line for line in lines if line.strip().startswith("first to fail"))
    for s, end in zip(summaries, ends):
        name = s["first_to_fail"] or "-"
        assert fail[end - len(name):end] == name, (fail, head)
    shear = next(line for line in lines if "L5-S1 peak AP shear" in line)
    assert re.search(r"[+-]?\d+ N\s*$", shear) or shear.rstrip().endswith(" 0 N"), shear
