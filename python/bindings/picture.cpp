// Pictures of a results file for Python (Results.picture): the same drawing as `paraspine render`
// (sim/render/picture.h), returned as SVG or PNG bytes so a notebook shows it inline, or written to
// a .svg/.png/.pdf file. The instant and option rules are the CLI's (sim/cli/render.cpp).
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>

#include "python/bindings/bindings.h"
#include "sim/cli/joint_force_levels.h"
#include "sim/common/error.h"
#include "sim/io/output_path.h"
#include "sim/render/picture.h"
#include "sim/render/results_series.h"

namespace py = pybind11;
namespace ps = paraspine;

namespace {

// The limits `paraspine render` puts on --width and --height (pixels; points for PDF).
void check_size(int width, int height) {
  if (width < 200 || width > 20000) throw ps::InputError("width", 0, "", fmt::format("must be 200-20000 pixels, got {}", width));
  if (height < 150 || height > 20000) throw ps::InputError("height", 0, "", fmt::format("must be 150-20000 pixels, got {}", height));
}

// Draws one instant of the results file at `path`. `format` "svg" or "png" returns the bytes;
// `output` non-empty writes that file instead (format from its extension, as render -o) and returns
// empty bytes. The dict says what was drawn: frame, time_s, view, color (the one shown: a file
// written with fields= may lack the asked one) and notes (what the picture leaves out, and why).
py::tuple picture(const std::string& path, std::optional<long> frame, std::optional<double> time, const std::string& view,
                  const std::string& color, double color_max, int width, int height, bool joint_forces,
                  const std::string& format, const std::string& output, const std::string& region,
                  const std::vector<std::string>& joints, const std::vector<std::string>& highlight) {
  check_size(width, height);
  const ps::Region reg = ps::parse_region(region, "region");  // before anything is read or written
  if (frame && time) throw ps::InputError("time", 0, "", "give time or frame, not both");
  if (!(color_max >= 0) || !std::isfinite(color_max))
    throw ps::InputError("color_max", 0, "", fmt::format("must be a finite value >= 0 (0: the default scale), got {}", color_max));
  if (output.empty() && format != "svg" && format != "png")
    throw ps::InputError("format", 0, format, "must be 'svg' or 'png' (a .pdf is written with output=)");
  if (!output.empty()) ps::check_output_path(output, {path});
  std::string bytes;
  py::dict info;
  {
    py::gil_scoped_release release;
    const ps::ResultsSeries results(path);
    if (time) {
      if (!std::isfinite(*time)) throw ps::InputError("time", 0, "", fmt::format("must be a finite time in s, got {}", *time));
      if (!(*time >= results.time.front() - 1e-9 && *time <= results.time.back() + 1e-9))
        throw ps::InputError("time", 0, "", fmt::format("{} s is outside the run in {} ({:g} … {:g} s)", *time, path,
                                                         results.time.front(), results.time.back()));
    }
    ps::ResultsPicture p(results);
    p.check_region(reg);  // the lumbar model has no neck
    const long f = frame ? *frame : time ? results.frame_at(*time) : p.default_frame(ps::parse_color_by(color));
    if (f < 0 || f >= results.frames())
      throw ps::InputError("frame", 0, "", fmt::format("frame {} is outside the run in {} (frames 0 … {})", f, path, results.frames() - 1));
    ps::PictureOptions o;
    o.view = view.empty() ? ps::view_for_body(p.scene(p.values(f)).pelvis_rotation) : ps::parse_view(view);
    o.color = ps::parse_color_by(color);
    o.color_max = color_max;
    o.joint_forces = joint_forces;
    o.region = reg;
    if (!joints.empty()) {  // the discs of joint_forces, as render --joints
      if (!joint_forces) throw ps::InputError("joints", 0, "", "chooses the discs of joint_forces: give joint_forces=True too");
      o.joint_force_levels = ps::cli::joint_force_levels(p, reg, joints, "joints");
    }
    if (!highlight.empty()) std::tie(o.highlight, o.highlight_label) = ps::highlight_muscles(p.model(), highlight, "highlight");
    if (!output.empty())
      ps::write_picture(p, f, o, output, width, height);
    else
      bytes = format == "svg" ? ps::picture_svg(p, f, o, width, height) : ps::picture_png(p, f, o, width, height);
    const ps::PictureOptions drawn = p.shown(o);
    const std::vector<std::string> notes = p.omissions(o);
    const std::vector<std::string> status = p.status_lines(p.values(f));
    const double t = results.time[f];
    const std::string vname = ps::view_name(o.view);
    const std::string cname = p.stored().any_muscle_value() ? ps::color_by_name(drawn.color) : "none";
    py::gil_scoped_acquire acquire;
    info["frame"] = f;
    info["time_s"] = t;
    info["view"] = vname;
    info["color"] = cname;
    info["notes"] = notes;
    info["status"] = status;
    info["region"] = ps::region_name(reg);
  }
  return py::make_tuple(py::bytes(bytes), info);
}

}  // namespace

void bind_picture(py::module_& mod) {
  mod.def("_picture", &picture, py::arg("path"), py::arg("frame") = std::nullopt, py::arg("time") = std::nullopt,
          py::arg("view") = "", py::arg("color") = "activation", py::arg("color_max") = 0.0, py::arg("width") = 1600,
          py::arg("height") = 1000, py::arg("joint_forces") = false, py::arg("format") = "svg", py::arg("output") = "",
          py::arg("region") = "whole", py::arg("joints") = std::vector<std::string>{},
          py::arg("highlight") = std::vector<std::string>{});
}
