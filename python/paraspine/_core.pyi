# Typed stub of the compiled module (python/bindings/*.cpp), so editors complete the API. The pure
# Python modules (scenario.py, results.py, run.py, plot.py) carry their own annotations (py.typed).
import os
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

SCHEMA_VERSION: int
VERSION: str
BUILD_COMMIT: str  # the git commit built from ('-modified' when tracked files differed; 'unknown' outside git)

class InputError(ValueError):
    """An error in an input file or argument: str(e) reads 'FILE:LINE: FIELD: message'."""

    file: str
    line: int
    field: str

class OutputError(InputError, OSError):
    """An error writing an output file (field 'output'): disk full, a read-only or missing folder."""

class Subject:
    """The person a model is scaled to (0 / empty = the model's reference subject). mass 20-300 kg,
    height 1.0-2.5 m, sex 'male' or 'female', strength_factor in (0, 5], fatigue_rate_scale and
    recovery_rate_scale (multiplying every fascicle's F and R) in (0, 10]; percentile 5-95 (with sex,
    without mass and height) sets height and mass to US adults' stature and body mass at that
    percentile (NHANES 2021-2023, univariate; docs/scenarios.md); other values raise ValueError."""

    mass: float
    height: float
    sex: str
    strength_factor: float
    fatigue_rate_scale: float
    recovery_rate_scale: float
    percentile: float
    def __init__(self, mass: float = 0.0, height: float = 0.0, sex: str = "", strength_factor: float = 1.0,
                 fatigue_rate_scale: float = 1.0, recovery_rate_scale: float = 1.0, percentile: float = 0.0) -> None: ...
    def __getstate__(self) -> tuple[float, float, str, float, float, float, float]: ...
    def __setstate__(self, arg0: tuple[float, float, str, float, float, float, float]) -> None: ...
    def __reduce_ex__(self, protocol: int) -> tuple[Any, ...]: ...
    def __eq__(self, arg0: object) -> bool: ...

class Model:
    """An immutable musculoskeletal model of the spine."""

    name: str
    file: str
    source_digest: str  # fingerprint of the model text (results files' model_digest)
    source_text: str  # the YAML text it was parsed from (results files' /inputs/model_text)
    nsegment: int
    njoint: int
    ndof: int
    nmuscle: int
    segment_names: list[str]
    joint_names: list[str]
    region_names: list[str]
    muscle_names: list[str]
    muscle_groups: list[str]
    muscle_subdivisions: list[str]
    muscle_sides: list[str]
    muscle_max_force: npt.NDArray[np.float64]
    muscle_pcsa: npt.NDArray[np.float64]
    muscle_optimal_fiber_length: npt.NDArray[np.float64]
    muscle_tendon_slack_length: npt.NDArray[np.float64]
    muscle_pennation: npt.NDArray[np.float64]
    muscle_type1_fraction: npt.NDArray[np.float64]
    muscle_passive_strain: npt.NDArray[np.float64]
    muscle_sources: list[str]
    segment_mass: npt.NDArray[np.float64]
    total_mass: float
    rhythm: npt.NDArray[np.float64]
    reference_body_mass: float
    reference_height: float
    reference_sex: str
    reference_percentile: float  # Subject(percentile=) the height and mass were read at, 0 = none
    strength_factor: float  # the subject factors scaled() applied (1 unscaled)
    fatigue_rate_scale: float
    recovery_rate_scale: float
    def _subject_summary(self) -> dict[str, Any]: ...
    @staticmethod
    def load(name_or_path: str | os.PathLike[str]) -> Model:
        """Load a model file (a str or pathlib.Path), or a bundled model by name (e.g. 'lumbar', 'full_spine')."""
    @staticmethod
    def from_yaml(text: str, file: str = "<yaml>") -> Model:
        """A model from its YAML text (e.g. a results file's stored model_text); `file` names it in error
        messages and in Model.file."""
    def scaled(self, subject: Subject) -> Model:
        """A copy scaled to a Subject. Mass, height and sex are absolute: they replace the model's (0 / ''
        keep it), so scaling twice ends at the last Subject's size. strength_factor, fatigue_rate_scale and
        recovery_rate_scale are relative: they multiply the model's current factors, so
        scaled(Subject(strength_factor=0.5)) twice gives 0.25 (the model's strength_factor attribute shows
        the product). simulate(model, ..., subject=...) scales the model it is given, a scaled one again."""
    def info(self) -> dict[str, Any]:
        """The summary printed by `paraspine model info`, as a dict."""
    def __copy__(self) -> Model: ...
    def __deepcopy__(self, memo: Any) -> Model: ...
    # Pickled (every protocol) as its model file's text (kept at load) and the Subjects scaled() applied.
    def __reduce_ex__(self, protocol: int) -> tuple[Any, ...]: ...

