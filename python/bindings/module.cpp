// The paraspine Python module: the same nouns as the C++ engine (Model, Subject, Posture), results
// as numpy arrays. One file per stage as stages land; this one holds the model and the frame.
#include <optional>

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "python/bindings/bindings.h"
#include "sim/common/error.h"
#include "sim/common/yaml_reader.h"
#include "sim/model/data.h"
#include "sim/model/anthropometry.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"
#include "sim/model/summary.h"
#include "sim/simulate/frame.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/muscles/muscle_geometry.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/muscles/strength.h"
#include "sim/simulate/max_exertion.h"

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
      throw std::invalid_argument("angle key '" + key + "' must be REGION.AXIS or JOINT.AXIS, e.g. 'lumbar.flexion' or 'L4-L5.flexion'");
    ps::set_posture_angle_by_name(m, key.substr(0, dot), key.substr(dot + 1), ps::deg2rad(deg), p);
  }
  // As for a scenario's keyframes and `paraspine moments`: beyond the joints' ranges the numbers mean nothing.
  if (const std::string beyond = ps::posture_range_problem(m, p); !beyond.empty()) throw std::invalid_argument(beyond);
  return p;
}

// The model argument of static_frame / max_exertion: a Model, or a bundled name or path loaded for
// this call (as simulate takes one; static_frame("lumbar") was "incompatible function arguments").
class ModelArg {
 public:
  explicit ModelArg(const py::object& o) {
    if (py::isinstance<ps::Model>(o)) {
      model_ = &o.cast<const ps::Model&>();
      return;
    }
    if (!py::isinstance<py::str>(o) && !py::hasattr(o, "__fspath__"))
      throw py::type_error("model must be a paraspine.Model or a model name or path, not " +
                           py::str(o.get_type().attr("__name__")).cast<std::string>());
    const auto name = py::module_::import("os").attr("fsdecode")(o).cast<std::string>();
    owned_ = ps::load_model(ps::resolve_model_name(name, name, 0, ""));
    model_ = &*owned_;
  }
  const ps::Model& operator*() const { return *model_; }

 private:
  std::optional<ps::Model> owned_;
  const ps::Model* model_ = nullptr;
};

}  // namespace

