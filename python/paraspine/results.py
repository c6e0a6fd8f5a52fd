"""Results of a run: every frame's spinal loads, muscle forces, activations and fatigue.

The same :class:`Results` comes from :func:`paraspine.simulate` (arrays in memory, owned by numpy
without a copy of the engine's buffers) and from :func:`load_results` (a schema-v1 HDF5 file as
written by ``paraspine run -o`` or :meth:`Results.to_hdf5`, read lazily: a field is read from
disk the first time it is asked for, and a selection such as ``results.joint("L4-L5")`` reads
only its columns).

Shapes: T frames, J joints (the model's order, from the pelvis up), M muscle fascicles; per-rotation fields have a
last axis of 3 (flexion, lateral bending, axial rotation). Units are SI (``FIELDS`` lists them).
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core

if TYPE_CHECKING:
    from .picture import Picture

ROTATIONS = ("flexion", "lateral_bending", "axial_rotation")


@dataclass(frozen=True)
class Field:
    """One per-frame output field: its attribute name, HDF5 path, unit, shape kind and meaning."""

    name: str         #: attribute name on Results / selections, e.g. "compression"
    path: str         #: HDF5 dataset path, e.g. "/joints/compression"
    unit: str         #: SI unit ("1" = dimensionless)
    shape: str        #: "joint3" [T×J×3], "joint" [T×J] or "muscle" [T×M]
    description: str  #: what it is


def _attribute_name(path: str) -> str:
    group, last = path.strip("/").split("/")[-2:]
    if group == "muscles" and last == "force":
        return "muscle_force"
    if group == "fatigue":
        return "fatigue_" + last
    return last


#: Every per-frame field, in the schema's order (from the engine's field table, sim/io/fields.cpp).
FIELDS: tuple[Field, ...] = tuple(
    Field(_attribute_name(f["path"]), f["path"], f["unit"], f["shape"], f["description"]) for f in _core._output_fields()
)
_BY_NAME = {f.name: f for f in FIELDS}
_BY_PATH = {f.path: f for f in FIELDS}


def field(name_or_path: str) -> Field:
    """The :class:`Field` with this attribute name (``"compression"``) or HDF5 path."""
    f = _BY_NAME.get(name_or_path) or _BY_PATH.get(name_or_path)
    if f is None:
        raise ValueError(f"unknown field '{name_or_path}'; fields: {', '.join(_BY_NAME)}")
    return f


#: Groups of fields, by the first part of their HDF5 path ("joints", "muscles", "fatigue", "kinematics").
GROUPS: dict[str, tuple[str, ...]] = {}
for _f in FIELDS:
    GROUPS.setdefault(_f.path.strip("/").split("/")[0], ())
    GROUPS[_f.path.strip("/").split("/")[0]] += (_f.name,)


def select_fields(selection: Union[str, Iterable[str]]) -> list[Field]:
    """The fields named by ``selection``: field names (``"compression"``), HDF5 paths
    (``"/muscles/activation"``) or groups (``"joints"``, ``"muscles"``, ``"fatigue"``,
    ``"kinematics"``), as a list or one comma-separated string like ``paraspine run --fields``.
    In the schema's order, each once."""
    entries = [e.strip() for e in selection.split(",")] if isinstance(selection, str) else list(selection)
    names: set[str] = set()
    for e in entries:
        if not isinstance(e, str):
            raise TypeError(f"fields must be field names (a list of str, or one str), not {e!r}")
        if e.strip("/") in GROUPS:
            names.update(GROUPS[e.strip("/")])
        elif e:
            f = _BY_NAME.get(e) or _BY_PATH.get("/" + e.strip("/"))  # "muscles/activation" as on the command line
            if f is None:
                raise ValueError(f"unknown field '{e}'; fields: {', '.join(_BY_NAME)}; groups: {', '.join(GROUPS)}")
            names.add(f.name)
    return [f for f in FIELDS if f.name in names]


def _h5_columns(index: Any) -> tuple[Any, Optional[np.ndarray]]:
    """Columns for h5py, which reads only increasing, distinct indices: (the sorted distinct
    columns, the positions that restore the order asked for — None when nothing is to restore)."""
    if np.ndim(index) == 0:
        return int(index), None
    arr = np.asarray(index, dtype=np.intp)
    unique, inverse = np.unique(arr, return_inverse=True)
    if unique.size == arr.size and np.array_equal(unique, arr):
        return unique.tolist(), None
    return unique.tolist(), inverse


def _read(source: Any, index: Any = None) -> np.ndarray:
    """Columns of an in-memory array (a view where numpy allows) or of an h5py dataset (read now,
    in any order: results.joint(["L4-L5", "L5-S1"]) of a file asked h5py for columns 1, 0)."""
    if index is None:
        return source if isinstance(source, np.ndarray) else source[()]
    if isinstance(source, np.ndarray):
        return source[(slice(None), index)]
    columns, restore = _h5_columns(index)
    block = source[(slice(None), columns)]
    return block if restore is None else block[:, restore]


class _Selection:
    _kind = ""

    def __init__(self, results: "Results", index: Union[int, np.ndarray], names: list[str]):
        self._results = results
        self._index = index
        self.names = names  #: the selected names

    @property
    def time(self) -> np.ndarray:
        """(T,) s."""
        return self._results.time

    @property
    def indices(self) -> np.ndarray:
        """Indices of the selection in the model's order."""
        return np.atleast_1d(np.asarray(self._index))

    def _get(self, name: str) -> np.ndarray:
        return self._results._column(name, self._index)

    def to_xarray(self, time: Optional[slice] = None, max_memory: float = 4e9):
        """The selection's fields as an ``xarray.Dataset`` (``time``, ``max_memory``: as
        :meth:`Results.to_xarray`)."""
        ds = self._results.to_xarray(fields=[n for n in self._results.fields if field(n).shape.startswith(self._kind)],
                                     time=time, max_memory=max_memory)
        if self._kind == "joint":
            return ds.drop_dims("muscle").isel(joint=self._index)
        return ds.drop_dims(["joint", "rotation"]).isel(muscle=self._index)


