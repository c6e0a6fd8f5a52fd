#!/usr/bin/python3
"""The extensors of L5-S1 in a model file, fascicle by fascicle (docs/sources/lumbosacral_extensors.md §1).

For every right-side fascicle with an extension moment arm at L5-S1: PCSA, the extension moment arms at
L5-S1 and L4-L5 in neutral standing (the engine's, `static_frame`), its lowest and highest attachment
(segment, and position relative to the L5-S1 joint centre: posterior / up, cm), and its activation in
quiet standing. Fascicles crossing L5-S1 but not L4-L5 come first; then those crossing both whose moment
arm is larger at L5-S1; then the rest. Ends with the capacity of the L5-S1-only set and the quiet-standing
demand at L5-S1 and L4-L5.

    PYTHONPATH=build/python /usr/bin/python3 models/tools/lumbosacral_extensors.py [models/full_spine.yaml]
"""
import argparse
import os
import sys

import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from standing_demand import neutral_pose  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?", default=os.path.join(here, "..", "full_spine.yaml"))
    ap.add_argument("--all", action="store_true", help="also list the fascicles with a smaller arm at L5-S1")
    args = ap.parse_args()
    import paraspine._core as core  # needs build/python on PYTHONPATH

    model = core.Model.load(args.model)
    frame = core.static_frame(model)
    ma, act = frame["moment_arm"], frame["activation"]
    j5, j4 = model.joint_names.index("L5-S1"), model.joint_names.index("L4-L5")
    r5, r4 = -ma[3 * j5], -ma[3 * j4]  # extension positive, m
    src = yaml.safe_load(open(args.model))
    pose, joints, _ = neutral_pose(src)
    c5 = {v[0]: v[1] for v in joints.values()}["L5-S1"]
    paths = {m["name"]: m for m in src["muscles"]}

    def where(p):
        if isinstance(p, dict):  # a point on two segments (docs/model-format.md)
            a, b = p["between"]
            return "%s/%s share %.2f" % (a, b, float(p["share"]))
        r, o = pose[p[0]]
        w = o + r @ np.array(p[1:4])
        return "%s (%+.1f, %+.1f)" % (p[0], 100 * (c5[0] - w[0]), 100 * (w[1] - c5[1]))

    rows = []
    for k, name in enumerate(model.muscle_names):
        if model.muscle_sides[k] != "right" or r5[k] <= 1e-4:
            continue
        base = name[:-2]
        p = paths[base]["path"]
        kind = 0 if abs(r4[k]) < 1e-6 else (1 if r5[k] > r4[k] else 2)
        rows.append((kind, -paths[base]["pcsa"] * r5[k], base, model.muscle_groups[k], 1e4 * paths[base]["pcsa"],
                     100 * r5[k], 100 * r4[k], where(p[0]), where(p[-1]), 100 * act[k]))
    rows.sort()
    titles = ["crosses L5-S1, not L4-L5", "crosses both, larger arm at L5-S1", "crosses both, smaller arm at L5-S1"]
    print("| fascicle | group | PCSA cm² | arm L5-S1 cm | arm L4-L5 cm | lower attachment (post, up cm from L5-S1) "
          "| upper attachment | standing activation |")
    print("|---|---|---|---|---|---|---|---|")
    last = None
    for kind, _, name, group, pcsa, a5, a4, lo, hi, a in rows:
        if kind == 2 and not args.all:
            continue
        if kind != last:
            print("| **%s** | | | | | | | |" % titles[kind])
            last = kind
        print("| %s | %s | %.2f | %.2f | %.2f | %s | %s | %.1f %% |" % (name, group, pcsa, a5, a4, lo, hi, a))
    only = [r for r in rows if r[0] == 0]
    # cm² × cm × 100 N/cm² = N·cm; /100 → N·m; × 2 sides
    print("\nL5-S1-only set: %.2f cm² per side, capacity %.1f N·m both sides at 100 N/cm²"
          % (sum(r[4] for r in only), sum(r[4] * r[5] for r in only) * 2))
    both = [r for r in rows if r[0] != 0]
    w = sum(r[4] for r in both)
    if w:
        print("crossing both (extension arm at both): PCSA-weighted arm %.2f cm at L5-S1, %.2f cm at L4-L5"
              % (sum(r[4] * r[5] for r in both) / w, sum(r[4] * r[6] for r in both) / w))
    tau = frame["tau"]
    print("quiet standing: extension demand %.2f N·m at L5-S1, %.2f N·m at L4-L5; L4-L5 compression %.0f N"
          % (-tau[3 * j5], -tau[3 * j4], frame["disc_force"][j4][0]))


if __name__ == "__main__":
    main()
