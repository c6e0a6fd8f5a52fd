"""matplotlib helpers for :class:`~paraspine.Results`: the pictures users want first.

Every function draws into ``ax`` (or a new figure) and returns the Axes (or the Figure for
multi-panel plots), so they compose with ordinary matplotlib code.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from .results import Results

#: NIOSH compression action limit, N (Waters et al. 1993, Ergonomics 36:749).
NIOSH_ACTION_LIMIT_N = 3400.0

# Shear changes sign (docs/hdf5-schema.md): the axis says which way is +. "anterior shear (N)" with
# values down to -400 N, and a level profile titled "peak |anterior shear|" for the largest shear of
# either direction, read as a forward shear only.
_QUANTITIES = {
    "compression": ("compression", "compression (N)"),
    "shear_ap": ("shear_ap", "AP shear (N, + anterior)"),
    "shear_lateral": ("shear_lateral", "lateral shear (N, + right)"),
}


def _axes(ax=None, figsize=(8, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


_TIME_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0}


def _time_axis(results: Results, t=None, duration_s: Optional[float] = None, unit: Optional[str] = None):
    """Time in ``unit`` ("s", "min" or "h"), by default in the unit that reads best for the run's
    length (or for ``duration_s``, the longest of several runs drawn on one axis, so that they
    share the unit)."""
    t = results.time if t is None else t
    if unit is not None:
        if unit not in _TIME_UNITS:
            raise ValueError(f"time_unit must be one of {list(_TIME_UNITS)} or None (chosen by the run's length), not {unit!r}")
        return t / _TIME_UNITS[unit], f"time ({unit})"
    d = results.duration_s if duration_s is None else duration_s
    if d >= 2 * 3600:
        return t / 3600.0, "time (h)"
    if d >= 5 * 60:
        return t / 60.0, "time (min)"
    return t, "time (s)"


def _mark_task_failure(ax, results: Results, duration_s: Optional[float] = None, unit: Optional[str] = None,
                       color: str = "0.5", prefix: str = "") -> Optional[float]:
    """Marks the run's task failure (the summary's ``endurance_s``: from then on fresh muscles would
    carry what fatigued ones cannot, and reserves carry the rest) with a dotted line and, after it,
    a light grey band: the values past it describe a task the body could no longer do (its fatigue
    curves flatten or fall while the work goes on, docs/fatigue.md), not physiology to report.

    A failure whose ``failure_kind`` is ``"strength_limit"`` (the failing fascicle was at full
    activation even fresh: the task asks for all of its strength at that instant, the model's
    strength limit, not endurance; docs/scenarios.md) is drawn as a dash-dot line labelled "strength
    limit at JOINT", without the band: the rest of the run is not a task the body gave up (audit25j
    #3: a 23-mN·m shortfall of one suboccipital fascicle greyed out a whole golf swing). ``prefix``
    goes before the label (compare's run label). Returns the line's x (in the axis' time unit), or
    None when the task never failed (or fatigue was off)."""
    summary = results.summary if isinstance(results.summary, dict) else {}
    end = summary.get("endurance_s")
    if end is None:
        return None
    x, _ = _time_axis(results, np.array([float(end), results.duration_s]), duration_s=duration_s, unit=unit)
    if summary.get("failure_kind") == "strength_limit":
        joint = summary.get("failed_joint")
        what = "strength limit" + (f" at {joint}" if joint else "")
        ax.axvline(x[0], color=color, ls="-.", lw=1.0, label=f"{prefix}{what} ({_clock(float(end))})")
        return float(x[0])
    ax.axvline(x[0], color=color, ls=":", lw=1.2, label=f"{prefix}task failure ({_clock(float(end))})")
    ax.axvspan(x[0], x[1], color="0.85", alpha=0.35, lw=0, zorder=0)
    return float(x[0])


def _clock(s: float) -> str:
    """A time as people say it: 3.1 s, 602 s, 16.4 min, 2.5 h."""
    return f"{s:.1f} s" if s < 10 else f"{s:.0f} s" if s < 300 else f"{s / 60:.1f} min" if s < 2 * 3600 else f"{s / 3600:.2f} h"


def _names(names: Union[str, Sequence[str]]) -> list[str]:
    """One name or several: joints="L4-L5" was iterated letter by letter (KeyError 'L')."""
    return [names] if isinstance(names, str) else list(names)


def _default_levels(results: Results) -> list[str]:
    lumbar = [j for j in results.joint_names if j.startswith("L") or j.startswith("T12")]
    return lumbar or list(results.joint_names)


def _labels(labels: Union[str, Sequence[str], None], runs: Sequence[Results], function: str) -> list[str]:
    """One label per run (default the scenario names). A count that differs was zipped away: a
    forgotten label dropped a run from every panel without a word (audit25j #1)."""
    if labels is None:
        return [r.scenario_name for r in runs]
    labels = [labels] if isinstance(labels, str) else list(labels)
    if len(labels) != len(runs):
        raise ValueError(f"{function}: labels has {len(labels)} entr{'y' if len(labels) == 1 else 'ies'} for "
                         f"{len(runs)} result{'' if len(runs) == 1 else 's'}: give one label per result (or labels=None "
                         f"for the scenario names)")
    return [str(x) for x in labels]


def compression(results: Results, joints: Union[str, Sequence[str], None] = None, quantity: str = "compression",
                ax=None, limit: bool = True, max_frames: int = 20000, time_unit: Optional[str] = None):
    """Compression (or ``quantity="shear_ap"`` / ``"shear_lateral"``) per level over time.

    joints: levels to draw (default the lumbar levels, T12-L1 to L5-S1). limit: draw the NIOSH
    action limit (3400 N) on compression plots. Runs longer than ``max_frames`` are drawn from
    block extremes (:meth:`Results.reduced`), so peaks stay visible. time_unit: ``"s"``,
    ``"min"`` or ``"h"`` (default: by the run's length, hours from 2 h, minutes from 5 min).
    """
    if quantity not in _QUANTITIES:
        raise ValueError(f"quantity must be one of {list(_QUANTITIES)}")
    name, label = _QUANTITIES[quantity]
    ax = _axes(ax)
    levels = _names(joints) if joints is not None else _default_levels(results)
    sel = results.joint(levels)
    t, values = results.reduced(name, sel.indices, max_frames)
    t, tlabel = _time_axis(results, t, unit=time_unit)
    for k, level in enumerate(levels):
        ax.plot(t, values[:, k], label=level, lw=1.2)
    if limit and quantity == "compression" and np.nanmax(values) > 0.6 * NIOSH_ACTION_LIMIT_N:
        ax.axhline(NIOSH_ACTION_LIMIT_N, color="k", ls="--", lw=0.8, label="NIOSH action limit")
    _mark_task_failure(ax, results, unit=time_unit)
    ax.set_xlabel(tlabel)
    ax.set_ylabel(label)
    ax.set_title(f"{results.scenario_name}: {label.split(' (')[0]} per level")
    ax.legend(fontsize="small", ncol=2 if len(levels) > 6 else 1)
    return ax


def level_profile(results: Union[Results, Sequence[Results]], quantity: str = "compression", statistic: str = "peak",
                  labels: Optional[Sequence[str]] = None, ax=None):
    """Peak (or ``statistic="mean"``) compression / shear at every level, drawn along the spine
    (head at the top), one line per result. labels: one per result (default the scenario names;
    another count raises ValueError)."""
    if quantity not in _QUANTITIES:
        raise ValueError(f"quantity must be one of {list(_QUANTITIES)}")
    if statistic not in ("peak", "mean"):
        raise ValueError("statistic must be 'peak' or 'mean'")
    runs = [results] if isinstance(results, Results) else list(results)
    labels = _labels(labels, runs, "level_profile")
    for r in runs[1:]:  # one row per level: runs of different models would be drawn against the wrong levels
        if r.joint_names != runs[0].joint_names:
            raise ValueError(f"level_profile draws runs of one model only: '{r.scenario_name}' has other joints "
                             f"than '{runs[0].scenario_name}'")
    name, label = _QUANTITIES[quantity]
    ax = _axes(ax, figsize=(5, 7))
    for r, lab in zip(runs, labels):
        how = "mean" if statistic == "mean" else ("max" if quantity == "compression" else "absmax")
        stat = r.statistic(name, how)  # block by block from a file: an 8 h run is not read whole
        y = np.arange(len(r.joint_names))
        ax.plot(stat, y, marker="o", ms=3, label=lab)
    ax.set_yticks(np.arange(len(runs[0].joint_names)), runs[0].joint_names, fontsize="x-small")
    # The model lists joints from the pelvis up (L5-S1 first), so row 0 at the bottom puts the head on top.
    # Shear peaks are magnitudes (either direction), as the summary's peak_shear_*_N.
    what = f"|{label.split(' (')[0]}|" if statistic == "peak" and quantity != "compression" else label.split(' (')[0]
    unit = "N" if quantity == "compression" else ("N, either direction" if statistic == "peak" else label.split(" (")[1].rstrip(")"))
    ax.set_xlabel(f"{statistic} {what} ({unit})")
    ax.set_title(f"{statistic} {what} along the spine")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def activation_heatmap(results: Results, group: Union[str, Sequence[str], None] = None, side: Optional[str] = None,
                       ax=None, max_columns: int = 2000, cmap: str = "viridis", time_unit: Optional[str] = None):
    """Muscle activation as a heat map, fascicles (rows, grouped by muscle group, left before
    right within a group) × time (columns).

    group / side select fascicles as :meth:`Results.muscles`. Long runs are reduced to at most
    ``max_columns`` columns by taking the maximum over each block of frames (peaks stay visible).
    time_unit: as for :func:`compression`.
    """
    sel = results.muscles(group=group, side=side)
    t, a = results.reduced("activation", sel.indices, max_columns, how="max")
    t, tlabel = _time_axis(results, t, unit=time_unit)
    # Rows grouped: groups in the model's order, within a group left, midline, right; a white line
    # between groups, one label per group.
    group_rank = {g: k for k, g in enumerate(dict.fromkeys(sel.groups))}
    side_rank = {"left": 0, "midline": 1, "right": 2}
    order = sorted(range(len(sel.names)), key=lambda k: (group_rank[sel.groups[k]], side_rank.get(sel.sides[k], 1), k))
    a = a[:, order]
    rows_group = [sel.groups[k] for k in order]
    ax = _axes(ax, figsize=(10, 6))
    im = ax.imshow(a.T, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0, vmax=1,
                   extent=(t[0], t[-1], len(order) - 0.5, -0.5))
    ticks, names = [], []
    for g in group_rank:
        rows = [k for k, gk in enumerate(rows_group) if gk == g]
        ticks.append(float(np.mean(rows)))
        names.append(g)
        ax.axhline(rows[-1] + 0.5, color="w", lw=0.4)
    ax.set_yticks(ticks, names, fontsize="x-small")
    ax.set_xlabel(tlabel)
    ax.set_title(f"{results.scenario_name}: activation of {len(sel.names)} fascicles")
    ax.figure.colorbar(im, ax=ax, label="activation")
    return ax


def fatigue(results: Results, groups: Union[str, Sequence[str], None] = None, side: Optional[str] = None,
            quantity: str = "fatigue_fatigued", ax=None, top: int = 8, max_frames: int = 20000,
            time_unit: Optional[str] = None):
    """Fatigue per muscle group over time: ``quantity`` (``fatigue_fatigued`` M_F by default, or
    ``fatigue_capacity``, ``fatigue_active``, ``fatigue_resting``) averaged over the group's
    fascicles weighted by their maximum force F0 — for M_F the share of the group's strength lost,
    the number of the summary's ``end_fatigued_fraction`` and ``paraspine report``.

    groups: which groups (default the ``top`` groups with the largest final value).
    side: ``"left"``/``"right"`` to draw one side; default both sides together (the title says
    "both sides"). Runs longer than ``max_frames`` are drawn from block means
    (:meth:`Results.reduced`). time_unit: as for :func:`compression`.
    """
    if quantity not in ("fatigue_fatigued", "fatigue_capacity", "fatigue_active", "fatigue_resting"):
        raise ValueError("quantity must be fatigue_fatigued, fatigue_capacity, fatigue_active or fatigue_resting")
    gs = _names(groups) if groups is not None else results.groups
    everything = results.muscles(side=side) if side is not None else None
    cols = everything.indices if everything is not None else None
    t, values = results.reduced(quantity, cols, max_frames, how="mean")
    names = everything.names if everything is not None else results.muscle_names
    position = {n: k for k, n in enumerate(names)}
    curves = {}
    for g in gs:
        idx, w = results.group_strength_weights(g, side)
        curves[g] = values[:, [position[results.muscle_names[i]] for i in idx]] @ w
    if groups is None:
        order = sorted(curves, key=lambda g: -abs(curves[g][-1] - curves[g][0]))
        curves = {g: curves[g] for g in order[:top]}
    ax = _axes(ax)
    t, tlabel = _time_axis(results, t, unit=time_unit)
    for g, c in curves.items():
        ax.plot(t, c, label=g)
    _mark_task_failure(ax, results, unit=time_unit)
    ax.set_xlabel(tlabel)
    ax.set_ylabel({"fatigue_fatigued": "share of strength lost (M_F weighted by F0)",
                   "fatigue_capacity": "capacity 1 − M_F (weighted by F0)",
                   "fatigue_active": "active fraction M_A (weighted by F0)",
                   "fatigue_resting": "resting fraction M_R (weighted by F0)"}[quantity])
    ax.set_title(f"{results.scenario_name}: fatigue per muscle group ({side or 'both sides'})")
    ax.legend(fontsize="small")
    return ax


def compare(results: Sequence[Results], labels: Optional[Sequence[str]] = None, joint: str = "L4-L5",
            groups: Union[str, Sequence[str], None] = None, figsize=(13, 8), time_unit: Optional[str] = None):
    """Several results side by side: compression at ``joint`` over time, peak compression along
    the spine, mean activation per muscle group, and fatigue of the most fatigued group (both
    sides together). labels: one per result (default the scenario names; another count raises
    ValueError). groups: the muscle groups of the activation bars and the candidates for the
    fatigue panel, which draws the one of them that ends with the largest share of strength lost
    (default every group of the first result). time_unit: as for :func:`compression` (default: by
    the longest run). Returns the Figure."""
    import matplotlib.pyplot as plt

    runs = list(results)
    if len(runs) < 1:
        raise ValueError("compare needs at least one result")
    labels = _labels(labels, runs, "compare")
    fig, axs = plt.subplots(2, 2, figsize=figsize, layout="constrained")
    ax = axs[0, 0]
    longest = max(r.duration_s for r in runs)  # one time unit for every run on an axis
    for r, lab in zip(runs, labels):
        t, values = r.reduced("compression", r.joint(joint).indices[0], 20000)  # long runs: block extremes
        t, tlabel = _time_axis(r, t, duration_s=longest, unit=time_unit)
        line, = ax.plot(t, values, label=lab)
        _mark_task_failure(ax, r, duration_s=longest, unit=time_unit, color=line.get_color(), prefix=f"{lab}: ")
    ax.set_xlabel(tlabel)
    ax.set_ylabel(f"{joint} compression (N)")
    ax.set_title(f"compression at {joint}")
    ax.legend(fontsize="small")
    level_profile(runs, labels=labels, ax=axs[0, 1])
    # Mean activation per group (both sides), grouped bars.
    ax = axs[1, 0]
    gs = _names(groups) if groups is not None else runs[0].groups
    width = 0.8 / len(runs)
    for k, (r, lab) in enumerate(zip(runs, labels)):
        mean = r.statistic("activation", "mean")  # per fascicle, block by block from a file
        vals = [mean[r.muscles(group=g).indices].mean() for g in gs]
        ax.bar(np.arange(len(gs)) + k * width, vals, width, label=lab)
    ax.set_xticks(np.arange(len(gs)) + 0.4 - width / 2, gs, rotation=60, ha="right", fontsize="x-small")
    ax.set_ylabel("mean activation")
    ax.set_title("mean activation per muscle group")
    ax.legend(fontsize="small")
    # Fatigue: the group that ends with the largest share of its strength lost (M_F weighted by F0,
    # the summary's end_fatigued_fraction) in any run, per run.
    ax = axs[1, 1]
    end = [r.statistic("fatigue_fatigued", "last") for r in runs]  # one row each, not whole columns

    def lost(r, e, g):
        idx, w = r.group_strength_weights(g)
        return float(e[idx] @ w)

    # groups= chooses among its groups here too (audit25j #8: it reached only the bars).
    worst = max(gs, key=lambda g: max(lost(r, e, g) for r, e in zip(runs, end)))
    for r, lab in zip(runs, labels):
        idx, w = r.group_strength_weights(worst)
        t, values = r.reduced("fatigue_fatigued", idx, 20000, how="mean")  # long runs: block means
        t, tlabel = _time_axis(r, t, duration_s=longest, unit=time_unit)
        line, = ax.plot(t, values @ w, label=lab)
        _mark_task_failure(ax, r, duration_s=longest, unit=time_unit, color=line.get_color(), prefix=f"{lab}: ")
    ax.set_xlabel(tlabel)
    ax.set_ylabel("share of strength lost (M_F weighted by F0)")
    ax.set_title(f"fatigue of {worst} (most fatigued group, both sides)")
    ax.legend(fontsize="small")
    return fig
