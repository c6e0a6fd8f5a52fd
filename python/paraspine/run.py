"""Running scenarios from Python: :func:`simulate` (one run), :func:`simulate_many` (several, in
parallel) and :func:`sweep` (a grid, in parallel).

Both run the C++ engine's own run loop (the one ``paraspine run`` uses) with the GIL released, so
other Python threads keep running; a progress bar (tqdm) appears for runs longer than a second.
Ctrl-C (or the notebook's stop button) interrupts :func:`simulate` within a few tenths of a second.
"""
from __future__ import annotations

import itertools
import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core
from .results import FIELDS, RESULTS_HINT, SWEEP_HINT, Results, _check_results_name, load_results, select_fields
from .scenario import Overrides, Scenario, _override_strings, as_scenario

ProgressArg = Union[bool, Callable[..., Any], None]

#: The largest write_every the engine takes (a C++ long, 64 bits on the platforms paraspine builds on).
_MAX_WRITE_EVERY = 2**63 - 1

#: Default ceiling on the memory simulate() may use for in-memory results, bytes.
DEFAULT_MAX_MEMORY = 4e9


def _in_notebook() -> bool:
    ip = sys.modules.get("IPython")
    try:
        return ip is not None and ip.get_ipython() is not None and "IPKernelApp" in ip.get_ipython().config
    except Exception:
        return False


class _NotebookLine:
    """The file a text tqdm bar writes to in a notebook without ipywidgets: one display output,
    updated in place (IPython's display_id), instead of stderr. A kernel sends every stderr write
    as an output of its own, so a text bar's redraws (``\\r`` and the line) piled up in the cell,
    one line per redraw, and stayed in a saved or nbclient-executed notebook. Nothing is shown until
    the bar first draws (tqdm's ``delay``); a bar closed with ``leave=False`` blanks its line."""

    encoding = "utf-8"  # tqdm draws its unicode blocks when the file says it can

    def __init__(self) -> None:
        self._handle: Any = None
        self._shown = ""

    def write(self, s: str) -> int:
        if "\r" not in s and not s.strip():
            return len(s)  # a bare newline (leave=True's last write): the line stays as it is
        line = s.rsplit("\r", 1)[-1].strip("\n").rstrip()
        if line != self._shown and (self._handle is not None or line):
            from IPython.display import display
            if self._handle is None:
                self._handle = display({"text/plain": line}, raw=True, display_id=True)
            else:
                self._handle.update({"text/plain": line}, raw=True)
            self._shown = line
        return len(s)

    def flush(self) -> None:
        pass


#: Seconds between the plain progress lines written when stderr is not a terminal (:class:`_LogLines`).
_LOG_INTERVAL_S = 10.0