class JointSelection(_Selection):
    """Fields of one joint (arrays (T,) or (T, 3)) or of several (arrays (T, n) or (T, n, 3)).

    From :meth:`Results.joint`: ``results.joint("L4-L5").compression``.
    """

    _kind = "joint"

    @property
    def compression(self) -> np.ndarray:
        """Intervertebral compression along the disc normal, N (+ pressed together)."""
        return self._get("compression")

    @property
    def ligament_compression(self) -> np.ndarray:
        """Part of ``compression`` due to ligaments carrying the flexion law's moment off the disc, N
        (``passive.off_disc``; 0 where the joint has none or the law is slack)."""
        return self._get("ligament_compression")

    @property
    def disc_pressure(self) -> np.ndarray:
        """Intradiscal pressure, Pa: the model's correction factor × compression / disc area (docs/model.md §9);
        NaN at joints whose disc area the model does not give."""
        return self._get("disc_pressure")

    @property
    def shear_ap(self) -> np.ndarray:
        """Anterior shear, N (+ the load pushes the superior vertebra forward)."""
        return self._get("shear_ap")

    @property
    def shear_lateral(self) -> np.ndarray:
        """Lateral shear, N (+ to the right)."""
        return self._get("shear_lateral")

    @property
    def joint_angles(self) -> np.ndarray:
        """Joint angles, rad: flexion, lateral bending, axial rotation."""
        return self._get("joint_angles")

    @property
    def net_moment(self) -> np.ndarray:
        """Net moment the tissues must supply, N·m, per rotation."""
        return self._get("net_moment")

    @property
    def muscle_moment(self) -> np.ndarray:
        """Moment carried by muscles, N·m, per rotation."""
        return self._get("muscle_moment")

    @property
    def passive_moment(self) -> np.ndarray:
        """Moment carried by passive tissue, N·m, per rotation."""
        return self._get("passive_moment")

    @property
    def reserve_moment(self) -> np.ndarray:
        """Moment carried by reserve actuators (where muscles cannot), N·m, per rotation."""
        return self._get("reserve_moment")

    @property
    def abdominal_pressure_moment(self) -> np.ndarray:
        """Moment carried by intra-abdominal pressure, N·m, per rotation (docs/mechanics.md)."""
        return self._get("abdominal_pressure_moment")

    @property
    def creep(self) -> np.ndarray:
        """Flexion slack the passive tissue has gained by creep, rad (docs/fatigue.md)."""
        return self._get("creep")

    def __repr__(self) -> str:
        return f"<paraspine.JointSelection {self.names}>"


class MuscleSelection(_Selection):
    """Fields of selected fascicles, arrays (T, n): from :meth:`Results.muscles`.

    ``results.muscles(group="longissimus", side="left").force``
    """

    _kind = "muscle"

    def __init__(self, results: "Results", index: np.ndarray, names: list[str]):
        super().__init__(results, index, names)
        self.groups = [results.muscle_groups[i] for i in index]  #: group of each selected fascicle
        self.sides = [results.muscle_sides[i] for i in index]    #: side of each selected fascicle

    @property
    def force(self) -> np.ndarray:
        """Musculotendon force (active + passive), N."""
        return self._get("muscle_force")

    @property
    def activation(self) -> np.ndarray:
        """Activation, fraction of the fresh maximum."""
        return self._get("activation")

    @property
    def fiber_length(self) -> np.ndarray:
        """Fibre length, m."""
        return self._get("fiber_length")

    @property
    def fatigue_active(self) -> np.ndarray:
        """Active fraction of the motor-unit pool (M_A)."""
        return self._get("fatigue_active")

    @property
    def fatigue_resting(self) -> np.ndarray:
        """Resting, recruitable fraction (M_R)."""
        return self._get("fatigue_resting")

    @property
    def fatigue_fatigued(self) -> np.ndarray:
        """Fatigued fraction (M_F)."""
        return self._get("fatigue_fatigued")

    @property
    def fatigue_capacity(self) -> np.ndarray:
        """Activation capacity, 1 − M_F."""
        return self._get("fatigue_capacity")

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"<paraspine.MuscleSelection {len(self.names)} fascicles>"


