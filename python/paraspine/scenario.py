"""Scenarios: what is asked of the body over time (format: docs/scenarios.md).

A :class:`Scenario` is immutable; :meth:`Scenario.with_overrides` returns a changed copy, exactly
like ``paraspine run NAME --set PATH=VALUE``.
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core

OverrideValue = Union[int, float, str, bool, Sequence[float], np.ndarray]
Overrides = Union[Mapping[str, OverrideValue], Sequence[str]]
# A motion table: a pandas DataFrame, a dict of equal-length columns, CSV text, or a CSV file's path.
Motion = Union[Any, Mapping[str, Sequence[float]], str, "os.PathLike[str]"]


def _format_override_value(value: OverrideValue) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        # nan and inf go to the scenario reader as text, which refuses them as the CLI's --set does:
        # an InputError naming the file, the line and the field (a bare ValueError named none).
        return repr(float(value))
    return str(value)


def _override_items(path: str, value: Any) -> list[str]:
    """One override, or one per element of a list value: a hand position [0.3, -0.2, 0.18] sets
    position[0], position[1] and position[2] (the engine sets single values only)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # np.array(50): "'int' object is not iterable" (audit25i #15)
    if isinstance(value, (list, tuple, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else list(value)
        if not items:
            raise ValueError(f"override {path}: an empty list sets nothing")
        return [s for k, v in enumerate(items) for s in _override_items(f"{path}[{k}]", v)]
    return [f"{path}={_format_override_value(value)}"]


def _override_strings(overrides: Overrides) -> list[str]:
    """{'repetitions': 10} or ['repetitions=10'] -> ['repetitions=10']."""
    if isinstance(overrides, Mapping):
        return [s for path, v in overrides.items() for s in _override_items(str(path), v)]
    if isinstance(overrides, str):
        raise TypeError("overrides must be a dict {PATH: VALUE} or a list of 'PATH=VALUE' strings, not a str")
    return [str(s) for s in overrides]


def _plain(value: Any, path: str = "") -> Any:
    """numpy scalars and arrays, tuples -> plain Python for the YAML writer. Anything else that is
    not a scenario value raises TypeError naming its key (the YAML writer's RepresenterError named
    only the object)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a 0-d array is one value, not a list
    if isinstance(value, (list, tuple, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else value
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(items)]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"Scenario.from_dict: {path or 'the value'}: {value!r} ({type(value).__name__}) is not a scenario "
                    f"value: use numbers, strings, booleans, lists and dicts")


class Scenario:
    """A scenario: model, subject, criterion, output rate, and a cycle of keyframes repeated with rests.

    Create one with :meth:`load` (a bundled name such as ``"squat_lift"`` or a path),
    :meth:`from_dict` or :meth:`from_yaml`. Errors raise :class:`paraspine.InputError` with the
    CLI's message (``FILE:LINE: FIELD: message``).

        >>> s = paraspine.Scenario.load("upright_sitting", overrides={"keyframes[1].time": 600})
        >>> s.duration_s
        600.0
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_core.Scenario"):
        """Wraps an engine scenario; use :meth:`load`, :meth:`from_dict` or :meth:`from_yaml`."""
        if not isinstance(native, _core.Scenario):
            raise TypeError("use Scenario.load(...), Scenario.from_dict(...) or Scenario.from_yaml(...)")
        self._native = native

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def load(cls, name_or_path: str, overrides: Optional[Overrides] = None) -> "Scenario":
        """Load a scenario file, or a bundled scenario by name (``paraspine list`` shows them).

        ``overrides`` changes existing values before parsing, like ``--set``:
        ``{"keyframes[2].hands.both.load_kg": 12.5, "repetitions": 10}``.
        """
        if not isinstance(name_or_path, (str, os.PathLike)):  # None said "None: no scenario of this name"
            raise TypeError(f"Scenario.load takes a scenario name or a path, not {type(name_or_path).__name__}")
        s = cls(_core.Scenario._load(os.fsdecode(name_or_path)))
        return s.with_overrides(overrides) if overrides else s

    @classmethod
    def from_yaml(cls, text: str, file: str = "<yaml>") -> "Scenario":
        """Parse scenario YAML text; ``file`` names it in error messages.

        ``file`` also locates a relative ``motion: {file: ...}``: beside ``file`` when that is a
        path, else in the working directory (``Scenario.from_yaml(text, "trials/lift.yaml")``
        reads ``trials/lift3.csv``; with the default ``"<yaml>"``, ``./lift3.csv``).
        """
        if isinstance(text, bytes):
            text = text.decode()
        if not isinstance(text, str):
            raise TypeError(f"Scenario.from_yaml takes the YAML text as a str, not {type(text).__name__}")
        return cls(_core.Scenario._parse(text, str(file)))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], file: str = "<from_dict>", motion: Optional[Motion] = None) -> "Scenario":
        """Build a scenario from a dict with the keys of a scenario file (docs/scenarios.md).

        ``paraspine_scenario: 1`` is added when missing. The dict is written as block YAML, so
        error messages name a line of :attr:`text` and the field, e.g.
        ``<from_dict>:9: keyframes[1].time: ...``.

        ``motion`` gives the keyframes as a table instead of ``keyframes:`` — a pandas DataFrame, a
        dict of equal-length columns, CSV text, or a CSV file's path — with the columns of a motion
        file (``time``, ``regions_deg.lumbar.flexion``, ...; docs/scenarios.md, "Motion files"). A
        DataFrame's index is used as the time column when no column is one and the index is named.
        ``spec`` may hold ``motion: {lowpass_hz: 6}`` for the filter. The table is read as the CSV
        it would be written as (numbers printed to round-trip, so a file of the same values gives
        the same bits); errors name its line, the header being line 1, and its column.
        """
        import yaml  # Debian's python3-yaml

        if not isinstance(spec, Mapping):  # a list said "cannot convert dictionary update sequence element #0"
            raise TypeError(f"Scenario.from_dict takes a dict with the keys of a scenario file, not {type(spec).__name__}")
        d = _plain(dict(spec))
        if "paraspine_scenario" not in d:
            d = {"paraspine_scenario": 1, **d}
        if motion is None:
            text = yaml.safe_dump(d, sort_keys=False, default_flow_style=False, allow_unicode=True)
            return cls.from_yaml(text, file)
        motion_text, source = _motion_csv(motion)
        given = d.get("motion") or {}
        if not isinstance(given, Mapping):
            raise TypeError(f"Scenario.from_dict: 'motion' in the dict holds the filter, e.g. {{'lowpass_hz': 6}}, not {given!r}")
        if "file" in given:
            raise ValueError("Scenario.from_dict: the motion is given twice, as motion= and as motion.file in the dict; "
                             "give one")
        if "keyframes" in d:
            raise ValueError("Scenario.from_dict: motion= gives the keyframes; leave 'keyframes' out of the dict")
        d["motion"] = {"file": source, **given}
        text = yaml.safe_dump(d, sort_keys=False, default_flow_style=False, allow_unicode=True)
        return cls(_core.Scenario._parse_with_motion(text, str(file), motion_text, source))

    def with_motion(self, motion: Motion, lowpass_hz: Optional[float] = None) -> "Scenario":
        """A copy whose keyframes are ``motion``'s rows (as :meth:`from_dict`'s ``motion=``), every
        other setting kept (model, subject, criterion, rate, repetitions, forces, fatigue);
        ``lowpass_hz`` filters it (None: as given). The text is edited as ``paraspine run --motion``
        edits it (its other lines, comments and line numbers kept)."""
        if lowpass_hz is not None and (isinstance(lowpass_hz, (bool, np.bool_))
                                       or not isinstance(lowpass_hz, (int, float, np.integer, np.floating))):
            # True was a 1-Hz filter and '6' a 6-Hz one (audit25i #15).
            raise TypeError(f"with_motion: lowpass_hz must be a cutoff in Hz, a number such as 6 (or None: no filter), "
                            f"not {lowpass_hz!r}")
        motion_text, source = _motion_csv(motion)
        text = _core.Scenario._with_motion_entry(self.text, self.file, source, float(lowpass_hz or 0), "with_motion")
        try:
            return Scenario(_core.Scenario._parse_with_motion(text, self.file, motion_text, source))
        except _core.InputError as e:
            key = "motion.lowpass_hz: "
            if not lowpass_hz or getattr(e, "field", "") != "motion.lowpass_hz" or key not in str(e):
                raise
            # The cutoff is this call's argument, not the scenario file's (only appended to its text).
            err = _core.InputError(f"with_motion: lowpass_hz: {str(e).split(key, 1)[1]} ({source})")
            err.file, err.line, err.field = "with_motion", 0, "lowpass_hz"
            raise err from None

    def with_overrides(self, overrides: Overrides) -> "Scenario":
        """A copy with existing values changed (``{PATH: VALUE}`` or ``["PATH=VALUE", ...]``).

        Paths use dots and brackets as on the command line; a path that does not exist is an
        InputError naming it. The one exception, as with ``--set``: the top-level settings the
        format gives a default (``abdominal_pressure``, ``repetitions``, ``rest_s``, ``criterion``,
        ``solver_tolerance``, ``output_rate_hz``, ``break_every``/``break_s``, ``break_posture``,
        ``positions``) are added when the file leaves them out.
        """
        sets = _override_strings(overrides)
        if not sets:
            return self
        return Scenario(self._native._with_overrides(sets, self.file + " (with overrides)"))

    def to_dict(self) -> dict:
        """The scenario's YAML text as a dict (overrides applied)."""
        import yaml

        return yaml.safe_load(self.text)

    # --- read-only description ----------------------------------------------------------------
    @property
    def name(self) -> str:
        """Scenario name."""
        return self._native.name

    @property
    def description(self) -> str:
        """What the scenario represents."""
        return self._native.description

    @property
    def file(self) -> str:
        """The file it came from (``<from_dict>`` / ``<yaml>`` for text)."""
        return self._native.file

    @property
    def text(self) -> str:
        """The full YAML text, with overrides applied (what results files record)."""
        return self._native.text

    @property
    def motion_file(self) -> str:
        """The motion file (CSV) whose rows are the keyframes, as resolved; ``""`` without one
        (docs/scenarios.md, "Motion files")."""
        return self._native.motion_file

    @property
    def motion_text(self) -> str:
        """That motion file's text as read (results files record it as ``motion_text``); ``""`` without one."""
        return self._native.motion_text

    @property
    def model(self) -> str:
        """Model name or path the scenario asks for."""
        return self._native.model

    @property
    def subject(self) -> Optional["_core.Subject"]:
        """The scenario's subject, or None (the model's reference subject)."""
        return self._native.subject

    @property
    def criterion(self) -> str:
        """Load-sharing criterion: activation2, activation3, stress2 or minmax."""
        return self._native.criterion

    @property
    def solver_tolerance(self) -> float:
        """Load sharing's equilibrium tolerance, relative to the frame's largest net moment (default 1e-10)."""
        return self._native.solver_tolerance

    @property
    def output_rate_hz(self) -> float:
        """Frames per second of the simulation and of the output."""
        return self._native.output_rate_hz

    @property
    def repetitions(self) -> int:
        """How many times the cycle runs."""
        return self._native.repetitions

    @property
    def rest_s(self) -> float:
        """Rest between repetitions, s."""
        return self._native.rest_s

    @property
    def break_every(self) -> int:
        """A longer break after every n-th repetition (0 = none)."""
        return self._native.break_every

    @property
    def break_s(self) -> float:
        """Length of those longer breaks, s."""
        return self._native.break_s

    @property
    def abdominal_pressure(self) -> bool:
        """Whether the model's intra-abdominal pressure carries part of the moment (docs/mechanics.md)."""
        return self._native.abdominal_pressure

    @property
    def positions(self) -> str:
        """``'scaled'`` (the file's lengths are the model's reference subject's and scale with the
        subject's height, the default) or ``'absolute'`` (as written) — docs/scenarios.md, "Positions"."""
        return self._native.positions

    @property
    def nkeyframes(self) -> int:
        """Keyframes in one cycle."""
        return self._native.nkeyframes

    @property
    def cycle_s(self) -> float:
        """Length of one cycle, s."""
        return self._native.cycle_s

    @property
    def duration_s(self) -> float:
        """Length of the whole run, s."""
        return self._native.duration_s

    @property
    def frames(self) -> int:
        """Frames a run produces (duration × rate + 1)."""
        return self._native.frames

    def __repr__(self) -> str:
        return repr(self._native)

    # Immutable: copies are the scenario itself; pickling (multiprocessing) re-reads its text.
    def __copy__(self) -> "Scenario":
        return self

    def __deepcopy__(self, memo: dict) -> "Scenario":
        return self

    def __reduce__(self):
        # A motion travels as the text that was read: a DataFrame's rows have no file, and a file may
        # have changed, moved or be relative to another working directory by the time it unpickles.
        if self.motion_text:
            return (_scenario_with_motion, (self.text, self.file, self.motion_text, self.motion_file))
        return (Scenario.from_yaml, (self.text, self.file))