class _LogLines:
    """The file a text tqdm bar writes to when stderr is not a terminal (``python job.py 2>log``, a
    pipe): each redraw a plain line of its own, at most every :data:`_LOG_INTERVAL_S` seconds.
    tqdm redraws a text bar in place with ``\r`` about ten times a second, which a log keeps: an
    8-hour scenario left thousands of updates on one "line". The blanking of a closed bar is
    dropped; a line written goes out at once."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, s: str) -> int:
        line = s.rsplit("\r", 1)[-1].strip("\n").rstrip()
        if line:
            self._stream.write(line + "\n")
            self._stream.flush()
        return len(s)

    def flush(self) -> None:
        self._stream.flush()


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


def _tqdm(**kwargs: Any):
    """A tqdm bar: the widget in notebooks when ipywidgets is there; in a notebook without it a text
    bar drawn as one output updated in place (:class:`_NotebookLine`, at most twice a second); text
    on stderr otherwise, redrawn in place on a terminal, as plain periodic lines elsewhere
    (:class:`_LogLines`)."""
    from tqdm import tqdm
    if not _in_notebook():
        if sys.stderr is not None and not _stderr_is_terminal():
            kwargs["mininterval"] = max(kwargs.get("mininterval", 0.1), _LOG_INTERVAL_S)
            # A log keeps the finished state as its last line: with leave=False a closed bar only
            # blanks itself, so a finished run's log ended at its last periodic line ("89%").
            kwargs["leave"] = True
            return tqdm(file=_LogLines(sys.stderr), **kwargs)
        return tqdm(**kwargs)
    try:
        import ipywidgets  # noqa: F401
        from tqdm.notebook import tqdm as tqdm_notebook
        return tqdm_notebook(**kwargs)
    except ImportError:
        kwargs.setdefault("mininterval", 0.5)
        return tqdm(file=_NotebookLine(), **kwargs)


def _resolve_model(model: Any, scenario: Scenario) -> "_core.Model":
    if model is None:  # a missing model is reported at the scenario's `model:` line, as by the CLI
        return _core.Model.load(scenario._native._model_path())
    if isinstance(model, _core.Model):
        return model
    if isinstance(model, (str, os.PathLike)):
        return _core.Model.load(os.fspath(model))
    raise TypeError(f"model must be a paraspine.Model, a model name or path, or None, not {type(model).__name__}")


def _subject_json(model: "_core.Model") -> dict:
    # The engine's own record (the CLI's), so a percentile subject's percentile and table are kept too.
    return model._subject_summary()


def simulate(model: Union["_core.Model", str, None], scenario: Union[Scenario, str, Mapping[str, Any]], *,
             subject: Optional["_core.Subject"] = None, criterion: Optional[str] = None, threads: int = 1,
             overrides: Optional[Overrides] = None, output: Union[str, os.PathLike, None] = None,
             fields: Union[Sequence[str], str, None] = None, progress: ProgressArg = True,
             max_memory: float = DEFAULT_MAX_MEMORY, fatigue: bool = True, precision: str = "double",
             compression: str = "deflate", write_every: int = 1) -> Results:
    """Run a scenario through the whole pipeline (kinematics, inverse dynamics, load sharing,
    spinal loads, fatigue) and return its :class:`~paraspine.Results`.

    model: a :class:`Model`, a model name/path, or None for the scenario's model. As with the CLI,
        the model is scaled to ``subject`` over the scenario's subject (the values ``subject`` leaves
        unset — mass or height 0, sex '', a factor 1 — are the scenario's), else to the scenario's
        subject, else left as it is.
    scenario: a :class:`Scenario`, a bundled name or path, or a dict (:meth:`Scenario.from_dict`).
    criterion: overrides the scenario's load-sharing criterion (activation2, activation3, stress2, minmax).
    threads: threads for the run, as ``paraspine run --threads``: a scenario with fatigue runs
        frame by frame on one thread whatever the count (its frames are coupled in time); without
        (``fatigue=False``) its frames are solved in parallel. Results are identical for any count.
        Use :func:`simulate_many` or :func:`sweep` to run many scenarios in parallel.
    fatigue: False keeps every fascicle fresh and the passive tissues free of creep, as
        ``paraspine run --no-fatigue`` (peak-load questions: the answer of each frame depends only
        on its posture and loads), and lets ``threads`` solve the frames in parallel.
    overrides: ``{PATH: VALUE}`` applied to the scenario first, like ``paraspine run --set``.
    output: stream every frame to this HDF5 file with the CLI's writer (schema v1, memory does not
        grow with the duration) and return results that read it lazily. Use it for long scenarios.
    fields: record only these fields (names such as ``"compression"``, HDF5 paths, or groups
        ``"joints"``, ``"muscles"``, ``"fatigue"``, ``"kinematics"``; a list or one comma-separated
        string); default all. In memory, or in the ``output`` file as ``paraspine run -o --fields``.
        A frame of ``full_spine`` with all fields is about 42 kB (678 fascicles).
    precision: ``"double"`` or ``"single"``: how ``output`` stores the per-frame fields, as
        ``paraspine run --precision`` (single: float32, with deflate about 43 % of the file: rounded_back_lift 4.9 vs 11.4 MB; time stays float64).
    compression: ``"deflate"`` (read by every HDF5 reader) or ``"lz4"`` (several times faster to
        write, files ~15 % larger): how ``output`` compresses its chunks, as ``paraspine run
        --compression``. The returned Results read the file through h5py, which needs the HDF5 LZ4
        filter plugin (Debian package hdf5-filter-plugin, or ``import hdf5plugin``); without it
        lz4 is refused before the run. The CLI (compare, render) reads them either way.
    write_every: write every n-th frame (and the last) to ``output``, as ``paraspine run
        --write-every``: every frame is still simulated at the scenario's ``output_rate_hz`` (its time
        step) and summarised; lowering the rate instead changes the results. Needs ``output``.
    progress: True for a tqdm bar (shown after 1 s), False/None for none, or a callable
        ``progress(frames_done, frames_total, sim_time_s)``.
    max_memory: refuse (ValueError) to hold more than this many bytes of in-memory results;
        stream with ``output=`` or record fewer ``fields`` instead.

    Arrays come straight from the engine's buffers (moved into numpy, no copy); the engine
    reserves the exact frame count up front, so the peak memory is the results themselves.
    """
    sc = as_scenario(scenario)
    if overrides:
        sc = sc.with_overrides(overrides)
    _check_threads(threads)
    if criterion is not None and not isinstance(criterion, str):
        raise TypeError(f"criterion must be a str (activation2, activation3, stress2, minmax), not {type(criterion).__name__}")
    if not (isinstance(max_memory, (int, float, np.integer, np.floating)) and max_memory > 0):  # NaN turned the check off
        raise ValueError(f"max_memory must be a positive number of bytes, not {max_memory!r}")
    if fields is not None and not isinstance(fields, str):
        if not isinstance(fields, (list, tuple, set, frozenset, np.ndarray)) or not all(isinstance(f, str) for f in fields):
            raise TypeError(f"fields must be field names (a list of str, or one str), not {fields!r}")
        fields = list(fields)
    chosen = select_fields(fields) if fields is not None else list(FIELDS)
    if fields is not None and not chosen:
        raise ValueError("fields=[] would record nothing; name at least one field")
    out = os.fspath(output) if output is not None else ""
    if output is not None and not out:  # an unset variable must not turn a streamed run into a lost one
        _core._check_output_path(out, [])  # raises: "output: empty file name"
    if precision not in ("double", "single"):
        raise ValueError(f"precision must be 'double' or 'single', not {precision!r}")
    if precision == "single" and not out:
        raise ValueError("precision='single' is how output= files store fields; in memory they are float64")
    if isinstance(write_every, (bool, np.bool_)) or not isinstance(write_every, (int, np.integer)) or write_every < 1:
        raise ValueError(f"write_every must be a whole number >= 1, not {write_every!r}")
    if write_every > _MAX_WRITE_EVERY:  # the engine's count is 64-bit: 10**20 was pybind's "incompatible function arguments"
        raise ValueError(f"write_every={write_every} is more than the engine counts frames to (2**63 - 1); any value of "
                         f"the run's frame count or more writes the first and the last frame only")
    if write_every > 1 and not out:
        raise ValueError("write_every thins the frames written to output=; in memory every frame is kept")
    if compression not in ("deflate", "lz4"):
        raise ValueError(f"compression must be 'deflate' or 'lz4', not {compression!r}")
    if compression != "deflate" and not out:
        raise ValueError(f"compression={compression!r} is how output= files are compressed; in memory nothing is")
    if compression == "lz4":
        import h5py
        if not h5py.h5z.filter_avail(32004):
            try:
                import hdf5plugin  # noqa: F401  (registers the LZ4 filter with h5py's HDF5)
            except ImportError:
                pass
        if not h5py.h5z.filter_avail(32004):
            raise ValueError("compression='lz4': this h5py cannot read LZ4 (HDF5 filter 32004), so the results "
                             "could not be read back; install Debian's hdf5-filter-plugin or hdf5plugin")
    m = _resolve_model(model, sc)
    if out:  # as `paraspine run -o`, before the run: the folder, an input of the run, then the name
        _core._check_output_path(out, [sc.file, m.file, sc.motion_file])
        _check_results_name(out, "output", RESULTS_HINT)
    if subject is not None and not isinstance(subject, _core.Subject):
        raise TypeError("subject must be a paraspine.Subject(mass=..., height=..., sex=...)")
    # The values subject= leaves unset (mass, height 0; sex ''; a factor 1) are the scenario's, as --subject.
    subj = subject if sc.subject is None else sc.subject if subject is None else _core._merge_subject(sc.subject, subject)
    if subj is not None:
        m = m.scaled(subj)
    crit = criterion or ""
    # In memory: the chosen fields (None = all). Streamed: nothing in memory, the file holds them.
    record = [] if out else ([f.path for f in chosen] if fields is not None else None)
    output_fields = [f.path for f in chosen] if out and fields is not None else []

    if not out:
        width = {"joint3": 3 * m.njoint, "joint": m.njoint, "muscle": m.nmuscle}
        nbytes = 8.0 * sc.frames * (1 + sum(width[f.shape] for f in chosen))
        if nbytes > max_memory:
            raise ValueError(
                f"{sc.name}: {sc.frames} frames would hold {nbytes / 1e9:.1f} GB of results in memory "
                f"(max_memory={max_memory / 1e9:.1f} GB). Stream them to a file with output='run.h5' "
                f"(read lazily), record fewer fields with fields=[...], or shorten the scenario with "
                f"overrides (e.g. {{'repetitions': ...}} or a lower output_rate_hz).")

    bar = None
    report: Any = None
    if callable(progress):
        report = progress
    elif progress:
        bar = _tqdm(total=sc.frames, unit="frame", desc=sc.name, delay=1.0, leave=False)

        def report(done: int, total: int, t: float) -> None:
            bar.update(done - bar.n)
            bar.set_postfix_str(f"t = {t:.0f} / {sc.duration_s:.0f} s", refresh=False)
    try:
        summary, time, arrays = _core._simulate(m, sc._native, crit, out, record, report, int(threads), bool(fatigue),
                                                output_fields, precision == "single", compression, int(write_every))
    finally:
        if bar is not None:
            bar.close()
    if out:
        streamed = load_results(out)
        streamed._scenario = sc  # so its to_hdf5 knows the scenario file, an input never to be replaced
        return streamed
    meta = {"paraspine_version": _core_version(), "schema_version": _core.SCHEMA_VERSION, "model": m.name,
            "model_file": m.file, "model_digest": m.source_digest, "scenario": sc.name, "scenario_text": sc.text, "subject": _subject_json(m),
            "criterion": crit or sc.criterion}
    if sc.motion_text:  # as the file's root attribute: a motion file's rows are the keyframes
        meta["motion_text"] = sc.motion_text
    return Results(time=time, fields=arrays, joint_names=m.joint_names, muscle_names=m.muscle_names,
                   muscle_groups=m.muscle_groups, muscle_sides=m.muscle_sides, summary=summary, metadata=meta,
                   model=m, scenario=sc)


def _check_threads(threads: Any) -> None:
    # bool is an int to Python: threads=True ran on one thread without a word.
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a whole number >= 1, not {threads!r}")


def _core_version() -> str:
    from . import __version__

    return __version__


# --- sweeps ---------------------------------------------------------------------------------------

def _axis_units(path: str) -> str:
    """The unit of a sweep axis, as the sweep file's /grid/<i> ``units`` records it (the engine's
    rule, docs/scenarios.md); "" when the path names none (a categorical axis such as subject.sex)."""
    return _core._sweep_axis_unit(path)


def _all_words(values: Any) -> bool:
    """A non-empty sequence of strings only (a categorical sweep axis)."""
    try:
        items = list(values)
    except TypeError:
        return False
    return bool(items) and all(isinstance(x, str) for x in items)


def _axis_list(values: np.ndarray) -> list:
    """An axis's values for the core: words as str, numbers as float."""
    return [str(x) for x in values] if values.dtype.kind in "OUS" else [float(x) for x in values]