class Scenario:
    """The engine's scenario; use paraspine.Scenario (the Python wrapper)."""

    name: str
    description: str
    file: str
    text: str
    motion_file: str
    motion_text: str
    model: str
    subject: Optional[Subject]
    criterion: str
    solver_tolerance: float
    abdominal_pressure: bool
    positions: str
    output_rate_hz: float
    repetitions: int
    rest_s: float
    break_every: int
    break_s: float
    cycle_s: float
    duration_s: float
    frames: int
    nkeyframes: int
    @staticmethod
    def _load(name_or_path: str) -> Scenario: ...
    @staticmethod
    def _parse(text: str, file: str) -> Scenario: ...
    @staticmethod
    def _parse_with_motion(text: str, file: str, motion_text: str, motion_source: str) -> Scenario: ...
    def _model_path(self) -> str: ...
    @staticmethod
    def _resolve_path(name_or_path: str) -> str: ...
    @staticmethod
    def _with_motion_entry(text: str, file: str, motion_file: str, lowpass_hz: float, option: str) -> str: ...
    def _with_overrides(self, sets: Sequence[str], file: str) -> Scenario: ...

def muscle_geometry(model: Model | str | os.PathLike[str], q: npt.ArrayLike,
                    dofs: Optional[Sequence[int]] = None, points: bool = False) -> dict[str, Any]:
    """Path geometry at level angles q (rad, (ndof,) or (T, ndof)), no load sharing, no range check:
    muscle_length, fiber_length ((M,) or (T, M), m), moment_arm ((K, M) or (T, K, M), m) for `dofs`;
    points=True adds path_points, segment_origin, segment_rotation, joint_center, joint_frame and disc_frame
    (world, m; disc_frame: the frame compression and shear are read in)."""

def static_frame(model: Model | str | os.PathLike[str], angles_deg: dict[str, float] = ..., load_kg: float = 0.0,
                 criterion: str = "activation2", abdominal_pressure: bool = True) -> dict[str, Any]:
    """Evaluate one still posture; a dict of numpy arrays (q, tau, joint_force, activation, ...) and solver_status, solver_iterations."""

def max_exertion(model: Model | str | os.PathLike[str], angles_deg: dict[str, float] = ..., pad_segment: str = "T8",
                 pivot_joint: str = "L5-S1", pad_point: Optional[npt.ArrayLike] = None,
                 direction: str = "square", criterion: str = "activation2") -> dict[str, Any]:
    """Largest pad force the whole model holds without reserves; the net extension moment at the pivot.
    pad_segment must be carried by pivot_joint (the joint's upper segment or one above it): a pad below
    the pivot raises ValueError naming both."""

def _output_fields() -> list[dict[str, str]]: ...
def _is_time_column(name: str) -> bool: ...
def _simulate(model: Model, scenario: Scenario, criterion: str, output: str, record: Optional[Sequence[str]],
              progress: Optional[Callable[[int, int, float], Any]], threads: int, fatigue: bool = True,
              output_fields: Sequence[str] = ..., single_precision: bool = False,
              compression: str = "deflate", write_every: int = 1) -> tuple[dict[str, Any], Optional[npt.NDArray[np.float64]], dict[str, npt.NDArray[np.float64]]]: ...
def _write_results(path: str, model: Model, scenario: Scenario, criterion: str, summary: dict[str, Any],
                   time: npt.ArrayLike, values: Sequence[npt.ArrayLike]) -> None: ...
def _read_results_info(path: str) -> dict[str, Any]: ...
def _set_installed_data_root(root: str) -> None: ...  # PREFIX/share/paraspine of an installed package (__init__.py)
def _model_from_pickle(record: tuple[Any, ...]) -> Model: ...
def _merge_subject(base: Subject, over: Subject) -> Subject: ...
def _find_recorded_model_file(results_path: str, model_file: str, model_digest: str) -> str: ...
def _picture(path: str, frame: Optional[int] = None, time: Optional[float] = None, view: str = "", color: str = "activation",
             color_max: float = 0.0, width: int = 1600, height: int = 1000, joint_forces: bool = False, format: str = "svg",
             output: str = "", region: str = "whole", joints: Sequence[str] = ...,
             highlight: Sequence[str] = ...) -> tuple[bytes, dict[str, Any]]: ...
def _check_output_path(path: str, inputs: Sequence[str]) -> None: ...
def _canonical_sweep_path(path: str) -> str: ...
def _sweep_axis_unit(path: str) -> str: ...
def _check_results_name(path: str, option: str, hint: str) -> str: ...
def _sweep(scenario: Scenario, axes: Sequence[tuple[str, Union[Sequence[float], Sequence[str]]]], subject: Optional[Subject], threads: int,
           progress: Optional[Callable[[float], Any]], fatigue: bool = True) -> list[dict[str, Any]]: ...
def _write_sweep(path: str, scenario: Scenario, axes: Sequence[tuple[str, Union[Sequence[float], Sequence[str]]]],
                 summaries: Sequence[dict[str, Any]]) -> None: ...
def _parse_sweep_axis(spec: str) -> tuple[str, Union[list[float], list[str]]]: ...
def _check_not_set_and_varied(sets: Sequence[str], axis_paths: Sequence[str]) -> None: ...