def _scenario_with_motion(text: str, file: str, motion_text: str, motion_source: str) -> Scenario:
    return Scenario(_core.Scenario._parse_with_motion(text, file, motion_text, motion_source))


def _motion_csv(motion: Motion) -> tuple[str, str]:
    """``motion`` as a motion file's text, and what errors name it: ``<DataFrame>``, ``<dict>``,
    ``<csv text>`` or the file's path."""
    if isinstance(motion, bytes):
        motion = motion.decode()
    if isinstance(motion, str) and "\n" in motion:
        return motion, "<csv text>"
    if isinstance(motion, (str, os.PathLike)):
        path = os.fsdecode(motion)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: the motion file does not exist")
        with open(path, encoding="utf-8") as f:
            return f.read(), path
    source = "<dict>"
    if hasattr(motion, "columns") and hasattr(motion, "index"):  # a pandas DataFrame, without importing pandas
        source = "<DataFrame>"
        names = [str(c) for c in motion.columns]
        is_time = [_core._is_time_column(n) for n in names]
        if not any(is_time):
            index_name = motion.index.name
            if index_name is not None and _core._is_time_column(str(index_name)):
                motion = motion.reset_index()
            elif getattr(motion.index.dtype, "kind", "") in ("M", "m"):
                # a DatetimeIndex or TimedeltaIndex (a sensor log's) is the time whatever its name
                motion = motion.rename_axis("time").reset_index()
        columns = {}
        for c in motion.columns:
            s = motion[c]
            if getattr(s.dtype, "tz", None) is not None:  # time-zone aware: the same instants, naive
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            columns[str(c)] = s.to_numpy()
        motion = columns
    if not isinstance(motion, Mapping):
        raise TypeError(f"motion: a pandas DataFrame, a dict of columns, CSV text or a CSV file's path, "
                        f"not {type(motion).__name__}")
    names, columns = [], []
    for name, values in motion.items():
        name = str(name)
        if any(ch in name for ch in ',"\n\r'):
            raise ValueError(f"motion: column {name!r}: a column name cannot hold a comma, quote or line break")
        col = _column_numbers(name, values)
        if col.ndim != 1:
            raise ValueError(f"motion: column {name!r} is not one value per row (shape {col.shape})")
        if columns and len(col) != len(columns[0]):
            raise ValueError(f"motion: column {name!r} has {len(col)} rows, {names[0]!r} has {len(columns[0])}")
        names.append(name)
        columns.append(col)
    if not names:
        raise ValueError("motion: the table has no columns (it needs 'time' and what moves)")
    # repr: the shortest text that reads back as the same double, so the CSV of the same values
    # (written by repr, or by pandas' to_csv) gives the same bits.
    lines = [",".join(names)]
    lines.extend(",".join(map(repr, row)) for row in zip(*(c.tolist() for c in columns)))
    return "\n".join(lines) + "\n", source