_SWEEP_JOINT_COLUMNS = ["peak_compression_N", "mean_compression_N", "peak_shear_ap_N", "peak_shear_lateral_N"]


class SweepResults:
    """A sweep's grid and one summary per grid point (row-major over the axes).

    ``axes``: list of (path, values); ``shape``: the grid's shape; ``summaries``: the summaries
    (as :attr:`Results.summary`). Convert with :meth:`to_xarray` or :meth:`to_pandas`; write the
    CLI's sweep file with :meth:`to_hdf5`.
    """

    def __init__(self, scenario: Scenario, axes: list[tuple[str, np.ndarray]], summaries: list[dict]):
        """Use :func:`sweep`."""
        self.scenario = scenario                     #: the base scenario
        self.axes = axes                             #: [(path, values)]
        self.summaries = summaries                   #: one summary per grid point, row-major
        self.shape = tuple(len(v) for _, v in axes)  #: the grid's shape
        self._joint_names: Optional[list[str]] = None

    def summary(self, **point: float) -> dict:
        """The summary at one grid point, by axis path: ``sw.summary(**{"subject.mass": 70})``."""
        unknown = [p for p in point if p not in {q for q, _ in self.axes}]
        if unknown:  # was ignored: summary(mass=60, **{"subject.height": 2}) answered for any height
            raise KeyError(f"{unknown} not an axis of this sweep; axes: {[p for p, _ in self.axes]}")
        idx = []
        for path, values in self.axes:
            if path not in point:
                raise KeyError(f"give a value for every axis: {[p for p, _ in self.axes]}")
            if values.dtype.kind in "OUS":  # a categorical axis (subject.sex): its word, exactly
                hit = np.flatnonzero(values == point[path])
                if hit.size == 0:
                    raise KeyError(f"{path}={point[path]!r} is not on the grid {values.tolist()}")
                idx.append(int(hit[0]))
                continue
            # The nearest grid value, if close: the first close one answered 5.0's point for 5.0000004.
            hit = np.flatnonzero(np.isclose(values, point[path]))
            if hit.size == 0:
                raise KeyError(f"{path}={point[path]} is not on the grid {values.tolist()}")
            idx.append(int(hit[np.argmin(np.abs(values[hit] - point[path]))]))
        return self.summaries[int(np.ravel_multi_index(idx, self.shape))]

    def to_xarray(self):
        """An ``xarray.Dataset`` with one dimension per axis (named by its path) plus ``joint``
        (peak/mean compression, peak shears, N) and ``group``, ``side`` (peak/mean activation, end
        fatigued fraction: the share of the group's strength lost, M_F weighted by F0, docs/fatigue.md);
        ``reserve_peak_Nm``, ``endurance_s`` (NaN when the task never fails)."""
        import xarray as xr

        dims = [p for p, _ in self.axes]
        s0 = self.summaries[0]
        joints = self.joint_names
        groups = list(s0["groups"])
        sides = sorted({s for g in groups for s in s0["groups"][g]})
        data: dict[str, Any] = {}
        for q in ("peak_compression_N", "mean_compression_N", "peak_shear_ap_N", "peak_shear_lateral_N"):
            a = np.array([[s["joints"][j][q] for j in joints] for s in self.summaries]).reshape(*self.shape, len(joints))
            data[q] = ([*dims, "joint"], a, {"units": "N"})
        for q in ("peak_activation", "mean_activation", "end_fatigued_fraction"):
            a = np.array([[[s["groups"][g].get(sd, {}).get(q, np.nan) for sd in sides] for g in groups]
                          for s in self.summaries]).reshape(*self.shape, len(groups), len(sides))
            data[q] = ([*dims, "group", "side"], a, {"units": "1"})
        data["reserve_peak_Nm"] = (dims, np.array([s["reserves"]["peak_moment_Nm"] for s in self.summaries]).reshape(self.shape), {"units": "N m"})
        data["endurance_s"] = (dims, np.array([np.nan if s["endurance_s"] is None else s["endurance_s"]
                                               for s in self.summaries]).reshape(self.shape), {"units": "s"})
        coords: dict[str, Any] = {p: (p, v, {"units": _axis_units(p)} if _axis_units(p) else {}) for p, v in self.axes}
        coords.update(joint=joints, group=groups, side=sides)
        return xr.Dataset(data, coords=coords, attrs={"scenario": self.scenario.name})

    @staticmethod
    def _subject_columns(s: Mapping[str, Any]) -> dict:
        # The point's subject, as the CLI's --csv gives it (audit24s #3: a sweep per sex lost the sex
        # once concatenated; the CSV had it, the DataFrame did not).
        sub = s.get("subject") or {}
        return {"subject_sex": sub.get("sex"), "subject_mass_kg": sub.get("body_mass_kg"),
                "subject_height_m": sub.get("height_m")}

    @staticmethod
    def _point_columns(s: Mapping[str, Any]) -> dict:
        # What the CLI's --csv row says of a point beside its loads, and the failure: "which group
        # fails first, per subject" was a loop over summary(**point) (audit25j #11). The CSV's verdict
        # is the CLI's rule (sim/cli/summary_view.h), not a summary key: the per-joint *_verdict
        # columns carry the summary's own.
        joints = s.get("joints") or {}
        peaks = {j: v.get("peak_compression_N") for j, v in joints.items() if isinstance(v.get("peak_compression_N"), (int, float))}
        most = max(peaks, key=peaks.get) if peaks else None  # the first of equal peaks, as the CSV's
        res = s.get("reserves") or {}
        used = res.get("frames_used_fraction")
        return {"first_to_fail": s.get("first_to_fail"), "first_to_fail_side": s.get("first_to_fail_side"),
                "failed_joint": s.get("failed_joint"), "failure_kind": s.get("failure_kind"),
                "most_loaded_level": most, "most_loaded_peak_compression_N": peaks[most] if most else np.nan,
                "reserve_frames_pct": np.nan if used is None else 100.0 * used,
                "loads_are_lower_bounds": bool(s.get("loads_are_lower_bounds", False))}

    def to_pandas(self, joint: str = "L4-L5"):
        """One row per grid point: the axis values, the point's subject (``subject_sex``,
        ``subject_mass_kg``, ``subject_height_m``, as ``--csv``), then peak and mean compression and peak shears
        at ``joint`` (N), the summary's other numbers for ``joint`` (signed shears, peak times, fresh
        peaks, creep), the peak reserve (N·m) and the endurance (s, NaN when it never fails); then, as
        ``paraspine sweep --csv`` gives them and from the same summary, ``first_to_fail``,
        ``first_to_fail_side``, ``failed_joint`` and ``failure_kind`` (None where the task never fails),
        ``most_loaded_level`` and its ``most_loaded_peak_compression_N``, ``reserve_frames_pct`` (% of
        frames a reserve acts in) and ``loads_are_lower_bounds`` (the CSV's one-word ``verdict`` is the
        CLI's rule, not kept in a summary: the ``JOINT compression_verdict`` and ``shear_ap_verdict``
        columns are the summary's).

        ``to_pandas("groups")``: one row per grid point, muscle group and side — the axis values,
        ``group``, ``side`` and the summary's numbers for them (peak and mean activation, end
        fatigued fraction: the share of the group's strength lost, M_F weighted by F0; recovery
        times, s), as :meth:`Results.to_pandas` ``("groups")`` gives them for one run.

        ``to_pandas("joints")``: the long form for plotting every level at once (seaborn, ``pivot``,
        ``groupby``) — one row per grid point and joint: the axis values, ``joint`` (an ordered
        categorical, from the pelvis up), the summary's numbers for that joint under their own names
        (``peak_compression_N``, ...), the point's ``reserve_peak_Nm`` and ``endurance_s``."""
        import pandas as pd

        if joint == "joints":
            recs = []
            for point, s in zip(itertools.product(*[v for _, v in self.axes]), self.summaries):
                at = {**{p: v for (p, _), v in zip(self.axes, point)}, **self._subject_columns(s)}
                reserve = s["reserves"]["peak_moment_Nm"]
                end = np.nan if s["endurance_s"] is None else s["endurance_s"]
                for j in self.joint_names:
                    recs.append({**at, "joint": j, **s["joints"][j], "reserve_peak_Nm": reserve, "endurance_s": end})
            df = pd.DataFrame(recs)
            df["joint"] = pd.Categorical(df["joint"], categories=self.joint_names, ordered=True)
            return df

        if joint == "groups":
            recs = []
            for point, s in zip(itertools.product(*[v for _, v in self.axes]), self.summaries):
                at = {**{p: v for (p, _), v in zip(self.axes, point)}, **self._subject_columns(s)}
                recs += [{**at, "group": g, "side": sd, **vals} for g, sides in s["groups"].items() for sd, vals in sides.items()]
            return pd.DataFrame(recs)
        if joint not in self.summaries[0]["joints"]:
            raise KeyError(f"unknown joint '{joint}'; joints: {', '.join(self.joint_names)}; or 'joints' for every joint "
                           f"(long form), or 'groups' for the muscle groups")
        rows = []
        for point, s in zip(itertools.product(*[v for _, v in self.axes]), self.summaries):
            r = {**{p: v for (p, _), v in zip(self.axes, point)}, **self._subject_columns(s)}
            # The documented numbers first, then the summary's other per-joint keys (its alphabetical
            # order put end_creep_deg first).
            js = s["joints"][joint]
            r.update({f"{joint} {k}": js[k] for k in sorted(js, key=lambda k: (k not in _SWEEP_JOINT_COLUMNS,
                      _SWEEP_JOINT_COLUMNS.index(k) if k in _SWEEP_JOINT_COLUMNS else 0))})
            r["reserve_peak_Nm"] = s["reserves"]["peak_moment_Nm"]
            r["endurance_s"] = np.nan if s["endurance_s"] is None else s["endurance_s"]
            r.update(self._point_columns(s))
            rows.append(r)
        return pd.DataFrame(rows)

    @property
    def joint_names(self) -> list[str]:
        """The joints of the summaries in the model's order (from the pelvis up), as
        :attr:`Results.joint_names`; the summaries' own order is alphabetical."""
        if self._joint_names is None:
            names = list(self.summaries[0]["joints"])
            try:
                order = _core.Model.load(self.scenario._native._model_path()).joint_names
            except (ValueError, OSError):
                order = []
            if sorted(order) == sorted(names):
                names = list(order)
            self._joint_names = names
        return self._joint_names

    def to_hdf5(self, path: Union[str, os.PathLike]) -> str:
        """Write the sweep file exactly as ``paraspine sweep -o`` does. Returns the path. The name is
        checked as the CLI checks it (a .json/.csv/.txt/.yaml name raises InputError)."""
        path = os.fspath(path)
        _core._check_output_path(path, [self.scenario.file])  # the CLI's order: the path, then its name
        _check_results_name(path, "to_hdf5", SWEEP_HINT)
        self._write(path)
        return path

    def _write(self, path: str) -> None:
        _core._write_sweep(path, self.scenario._native, [(p, _axis_list(v)) for p, v in self.axes], self.summaries)

    def __len__(self) -> int:
        return len(self.summaries)

    def __repr__(self) -> str:
        ax = ", ".join(f"{p}: {len(v)}" for p, v in self.axes)
        return f"<paraspine.SweepResults '{self.scenario.name}': {len(self)} points ({ax})>"


