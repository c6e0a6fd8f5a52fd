"""paraspine: biomechanics of the back — spine kinematics, loads, muscles and fatigue.

    >>> import paraspine
    >>> model = paraspine.Model.load("lumbar")
    >>> frame = paraspine.static_frame(model, {"lumbar.flexion": 30.0}, load_kg=5.0)
    >>> frame["tau"].shape == (model.ndof,)
    True

A scenario over time (docs/python.md):

    results = paraspine.simulate("full_spine", "squat_lift")
    results.joint("L4-L5").compression            # (T,) N
    results.muscles(group="longissimus", side="left").force
    results.to_xarray(); results.to_pandas(); results.to_hdf5("squat.h5")
"""
import os as _os

from . import _core

# Installed with `cmake --install` (PREFIX/lib/python3/dist-packages/paraspine): the bundled models and
# scenarios are in PREFIX/share/paraspine, which python3's own folder does not lead to.
_installed_data = _os.path.join(_os.path.dirname(__file__), *[_os.pardir] * 4, "share", "paraspine")
if _os.path.isdir(_os.path.join(_installed_data, "models")):
    _core._set_installed_data_root(_os.path.normpath(_installed_data))
from ._core import InputError, Model, OutputError, Subject, max_exertion, muscle_geometry, static_frame
from .results import FIELDS, Field, JointSelection, MuscleSelection, Results, field, load_results
from .run import SweepResults, load_sweep, simulate, simulate_many, sweep
from .scenario import Scenario
from .picture import Picture

__all__ = [
    "FIELDS", "Field", "InputError", "JointSelection", "Model", "MuscleSelection", "OutputError", "Picture", "Results", "Scenario",
    "Subject", "SweepResults", "field", "load_results", "load_sweep", "max_exertion", "muscle_geometry", "plot", "simulate", "simulate_many", "static_frame", "sweep",
]
__version__: str = _core.VERSION  # the engine's, as `paraspine --version` (it was a second, hand-kept copy)
__commit__: str = _core.BUILD_COMMIT  # the git commit the engine was built from, as `paraspine --version` and results' paraspine_commit


def _model_from_pickle(record):
    """The inverse of Model.__reduce_ex__: a Python function, which pickle can name (the extension's
    own functions carry a capsule that pickle cannot)."""
    return _core._model_from_pickle(record)


def __getattr__(name: str):
    # paraspine.plot imports matplotlib only when first used.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'paraspine' has no attribute '{name}'")
