"""Writes stoop_trial.csv and stoop_trial.mot, the example motion files README.md and
docs/scenarios.md run: a made-up smooth stoop (bend down in 2 s, stand up in 2 s, hands empty), not a
measurement. Peak angles are rounded_back_lift's (pelvis 50°, lumbar 36°; their sources are in
scenarios/rounded_back_lift.yaml), its lowering and lifting 2 s each (Bazrgari et al. 2007, ibid.).
The .mot says the same in OpenSim's coordinates (pelvis_tilt and lumbar_extension are minus the
flexions: docs/scenarios.md, "OpenSim motion files"), so the two files give the same run.

    /usr/bin/python3 examples/motion/make_stoop_trial.py    # from the repository root
"""
import math
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
RATE_HZ, DURATION_S = 100, 4.0
PELVIS_DEG, LUMBAR_DEG = 50.0, 36.0


def rows():
    for i in range(int(DURATION_S * RATE_HZ) + 1):
        t = i / RATE_HZ
        shape = 0.5 * (1 - math.cos(2 * math.pi * t / DURATION_S))  # 0 → 1 at 2 s → 0
        yield f"{t:.2f}", f"{PELVIS_DEG * shape:.3f}", f"{LUMBAR_DEG * shape:.3f}"


def neg(x):
    return x[1:] if x.startswith("-") else ("0.000" if float(x) == 0 else "-" + x)


def main():
    data = list(rows())
    csv = ["# A made-up stoop for trying --motion (not a measurement): bend down in 2 s, stand up in 2 s,",
           "# hands empty. Made by make_stoop_trial.py; format: docs/scenarios.md, \"Motion files\".",
           "time,pelvis_deg.flexion,regions_deg.lumbar.flexion"]
    csv += [",".join(r) for r in data]
    (HERE / "stoop_trial.csv").write_text("\n".join(csv) + "\n")
    mot = ["Coordinates", "version=1", f"nRows={len(data)}", "nColumns=3", "inDegrees=yes", "",
           "A made-up stoop for trying --motion (not a measurement); the same motion as stoop_trial.csv.",
           "Made by make_stoop_trial.py; format: docs/scenarios.md, \"OpenSim motion files\".", "",
           "Units are S.I. units (second, meters, Newtons, ...)",
           "Angles are in degrees.", "", "endheader", "time\tpelvis_tilt\tlumbar_extension"]
    mot += ["\t".join((t, neg(p), neg(lum))) for t, p, lum in data]
    (HERE / "stoop_trial.mot").write_text("\n".join(mot) + "\n")


if __name__ == "__main__":
    main()
