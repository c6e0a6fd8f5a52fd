#!/usr/bin/env python3
"""Where the extension demand of relaxed standing comes from (docs/sources/standing_demand.md §1).

Neutral posture of a model file (every joint at 0, pelvis frame upright), arms hanging with their
mass at the shoulder point, reference subject. For each lumbar and lower thoracic joint: the mass
above it, the horizontal offset of that mass's centre from the joint centre (positive anterior) and
gravity's flexion moment, split into head+neck, arms, thorax slices, lumbar slices. Reads the YAML
directly (forward kinematics of the `in_parent` / `in_child` frames), so it needs no build; with
`--engine` it also prints the engine's net moments (build/python) as a cross-check.

    /usr/bin/python3 models/tools/standing_demand.py [models/full_spine.yaml] [--engine]
"""
import argparse
import os
import sys

import numpy as np
import yaml

G = 9.81  # m/s², as the engine


def rot_xyz(deg):
    """Body-fixed X-Y-Z rotation, as the model format's rotation_xyz_deg."""
    a, b, c = np.radians(deg)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rx @ ry @ rz


def neutral_pose(model):
    """Segment frames, CoMs and joint centres (pelvis frame) at the neutral posture."""
    pose, joints = {}, {}
    for s in model["segments"]:
        if "parent" not in s:
            pose[s["name"]] = (np.eye(3), np.zeros(3))
            continue
        r_parent, p_parent = pose[s["parent"]]
        ip = s["joint"]["in_parent"]
        r_joint = r_parent @ rot_xyz(ip.get("rotation_xyz_deg", [0, 0, 0]))
        p_joint = p_parent + r_parent @ np.array(ip["position"])
        ic = s["joint"].get("in_child") or {}
        r_child = rot_xyz(ic.get("rotation_xyz_deg", [0, 0, 0]))
        r_seg = r_joint @ r_child.T
        pose[s["name"]] = (r_seg, p_joint - r_seg @ np.array(ic.get("position", [0, 0, 0])))
        joints[s["name"]] = (s["joint"]["name"], p_joint)
    com = {s["name"]: pose[s["name"]][1] + pose[s["name"]][0] @ np.array(s["com"]) for s in model["segments"]}
    return pose, joints, com


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("model", nargs="?", default=os.path.join(here, "..", "full_spine.yaml"))
    ap.add_argument("--engine", action="store_true", help="also print the engine's net moments (needs build/python)")
    args = ap.parse_args()
    model = yaml.safe_load(open(args.model))
    pose, joints, com = neutral_pose(model)
    names = [s["name"] for s in model["segments"]]
    mass = {s["name"]: s["mass"] for s in model["segments"]}
    arm = model["arms"][0]
    r_arm, p_arm = pose[arm["segment"]]
    shoulder = p_arm + r_arm @ np.array(arm["shoulder"])
    arm_mass = 2 * arm["mass"] if arm.get("side", "both") == "both" else arm["mass"]
    head = names.index("C7") if "C7" in names else len(names)
    thorax = [n for n in names if n.startswith("T")]
    groups = [("head+neck", names[head:]), ("thorax", thorax), ("lumbar slices", [n for n in names if n.startswith("L")])]
    engine = None
    if args.engine:
        sys.path.insert(0, os.path.join(here, "..", "..", "build", "python"))
        from paraspine import _core, Model  # noqa: E402
        engine = np.asarray(_core.static_frame(Model.load(os.path.abspath(args.model)))["tau"])
    print(f"{'joint':8s} {'x cm':>7s} {'y cm':>7s} {'kg above':>8s} {'CoM off cm':>10s} {'moment N·m':>10s}  split (N·m)")
    for k, n in enumerate(names[1:]):
        jname, pj = joints[n]
        above = names[names.index(n):]
        m_above = sum(mass[a] for a in above)
        moment = sum(mass[a] * G * (com[a][0] - pj[0]) for a in above)
        parts = []
        for label, members in groups:
            mem = [a for a in members if a in above]
            if mem:
                parts.append(f"{label} {sum(mass[a] * G * (com[a][0] - pj[0]) for a in mem):+.2f}")
        if arm["segment"] in above:
            m_above += arm_mass
            moment += arm_mass * G * (shoulder[0] - pj[0])
            parts.append(f"arms {arm_mass * G * (shoulder[0] - pj[0]):+.2f}")
        offset = moment / (m_above * G)
        line = f"{jname:8s} {100 * pj[0]:7.2f} {100 * pj[1]:7.2f} {m_above:8.1f} {100 * offset:+10.2f} {moment:10.2f}  " + ", ".join(parts)
        if engine is not None:
            line += f"  [engine {-engine[3 * k]:.2f}]"
        print(line)
        if jname.startswith("T1-"):
            break
    if "rib_cage" in arm:
        print("(arms taken at their shoulder on the carrying segment; the engine passes their weight through the rib "
              "cage to several thoracic levels, so above the lowest of those its moments are smaller)")
    (n51, p51), (n45, p45) = joints[names[1]], joints[names[2]]
    w45 = sum(mass[a] for a in names[2:]) + arm_mass
    l5 = names[1]
    print(f"\n{n51} − {n45}: weight above {n45} {w45:.1f} kg × offset {100 * (p45[0] - p51[0]):.2f} cm = "
          f"{w45 * G * (p45[0] - p51[0]):.2f} N·m, + {l5} slice {mass[l5] * G * (com[l5][0] - p51[0]):.2f} N·m "
          "(independent of where the mass above lies)")


if __name__ == "__main__":
    main()