def load_sweep(path: Union[str, os.PathLike]) -> SweepResults:
    """Open a sweep file (``paraspine sweep -o`` or :meth:`SweepResults.to_hdf5`) as the
    :class:`SweepResults` :func:`sweep` returns: its axes from ``/grid``, one summary per point from
    ``/summaries``, and the base scenario from the file's ``scenario_text`` (parsed as if it lay beside
    the sweep file, where a relative ``motion:`` file is then looked for). A results file of one run,
    or a file that is not a complete sweep file, raises InputError naming the file."""
    import json

    import h5py

    path = os.fspath(path)

    def fail(msg: str) -> None:
        err = _core.InputError(f"{path}: {msg}")
        err.file, err.line, err.field = path, 0, ""
        raise err

    if not os.path.exists(path):
        raise FileNotFoundError(2, "no such sweep file", path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open as an HDF5 sweep file ({e})")
    with f:
        attr = lambda k: (lambda v: v.decode() if isinstance(v, bytes) else v)(f.attrs.get(k, ""))
        if attr("kind") != "sweep":
            fail("not a sweep file (no kind = sweep); a run's results file opens with paraspine.load_results()")
        # 2: a grid may hold words (categorical axes, session 25); 1: numbers only, the same layout.
        if int(f.attrs.get("schema_version", 0)) not in (1, 2):
            fail(f"sweep schema_version {f.attrs.get('schema_version')} is not 1 or 2, the ones this version reads")
        if "grid" not in f or "summaries" not in f:
            fail("no /grid or /summaries: not a complete sweep file")
        axes = []
        for k in range(len(f["grid"])):
            ds = f["grid"][str(k)]
            p = ds.attrs["path"]
            # A categorical axis (subject.sex) holds its words as strings.
            values = np.asarray(ds.asstr()[()]) if ds.dtype.kind in "OS" else np.asarray(ds[()], dtype=float)
            axes.append((p.decode() if isinstance(p, bytes) else p, values))
        texts = f["summaries"].asstr()[()].reshape(-1)
        if any(not t for t in texts):
            fail("a grid point has no summary (a sweep that did not finish)")
        summaries = [json.loads(t) for t in texts]
        scenario_text = attr("scenario_text")
    shape = tuple(len(v) for _, v in axes)
    if int(np.prod(shape)) != len(summaries):
        fail(f"{len(summaries)} summaries for a grid of {shape}")
    return SweepResults(Scenario.from_yaml(scenario_text, path), axes, summaries)


def simulate_many(scenarios: Sequence[Union[Scenario, str, Mapping[str, Any]]], *, threads: Optional[int] = None,
                  progress: ProgressArg = True, **kwargs: Any) -> list[Results]:
    """Run several scenarios at once, one per thread, and return their Results in the given order.

    Every scenario runs exactly as ``simulate(None, scenario, **kwargs)`` would run it alone (its own
    model and subject, one engine thread each); the engine releases the GIL, so the runs proceed
    in parallel — the Python counterpart of ``paraspine batch``. Typical use: the same task in
    several postures, side by side::

        upright, slouched = paraspine.simulate_many(["upright_sitting", "slouched_sitting"])

    threads: scenarios run at once (default: every core). progress: True for one bar over the
        scenarios, False/None, or a callable ``progress(scenarios_done, scenarios_total)``.
    kwargs: passed to :func:`simulate` for every scenario (``model``, ``subject``, ``criterion``,
        ``overrides``, ``fields``, ``max_memory``); ``output`` is not accepted here (one file
        would be shared by all runs — stream each with :func:`simulate` or use ``paraspine batch
        -o DIR``), nor ``threads`` per run.

    The first scenario to raise stops the others (running ones within a few tenths of a second)
    and its exception is re-raised; so does Ctrl-C / the notebook's stop button (KeyboardInterrupt).
    """
    if "output" in kwargs:
        raise ValueError("simulate_many() does not take output=; use paraspine batch -o DIR, or simulate(output=...) per scenario")
    if isinstance(scenarios, (str, bytes, Mapping, Scenario)) or hasattr(scenarios, "__fspath__"):
        # A lone name was iterated letter by letter: "s: no scenario of this name".
        raise TypeError("simulate_many() takes a list of scenarios, e.g. ['rounded_back_lift', 'squat_lift']; "
                        "for one scenario use simulate()")
    scs = [as_scenario(s) for s in scenarios]  # bad input is reported before anything runs
    if not scs:
        return []
    n = threads if threads is not None else (os.cpu_count() or 1)
    _check_threads(n)
    model = kwargs.pop("model", None)
    bar = None
    report: Any = progress if callable(progress) else None
    if progress is True:
        bar = _tqdm(total=len(scs), unit="scenario", desc="scenarios", delay=1.0, leave=False)
    results: list[Optional[Results]] = [None] * len(scs)
    # Runs see `stop` through their progress callback (called ~10 times a second under the GIL):
    # raising there ends a run at once. Ctrl-C reaches only the main thread, waiting below; without
    # this the pool's shutdown waited for every queued scenario.
    stop = threading.Event()

    def check_stop(done: int, total: int, t: float) -> None:
        if stop.is_set():
            raise _Stopped()

    pool = ThreadPoolExecutor(max_workers=int(n))
    try:
        futures = {pool.submit(simulate, model, sc, progress=check_stop, **kwargs): k for k, sc in enumerate(scs)}
        pending = set(futures)
        while pending:
            # Short waits: a signal is handled between them (a blocking wait on a lock is not
            # woken by every SIGINT, nor by _thread.interrupt_main).
            finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for fut in finished:
                results[futures[fut]] = fut.result()
                if bar is not None:
                    bar.update(1)
                elif report is not None:
                    report(len(futures) - len(pending), len(scs))
    except BaseException:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if bar is not None:
            bar.close()
    return results  # type: ignore[return-value]


class _Stopped(Exception):
    """Ends the other runs of simulate_many once one has failed or Ctrl-C was pressed."""


def sweep(scenario: Union[Scenario, str, Mapping[str, Any]],
          vary: Mapping[str, Union[Sequence[float], np.ndarray, str]], *,
          subject: Optional["_core.Subject"] = None, overrides: Optional[Overrides] = None,
          threads: Optional[int] = None, progress: ProgressArg = True,
          output: Union[str, os.PathLike, None] = None, fatigue: bool = True) -> SweepResults:
    """Run a scenario over the grid of every combination of ``vary``, in parallel.

    vary: ``{PATH: values}`` — PATH is ``subject.mass``, ``subject.height``, ``subject.sex``,
        ``subject.percentile``, ``subject.strength``, ``subject.fatigue_rate_scale``,
        ``subject.recovery_rate_scale`` or any scenario value (an override path, e.g.
        ``keyframes[2].hands.both.load_kg``); values a sequence of numbers, a sequence of words for
        a value that is one (``{"subject.sex": ["male", "female"]}``, ``{"criterion": ["activation2",
        "minmax"]}``: a categorical axis, its values kept as str), or ``"START:STOP:N"`` as on the
        command line.
    subject: the base subject, over the scenario's (its unset values are the scenario's, as in
        :func:`simulate`); subject axes change it.
    threads: grid points run at once (OpenMP; default: every core). The GIL is released meanwhile.
    progress: True for a tqdm bar over grid points, False/None, or a callable ``progress(fraction)``.
    output: also write the CLI's sweep file there.
    fatigue: False runs every point with fresh muscles and no creep, as ``simulate(..., fatigue=False)``
        and ``paraspine sweep --no-fatigue`` (each summary's ``fatigue`` is then false, with no endurance).

    Each grid point is a full run of the C++ engine with its own scaled model and state; the
    results are the per-point summaries (no frames are kept).
    """
    sc = as_scenario(scenario)
    if overrides:
        sc = sc.with_overrides(overrides)
    if not isinstance(vary, Mapping):
        raise TypeError(f"vary must be a dict {{PATH: values}}, e.g. {{'subject.mass': [60, 80, 100]}}, not {type(vary).__name__}")
    if not vary:
        raise ValueError("vary needs at least one axis, e.g. {'subject.mass': [60, 80, 100]}")
    if subject is not None and not isinstance(subject, _core.Subject):
        raise TypeError("subject must be a paraspine.Subject(mass=..., height=..., sex=...)")
    axes: list[tuple[str, np.ndarray]] = []
    for path, values in vary.items():
        if not isinstance(path, str):
            raise TypeError(f"vary's keys are paths such as 'subject.mass', not {path!r}")
        if isinstance(values, str):
            p, v = _core._parse_sweep_axis(f"{path}={values}")
        elif isinstance(values, (set, frozenset, Mapping, bytes)):
            # A set has no order (the grid's would change between interpreters, review25); a dict no values.
            raise TypeError(f"vary['{path}']: values must be a list (or tuple, array) in grid order, not a {type(values).__name__}")
        else:
            try:
                # Numbers first, as the command line reads "70,80" (review25: ['70', '80'] became words).
                p, v = path, np.asarray(values, dtype=float).ravel().tolist()
            except (TypeError, ValueError):
                if not _all_words(values):
                    raise ValueError(f"vary['{path}']: values must be numbers, words (subject.sex: ['male', 'female']) "
                                     f"or 'START:STOP:N', not {values!r}") from None
                # Words make a categorical axis, as `--vary subject.sex=male,female` (the core checks them).
                p, v = path, [str(x) for x in values]
        # The CLI's name for a subject factor (subject.fatigue_rate → subject.fatigue_rate_scale), so a
        # sweep file records one name for one grid whichever wrote it (review23).
        p = _core._canonical_sweep_path(p)
        words = bool(v) and isinstance(v[0], str)
        axes.append((p, np.asarray(v, dtype=object if words else float)))
    # A sex given both ways: the axis replaced it at every point (the command line refuses it too).
    if subject is not None and getattr(subject, "sex", "") and any(p == "subject.sex" for p, _ in axes):
        raise ValueError("subject= gives a sex and vary varies subject.sex: give the sexes in the axis only "
                         "(for a percentile, vary it too: {'subject.percentile': [50]})")
    # A path both overridden and varied: each grid point's value replaced the override silently.
    _core._check_not_set_and_varied(_override_strings(overrides or {}), [p for p, _ in axes])
    n = threads if threads is not None else (os.cpu_count() or 1)
    _check_threads(n)
    if output is not None:  # a typo in the folder fails now, not after the whole grid has run
        _core._check_output_path(os.fspath(output), [sc.file, sc.motion_file])
        _check_results_name(os.fspath(output), "output", SWEEP_HINT)
    points = int(np.prod([len(v) for _, v in axes]))
    bar = None
    report: Any = None
    if callable(progress):
        report = progress
    elif progress:
        bar = _tqdm(total=points, unit="point", desc=f"sweep {sc.name}", delay=1.0, leave=False)

        def report(fraction: float) -> None:
            bar.update(round(fraction * points) - bar.n)
    try:
        summaries = _core._sweep(sc._native, [(p, _axis_list(v)) for p, v in axes], subject, int(n), report, bool(fatigue))
    finally:
        if bar is not None:
            bar.close()
    result = SweepResults(sc, axes, summaries)
    if output is not None:  # its name was checked (and warned about) before the grid ran
        result._write(os.fspath(output))
    return result
