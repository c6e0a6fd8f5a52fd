"""Pictures of the body at one instant of a run: :meth:`Results.picture`.

The drawing is ``paraspine render``'s (the same C++ code, docs/render.md): the spine, head and pelvis
in their posture, every fascicle coloured by activation, force or fatigue, the hand loads, and the
compression at every level beside them. In Jupyter the returned :class:`Picture` shows inline.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

import numpy as np

from . import _core

if TYPE_CHECKING:
    from .results import Results

VIEWS = ("sagittal", "frontal", "top", "oblique")
REGIONS = ("whole", "lumbar", "thoracic", "neck")
COLORS = ("activation", "force", "fatigue")
FORMATS = ("svg", "png")


class Picture:
    """One drawn instant: SVG or PNG bytes, with what was drawn.

    Jupyter shows it inline (``_repr_svg_`` / ``_repr_png_``). :meth:`save` writes it; a name whose
    extension is another format (``.pdf``, or ``.png`` for an SVG picture) is drawn again in that
    format with the same options."""

    def __init__(self, data: bytes, format: str, info: dict, redraw: Any):
        self.data: bytes = data            #: the picture's bytes (an SVG document or a PNG file)
        self.format: str = format          #: "svg" or "png"
        self.frame: int = int(info["frame"])        #: the frame drawn (its index in the run)
        self.time_s: float = float(info["time_s"])  #: its time, s
        self.view: str = info["view"]               #: the view drawn (chosen by the body when not given)
        self.color: str = info["color"]             #: what colours the muscles ("none": no muscle values stored)
        self.notes: list[str] = list(info["notes"])  #: what the picture leaves out, and why
        #: the red lines under its subtitle: reserves acting, task failure, fatigue-driven loads
        self.status: list[str] = list(info["status"])
        self.region: str = info["region"]            #: the part of the body framed
        self._redraw = redraw

    def save(self, path: Union[str, os.PathLike]) -> str:
        """Write the picture to ``path`` (.svg, .png or .pdf, by its extension; written under a
        temporary name and renamed, as ``paraspine render -o``). Returns the path."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        if ext not in ("svg", "png", "pdf"):
            raise ValueError(f"a picture is saved as .svg, .png or .pdf, not '{os.path.basename(path)}'")
        self._redraw(path)
        return path

    def _repr_svg_(self) -> Optional[str]:
        return self.data.decode("utf-8") if self.format == "svg" else None

    def _repr_png_(self) -> Optional[bytes]:
        return self.data if self.format == "png" else None

    def __repr__(self) -> str:
        return (f"<paraspine.Picture {self.format}, t = {self.time_s:.2f} s (frame {self.frame}), "
                f"{self.view} view" + ("" if self.region == "whole" else f", {self.region}") +
                f", coloured by {self.color}, {len(self.data)} bytes>")


class _Redraw:
    """Writes a picture: its own bytes in its own format, or drawn again from the results in another.
    Picklable (review of audit23a: a Picture could not cross to a worker process): the results are
    not pickled, only the file they were drawn from, so another format needs that file to exist."""

    def __init__(self, results: "Results", path: str, format: str, data: bytes, kw: dict):
        self._results = results
        self.path, self.format, self.data, self.kw = path, format, data, kw
        # Which run the file held when the picture was drawn: another run written to the same name
        # later (simulate(..., output=) again, a copy over it) is refused, not drawn under this
        # picture's name (audit25i #5). Pickled with the path.
        self.identity = _run_identity(path)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_results"] = None
        return state

    def __call__(self, out: str) -> None:
        if os.path.splitext(out)[1].lower() == "." + self.format:
            _core._check_output_path(out, [self.path])
            partial = out + ".partial"
            try:
                with open(partial, "wb") as f:
                    f.write(self.data)
                os.replace(partial, out)
            except BaseException:
                if os.path.exists(partial):
                    os.remove(partial)
                raise
            return
        path = _file_of(self._results) if self._results is not None else self.path
        if not os.path.exists(path):
            if self._results is None:
                raise ValueError(f"this picture was unpickled away from its results ({path} is gone): it can be saved as "
                                 f".{self.format} only; draw it again from the results for another format")
            raise ValueError(f"{path}, the results file this picture was drawn from, is gone (removed or renamed since): "
                             f"it can be saved as .{self.format} only; draw it again from the results' file for another format")
        known = getattr(self, "identity", None)  # None: pickled before identities were kept
        if known is not None:
            now = _run_identity(path)
            if now != known:
                was = f"scenario '{known[2]}' created {known[0]}"
                is_ = f"scenario '{now[2]}' created {now[0]}" if now is not None else "no paraspine results file"
                raise ValueError(f"{path} no longer holds the run this picture was drawn from ({was}; it now holds {is_}: "
                                 f"another run wrote it?): it can be saved as .{self.format} only; open that run's file "
                                 f"with paraspine.load_results and draw it again for another format")
        _core._picture(path, output=out, **self.kw)


