"""paraspine: biomechanics of the back — spine kinematics, loads and muscles.

    >>> import paraspine
    >>> model = paraspine.Model.load("lumbar")
    >>> frame = paraspine.static_frame(model, {"lumbar.flexion": 30.0}, load_kg=5.0)
    >>> frame["tau"].shape == (model.ndof,)
    True
"""
from ._core import InputError, Model, Subject, static_frame

__all__ = ["InputError", "Model", "Subject", "static_frame"]
__version__ = "0.1.0"