class Results:
    """Every frame of a run, with labels. Arrays are read-only numpy arrays (``.copy()`` to edit).

    Attributes per field (see :data:`FIELDS`): ``compression``, ``ligament_compression``, ``shear_ap``,
    ``shear_lateral``, ``creep`` (T, J); ``joint_angles``, ``net_moment``, ``muscle_moment``, ``passive_moment``,
    ``reserve_moment``, ``abdominal_pressure_moment`` (T, J, 3); ``muscle_force``, ``activation``, ``fiber_length``,
    ``fatigue_active``, ``fatigue_resting``, ``fatigue_fatigued``, ``fatigue_capacity`` (T, M).
    Labels: ``time`` (T,), ``joint_names``, ``muscle_names``, ``muscle_groups``, ``muscle_sides``.
    ``summary`` is the run's summary (the CLI's ``--json``), ``metadata`` the file's root attributes.
    """

    def __init__(self, *, time: Any, fields: Mapping[str, Any], joint_names: Sequence[str],
                 muscle_names: Sequence[str], muscle_groups: Sequence[str], muscle_sides: Sequence[str],
                 summary: Mapping[str, Any], metadata: Mapping[str, Any], model: Optional["_core.Model"] = None,
                 scenario: Any = None, file: Optional[str] = None, h5file: Any = None):
        """Use :func:`paraspine.simulate` or :func:`load_results` rather than this constructor."""
        self._time = time
        self._nframes = int(time.shape[0])  # known after close() too
        self._fields = {field(k).name: v for k, v in fields.items()}
        self._cache: dict[str, np.ndarray] = {}
        self.joint_names: list[str] = list(joint_names)    #: (J,) joint names in the model's order (full_spine: L5-S1 up to C0-C1)
        self.muscle_names: list[str] = list(muscle_names)  #: (M,) fascicle names
        self.muscle_groups: list[str] = list(muscle_groups)  #: (M,) group of each fascicle
        self.muscle_sides: list[str] = list(muscle_sides)  #: (M,) "left", "right" or "midline"
        self.summary: dict = dict(summary)                 #: the run's summary (CLI --json)
        self.metadata: dict = dict(metadata)               #: scenario, model, subject, criterion, ...
        self.model = model                                 #: the (scaled) Model when simulated here
        self._scenario = scenario
        self.file: Optional[str] = file                    #: the HDF5 file behind these results, if any
        self._h5 = h5file

    # --- fields -------------------------------------------------------------------------------
    @property
    def fields(self) -> list[str]:
        """Names of the fields these results hold."""
        return list(self._fields)

    def _open(self, src: Any) -> Any:
        """`src` itself, or a clear error when it is a dataset of a file close() has closed (h5py's
        own message is "Dset_id is not a dataset id")."""
        if not isinstance(src, np.ndarray) and self._h5 is None:
            raise ValueError(f"the results file {self.file} is closed: fields read before close() stay usable; "
                             f"open it again with paraspine.load_results({self.file!r})")
        return src

    def _full(self, name: str) -> np.ndarray:
        if name in self._cache:
            return self._cache[name]
        try:
            src = self._fields[name]
        except KeyError:
            chose = (f"the file {self.file} stores only" if self._h5 is not None or (self.file and self.model is None)
                     else "simulate(..., fields=...) chose")  # a file written with --fields, or a choice made here
            raise AttributeError(f"the field '{name}' was not recorded ({chose} {sorted(self._fields)})") from None
        a = _read(self._open(src))
        if not isinstance(src, np.ndarray):
            a.setflags(write=False)  # read from the file: read-only like the in-memory arrays
        self._cache[name] = a
        return a

    def _column(self, name: str, index: Any) -> np.ndarray:
        if name in self._cache or isinstance(self._fields.get(name), np.ndarray):
            return self._full(name)[:, index]
        if name not in self._fields:
            self._full(name)  # raises with the message
        return _read(self._open(self._fields[name]), index)

    @property
    def time(self) -> np.ndarray:
        """(T,) frame times, s."""
        if "time" not in self._cache:
            self._cache["time"] = _read(self._open(self._time))
        return self._cache["time"]

    @property
    def frames(self) -> int:
        """Number of frames T."""
        return self._nframes

    @property
    def duration_s(self) -> float:
        """Duration of the run, s."""
        return float(self.summary.get("duration_s", self.time[-1] if self.frames else 0.0))

    @property
    def scenario_name(self) -> str:
        """The scenario's name."""
        return str(self.metadata.get("scenario", ""))

    @property
    def rotations(self) -> tuple[str, ...]:
        """Names along the last axis of per-rotation fields."""
        return ROTATIONS

    def get(self, name_or_path: str) -> np.ndarray:
        """A whole field by attribute name or HDF5 path (``"compression"``, ``"/muscles/force"``)."""
        return self._full(field(name_or_path).name)

    @property
    def joint_angles(self) -> np.ndarray:
        """(T, J, 3) joint angles, rad."""
        return self._full("joint_angles")

    @property
    def compression(self) -> np.ndarray:
        """(T, J) disc compression, N."""
        return self._full("compression")

    @property
    def ligament_compression(self) -> np.ndarray:
        """(T, J) part of the compression due to ligaments carrying the flexion law's moment off the disc, N."""
        return self._full("ligament_compression")

    @property
    def shear_ap(self) -> np.ndarray:
        """(T, J) anterior shear, N."""
        return self._full("shear_ap")

    @property
    def shear_lateral(self) -> np.ndarray:
        """(T, J) lateral shear, N."""
        return self._full("shear_lateral")

    @property
    def net_moment(self) -> np.ndarray:
        """(T, J, 3) net moment, N·m."""
        return self._full("net_moment")

    @property
    def muscle_moment(self) -> np.ndarray:
        """(T, J, 3) moment carried by muscles, N·m."""
        return self._full("muscle_moment")

    @property
    def passive_moment(self) -> np.ndarray:
        """(T, J, 3) passive moment, N·m."""
        return self._full("passive_moment")

    @property
    def reserve_moment(self) -> np.ndarray:
        """(T, J, 3) reserve moment, N·m."""
        return self._full("reserve_moment")

    @property
    def abdominal_pressure_moment(self) -> np.ndarray:
        """(T, J, 3) moment carried by intra-abdominal pressure, N·m."""
        return self._full("abdominal_pressure_moment")

    @property
    def disc_pressure(self) -> np.ndarray:
        """(T, J) intradiscal pressure, Pa (correction factor × compression / disc area); NaN without a disc area."""
        return self._full("disc_pressure")

    @property
    def creep(self) -> np.ndarray:
        """(T, J) flexion slack the passive tissue has gained by creep, rad (docs/fatigue.md)."""
        return self._full("creep")

    @property
    def muscle_force(self) -> np.ndarray:
        """(T, M) musculotendon force, N."""
        return self._full("muscle_force")

    @property
    def activation(self) -> np.ndarray:
        """(T, M) activation (fraction of fresh maximum)."""
        return self._full("activation")

    @property
    def fiber_length(self) -> np.ndarray:
        """(T, M) fibre length, m."""
        return self._full("fiber_length")

    @property
    def fatigue_active(self) -> np.ndarray:
        """(T, M) active fraction M_A."""
        return self._full("fatigue_active")

    @property
    def fatigue_resting(self) -> np.ndarray:
        """(T, M) resting fraction M_R."""
        return self._full("fatigue_resting")

    @property
    def fatigue_fatigued(self) -> np.ndarray:
        """(T, M) fatigued fraction M_F."""
        return self._full("fatigue_fatigued")

    @property
    def fatigue_capacity(self) -> np.ndarray:
        """(T, M) capacity 1 − M_F."""
        return self._full("fatigue_capacity")


    def to_sto(self, prefix: Union[str, "os.PathLike[str]"], time_offset: float = 0.0) -> list[str]:
        """OpenSim Storage files of the load sharing, named as OpenSim's Static Optimization names them:
        ``PREFIX_StaticOptimization_activation.sto`` (one column per fascicle) and
        ``PREFIX_StaticOptimization_force.sto`` (fascicle forces in N, then the reserves in N·m as
        columns ``JOINT_AXIS_reserve``, AXIS flexion, lateral_bending or axial_rotation, + flexion,
        right bending, the front turning right: paraspine's signs, docs/loadsharing.md). ``time_offset``
        (s) is added to every time, e.g. a motion file's first time, which a run starts from 0; times
        are written with 17 significant digits, and an offset so large that float64 times could no
        longer tell the run's frames apart (1e300 s) is refused. Returns the paths written (audit24o #7:
        comparing with an SO run needed a hand-written export).

        Needs the fields ``activation``, ``muscle_force`` and ``reserve_moment`` (ValueError naming the
        missing ones otherwise). Both files are written as ``.partial`` and renamed once both are
        complete; a file that cannot be written (a folder without permission, a full disk) raises
        OutputError naming it, and nothing is left behind.
        """
        prefix = os.fspath(prefix)
        if not isinstance(prefix, str) or not os.path.basename(prefix):
            # to_sto('') wrote "_StaticOptimization_activation.sto" in the working folder (audit25i #15).
            raise ValueError(f"to_sto: the prefix {prefix!r} names no file: give the name the files start with, "
                             f"e.g. to_sto('trial1') or to_sto('out/trial1')")
        if isinstance(time_offset, (bool, np.bool_)) or not isinstance(time_offset, (int, float, np.integer, np.floating)) \
                or not np.isfinite(time_offset):
            raise ValueError(f"time_offset must be a finite number of seconds, not {time_offset!r}")
        # The fields it writes, named before anything is read: "the field 'reserve_moment' was not
        # recorded" came from an attribute the user never asked for (audit25i #15).
        missing = [n for n in ("activation", "muscle_force", "reserve_moment") if n not in self._fields]
        if missing:
            where = (f"the file {self.file} stores" if self._h5 is not None or (self.file and self.model is None)
                     else "these results recorded")
            paths = ",".join(field(n).path.strip("/") for n in missing)
            raise ValueError(f"to_sto writes activations, forces and reserves: {where} no {', '.join(missing)} (only "
                             f"{', '.join(sorted(self._fields)) or 'nothing'}); record them with simulate(..., fields=[..., "
                             + ", ".join(repr(n) for n in missing) + f"]) or paraspine run -o --fields ...,{paths}")
        folder = os.path.dirname(prefix) or "."
        if not os.path.isdir(folder):
            raise _sto_error(prefix, f"the folder {folder} does not exist")
        t = np.asarray(self.time, dtype=float) + float(time_offset)
        t0 = np.asarray(self.time, dtype=float)
        if len(t0) > 1:
            # A time offset whose float64 spacing is not far below the run's step collapses the time
            # column (1e300 s: every row the same time), which OpenSim and paraspine refuse (audit25i #6).
            step = float(np.min(np.diff(t0)))
            if step > 0 and float(np.spacing(np.max(np.abs(t)))) > step / 1000:
                raise ValueError(f"time_offset={time_offset!r} s is too large for the run's {step:g}-s step: float64 times "
                                 f"that far from 0 are {float(np.spacing(np.max(np.abs(t)))):.3g} s apart, so the rows' "
                                 f"times would not keep their steps; subtract a start time first")
        axes = ("flexion", "lateral_bending", "axial_rotation")
        reserve = self.reserve_moment.reshape(len(t), -1)
        tables = {
            "activation": (self.muscle_names, self.activation),
            "force": (self.muscle_names + [f"{j}_{a}_reserve" for j in self.joint_names for a in axes],
                      np.hstack([self.muscle_force, reserve])),
        }
        paths = {kind: f"{prefix}_StaticOptimization_{kind}.sto" for kind in tables}
        for path in paths.values():
            try:
                _core._check_output_path(path, self._inputs())  # a folder of that name, an input of the run
            except _core.InputError as e:
                raise _sto_error(path, str(e).split(": output: ", 1)[-1]) from None
        written: list[str] = []  # the .partial files made so far, removed on any failure
        try:
            for kind, (names, values) in tables.items():
                path = paths[kind]
                header = (f"Static Optimization ({self.scenario_name}, paraspine)\nversion=1\nnRows={len(t)}\n"
                          f"nColumns={len(names) + 1}\ninDegrees=no\nendheader\n")
                partial = path + ".partial"
                try:
                    with open(partial, "w") as f:
                        written.append(partial)
                        f.write(header)
                        f.write("time\t" + "\t".join(names) + "\n")
                        # The time with every digit a float64 holds; the values as before.
                        np.savetxt(f, np.column_stack([t, values]), fmt=["%.17g"] + ["%.10g"] * values.shape[1],
                                   delimiter="\t")
                except OSError as e:
                    raise _sto_error(path, e.strerror or str(e)) from None
            for kind in tables:
                try:
                    os.replace(paths[kind] + ".partial", paths[kind])
                except OSError as e:
                    raise _sto_error(paths[kind], e.strerror or str(e)) from None
                written.append(paths[kind])  # one file of the pair is no export: removed if the other fails
        except BaseException:
            for f in written:
                try:
                    os.remove(f)
                except OSError:
                    pass
            raise
        return list(paths.values())

    def statistic(self, name: str, how: str = "max", index: Any = None) -> np.ndarray:
        """One value per column over all frames: ``"max"``, ``"min"``, ``"absmax"`` (largest
        magnitude), ``"mean"`` or ``"last"`` (the final frame). ``index`` selects columns as in
        :meth:`reduced`. A file-backed result is read 8192 frames at a time (``"last"``: one row),
        so a statistic of an 8 h file never holds the whole field."""
        f = field(name)
        if how not in ("max", "min", "absmax", "mean", "last"):
            raise ValueError("how must be 'max', 'min', 'absmax', 'mean' or 'last'")
        if f.name not in self._fields:
            self._full(f.name)  # raises with the message
        src = self._open(self._cache.get(f.name, self._fields[f.name]))
        idx, restore = (index, None) if isinstance(src, np.ndarray) or index is None else _h5_columns(index)

        def rows(start: int, stop: int) -> np.ndarray:
            block = np.asarray(src[start:stop] if idx is None else src[start:stop, idx], dtype=float)
            return block if restore is None else block[:, restore]

        T = self.frames
        if how == "last":
            return rows(T - 1, T)[0]
        out = None
        for start in range(0, T, 8192):
            block = rows(start, min(T, start + 8192))
            part = {"max": lambda b: b.max(axis=0), "min": lambda b: b.min(axis=0),
                    "absmax": lambda b: np.abs(b).max(axis=0), "mean": lambda b: b.sum(axis=0)}[how](block)
            out = part if out is None else (np.maximum(out, part) if how in ("max", "absmax") else
                                            np.minimum(out, part) if how == "min" else out + part)
        return out / T if how == "mean" else out

    def reduced(self, name: str, index: Any = None, max_frames: int = 4000,
                how: str = "extreme") -> tuple[np.ndarray, np.ndarray]:
        """A field shortened to at most ``max_frames`` rows for plotting long runs: consecutive
        blocks of frames become one row each — ``"extreme"`` (the value of largest magnitude, sign
        kept: peaks stay visible), ``"max"``, ``"min"`` or ``"mean"``. ``index`` selects columns
        (joints or fascicles). A file-backed result is read block by block, so an 8 h file is
        plotted without loading whole fields. Returns (time of each block's first frame, values).
        """
        f = field(name)
        if f.name not in self._fields:
            self._full(f.name)  # raises with the message
        src = self._open(self._cache.get(f.name, self._fields[f.name]))
        T = self.frames
        step = max(1, int(np.ceil(T / max(1, max_frames))))
        if step == 1:
            return self.time, (self._full(f.name) if index is None else self._column(f.name, index))
        if how not in ("extreme", "max", "min", "mean"):
            raise ValueError("how must be 'extreme', 'max', 'min' or 'mean'")
        idx, restore = index, None
        if index is not None and not isinstance(src, np.ndarray):
            idx, restore = _h5_columns(index)

        def reduce(block: np.ndarray) -> np.ndarray:
            if how == "max":
                return block.max(axis=1)
            if how == "min":
                return block.min(axis=1)
            if how == "mean":
                return block.mean(axis=1)
            k = np.abs(block).argmax(axis=1)
            return np.take_along_axis(block, k[:, None], axis=1)[:, 0]

        times, values = [], []
        rows_per_read = step * max(1, 8192 // step)  # whole blocks per read
        for start in range(0, T, rows_per_read):
            stop = min(T, start + rows_per_read)
            block = np.asarray(src[start:stop] if idx is None else src[start:stop, idx])
            if restore is not None:
                block = block[:, restore]
            n = block.shape[0]
            full = n // step * step
            if full:
                values.append(reduce(block[:full].reshape(full // step, step, *block.shape[1:])))
            if full < n:
                values.append(reduce(block[full:][None]))
            times.append(np.asarray(self._open(self._time)[start:stop:step]))
        return np.concatenate(times), np.concatenate(values)

    # --- labelled selection -------------------------------------------------------------------
    def joint(self, name: Union[str, Sequence[str]]) -> JointSelection:
        """One joint by name (``"L4-L5"``) or a list of joints."""
        if isinstance(name, str):
            if name not in self.joint_names:
                raise KeyError(f"unknown joint '{name}'; joints: {', '.join(self.joint_names)}")
            return JointSelection(self, self.joint_names.index(name), [name])
        if not isinstance(name, (list, tuple, np.ndarray)):  # joint(3) said "'int' object is not iterable"
            raise TypeError(f"joint() takes a joint name such as 'L4-L5' or a list of names, not {type(name).__name__} "
                            f"(joint_names lists them)")
        idx = [self.joint(n).indices[0] for n in name]
        return JointSelection(self, np.asarray(idx), list(name))

    def muscles(self, group: Union[str, Sequence[str], None] = None, side: Optional[str] = None,
                names: Union[str, Sequence[str], None] = None,
                subdivision: Union[str, Sequence[str], None] = None) -> MuscleSelection:
        """Fascicles by group (``"longissimus"`` or a list), subdivision (``"capitis"``,
        ``"cervical"``, ... or a list: the model's ``subdivision`` of each fascicle, e.g.
        ``muscles("semispinalis", subdivision="capitis")``), side (``"left"``, ``"right"``,
        ``"midline"``; ``"both"`` or None: every side, as the summary's ``"both"``) and/or names, in
        the model's order."""
        mask = np.ones(len(self.muscle_names), dtype=bool)
        if group is not None:
            groups = [group] if isinstance(group, str) else list(group)
            for g in groups:
                if g not in self.muscle_groups:
                    if g in self.muscle_names:  # a fascicle given as the first argument (audit25j #9)
                        raise KeyError(f"'{g}' is a fascicle, not a muscle group: muscles(names={g!r}) selects it "
                                       f"(its group: {self.muscle_groups[self.muscle_names.index(g)]})")
                    raise KeyError(f"unknown muscle group '{g}'; groups: {', '.join(self.groups)}")
            mask &= np.isin(self.muscle_groups, groups)
        if subdivision is not None:
            # A group lumps its regions (longissimus runs from L5-S1 to C0-C1); a neck study needs
            # longissimus capitis or cervical multifidus alone (audit22a).
            subs = [subdivision] if isinstance(subdivision, str) else list(subdivision)
            have = np.asarray(self.muscle_subdivisions)
            within = list(dict.fromkeys(have[mask]))
            for sub in subs:
                if sub not in within:
                    where = f"of group {group!r}" if group is not None else "of the model"
                    raise KeyError(f"unknown subdivision '{sub}'; subdivisions {where}: {', '.join(x for x in within if x)}")
            mask &= np.isin(have, subs)
        if side == "both":  # the summary's word for both sides together (first_to_fail_side, recovery)
            side = None
        if side is not None:
            if side not in ("left", "right", "midline"):
                raise KeyError(f"side must be 'left', 'right', 'midline' or 'both' (None), not '{side}'")
            mask &= np.asarray(self.muscle_sides) == side
        if names is not None:
            if isinstance(names, str):  # one name was iterated letter by letter: "unknown muscle 'L'"
                names = [names]
            for n in names:
                if n not in self.muscle_names:
                    close = [m for m in self.muscle_names if n.lower() in m.lower()][:8]
                    raise KeyError(f"unknown muscle '{n}'" + (f"; did you mean: {', '.join(close)}" if close else
                                                               " (muscle_names lists them)"))
            mask &= np.isin(self.muscle_names, list(names))
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            raise KeyError(f"no fascicle matches group={group!r}, subdivision={subdivision!r}, side={side!r}, names={names!r}")
        return MuscleSelection(self, idx, [self.muscle_names[i] for i in idx])

    @property
    def groups(self) -> list[str]:
        """Muscle groups, in the model's order of first appearance."""
        return list(dict.fromkeys(self.muscle_groups))

    @property
    def muscle_max_force(self) -> np.ndarray:
        """(M,) each fascicle's maximum force F0, N, in the model scaled to the run's subject: the
        weights of a group's fatigued fraction, the share of its strength lost (Σ F0·M_F / Σ F0,
        docs/fatigue.md), as in the summary's ``end_fatigued_fraction`` and ``paraspine report``.
        From the model simulated here; for a file, the F0 the run wrote (``/muscles/max_force``), or
        in a file without it the model it names (its ``model_file`` if that is found, else the model
        by name) scaled to its recorded ``subject``, as ``paraspine render`` and ``report`` do."""
        f0 = getattr(self, "_f0", None)
        if f0 is None:  # a file's own F0 is read when it is opened (load_results), so close() keeps them
            f0 = np.asarray(self._run_model().muscle_max_force, dtype=float)
            self._f0 = f0
        return f0

    @property
    def muscle_subdivisions(self) -> list[str]:
        """(M,) each fascicle's subdivision within its group (the model's ``subdivision``, e.g.
        ``lumborum_pars_lumborum``; ``""`` where the model gives none). From the model, found as for
        :attr:`muscle_max_force`."""
        return list(self._run_model().muscle_subdivisions)

    @property
    def model_text(self) -> Optional[str]:
        """The model file's text as the run read it: a file's stored ``/inputs/model_text`` (``paraspine
        model extract`` writes it out), or the simulated model's. ``None`` for a file written before
        paraspine stored it, which records only ``model_file`` and ``model_digest``."""
        if self.model is not None:
            return self.model.source_text or None
        return getattr(self, "_model_text", None)

    def _run_model(self) -> "_core.Model":
        """The model simulated here, or for a file the model it stores (``/inputs/model_text``) scaled to its
        recorded ``subject``. Older files name their model only: its ``model_file`` if that still
        exists, else the model by name, warned about when its text no longer matches ``model_digest``.
        Checked against the results' fascicles."""
        model = self.model or getattr(self, "_file_model", None)
        if model is not None:
            return model
        mfile = str(self.metadata.get("model_file", ""))
        digest = str(self.metadata.get("model_digest", ""))
        text = getattr(self, "_model_text", None)
        if text is not None:  # the run's own model, whatever has become of its file
            model = _core.Model.from_yaml(text, f"{self.file or self.scenario_name} (model_text)")
            model = self._scaled_to_recorded_subject(model)
            if list(model.muscle_names) != list(self.muscle_names):
                raise ValueError(f"the stored model of {self.file or self.scenario_name} names other fascicles than its "
                                 f"results ({model.nmuscle} against {len(self.muscle_names)}): the file is inconsistent")
            self._file_model = model
            return model
        opened = getattr(self, "_opened_as", None) or (os.path.abspath(self.file) if self.file else "")
        found = _core._find_recorded_model_file(opened, mfile, digest)  # the rule render and report use
        name = str(self.metadata.get("model", ""))
        try:
            model = _core.Model.load(found or name)
        except _core.InputError as e:
            if not mfile or found:
                raise
            raise FileNotFoundError(errno.ENOENT, f"the model file {mfile} that {self.file or self.scenario_name} recorded is "
                                    f"not found (looked for as recorded and beside the results file), and no bundled model "
                                    f"is named '{name}': put the model file back where it was ({e})", mfile) from None
        model = self._scaled_to_recorded_subject(model)
        changed = bool(digest) and model.source_digest != digest
        if mfile and not found:  # as render and report say it
            warnings.warn(f"the model file {mfile} that {self.file or self.scenario_name} recorded is not found: the model "
                          f"named '{name}' ({model.file}) is used instead"
                          + (", whose text is not the run's (model_digest): the subdivisions come from it" if changed else ""),
                          stacklevel=4)
        elif changed:  # as render and report say it
            warnings.warn(f"the model file {model.file} has changed since the run (its text no longer matches "
                          f"{self.file or self.scenario_name}'s model_digest): the subdivisions "
                          "come from the model as it is now", stacklevel=4)
        if model.nmuscle != len(self.muscle_names):
            raise ValueError(f"the model of {self.file or self.scenario_name} has {model.nmuscle} muscles, the results "
                             f"{len(self.muscle_names)}: it no longer matches the results")
        self._file_model = model
        return model

    def _scaled_to_recorded_subject(self, model: "_core.Model") -> "_core.Model":
        sub = self.metadata.get("subject")
        sub = sub if isinstance(sub, dict) else {}
        return model.scaled(_core.Subject(mass=float(sub.get("body_mass_kg", 0.0)), height=float(sub.get("height_m", 0.0)),
                                          sex=str(sub.get("sex", "")), strength_factor=float(sub.get("strength_factor", 1.0))))

    def group_strength_weights(self, group: str, side: Optional[str] = None) -> tuple[np.ndarray, np.ndarray]:
        """The fascicles of ``group`` (one ``side`` or both) and their weights F0 / Σ F0: a field's
        columns ``values[:, idx] @ w`` give the group's value as a share of its strength (for
        ``fatigue_fatigued`` the share of strength lost, the summary's ``end_fatigued_fraction``)."""
        idx = self.muscles(group=group, side=side).indices
        f0 = self.muscle_max_force[idx]
        return idx, f0 / f0.sum()

    def group_strength_lost(self, group: str, side: Optional[str] = None) -> np.ndarray:
        """(T,) the share of ``group``'s strength lost to fatigue in every frame, one ``side`` or both
        together: M_F weighted by each fascicle's F0, Σ F0·M_F / Σ F0 (docs/fatigue.md). Its last
        value per side is the summary's ``end_fatigued_fraction``; its curves are
        :func:`paraspine.plot.fatigue`'s, and ``paraspine report``'s. (The plain mean of M_F over the
        fascicles is another number: it gives a small fascicle the say of a large one.) From a file
        only the group's columns are read."""
        idx, w = self.group_strength_weights(group, side)
        return self._column("fatigue_fatigued", idx) @ w

    # --- conversions --------------------------------------------------------------------------
    def to_xarray(self, fields: Union[Iterable[str], str, None] = None, time: Optional[slice] = None,
                  max_memory: float = 4e9):
        """An ``xarray.Dataset``: dims ``time``, ``joint``, ``muscle``, ``rotation``; coordinates
        with the names, plus along ``muscle`` each fascicle's ``group``, ``side``, ``subdivision``
        (``""`` where none) and ``max_force`` (F0, N, :attr:`muscle_max_force`: the weights of a
        group's share of strength lost, ``ds.fatigue_fatigued.weighted(ds.max_force)``, and the
        divisor of force / F0); ``units`` and ``description`` attributes on every variable.
        ``fields``: names or HDF5 paths (a list, or one string, comma-separated), default every field
        held. In-memory arrays are wrapped, not copied; a file-backed result reads the fields now.
        ``max_force`` and ``subdivision`` come from the run's model (for a file, rebuilt as
        :attr:`muscle_max_force` says); when it cannot be loaded they are left out with a warning.
        ``attrs`` are :attr:`metadata`, a name shared with a variable prefixed ``file_`` (a file's
        ``compression`` filters become ``file_compression``).

        ``time``: a window in seconds, ``slice(start_s, stop_s)``, both ends included as in xarray's
        ``sel`` (None: the whole run); only those rows are read from a file. ``max_memory``: refuse
        (ValueError) to read more than this many bytes from a file — an 8-hour shift at 10 Hz holds
        about 1.3 GB per single-precision file and about 6 GB once read (audit23: 27 s, 6.1 GB RSS);
        choose ``fields``, a ``time`` window, or the block-by-block readers (:meth:`reduced`,
        :meth:`statistic`, :meth:`group_strength_lost`) instead. In-memory fields cost nothing."""
        import xarray as xr

        if fields is None:
            names = self.fields
        else:
            # One name as a string ("compression") was iterated letter by letter, and a field these
            # results do not hold was left out without a word.
            names = [field(f.strip()).name for f in fields.split(",")] if isinstance(fields, str) else \
                [field(f).name for f in fields]
            for n in names:
                if n not in self._fields:
                    self._full(n)  # raises, naming what was recorded
        t_all = self.time
        start, stop = 0, len(t_all)
        if time is not None:
            if not isinstance(time, slice) or time.step is not None:
                raise TypeError(f"time must be a window in seconds, slice(start_s, stop_s), not {time!r}")
            if time.start is not None:
                start = int(np.searchsorted(t_all, float(time.start) - 1e-9))
            if time.stop is not None:
                stop = int(np.searchsorted(t_all, float(time.stop) + 1e-9, side="right"))
            if stop <= start:
                raise ValueError(f"time={time!r} holds no frame of the run ({t_all[0]:g} … {t_all[-1]:g} s)")
        whole = start == 0 and stop == len(t_all)
        if not (isinstance(max_memory, (int, float, np.integer, np.floating)) and max_memory > 0):
            raise ValueError(f"max_memory must be a positive number of bytes, not {max_memory!r}")
        need = 0
        for n in names:  # bytes still to read from the file (read fields and in-memory arrays are held already)
            src = self._fields[n]
            if n in self._cache or isinstance(src, np.ndarray):
                continue
            src = self._open(src)
            need += (stop - start) * int(np.prod(src.shape[1:])) * src.dtype.itemsize
        if need > max_memory:
            raise ValueError(
                f"to_xarray would read {need / 1e9:.1f} GB from {self.file} (max_memory={max_memory / 1e9:.1f} GB): choose "
                f"fields=[...], a window time=slice(start_s, stop_s), or raise max_memory; Results.reduced, statistic "
                f"and group_strength_lost read a file block by block")
        dims = {"joint3": ("time", "joint", "rotation"), "joint": ("time", "joint"), "muscle": ("time", "muscle")}
        data = {}
        for n in names:
            f = field(n)
            if whole:
                values = self._full(f.name)
            else:  # only the window's rows, and not kept: another window reads its own
                src = self._cache.get(f.name, self._fields[f.name])
                values = self._open(src)[start:stop]
            data[f.name] = xr.Variable(dims[f.shape], values, {"units": f.unit, "description": f.description})
        coords = {
            "time": ("time", t_all[start:stop], {"units": "s"}),
            "joint": self.joint_names,
            "muscle": self.muscle_names,
            "group": ("muscle", self.muscle_groups),
            "side": ("muscle", self.muscle_sides),
            "rotation": list(ROTATIONS),
        }
        # Each from where it comes: F0 from the file itself when it has them, the subdivision from the
        # model; one that cannot be had is left out with a warning, not the other with it.
        try:
            coords["subdivision"] = ("muscle", self.muscle_subdivisions)
        except (OSError, ValueError, RuntimeError) as e:  # a file whose model is gone or no longer fits
            warnings.warn(f"to_xarray: no subdivision coordinate: {e}", stacklevel=2)
        try:
            coords["max_force"] = ("muscle", self.muscle_max_force, {"units": "N", "description":
                                   "maximum isometric force F0 of each fascicle, scaled to the run's subject"})
        except (OSError, ValueError, RuntimeError) as e:
            warnings.warn(f"to_xarray: no max_force coordinate: {e}", stacklevel=2)
        # A root attribute named like a variable (the file's `compression` filters beside the
        # `compression` field) is prefixed "file_", so ds.attrs["compression"] is not mistaken for it.
        attrs = {(f"file_{k}" if k in data or k in coords else k): v if isinstance(v, (str, int, float)) else json.dumps(v)
                 for k, v in self.metadata.items()}
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def to_pandas(self, what: str = "joints"):
        """The summary as a ``pandas.DataFrame``.

        ``what``: ``"joints"`` (index joint: peak and mean compression, peak shears, N),
        ``"groups"`` (index group, side: peak and mean activation, end fatigued fraction — the
        share of the group's strength lost, M_F weighted by each fascicle's F0 — and recovery times;
        when the task failed (``summary["endurance_s"]``), also ``fatigued_fraction_at_failure``, the
        same share at the frame of failure: the end values of a run that went on past it describe
        a task the body could no longer do, docs/fatigue.md; ``df.attrs["endurance_s"]`` says when) or
        ``"muscles"`` (index fascicle: group, side, subdivision and F0 ``max_force_N`` from the model
        as for :meth:`to_xarray`; from the frames peak and mean activation, peak and mean force N,
        end fatigued fraction — those of the fields recorded).
        """
        import pandas as pd

        if what == "joints":
            rows = self.summary["joints"]
            return pd.DataFrame([rows[j] for j in self.joint_names], index=pd.Index(self.joint_names, name="joint"))
        if what == "groups":
            recs = [{"group": g, "side": s, **v} for g, sides in self.summary["groups"].items() for s, v in sides.items()]
            df = pd.DataFrame(recs).set_index(["group", "side"])
            end = self.summary.get("endurance_s")
            df.attrs["endurance_s"] = end
            if end is not None and "fatigue_fatigued" in self._fields:
                # One row of /fatigue/fatigued, whatever the file's length: the last stored frame at or
                # before the failure (a reduced output rate may store none at the instant itself).
                frame = max(int(np.searchsorted(self.time, float(end) + 1e-9, side="right")) - 1, 0)
                src = self._open(self._cache.get("fatigue_fatigued", self._fields["fatigue_fatigued"]))
                row = np.asarray(src[frame], dtype=float)
                at = []
                for g, s in df.index:
                    idx, w = self.group_strength_weights(g, None if s == "both" else s)
                    at.append(float(row[idx] @ w))
                df["fatigued_fraction_at_failure"] = at
            return df
        if what == "muscles":
            st = self.statistic  # block by block from a file: no whole (T, M) field is read
            static = {}
            for col, get in (("subdivision", lambda: self.muscle_subdivisions), ("max_force_N", lambda: self.muscle_max_force)):
                try:
                    static[col] = get()
                except (OSError, ValueError, RuntimeError) as e:  # a file whose model is gone or no longer fits
                    warnings.warn(f"to_pandas: no {col} column: {e}", stacklevel=2)
            # From the fields recorded: a file written with --fields (or simulate(fields=...)) that
            # left one out gives the others' columns, not an error for the whole table.
            columns = {"peak_activation": ("activation", "max"), "mean_activation": ("activation", "mean"),
                       "peak_force_N": ("muscle_force", "max"), "mean_force_N": ("muscle_force", "mean"),
                       "end_fatigued_fraction": ("fatigue_fatigued", "last")}
            return pd.DataFrame({
                "group": self.muscle_groups, "side": self.muscle_sides, **static,
                **{col: st(name, how) for col, (name, how) in columns.items() if name in self._fields},
            }, index=pd.Index(self.muscle_names, name="muscle"))
        raise ValueError(f"what must be 'joints', 'groups' or 'muscles', not '{what}'")

    def to_hdf5(self, path: Union[str, os.PathLike]) -> str:
        """Write a schema-v1 file, laid out exactly as ``paraspine run -o`` writes it (the same C++
        writer; written as ``PATH.partial`` and renamed when complete). Returns the path.

        In-memory results must hold every field: results simulated with ``fields=`` raise
        ValueError (write such a file while simulating: ``simulate(..., output=PATH, fields=...)``).
        Results read from a file are copied whole, whatever fields it stores.

        The name is checked as ``paraspine run -o`` checks it: ``.json``/``.csv``/``.txt``/``.yaml``
        raise InputError (an HDF5 file would be written under a text name), an unknown suffix warns."""
        path = os.fspath(path)
        # As for a run, and in the CLI's order: "is an input of the run" (to_hdf5("lift.yaml") replaced
        # the scenario; a folder left PATH.partial), then the name.
        _core._check_output_path(path, self._inputs())
        _check_results_name(path, "to_hdf5", RESULTS_HINT)
        if self._h5 is not None or (self.model is None and self.file):
            # File-backed: the file already is schema v1; copy it whole.
            partial = path + ".partial"
            try:
                shutil.copyfile(self.file, partial)
                os.replace(partial, path)
            except BaseException:
                if os.path.exists(partial):
                    os.remove(partial)
                raise
            return path
        missing = [f.name for f in FIELDS if f.name not in self._fields]
        if missing or self.model is None:
            # Results simulated with fields= hold only those fields: a file of them is what
            # simulate(..., output=PATH, fields=...) writes, as `paraspine run -o --fields` does.
            raise ValueError("to_hdf5 needs every field of a run simulated in this session; missing: "
                             + ", ".join(missing or ["the model"])
                             + ("; for a file of only some fields, simulate(..., output=PATH, fields=...) writes it"
                                if missing else ""))
        _core._write_results(path, self.model, self._scenario._native, str(self.metadata.get("criterion", "")),
                             self.summary, self.time, [self._full(f.name) for f in FIELDS])
        return path

    def picture(self, time: Optional[float] = None, frame: Optional[int] = None, view: Optional[str] = None,
                color: str = "activation", color_max: Optional[float] = None, joint_forces: bool = False,
                width: int = 1200, height: int = 750, format: str = "svg", region: str = "whole",
                joints: Union[str, Sequence[str], None] = None,
                highlight: Union[str, Sequence[str], None] = None) -> "Picture":
        """The body at one instant, drawn as ``paraspine render`` draws it (docs/render.md): spine, head
        and pelvis in their posture, every fascicle coloured, the hand loads, and the compression at
        every level beside them. Jupyter shows the returned :class:`~paraspine.picture.Picture`
        inline; ``.save("lift.pdf")`` writes a file (.svg, .png, .pdf).

        ``time`` (s, the nearest frame) or ``frame`` (an index; negative counts from the end); neither:
        render's default instant — when fatigue limited some fascicle (``summary["fatigue_limited_from_s"]``
        not None), the largest fresh-muscle compression's (the ``fresh_peak_compression_time_s`` of the
        level with the largest ``fresh_peak_compression_N``; in a still hold the first frame), else the
        frame of the highest compression at the most loaded level; with ``color="fatigue"`` the last
        frame, where fatigue has had longest to build (docs/render.md). ``view``: sagittal, frontal, top or oblique (None: sagittal,
        frontal for a body lying across that view). ``color``: activation, force or fatigue;
        ``color_max`` the top of its colour bar (None: activation 1, force and fatigue the run's
        maximum; give one value to compare pictures). ``joint_forces``: compression and shear arrows at
        the discs. ``width`` × ``height`` in pixels; ``format`` "svg" or "png". ``region``: whole,
        lumbar (pelvis to T12-L1), thoracic or neck (C7-T1 to the head): the camera framed on that
        region's bones, its vertebrae labelled, joint-load arrows at its discs (render ``--region``).
        ``joints``: with ``joint_forces``, the discs whose arrows are drawn (names or regions, as
        render ``--joints``; default: chosen so arrows and labels stay clear of each other).
        ``highlight``: muscle groups or fascicle names drawn as usual, the other fascicles faint and grey
        (render ``--highlight``; e.g. ``["iliocostalis", "longissimus", "spinalis"]``).

        In-memory results (``simulate`` without ``output=``) are written once to a temporary file,
        removed with the results; results simulated with ``fields=`` and no file cannot be drawn
        (ValueError, as :meth:`to_hdf5`)."""
        from .picture import picture
        return picture(self, time=time, frame=frame, view=view, color=color, color_max=color_max,
                       joint_forces=joint_forces, width=width, height=height, format=format, region=region,
                       joints=joints, highlight=highlight)

    def _inputs(self) -> list[str]:
        """The files the run read, as far as known: they are never to be replaced by results."""
        inputs = [str(self.metadata.get("model_file", ""))]
        if self._scenario is not None:
            inputs.append(self._scenario.file)
        else:
            try:  # the scenario by its recorded name: a bundled one, or a file of that name here
                inputs.append(_core.Scenario._resolve_path(self.scenario_name))
            except (ValueError, OSError):
                pass
        return inputs

    # --- pickling (multiprocessing, joblib, pickle-based caches) -------------------------------
    def __reduce__(self):
        """In-memory results pickle by value (arrays, summary, the Model — rebuilt from its file's text
        and Subjects, docs/python.md); file-backed ones as their file's path, opened again by
        :func:`load_results` when unpickled (an open HDF5 file is no value to copy)."""
        if self._h5 is not None or (self.model is None and self.file):
            # Absolute, as it was when the file was opened: unpickled in another working directory
            # (a pickle cache, a worker started elsewhere) it opens the same file, not a namesake.
            return (load_results, (getattr(self, "_opened_as", None) or os.path.abspath(self.file),))
        state = {k: v for k, v in self.__dict__.items() if k not in ("_cache", "_h5", "_picture_file")}
        return (Results.__new__, (Results,), state)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._cache = {}
        self._h5 = None
        for a in (self._time, *self._fields.values()):
            if isinstance(a, np.ndarray):
                a.setflags(write=False)  # read-only again, as simulate() hands them out

    # --- lifetime -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HDF5 file behind file-backed results (fields read so far stay usable)."""
        if self._h5 is not None:
            self._h5.close()
            self._h5 = None

    def __enter__(self) -> "Results":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def notes(self) -> list:
        """What the numbers do not say by themselves, as ``paraspine run`` prints it under its table:
        the abdominal pressure's step, the abdominal slips that ride on the lumbar vertebrae (a known
        artefact), rests taken stooped, a flexed neck (its loads known to be too high), lower bounds
        where reserves act, a strength limit, a neck flexor failing first, loads after a failure,
        unfinished solves. The texts of ``summary["notes"]`` (each ``{"key", "text"}``,
        the engine's, docs/scenarios.md); ``[]`` for a run with none, or a file written before they
        were kept (session 25)."""
        return [n["text"] for n in self.summary.get("notes", []) if isinstance(n, dict) and "text" in n]

    def __repr__(self) -> str:
        where = f", file '{self.file}'" if self.file else ""
        notes = self.summary.get("notes") or []
        said = (f"; {len(notes)} note{'s' if len(notes) != 1 else ''}: "
                + ", ".join(n.get("key", "?") for n in notes) + " (.notes)") if notes else ""
        return (f"<paraspine.Results '{self.scenario_name}': {self.frames} frames, {self.duration_s:g} s, "
                f"{len(self.joint_names)} joints, {len(self.muscle_names)} muscles{where}{said}>")


def _sto_error(path: str, why: str) -> "_core.OutputError":
    """to_sto's OutputError: the file, and what stopped it (a bare OSError named the .partial)."""
    err = _core.OutputError(f"{path}: to_sto: {why}")
    err.file, err.line, err.field = path, 0, "to_sto"
    return err


# What to use instead of a results file named as text, per kind of results.
RESULTS_HINT = "the summary is Results.summary, a dict: json.dump(results.summary, f)"
SWEEP_HINT = "the summaries are SweepResults.summaries; to_pandas() gives a table"


def _check_results_name(path: str, option: str, hint: str) -> None:
    """The CLI's check of a results file's name (sim/io/output_path; ``-o out.json`` is refused,
    ``-o out.res`` warned), naming ``option`` (``output`` or ``to_hdf5``): raised before anything is
    written; the warning points at the line that called simulate/sweep/to_hdf5."""
    warning = _core._check_results_name(path, option, hint)
    if warning:
        shown = f"output={path!r}" if option == "output" else f"{option}({path!r})"
        warnings.warn(f"{shown}: {warning}", stacklevel=3)


class _MissingResultsFile(FileNotFoundError, _core.InputError):
    """A results path that does not exist: a FileNotFoundError, and still the InputError (file, line,
    field) that load_results raised for it before, so existing ``except InputError`` keeps working."""

    def __reduce__(self):  # pickles as the FileNotFoundError it shows as (below)
        return FileNotFoundError, (self.errno, self.strerror, self.filename)


# Tracebacks and repr name the public type, FileNotFoundError, not this private class.
_MissingResultsFile.__module__, _MissingResultsFile.__name__, _MissingResultsFile.__qualname__ = "builtins", "FileNotFoundError", "FileNotFoundError"


def _reword_sweep_file_error(e: "_core.InputError", path: str) -> None:
    """Raises the reader's "a sweep file" error (written for the command line: "read a sweep file's
    /grid and /summaries with h5py") ending with what opens it in Python, paraspine.load_sweep
    (audit25j #6); the same InputError type with its file, line and field. Other errors pass."""
    msg = str(e)
    if "a sweep file" not in msg:
        return
    head = msg.split("; read a sweep file", 1)[0]
    err = _core.InputError(f"{head}; open it with paraspine.load_sweep({path!r})")
    err.file, err.line, err.field = getattr(e, "file", path), getattr(e, "line", 0), getattr(e, "field", "")
    raise err from None


def load_results(path: Union[str, os.PathLike]) -> Results:
    """Open a schema-v1 results file (``paraspine run -o`` or :meth:`Results.to_hdf5`).

    The file is checked by the same reader as ``paraspine compare`` (errors name the file, as the
    CLI's do; a path that does not exist raises FileNotFoundError, which is also an InputError) and
    kept open; fields are read from disk when first asked for. Use it as a context manager or call
    :meth:`Results.close` to release the file.
    """
    import h5py

    path = os.fspath(path)
    if not os.path.exists(path):  # said "cannot open as an HDF5 results file", as for a damaged file
        e = _MissingResultsFile(errno.ENOENT, "no such results file", path)
        e.file, e.line, e.field = path, 0, ""
        raise e
    try:
        info = _core._read_results_info(path)
    except _core.InputError as e:
        _reword_sweep_file_error(e, path)
        raise
    f = h5py.File(path, "r")
    try:
        meta = {}
        for k, v in f.attrs.items():
            v = v.decode() if isinstance(v, bytes) else v
            meta[k] = v.item() if isinstance(v, np.generic) else v
        if isinstance(meta.get("subject"), str):
            try:
                meta["subject"] = json.loads(meta["subject"])
            except ValueError:
                pass
        fields = {fd.name: f[fd.path] for fd in FIELDS if fd.path in f}
        r = Results(
            time=f["time"], fields=fields,
            joint_names=list(f["joints/name"].asstr()[()]), muscle_names=list(f["muscles/name"].asstr()[()]),
            muscle_groups=list(f["muscles/group"].asstr()[()]), muscle_sides=list(f["muscles/side"].asstr()[()]),
            summary=info["summary"], metadata=meta, file=path, h5file=f)
        r._opened_as = os.path.abspath(path)  # what pickling records (self.file stays as the caller wrote it)
        if "inputs/model_text" in f:  # the run's model text (files since session 21)
            try:
                r._model_text = f["inputs/model_text"][()].tobytes().decode("utf-8")
            except UnicodeDecodeError:  # damaged: the file is still read, the model looked for as in older files
                warnings.warn(f"{path}: /inputs/model_text is not UTF-8 text (a damaged file?): its model is looked for "
                              "by the recorded model_file instead", stacklevel=2)
        if "muscles/max_force" in f:  # the run's own F0: the group weights, whatever the model file says now
            r._f0 = np.asarray(f["muscles/max_force"][()], dtype=float)
        return r
    except Exception:
        f.close()
        raise