def _run_identity(path: str) -> Optional[tuple]:
    """What tells one run's results file from another's written to the same name: its root attributes
    ``created``, ``scenario`` and ``model_digest`` and a digest of its summary (a byte copy of the file
    is the same run; a second run of the same scenario within the same second differs in its summary
    unless it is the same run again, whose picture is the same). None when the file cannot be read."""
    import hashlib

    import h5py

    try:
        with h5py.File(path, "r") as f:
            a = f.attrs
            text = lambda k: (lambda v: v.decode() if isinstance(v, bytes) else str(v))(a.get(k, ""))
            summary = f["summary"].attrs.get("json", "") if "summary" in f else ""
            summary = summary.decode() if isinstance(summary, bytes) else str(summary)
            return (text("created"), text("model_digest"), text("scenario"),
                    hashlib.sha256(summary.encode("utf-8", "surrogatepass")).hexdigest())
    except (OSError, KeyError, ValueError, TypeError):
        return None


def _file_of(results: "Results") -> str:
    """The schema-v1 file a picture is drawn from: the results' own file, or (in-memory results) one
    written once to a temporary folder and removed with the results."""
    if results.file:
        # Absolute, as pickling records it: after os.chdir a relative name found nothing (review23 #2).
        path = getattr(results, "_opened_as", None) or os.path.abspath(results.file)
        h5 = results._h5
        if h5 is not None and os.path.exists(path):
            # Another run may have written the same name since (simulate(..., output=) twice): its
            # picture is not these results' (review23 #1).
            try:
                same = os.path.samestat(os.stat(path), os.fstat(h5.id.get_vfd_handle()))
            except (OSError, ValueError, TypeError, AttributeError):
                same = True  # a driver without a file descriptor: nothing to compare
            if not same:
                raise ValueError(f"{path} has been replaced since these results were opened (another run wrote it?): "
                                 f"open it again with paraspine.load_results({path!r}) to draw it")
        return path
    cached = getattr(results, "_picture_file", None)
    if cached and os.path.exists(cached):
        return cached
    folder = tempfile.mkdtemp(prefix="paraspine-picture-")
    try:
        path = results.to_hdf5(os.path.join(folder, "results.h5"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    results._picture_file = path
    weakref.finalize(results, shutil.rmtree, folder, True)
    return path


def picture(results: "Results", time: Optional[float] = None, frame: Optional[int] = None, view: Optional[str] = None,
            color: str = "activation", color_max: Optional[float] = None, joint_forces: bool = False,
            width: int = 1200, height: int = 750, format: str = "svg", region: str = "whole",
            joints: Union[str, Sequence[str], None] = None,
            highlight: Union[str, Sequence[str], None] = None) -> Picture:
    """See :meth:`Results.picture`."""
    if region not in REGIONS:
        raise ValueError(f"region must be one of {', '.join(REGIONS)}, not {region!r}")
    if view is not None and view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)} (or None: sagittal, frontal for a body lying across it), not {view!r}")
    if color not in COLORS:
        raise ValueError(f"color must be one of {', '.join(COLORS)}, not {color!r}")
    if format not in FORMATS:
        raise ValueError(f"format must be 'svg' or 'png', not {format!r} (save(...) writes .pdf)")
    if time is not None and frame is not None:
        raise ValueError("give time or frame, not both")
    # int()/float() took frame=1.5 and frame=True as frame 1, and time='0.5' as 0.5 s (audit25i #15).
    if frame is not None and (isinstance(frame, (bool, np.bool_)) or not isinstance(frame, (int, np.integer))):
        raise TypeError(f"frame must be a frame index, an int (negative counts from the end), not {frame!r}; "
                        f"time= takes seconds")
    if time is not None and (isinstance(time, (bool, np.bool_)) or not isinstance(time, (int, float, np.integer, np.floating))):
        raise TypeError(f"time must be a number of seconds (the nearest frame is drawn), not {time!r}")
    if frame is not None:
        frame = int(frame)
        if frame < 0:
            frame += results.frames  # as numpy indexes: -1 is the last frame
    path = _file_of(results)
    kw = dict(frame=frame, time=None if time is None else float(time), view=view or "", color=color,
              color_max=0.0 if color_max is None else float(color_max), width=int(width), height=int(height),
              joint_forces=bool(joint_forces), region=region,
              joints=[] if joints is None else [joints] if isinstance(joints, str) else list(joints),
              highlight=[] if highlight is None else [highlight] if isinstance(highlight, str) else list(highlight))
    data, info = _core._picture(path, format=format, **kw)
    kw["frame"] = int(info["frame"])  # saved again: the instant drawn, whatever chose it
    kw["time"] = None
    kw["view"] = info["view"]

    redraw = _Redraw(results, path, format, bytes(data), kw)
    return Picture(bytes(data), format, info, redraw)
