// The paraspine Python module: the same nouns as the C++ engine (Model, Subject, Posture), results
// as numpy arrays. One file per stage as stages land; this one holds the model and the frame.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "python/bindings/bindings.h"
#include "sim/common/error.h"
#include "sim/model/data.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/model/summary.h"
#include "sim/simulate/frame.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"

namespace py = pybind11;
namespace ps = paraspine;

namespace {

py::object json_to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

ps::Posture posture_from_dict(const ps::Model& m, const std::map<std::string, double>& angles_deg) {
  ps::Posture p = ps::neutral_posture(m);
  for (const auto& [key, deg] : angles_deg) {
    const auto dot = key.find('.');
    if (dot == std::string::npos)
      throw std::invalid_argument("angle key '" + key + "' must be REGION.AXIS, e.g. 'lumbar.flexion'");
    ps::set_posture_angle(m, key.substr(0, dot), key.substr(dot + 1), ps::deg2rad(deg), p);
  }
  return p;
}

}  // namespace

PYBIND11_MODULE(_core, mod) {
  mod.doc() = "paraspine engine (C++ core)";
  // Input-file errors keep the CLI's message (file:line: field: ...), are ValueErrors, and carry
  // the parts as attributes: file, line (0 when unknown) and field.
  static py::exception<ps::InputError> input_error(mod, "InputError", PyExc_ValueError);
  input_error.attr("__doc__") = "An error in an input file or argument. str(e) reads 'FILE:LINE: FIELD: message' as the "
                      "CLI prints it; e.file, e.line (0 when unknown) and e.field hold the parts.";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ps::InputError& e) {
      py::object err = py::handle(input_error.ptr())(e.what());
      err.attr("file") = e.file();
      err.attr("line") = e.line();
      err.attr("field") = e.field();
      PyErr_SetObject(input_error.ptr(), err.ptr());
    }
  });

  py::class_<ps::Subject>(mod, "Subject", "The person a model is scaled to.")
      .def(py::init([](double mass, double height, const std::string& sex, double strength) {
             ps::Subject s;
             s.body_mass = mass;
             s.height = height;
             s.sex = sex;
             s.strength_factor = strength;
             return s;
           }),
           py::arg("mass") = 0.0, py::arg("height") = 0.0, py::arg("sex") = "",
           py::arg("strength_factor") = 1.0,
           "mass in kg, height in m, sex 'male' or 'female' (0 / empty = the model's reference subject)")
      .def_readwrite("mass", &ps::Subject::body_mass, "Body mass, kg (0 = the reference).")
      .def_readwrite("height", &ps::Subject::height, "Height, m (0 = the reference).")
      .def_readwrite("sex", &ps::Subject::sex, "'male' or 'female' (empty = the reference).")
      .def_readwrite("strength_factor", &ps::Subject::strength_factor, "Multiplies every muscle's force capacity.")
      .def("__repr__", [](const ps::Subject& s) {
        return "paraspine.Subject(mass=" + py::repr(py::float_(s.body_mass)).cast<std::string>() +
               ", height=" + py::repr(py::float_(s.height)).cast<std::string>() + ", sex='" + s.sex +
               "', strength_factor=" + py::repr(py::float_(s.strength_factor)).cast<std::string>() + ")";
      });

  py::class_<ps::Model>(mod, "Model", "An immutable musculoskeletal model of the spine.")
      .def_static("load", &ps::load_model, py::arg("name_or_path"),
                  "Load a model file, or a bundled model by name (e.g. 'lumbar').")
      .def("scaled", &ps::scale_model, py::arg("subject"), "A copy scaled to a Subject.")
      .def("info", [](const ps::Model& m) { return json_to_python(ps::model_summary(m)); },
           "The summary printed by `paraspine model info`, as a dict.")
      .def_readonly("name", &ps::Model::name, "Model name.")
      .def_readonly("file", &ps::Model::file, "The file it was loaded from.")
      .def_readonly("nsegment", &ps::Model::nsegment, "Number of segments.")
      .def_readonly("njoint", &ps::Model::njoint, "Number of joints (intervertebral levels).")
      .def_readonly("ndof", &ps::Model::ndof, "Rotations, 3 per joint.")
      .def_readonly("nmuscle", &ps::Model::nmuscle, "Number of muscle fascicles.")
      .def_readonly("segment_names", &ps::Model::segment_name, "(nsegment) names, pelvis first.")
      .def_readonly("joint_names", &ps::Model::joint_name, "(njoint) names, e.g. 'L4-L5', from the pelvis up.")
      .def_readonly("region_names", &ps::Model::region_name, "Regions for posture angles, e.g. 'lumbar'.")
      .def_readonly("muscle_names", &ps::Model::muscle_name, "(nmuscle) fascicle names, _r/_l for the side.")
      .def_readonly("muscle_groups", &ps::Model::muscle_group, "(nmuscle) muscle group of each fascicle.")
      .def_property_readonly("muscle_sides", [](const ps::Model& m) {
        std::vector<std::string> s;
        for (auto side : m.muscle_side) s.emplace_back(ps::side_name(side));
        return s;
      }, "(nmuscle) 'left', 'right' or 'midline'.")
      .def_readonly("muscle_max_force", &ps::Model::muscle_fmax, "(nmuscle) N")
      .def_readonly("segment_mass", &ps::Model::segment_mass, "(nsegment) kg")
      .def_property_readonly("total_mass", &ps::Model::total_mass, "kg, segments and arms")
      .def_readonly("rhythm", &ps::Model::rhythm, "(ndof, 3 nregion) shares")
      .def_readonly("reference_body_mass", &ps::Model::reference_body_mass, "kg, the subject the model describes")
      .def_readonly("reference_height", &ps::Model::reference_height, "m")
      .def_readonly("reference_sex", &ps::Model::reference_sex, "'male' or 'female'")
      .def("__repr__", [](const ps::Model& m) {
        return "<paraspine.Model '" + m.name + "': " + std::to_string(m.nsegment) + " segments, " +
               std::to_string(m.nmuscle) + " muscles>";
      });

  mod.def(
      "static_frame",
      [](const ps::Model& m, const std::map<std::string, double>& angles_deg, double load_kg,
         const std::string& criterion, bool abdominal_pressure) {
        if (!(load_kg >= 0)) throw std::invalid_argument("load_kg must be >= 0");
        ps::LoadSharingSettings settings;
        settings.criterion = ps::parse_criterion(criterion);
        settings.abdominal_pressure = abdominal_pressure;
        ps::Data d(m);
        {
          py::gil_scoped_release release;
          ps::set_static_posture(m, posture_from_dict(m, angles_deg), d);
          ps::clear_loads(m, d);
          for (auto& h : d.hands) h.load_mass = load_kg;
          ps::evaluate_frame(m, d);
          ps::load_sharing(m, settings, d);
          ps::reactions(m, d);
        }
        py::dict r;
        r["q"] = d.q;
        r["tau"] = d.tau;
        r["joint_force"] = Eigen::MatrixXd(d.joint_force_local.transpose());
        r["joint_moment"] = Eigen::MatrixXd(d.joint_moment_local.transpose());
        r["joint_center"] = Eigen::MatrixXd(d.joint_center.transpose());
        r["segment_origin"] = Eigen::MatrixXd(d.segment_origin.transpose());
        r["muscle_length"] = d.muscle_length;
        r["fiber_length"] = d.fiber_length;
        r["moment_arm"] = d.moment_arm;
        r["activation"] = d.activation;
        r["muscle_force"] = d.muscle_force;
        r["disc_force"] = Eigen::MatrixXd(d.disc_force.transpose());
        r["reserve"] = d.reserve;
        r["passive_moment"] = d.passive_joint_moment;
        r["abdominal_pressure"] = d.abdominal_pressure;
        r["abdominal_pressure_moment"] = d.abdominal_pressure_moment;
        r["equilibrium_residual"] = d.loadsharing_info.equilibrium_residual;
        return r;
      },
      py::arg("model"), py::arg("angles_deg") = std::map<std::string, double>{},
      py::arg("load_kg") = 0.0, py::arg("criterion") = "activation2", py::arg("abdominal_pressure") = true,
      "Evaluate one still posture: angles as {'REGION.AXIS': degrees} (regions from the model, or "
      "'pelvis'), load_kg held in each hanging hand. Returns a dict of numpy arrays: q (ndof, rad), "
      "tau (ndof, N·m), joint_force / joint_moment (njoint, 3) in the disc frame, joint_center "
      "(njoint, 3) m, segment_origin (nsegment, 3) m, muscle_length and fiber_length (nmuscle, m), "
      "moment_arm (ndof, nmuscle, m); after load sharing (criterion activation2, activation3, "
      "stress2 or minmax): activation and muscle_force (nmuscle, N), disc_force (njoint, 3): "
      "compression, anterior shear, lateral shear (N), reserve and passive_moment (ndof, N·m), "
      "abdominal_pressure (Pa; the model's intra-abdominal pressure, 0 when it has none or "
      "abdominal_pressure=False) and abdominal_pressure_moment (ndof, N·m), equilibrium_residual (N·m).");

  bind_simulate(mod);
}