def _column_numbers(name: str, values: Any) -> np.ndarray:
    """One motion column as numbers to print: integers stay integers (their CSV prints ``8``, not
    ``8.0``, and the time's printed resolution is part of the even-grid check), datetimes are
    seconds from the first row, timedeltas seconds; True/False is refused, as in the CSV."""
    try:
        a = np.asarray(values)
    except (TypeError, ValueError) as e:
        raise TypeError(f"motion: column {name!r} is not numbers ({e})") from None
    if a.dtype.kind == "b":
        raise TypeError(f"motion: column {name!r} is True/False, not numbers (its CSV would be refused "
                        f"too); give the values, e.g. 1.0 * column")
    if a.dtype.kind == "M":
        a = a - a[0] if a.size else a.astype("timedelta64[ns]")
    if a.dtype.kind == "m":
        ns = a.astype("timedelta64[ns]")
        seconds = ns.astype(np.int64) / 1e9
        seconds[np.isnat(ns)] = np.nan
        return seconds
    if a.dtype.kind in ("i", "u"):
        return a
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"motion: column {name!r} is not numbers ({e})") from None


def as_scenario(scenario: Union[Scenario, str, Mapping[str, Any]]) -> Scenario:
    """A Scenario from a Scenario, a bundled name / path, or a dict."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, (str, bytes)) or hasattr(scenario, "__fspath__"):
        import os

        return Scenario.load(os.fsdecode(scenario))
    raise TypeError(f"expected a Scenario, a scenario name or path, or a dict, not {type(scenario).__name__}")