PYBIND11_MODULE(_core, mod) {
  mod.doc() = "paraspine engine (C++ core)";
  // Input-file errors keep the CLI's message (file:line: field: ...), are ValueErrors, and carry
  // the parts as attributes: file, line (0 when unknown) and field.
  static py::exception<ps::InputError> input_error(mod, "InputError", PyExc_ValueError);
  input_error.attr("__doc__") = "An error in an input file or argument. str(e) reads 'FILE:LINE: FIELD: message' as the "
                      "CLI prints it; e.file, e.line (0 when unknown) and e.field hold the parts.";
  // Errors writing an output file (field `output`: a full disk, a read-only or missing folder, a
  // file another user owns) are also OSErrors, so `except OSError` catches them as it catches h5py's
  // from Results.to_hdf5 (audit21b); still InputErrors (ValueErrors), as before.
  static py::object output_error = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "paraspine._core.OutputError",
      "An error writing an output file: an InputError (file, line, field = 'output') that is also an OSError.",
      py::make_tuple(input_error, py::handle(PyExc_OSError)).ptr(), nullptr));
  mod.attr("OutputError") = output_error;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ps::InputError& e) {
      const py::handle type = e.field() == "output" ? output_error : py::handle(input_error.ptr());
      py::object err = type(e.what());
      err.attr("file") = e.file();
      err.attr("line") = e.line();
      err.attr("field") = e.field();
      PyErr_SetObject(type.ptr(), err.ptr());
    }
  });

  // Every value checked when set, with the scenario file's ranges: a negative or NaN mass used to
  // be taken as "0 = the reference" by scale_model, and the run went ahead with 79.6 kg.
  auto checked = [](const char* key, const char* name, bool zero_is_reference) {
    return [key, name, zero_is_reference](ps::Subject& s, double v) {
      const std::string problem = (zero_is_reference && v == 0) ? "" : ps::subject_value_problem(key, v);
      if (!problem.empty()) throw std::invalid_argument(std::string("Subject ") + name + ": " + problem);
      const std::string k = key;
      // A measured mass or height ends a percentile (the subject is no longer the table's), as a
      // --subject mass= over a scenario's percentile does.
      if (k == "body_mass") s.body_mass = v, s.percentile = 0;
      else if (k == "height") s.height = v, s.percentile = 0;
      else if (k == "strength_factor") s.strength_factor = v;
      else if (k == "fatigue_rate_scale") s.fatigue_rate_scale = v;
      else s.recovery_rate_scale = v;
    };
  };
  auto set_sex = [](ps::Subject& s, const std::string& sex) {
    if (!sex.empty() && sex != "male" && sex != "female")
      throw std::invalid_argument("Subject sex: expected 'male' or 'female' (or '' for the reference), got '" + sex + "'");
    if (sex.empty() && s.percentile > 0)
      throw std::invalid_argument("Subject sex: a percentile subject needs 'male' or 'female' (the table has a column for each)");
    s.sex = sex;
    ps::apply_percentile(s);  // a percentile subject: the same percentile in this sex's column
  };
  // percentile (docs/scenarios.md, "Subject"): height and mass from the published table; 0 = none.
  auto set_percentile = [](ps::Subject& s, double p) {
    if (p == 0) {
      s.percentile = 0;  // height and mass stay as they are, now as measured values
      return;
    }
    const std::string problem = ps::subject_value_problem("percentile", p);
    if (!problem.empty()) throw std::invalid_argument("Subject percentile: " + problem);
    if (s.sex.empty())
      throw std::invalid_argument(std::string("Subject percentile: needs sex='male' or sex='female' (the table has a column for each; ") +
                                  ps::kAnthropometryTable + ")");
    s.percentile = p;
    ps::apply_percentile(s);
  };
  // Every constructor path (the call, unpickling, copy): a percentile given with a mass or height is
  // refused, which of the two was meant not being knowable.
  auto make_subject = [checked, set_sex, set_percentile](double mass, double height, const std::string& sex, double strength,
                                                         double fatigue_rate, double recovery_rate, double percentile) {
    ps::Subject s;
    if (percentile != 0 && (mass != 0 || height != 0))
      throw std::invalid_argument(std::string("Subject: percentile given with ") + (mass != 0 && height != 0 ? "mass and height" : mass != 0 ? "mass" : "height") +
                                  ": give either a percentile (the table's height and mass) or the measured values, not both");
    checked("body_mass", "mass", true)(s, mass);
    checked("height", "height", true)(s, height);
    set_sex(s, sex);
    checked("strength_factor", "strength_factor", false)(s, strength);
    checked("fatigue_rate_scale", "fatigue_rate_scale", false)(s, fatigue_rate);
    checked("recovery_rate_scale", "recovery_rate_scale", false)(s, recovery_rate);
    set_percentile(s, percentile);
    return s;
  };
  // What rebuilds this Subject through make_subject: a percentile subject by its percentile (its
  // height and mass are the table's), any other by its values.
  auto state = [](const ps::Subject& s) {
    const bool p = s.percentile > 0;
    return py::make_tuple(p ? 0.0 : s.body_mass, p ? 0.0 : s.height, s.sex, s.strength_factor, s.fatigue_rate_scale,
                          s.recovery_rate_scale, s.percentile);
  };
  py::class_<ps::Subject>(mod, "Subject", "The person a model is scaled to.")
      .def(py::init(make_subject),
           py::arg("mass") = 0.0, py::arg("height") = 0.0, py::arg("sex") = "",
           py::arg("strength_factor") = 1.0, py::arg("fatigue_rate_scale") = 1.0, py::arg("recovery_rate_scale") = 1.0,
           py::arg("percentile") = 0.0,
           "mass in kg (20-300), height in m (1.0-2.5), sex 'male' or 'female' (0 / empty = the model's "
           "reference subject), strength_factor in (0, 5]; fatigue_rate_scale and recovery_rate_scale in (0, 10] "
           "multiply every fascicle's fatigue rate F and recovery rate R (the scenario file's subject keys, the "
           "CLI's --subject fatigue_rate=, recovery_rate=; docs/fatigue.md). percentile in 5-95 (with sex, "
           "without mass and height) sets height and mass to US adults' stature and body mass at that "
           "percentile, each from its own column (NHANES 2021-2023; docs/scenarios.md). Other values raise ValueError")
      .def_property("mass", [](const ps::Subject& s) { return s.body_mass; }, checked("body_mass", "mass", true),
                    "Body mass, kg (0 = the reference).")
      .def_property("height", [](const ps::Subject& s) { return s.height; }, checked("height", "height", true),
                    "Height, m (0 = the reference).")
      .def_property("sex", [](const ps::Subject& s) { return s.sex; }, set_sex, "'male' or 'female' (empty = the reference).")
      .def_property("strength_factor", [](const ps::Subject& s) { return s.strength_factor; },
                    checked("strength_factor", "strength_factor", false), "Multiplies every muscle's force capacity.")
      .def_property("fatigue_rate_scale", [](const ps::Subject& s) { return s.fatigue_rate_scale; },
                    checked("fatigue_rate_scale", "fatigue_rate_scale", false),
                    "Multiplies every fascicle's fatigue rate F (1 = the published values), (0, 10].")
      .def_property("recovery_rate_scale", [](const ps::Subject& s) { return s.recovery_rate_scale; },
                    checked("recovery_rate_scale", "recovery_rate_scale", false),
                    "Multiplies every fascicle's recovery rate R (1 = the published values), (0, 10].")
      .def_property("percentile", [](const ps::Subject& s) { return s.percentile; }, set_percentile,
                    "Population percentile (5-95) height and mass were read at, 0 = none; setting it sets them "
                    "(needs sex); setting mass or height ends it.")
      // copy, deepcopy and pickle (multiprocessing) by value; every value checked again on the way in.
      .def(py::pickle([state](const ps::Subject& s) { return state(s); },
                      [make_subject](const py::tuple& t) {
                        // 6 values: a Subject pickled before percentiles existed.
                        if (t.size() != 6 && t.size() != 7) throw std::invalid_argument("Subject: a pickled Subject has 6 or 7 values");
                        return make_subject(t[0].cast<double>(), t[1].cast<double>(), t[2].cast<std::string>(), t[3].cast<double>(),
                                            t[4].cast<double>(), t[5].cast<double>(), t.size() == 7 ? t[6].cast<double>() : 0.0);
                      }))
      // Every protocol (0 and 1 too) reduces to a call of the checking constructor: without this,
      // protocols 0/1 went through copyreg's object.__new__ path, which pybind11 cannot build, and
      // aborted the interpreter (C++ terminate) instead of raising.
      .def("__reduce_ex__", [state](const py::object& self, int) {
        return py::make_tuple(py::type::of(self), state(self.cast<const ps::Subject&>()));
      }, py::arg("protocol"))
      .def("__eq__", [](const ps::Subject& a, const ps::Subject& b) {
        return a.body_mass == b.body_mass && a.height == b.height && a.sex == b.sex &&
               a.strength_factor == b.strength_factor && a.fatigue_rate_scale == b.fatigue_rate_scale &&
               a.recovery_rate_scale == b.recovery_rate_scale && a.percentile == b.percentile;
      }, py::is_operator())  // another type: NotImplemented, so `subject == None` is False, not a TypeError
      .def("__repr__", [](const ps::Subject& s) {
        if (s.percentile > 0)  // as it is built again: by percentile (its height and mass are the table's)
          return "paraspine.Subject(percentile=" + py::repr(py::float_(s.percentile)).cast<std::string>() + ", sex='" + s.sex +
                 "', strength_factor=" + py::repr(py::float_(s.strength_factor)).cast<std::string>() +
                 (s.fatigue_rate_scale != 1 ? ", fatigue_rate_scale=" + py::repr(py::float_(s.fatigue_rate_scale)).cast<std::string>() : "") +
                 (s.recovery_rate_scale != 1 ? ", recovery_rate_scale=" + py::repr(py::float_(s.recovery_rate_scale)).cast<std::string>() : "") + ")";
        return "paraspine.Subject(mass=" + py::repr(py::float_(s.body_mass)).cast<std::string>() +
               ", height=" + py::repr(py::float_(s.height)).cast<std::string>() + ", sex='" + s.sex +
               "', strength_factor=" + py::repr(py::float_(s.strength_factor)).cast<std::string>() +
               (s.fatigue_rate_scale != 1 ? ", fatigue_rate_scale=" + py::repr(py::float_(s.fatigue_rate_scale)).cast<std::string>() : "") +
               (s.recovery_rate_scale != 1 ? ", recovery_rate_scale=" + py::repr(py::float_(s.recovery_rate_scale)).cast<std::string>() : "") + ")";
      });

  // Pickling (multiprocessing with spawn, joblib, pickle-based caches; Results hold their Model): a
  // Model is rebuilt from the text of the file it was loaded from, kept at load so an edit of the
  // file afterwards changes nothing, and the Subjects scaled() applied, in order. The same parse and
  // the same arithmetic give the same numbers to the bit. Both live in the instance's __dict__.
  // The pickling record lives in the instance's __dict__, written here only (object.__setattr__
  // passes by the class's guard below); text None: none (the file is read when pickled).
  auto set_pickling_record = [](const py::object& model, const py::object& text, const py::tuple& scalings) {
    const py::object set = py::module_::import("builtins").attr("object").attr("__setattr__");
    if (!text.is_none()) set(model, "_source_text", text);
    set(model, "_scalings", scalings);
  };
  // simulate()/sweep() subject= over the scenario's subject: unset values (0, '', factor 1) are the scenario's.
  mod.def("_merge_subject", &ps::merge_subject, py::arg("base"), py::arg("over"));
  py::class_<ps::Model> model_class(mod, "Model", py::dynamic_attr(), "An immutable musculoskeletal model of the spine.");
  // The inverse of Model.__reduce_ex__: the model parsed from the recorded text, scaled by the recorded
  // Subjects in order, with that record attached again.
  mod.def("_model_from_pickle", [set_pickling_record](const py::tuple& t) {
    if (t.size() != 4 || !py::isinstance<py::int_>(t[0]) || t[0].cast<int>() != 1)
      throw std::invalid_argument("Model: not a Model pickled by this version of paraspine");
    const auto file = t[1].cast<std::string>();
    const auto text = t[2].cast<std::string>();
    const auto scalings = t[3].cast<py::tuple>();
    ps::Model m = ps::parse_model(text, file);
    for (const auto& s : scalings) m = ps::scale_model(m, s.cast<const ps::Subject&>());
    py::object out = py::cast(std::move(m));
    set_pickling_record(out, t[2], scalings);
    return out;
  }, py::arg("record"));
  model_class
      .def_static("load", [set_pickling_record](const py::object& name_or_path) {
                    // A pathlib.Path too (os.fsdecode), and a name that is neither bundled nor a file
                    // lists the bundled models, as a scenario's `model:` line does.
                    const auto name = py::module_::import("os").attr("fsdecode")(name_or_path).cast<std::string>();
                    const std::string path = ps::resolve_model_name(name, name, 0, "");
                    std::string text;
                    std::optional<ps::Model> m;
                    {
                      py::gil_scoped_release release;
                      text = ps::read_input_file(path, "model");
                      m = ps::parse_model(text, path);
                    }
                    py::object out = py::cast(std::move(*m));
                    set_pickling_record(out, py::bytes(text), py::tuple());
                    return out;
                  }, py::arg("name_or_path"),
                  "Load a model file (a str or pathlib.Path), or a bundled model by name (e.g. 'lumbar', 'full_spine').")
      .def_static("from_yaml", [set_pickling_record](const std::string& text, const std::string& file) {
                    std::optional<ps::Model> m;
                    {
                      py::gil_scoped_release release;
                      m = ps::parse_model(text, file);
                    }
                    py::object out = py::cast(std::move(*m));
                    set_pickling_record(out, py::bytes(text), py::tuple());
                    return out;
                  }, py::arg("text"), py::arg("file") = "<yaml>",
                  "A model from its YAML text (e.g. a results file's stored model_text); `file` names it in error "
                  "messages and in Model.file.")
      .def("scaled", [set_pickling_record](const py::object& self, const ps::Subject& s) {
             py::object out = py::cast(ps::scale_model(self.cast<const ps::Model&>(), s));
             py::list scalings(py::hasattr(self, "_scalings") ? py::list(self.attr("_scalings")) : py::list());
             scalings.append(py::cast(s));  // a copy: a Subject edited later does not change the record
             set_pickling_record(out, py::hasattr(self, "_source_text") ? self.attr("_source_text") : py::object(py::none()),
                                 py::tuple(scalings));
             return out;
           }, py::arg("subject"),
           "A copy scaled to a Subject. Mass, height and sex are absolute: they replace the model's (0 / '' keep "
           "it), so scaling twice ends at the last Subject's size. strength_factor, fatigue_rate_scale and "
           "recovery_rate_scale are relative: they multiply the model's current factors, so scaled(Subject("
           "strength_factor=0.5)) twice gives 0.25 (the model's strength_factor attribute shows the product). "
           "simulate(model, ..., subject=...) scales the model it is given, a scaled one again.")
      // Every protocol (0 and 1 too: pybind11's py::pickle left those to copyreg's object.__new__
      // path, which aborted the interpreter) reduces to _model_from_pickle(record).
      .def("__reduce_ex__", [](const py::object& self, int) {
        const ps::Model& m = self.cast<const ps::Model&>();
        // A Model made outside load()/scaled() (none is today): its file as it is now.
        py::object text = py::hasattr(self, "_source_text") ? self.attr("_source_text")
                                                            : py::bytes(ps::read_input_file(m.file, "model"));
        py::object scalings = py::hasattr(self, "_scalings") ? self.attr("_scalings") : py::tuple();
        return py::make_tuple(py::module_::import("paraspine").attr("_model_from_pickle"),
                              py::make_tuple(py::make_tuple(1, m.file, text, py::tuple(scalings))));
      }, py::arg("protocol"))
      .def("info", [](const ps::Model& m) { return json_to_python(ps::model_summary(m)); },
           "The summary printed by `paraspine model info`, as a dict.")
      .def_readonly("name", &ps::Model::name, "Model name.")
      .def_readonly("file", &ps::Model::file, "The file it was loaded from.")
      .def_readonly("source_digest", &ps::Model::source_digest,
                    "A fingerprint ('fnv1a64:' and 16 hex digits) of the text it was parsed from, as results files "
                    "record it (root attribute model_digest).")
      .def_property_readonly("source_text", [](const ps::Model& m) { return m.source_text ? *m.source_text : std::string(); },
                             "The YAML text it was parsed from (results files store it as /inputs/model_text).")
      .def_readonly("nsegment", &ps::Model::nsegment, "Number of segments.")
      .def_readonly("njoint", &ps::Model::njoint, "Number of joints (intervertebral levels).")
      .def_readonly("ndof", &ps::Model::ndof, "Rotations, 3 per joint.")
      .def_readonly("nmuscle", &ps::Model::nmuscle, "Number of muscle fascicles.")
      .def_readonly("segment_names", &ps::Model::segment_name, "(nsegment) names, pelvis first.")
      .def_readonly("joint_names", &ps::Model::joint_name, "(njoint) names, e.g. 'L4-L5', from the pelvis up.")
      .def_readonly("region_names", &ps::Model::region_name, "Regions for posture angles, e.g. 'lumbar'.")
      .def_readonly("muscle_names", &ps::Model::muscle_name, "(nmuscle) fascicle names, _r/_l for the side.")
      .def_readonly("muscle_groups", &ps::Model::muscle_group, "(nmuscle) muscle group of each fascicle.")
      .def_readonly("muscle_subdivisions", &ps::Model::muscle_subdivision,
                    "(nmuscle) subdivision of each fascicle within its group (model key subdivision; '' where none).")
      .def_property_readonly("muscle_sides", [](const ps::Model& m) {
        std::vector<std::string> s;
        for (auto side : m.muscle_side) s.emplace_back(ps::side_name(side));
        return s;
      }, "(nmuscle) 'left', 'right' or 'midline'.")
      .def_readonly("muscle_max_force", &ps::Model::muscle_fmax, "(nmuscle) N")
      // Each fascicle's parameters as the model file gives them (after muscle_defaults and the
      // subject's scaling), for a model author to check an edit (audit20b: only F0 was reachable).
      .def_readonly("muscle_pcsa", &ps::Model::muscle_pcsa, "(nmuscle) m², physiological cross-section")
      .def_readonly("muscle_optimal_fiber_length", &ps::Model::muscle_lopt, "(nmuscle) m")
      .def_readonly("muscle_tendon_slack_length", &ps::Model::muscle_lts, "(nmuscle) m")
      .def_readonly("muscle_pennation", &ps::Model::muscle_pennation, "(nmuscle) rad, at optimal fibre length")
      .def_readonly("muscle_type1_fraction", &ps::Model::muscle_type1, "(nmuscle) fraction of type-I fibres")
      .def_readonly("muscle_passive_strain", &ps::Model::muscle_passive_strain,
                    "(nmuscle) fibre strain at which the passive force reaches F0 (De Groote et al. 2016)")
      .def_readonly("muscle_sources", &ps::Model::muscle_source, "(nmuscle) each fascicle's sources, as in the model file")
      .def_readonly("segment_mass", &ps::Model::segment_mass, "(nsegment) kg")
      .def_property_readonly("total_mass", &ps::Model::total_mass, "kg, segments and arms")
      .def_readonly("rhythm", &ps::Model::rhythm, "(ndof, 3 nregion) shares")
      .def_readonly("reference_body_mass", &ps::Model::reference_body_mass, "kg, the subject the model describes")
      .def_readonly("reference_height", &ps::Model::reference_height, "m")
      .def_readonly("reference_sex", &ps::Model::reference_sex, "'male' or 'female'")
      .def_readonly("reference_percentile", &ps::Model::reference_percentile,
                    "the population percentile its height and mass were read at (Subject(percentile=)), 0 = none")
      .def("_subject_summary", [](const ps::Model& m) { return json_to_python(ps::subject_summary(m)); },
           "The subject as results files record it (the CLI's `subject`).")
      .def_readonly("strength_factor", &ps::Model::strength_factor, "the subject's strength factor scaled() applied (1 unscaled)")
      .def_readonly("fatigue_rate_scale", &ps::Model::fatigue_rate_scale, "the subject's factor on every F (1 unscaled)")
      .def_readonly("recovery_rate_scale", &ps::Model::recovery_rate_scale, "the subject's factor on every R (1 unscaled)")
      // Immutable, the pickling record included (set once by load/scaled/unpickling): a record
      // rewritten afterwards would pickle a different model from the object. Every attribute is
      // refused, as before the class had a __dict__ (its items can still be written through
      // m.__dict__[...], which nobody does by accident).
      .def("__setattr__", [](const py::object&, const std::string& name, const py::object&) {
        throw py::attribute_error("paraspine.Model is immutable: cannot set '" + name + "' (use scaled() for a changed copy)");
      })
      .def("__delattr__", [](const py::object&, const std::string& name) {
        throw py::attribute_error("paraspine.Model is immutable: cannot delete '" + name + "'");
      })

      // Immutable: a copy is the model itself (copy.deepcopy of Results holding it used to fail).
      .def("__copy__", [](py::object self) { return self; })
      .def("__deepcopy__", [](py::object self, py::object) { return self; }, py::arg("memo"))
      .def("__repr__", [](const ps::Model& m) {
        return "<paraspine.Model '" + m.name + "': " + std::to_string(m.nsegment) + " segments, " +
               std::to_string(m.nmuscle) + " muscles>";
      });

  // OpenSim's MuscleAnalysis for paraspine: path geometry only, at given level angles, with no
  // load sharing and no range check (a model author sweeps past the ranges), e.g. over a run's
  // joint_angles (audit22b #3: there was no way to get moment arms over a run).
  mod.def(
      "muscle_geometry",
      [](const py::object& model, const py::array_t<double, py::array::c_style | py::array::forcecast>& q,
         const std::optional<std::vector<int>>& dofs, bool points) {
        const ModelArg arg(model);
        const ps::Model& m = *arg;
        if (q.ndim() < 1 || q.ndim() > 2 || q.shape(q.ndim() - 1) != m.ndof)
          throw std::invalid_argument("q must be (ndof,) or (T, ndof) with ndof = " + std::to_string(m.ndof) +
                                      " level angles in rad (Results.joint_angles.reshape(T, -1)), got shape " +
                                      [&] { std::string s = "("; for (py::ssize_t k = 0; k < q.ndim(); ++k) s += (k ? ", " : "") + std::to_string(q.shape(k)); return s + ")"; }());
        std::vector<int> rows;
        if (dofs) {
          for (int k : *dofs) {
            if (k < 0 || k >= m.ndof) throw std::invalid_argument("dofs: " + std::to_string(k) + " is not a dof of this model (0 … " + std::to_string(m.ndof - 1) + ")");
            rows.push_back(k);
          }
        } else {
          for (int k = 0; k < m.ndof; ++k) rows.push_back(k);
        }
        const py::ssize_t T = q.ndim() == 2 ? q.shape(0) : 1;
        const py::ssize_t M = m.nmuscle, K = static_cast<py::ssize_t>(rows.size());
        py::array_t<double> length({T, M}), fiber({T, M}), arm({T, K, M});
        // points=True: where everything is, world frame (x anterior, y up, z right; the pelvis at the
        // origin, upright) — for one's own pictures and for checking a model's paths (audit22b: joint
        // frames and path points were not exposed).
        const py::ssize_t P = m.muscle_point_begin.back(), S = m.nsegment, J = m.njoint;
        py::array_t<double> pts(points ? std::vector<py::ssize_t>{T, P, 3} : std::vector<py::ssize_t>{0, 0, 3});
        py::array_t<double> seg_o(points ? std::vector<py::ssize_t>{T, S, 3} : std::vector<py::ssize_t>{0, 0, 3});
        py::array_t<double> seg_r(points ? std::vector<py::ssize_t>{T, S, 3, 3} : std::vector<py::ssize_t>{0, 0, 3, 3});
        py::array_t<double> jc(points ? std::vector<py::ssize_t>{T, J, 3} : std::vector<py::ssize_t>{0, 0, 3});
        py::array_t<double> jf(points ? std::vector<py::ssize_t>{T, J, 3, 3} : std::vector<py::ssize_t>{0, 0, 3, 3});
        py::array_t<double> df(points ? std::vector<py::ssize_t>{T, J, 3, 3} : std::vector<py::ssize_t>{0, 0, 3, 3});
        {
          double* pp = points ? pts.mutable_data() : nullptr;
          double* sop = points ? seg_o.mutable_data() : nullptr;
          double* srp = points ? seg_r.mutable_data() : nullptr;
          double* jcp = points ? jc.mutable_data() : nullptr;
          double* jfp = points ? jf.mutable_data() : nullptr;
          double* dfp = points ? df.mutable_data() : nullptr;
          const double* qp = q.data();
          for (py::ssize_t t = 0; t < T * m.ndof; ++t)
            if (!std::isfinite(qp[t])) throw std::invalid_argument("q holds a value that is not a finite number");
          double* lp = length.mutable_data();
          double* fp = fiber.mutable_data();
          double* ap = arm.mutable_data();
          py::gil_scoped_release release;
          ps::Data d(m);
          ps::set_static_posture(m, ps::neutral_posture(m), d);
          for (py::ssize_t t = 0; t < T; ++t) {
            d.q = Eigen::Map<const Eigen::VectorXd>(qp + t * m.ndof, m.ndof);
            ps::forward_kinematics(m, d);
            ps::muscle_geometry(m, d);
            for (py::ssize_t i = 0; i < M; ++i) lp[t * M + i] = d.muscle_length[i], fp[t * M + i] = d.fiber_length[i];
            for (py::ssize_t k = 0; k < K; ++k)
              for (py::ssize_t i = 0; i < M; ++i) ap[(t * K + k) * M + i] = d.moment_arm(rows[k], i);
            if (!points) continue;
            for (py::ssize_t p = 0; p < P; ++p)
              for (int c = 0; c < 3; ++c) pp[(t * P + p) * 3 + c] = d.point_world(c, p);
            for (py::ssize_t s = 0; s < S; ++s)
              for (int a = 0; a < 3; ++a) {
                sop[(t * S + s) * 3 + a] = d.segment_origin(a, s);
                for (int b = 0; b < 3; ++b) srp[((t * S + s) * 3 + a) * 3 + b] = d.segment_rotation[s](a, b);
              }
            for (py::ssize_t j = 0; j < J; ++j) {
              // The disc frame compression and shear are read in (reactions.h): the joint frame turned
              // by half the joint's rotation, and in the neck by the disc's tilt (audit24p #1: the
              // joint frame was documented as the disc frame; shear recomputed with it was 21 % off).
              const ps::Mat3 disc = ps::disc_frame(m, d, static_cast<int>(j));
              for (int a = 0; a < 3; ++a) {
                jcp[(t * J + j) * 3 + a] = d.joint_center(a, j);
                for (int b = 0; b < 3; ++b) {
                  jfp[((t * J + j) * 3 + a) * 3 + b] = d.joint_frame[j](a, b);
                  dfp[((t * J + j) * 3 + a) * 3 + b] = disc(a, b);
                }
              }
            }
          }
        }
        py::dict r;
        if (q.ndim() == 1) {
          r["muscle_length"] = length.attr("reshape")(M);
          r["fiber_length"] = fiber.attr("reshape")(M);
          r["moment_arm"] = arm.attr("reshape")(K, M);
        } else {
          r["muscle_length"] = length;
          r["fiber_length"] = fiber;
          r["moment_arm"] = arm;
        }
        r["dofs"] = rows;
        if (points) {
          // One array per fascicle, its points origin → insertion: (n_i, 3), or (T, n_i, 3).
          py::list paths;
          py::object all = q.ndim() == 1 ? pts.attr("reshape")(P, 3) : py::object(pts);
          for (py::ssize_t i = 0; i < M; ++i) {
            py::slice rows_i(m.muscle_point_begin[i], m.muscle_point_begin[i + 1], 1);
            paths.append(q.ndim() == 1 ? all[rows_i] : all[py::make_tuple(py::slice(0, T, 1), rows_i)]);
          }
          r["path_points"] = paths;
          r["segment_origin"] = q.ndim() == 1 ? seg_o.attr("reshape")(S, 3) : py::object(seg_o);
          r["segment_rotation"] = q.ndim() == 1 ? seg_r.attr("reshape")(S, 3, 3) : py::object(seg_r);
          r["joint_center"] = q.ndim() == 1 ? jc.attr("reshape")(J, 3) : py::object(jc);
          r["joint_frame"] = q.ndim() == 1 ? jf.attr("reshape")(J, 3, 3) : py::object(jf);
          r["disc_frame"] = q.ndim() == 1 ? df.attr("reshape")(J, 3, 3) : py::object(df);
        }
        return r;
      },
      py::arg("model"), py::arg("q"), py::arg("dofs") = py::none(), py::arg("points") = false,
      "Muscle path geometry at level angles q (rad; (ndof,) or (T, ndof), dof 3·joint + axis, axis 0 flexion, "
      "1 lateral bending, 2 axial rotation; a run's Results.joint_angles.reshape(T, -1)), without load sharing "
      "and without the range check: muscle_length and fiber_length ((M,) or (T, M), m) and moment_arm "
      "((K, M) or (T, K, M), m, −∂length/∂q) for the dofs asked (default all; `dofs` echoes them). The "
      "counterpart of OpenSim's MuscleAnalysis; (T, ndof, M) float64 is T × 0.4 MB on full_spine, so pick dofs "
      "for long runs. points=True adds where everything is, world frame (m; x anterior, y up, z right, the pelvis "
      "upright at the origin): path_points (one (n_i, 3) or (T, n_i, 3) array per fascicle, origin to insertion), "
      "segment_origin and joint_center ((S|J, 3)), segment_rotation, joint_frame and disc_frame ((S|J, 3, 3), columns "
      "anterior, superior, right): segment_rotation the body's axes, joint_frame the joint's frame on the body below "
      "(it does not turn with the joint's own rotation), disc_frame the frame compression and shear are read in "
      "(joint_frame turned by half the joint's rotation, and at the neck levels by the disc's tilt; docs/mechanics.md), "
      "with a leading T for (T, ndof) q.");

  mod.def(
      "static_frame",
      [](const py::object& model, const std::map<std::string, double>& angles_deg, double load_kg,
         const std::string& criterion, bool abdominal_pressure) {
        const ModelArg arg(model);
        const ps::Model& m = *arg;
        // The scenario format's rule: 0-60 kg per hand (no person holds more in one hand).
        if (!(load_kg >= 0 && load_kg <= 60)) throw std::invalid_argument("load_kg must be between 0 and 60 kg per hand, got " + std::to_string(load_kg));
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
        // Whether the solve converged, and its steps (audit26b M4: a non-converged still frame was silent).
        r["solver_status"] = std::string(ps::qp_status_name(d.loadsharing_info.status));
        r["solver_iterations"] = d.loadsharing_info.qp_iterations;
        return r;
      },
      py::arg("model"), py::arg("angles_deg") = std::map<std::string, double>{},
      py::arg("load_kg") = 0.0, py::arg("criterion") = "activation2", py::arg("abdominal_pressure") = true,
      "Evaluate one still posture of `model` (a Model, or a bundled name or path): angles as {'REGION.AXIS': degrees} (regions from the model, or "
      "'pelvis') and/or {'JOINT.AXIS': degrees} (a level's own angle, added to its rhythm share, as a scenario's joints_deg), load_kg held in each hanging hand. Returns a dict of numpy arrays: q (ndof, rad), "
      "tau (ndof, N·m), joint_force / joint_moment (njoint, 3) in the joint frame of the segment below (x anterior, y superior, z "
      "right; not the disc frame of disc_force, which is turned by half the joint's rotation and, in the neck, by its disc plane's tilt, docs/mechanics.md), joint_center "
      "(njoint, 3) m, segment_origin (nsegment, 3) m, muscle_length and fiber_length (nmuscle, m), "
      "moment_arm (ndof, nmuscle, m); after load sharing (criterion activation2, activation3, "
      "stress2 or minmax): activation and muscle_force (nmuscle, N), disc_force (njoint, 3): "
      "compression, anterior shear, lateral shear (N), reserve and passive_moment (ndof, N·m), "
      "abdominal_pressure (Pa; the model's intra-abdominal pressure, 0 when it has none or "
      "abdominal_pressure=False) and abdominal_pressure_moment (ndof, N·m), equilibrium_residual (N·m), "
      "solver_status ('solved', 'max_iterations' or 'numerical_error') and solver_iterations (the QP's steps).");

  mod.def(
      "max_exertion",
      [](const py::object& model, const std::map<std::string, double>& angles_deg, const std::string& pad_segment,
         const std::string& pivot_joint, const py::object& pad_point_in, const std::string& direction,
         const std::string& criterion) {
        const ModelArg arg(model);
        const ps::Model& m = *arg;
        // Any sequence of three numbers; a wrong length or a non-number said only "incompatible
        // function arguments" with the whole signature.
        std::optional<Eigen::Vector3d> pad_point;
        if (!pad_point_in.is_none()) {
          py::array_t<double> a;
          try {
            a = py::module_::import("numpy").attr("asarray")(pad_point_in, py::arg("dtype") = "float64");
          } catch (py::error_already_set&) {
            throw py::type_error("pad_point must be 3 numbers (x, y, z in the pad segment's frame, m), not " +
                                 py::repr(pad_point_in).cast<std::string>());
          }
          if (a.ndim() != 1 || a.shape(0) != 3)
            throw std::invalid_argument("pad_point must be 3 numbers (x, y, z in the pad segment's frame, m), not " +
                                        py::repr(pad_point_in).cast<std::string>());
          pad_point = Eigen::Vector3d(a.at(0), a.at(1), a.at(2));
        }
        ps::LoadSharingSettings settings;
        settings.criterion = ps::parse_criterion(criterion);
        const int seg = m.segment_index(pad_segment), pivot = m.joint_index(pivot_joint);
        auto join = [](const std::vector<std::string>& names) {
          std::string out;
          for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
          return out;
        };
        if (seg < 0) throw std::invalid_argument("unknown pad_segment '" + pad_segment + "' (" + m.name + " has " + join(m.segment_name) + ")");
        if (pivot < 0) throw std::invalid_argument("unknown pivot_joint '" + pivot_joint + "' (" + m.name + " has " + join(m.joint_name) + ")");
        ps::check_pad_pivot(m, seg, pivot);  // a pad below the pivot gave 579 N / 0.48 N·m instead of an error
        if (direction != "square" && direction != "horizontal")
          throw std::invalid_argument("direction must be 'square' or 'horizontal', got '" + direction + "'");
        if (pad_point && !pad_point->allFinite()) throw std::invalid_argument("pad_point must be finite");
        ps::Data d(m);
        ps::PadExertion pad;
        ps::PadExertionResult r;
        double bound = 0;
        const int k = m.dof(pivot, ps::kFlexion);
        {
          py::gil_scoped_release release;
          ps::set_static_posture(m, posture_from_dict(m, angles_deg), d);
          ps::evaluate_frame(m, d);
          bound = ps::max_muscle_moment(m, d, k, -1);
          pad.segment = seg;
          if (pad_point) pad.point_local = *pad_point;
          pad.direction = direction == "square" ? ps::pad_direction_square_to(m, d, pad, pivot) : ps::Vec3(1, 0, 0);
          r = ps::max_pad_exertion(m, settings, pad, d);
          ps::reactions(m, d);
        }
        py::dict out;
        out["force_N"] = r.force_N;
        out["direction"] = pad.direction;
        out["point"] = ps::pad_point(d, pad);
        out["extension_moment_Nm"] = -d.tau[k];
        out["upper_bound_Nm"] = bound;
        out["limiting_joint"] = r.limiting_dof >= 0 ? py::object(py::str(m.joint_name[r.limiting_dof / 3])) : py::object(py::none());
        out["limiting_axis"] = r.limiting_dof >= 0 ? py::object(py::str(ps::kAxisNames[r.limiting_dof % 3])) : py::object(py::none());
        out["activation"] = d.activation;
        out["muscle_force"] = d.muscle_force;
        out["disc_force"] = Eigen::MatrixXd(d.disc_force.transpose());
        out["equilibrium_residual"] = d.loadsharing_info.equilibrium_residual;
        return out;
      },
      py::arg("model"), py::arg("angles_deg") = std::map<std::string, double>{}, py::arg("pad_segment") = "T8",
      py::arg("pivot_joint") = "L5-S1", py::arg("pad_point") = py::none(), py::arg("direction") = "square",
      py::arg("criterion") = "activation2",
      "Maximal voluntary exertion against a pad (`model`: a Model, or a bundled name or path), as a strength "
      "dynamometer measures it: the largest "
      "force on `pad_segment` (at its origin, or at `pad_point` in its frame, m) that the whole model "
      "holds with its muscles alone — every joint in equilibrium, no reserve — in the still posture "
      "`angles_deg` ({'REGION.AXIS': degrees}, or 'JOINT.AXIS' for one level). direction 'square': forward, perpendicular to the line "
      "from `pivot_joint` to the pad; 'horizontal': along +x. Returns force_N, direction, point (world, "
      "m), extension_moment_Nm (the net extension moment at the pivot: pad plus gravity), "
      "upper_bound_Nm (every muscle extending the pivot fully active, nothing else balanced), "
      "limiting_joint / limiting_axis (the rotation that gives out first), and the frame at that force: "
      "activation, muscle_force (N), disc_force (njoint, 3: compression, anterior and lateral shear, N), "
      "equilibrium_residual (N·m). docs/sources/pad_strength.md.");

  bind_simulate(mod);
  bind_picture(mod);
}
