#include "sim/validate/validate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/common/yaml_reader.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/model/data.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/scenario/scenario.h"
#include "sim/simulate/extension_hold.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/run.h"

namespace paraspine {

namespace fs = std::filesystem;

ValidationSuite load_validation_suite(const std::string& path) {
  ValidationSuite s;
  s.file = path;
  s.dir = fs::path(path).parent_path().string();
  YamlReader r{path, ""};
  const std::string text = read_input_file(path, "validation cases");
  const YAML::Node root = load_yaml_mapping(text, path, "validation cases");
  r.allow_keys(root, "", {"paraspine_validation", "description", "pressure_conversion",
                          "erector_silence", "cases"});
  if (r.num(r.require(root, "paraspine_validation", ""), "paraspine_validation") != 1)
    r.fail(root["paraspine_validation"], "paraspine_validation", "unsupported version (expected 1)");

  const YAML::Node pc = r.require(root, "pressure_conversion", "");
  if (pc["disc_area_cm2"].IsDefined())
    r.fail(pc["disc_area_cm2"], "pressure_conversion.disc_area_cm2",
           "the disc area comes from the model (the joint's disc: area_cm2, scaled to the scenario's subject)");
  if (pc["correction_factor"].IsDefined())
    r.fail(pc["correction_factor"], "pressure_conversion.correction_factor",
           "the correction factor comes from the model (disc_pressure: correction_factor)");
  r.allow_keys(pc, "pressure_conversion", {"joint", "source"});
  s.pressure.joint = r.str(r.require(pc, "joint", "pressure_conversion"), "pressure_conversion.joint");
  s.pressure.source = r.str(r.require(pc, "source", "pressure_conversion"), "pressure_conversion.source");

  if (root["erector_silence"].IsDefined()) {
    const YAML::Node es = root["erector_silence"];
    r.allow_keys(es, "erector_silence", {"fraction_of_peak", "source"});
    s.silence_fraction = r.positive(r.require(es, "fraction_of_peak", "erector_silence"),
                                    "erector_silence.fraction_of_peak");
    if (s.silence_fraction >= 1) r.fail(es["fraction_of_peak"], "erector_silence.fraction_of_peak", "must be below 1");
    s.silence_source = r.str(r.require(es, "source", "erector_silence"), "erector_silence.source");
  }

  const YAML::Node cases = r.require(root, "cases", "");
  if (!cases.IsSequence() || cases.size() == 0) r.fail(cases, "cases", "expected a non-empty list");
  for (size_t i = 0; i < cases.size(); ++i) {
    const YAML::Node n = cases[i];
    const std::string f = "cases[" + std::to_string(i) + "]";
    r.allow_keys(n, f, {"name", "dataset", "quantity", "unit", "measured", "bound", "tolerance_pct",
                        "tolerance_reason", "source", "predict", "known_failure", "not_modelled"});
    ValidationCase c;
    c.line = n.Mark().line + 1;
    c.name = r.str(r.require(n, "name", f), f + ".name");
    for (const auto& other : s.cases)
      if (other.name == c.name) r.fail(n["name"], f + ".name", "duplicate case name '" + c.name + "'");
    c.dataset = r.str(r.require(n, "dataset", f), f + ".dataset");
    c.quantity = r.str(r.require(n, "quantity", f), f + ".quantity");
    c.unit = r.str(r.require(n, "unit", f), f + ".unit");
    c.measured = r.num(r.require(n, "measured", f), f + ".measured");
    if (c.measured == 0) r.fail(n["measured"], f + ".measured", "must not be 0 (errors are relative)");
    c.source = r.str(r.require(n, "source", f), f + ".source");
    if (n["bound"].IsDefined()) {
      c.bound = r.str(n["bound"], f + ".bound");
      if (c.bound != "upper" && c.bound != "lower")
        r.fail(n["bound"], f + ".bound", "expected upper or lower (measured is then the published bound)");
    }
    if (n["not_modelled"].IsDefined()) {
      c.not_modelled = r.str(n["not_modelled"], f + ".not_modelled");
      s.cases.push_back(c);
      continue;
    }
    if (c.bound.empty()) {
      c.tolerance_pct = r.positive(r.require(n, "tolerance_pct", f), f + ".tolerance_pct");
    } else {  // a bound may be held exactly: 0 allowed
      const YAML::Node t = r.require(n, "tolerance_pct", f);
      c.tolerance_pct = r.num(t, f + ".tolerance_pct");
      if (!(c.tolerance_pct >= 0)) r.fail(t, f + ".tolerance_pct", "must be 0 or more");
    }
    c.tolerance_reason = r.str(r.require(n, "tolerance_reason", f), f + ".tolerance_reason");
    if (n["known_failure"].IsDefined()) c.known_failure = r.str(n["known_failure"], f + ".known_failure");

    const YAML::Node p = r.require(n, "predict", f);
    const std::string pf = f + ".predict";
    r.allow_keys(p, pf, {"metric", "scenario", "divide_by", "joint", "statistic", "fraction", "pad", "model"});
    c.predict.metric = r.str(r.require(p, "metric", pf), pf + ".metric");
    static const char* metrics[] = {"compression", "shear_ap", "pressure", "erector_silence_lumbar_flexion", "endurance",
                                    "extension_hold_endurance"};
    if (std::find_if(std::begin(metrics), std::end(metrics), [&](const char* m) { return c.predict.metric == m; }) == std::end(metrics))
      r.fail(p["metric"], pf + ".metric", "unknown metric '" + c.predict.metric +
             "' (compression, shear_ap, pressure, erector_silence_lumbar_flexion, endurance, extension_hold_endurance)");
    if (c.predict.metric == "extension_hold_endurance") {
      // The hold's posture and load are the protocol's (sim/simulate/extension_hold.h), not a scenario's.
      for (const char* k : {"scenario", "divide_by", "joint", "statistic"})
        if (p[k].IsDefined())
          r.fail(p[k], pf + "." + k, std::string("extension_hold_endurance takes no ") + k +
                 ": the hold is the protocol's (standing neutral, a forward pad force; fraction, pad and model are its fields)");
      const YAML::Node fr = r.require(p, "fraction", pf);
      c.predict.fraction = r.num(fr, pf + ".fraction");
      if (!(c.predict.fraction > 0 && c.predict.fraction <= 1))
        r.fail(fr, pf + ".fraction", "expected the share of maximal effort held, 0 < fraction <= 1 (0.4 for 40 %), got " +
               fr.as<std::string>());
      c.predict.pad_line = c.line;
      c.predict.pad_field = pf + ".pad";
      if (p["pad"].IsDefined()) {
        c.predict.pad = r.str(p["pad"], pf + ".pad");
        c.predict.pad_line = r.line(p["pad"]);
      }
      // A bundled model's name, or a model file relative to the cases file's folder.
      const std::string model = p["model"].IsDefined() ? r.str(p["model"], pf + ".model") : "full_spine";
      const std::string where = model.find('/') == std::string::npos ? model : (fs::path(s.dir) / model).string();
      c.predict.model = resolve_model_name(where, path, p["model"].IsDefined() ? r.line(p["model"]) : c.line, pf + ".model");
      s.cases.push_back(c);
      continue;
    }
    for (const char* k : {"fraction", "pad", "model"})
      if (p[k].IsDefined())
        r.fail(p[k], pf + "." + k, std::string(k) + " belongs to metric extension_hold_endurance only");
    auto scenario_path = [&](const YAML::Node& v, const std::string& field) {
      const std::string rel = r.str(v, field);
      const fs::path full = fs::path(s.dir) / rel;
      if (!fs::exists(full)) r.fail(v, field, "scenario file '" + full.string() + "' does not exist");
      return full.string();
    };
    c.predict.scenario = scenario_path(r.require(p, "scenario", pf), pf + ".scenario");
    if (p["divide_by"].IsDefined()) c.predict.divide_by = scenario_path(p["divide_by"], pf + ".divide_by");
    if (p["joint"].IsDefined()) c.predict.joint = r.str(p["joint"], pf + ".joint");
    if (c.predict.metric == "pressure") {
      if (p["joint"].IsDefined() && c.predict.joint != s.pressure.joint)
        r.fail(p["joint"], pf + ".joint", "pressure is converted at pressure_conversion.joint (" + s.pressure.joint + ")");
      c.predict.joint = s.pressure.joint;
    }
    if (p["statistic"].IsDefined()) {
      c.predict.statistic = r.str(p["statistic"], pf + ".statistic");
      if (c.predict.statistic != "mean" && c.predict.statistic != "peak")
        r.fail(p["statistic"], pf + ".statistic", "expected mean or peak");
    }
    if (c.predict.metric == "shear_ap" && c.predict.statistic != "peak")
      r.fail(p, pf + ".statistic", "shear_ap is reported as a peak only: give statistic: peak");
    s.cases.push_back(c);
  }
  return s;
}

namespace {

// What one scenario run gives the metrics: its summary, and for forward-flexion runs the lumbar
// flexion at which the erectors fall silent.
struct ScenarioOutcome {
  nlohmann::json summary;
  std::optional<double> silence_deg;  // set only when asked for
  double peak_erector_force = 0;      // N, for the detail line
  double end_erector_force = 0;       // N, at the end of the motion
  double end_lumbar_flexion = 0;      // deg, at the end of the motion
  double disc_area = 0;               // m², the scaled model's disc at the pressure joint (0: none)
  double disc_factor = 0;             // the model's compression → pressure correction factor (0: none)
};

Model model_for(const Scenario& sc) {
  return scale_model(load_model(sc.model), sc.subject.value_or(Subject{}));
}

// Forward flexion sampled frame by frame with the frame steps of run_scenario (sim/simulate/run.cpp:
// kinematics → dynamics → muscles → load sharing) while recording what the summary does not: the
// erector spinae's active force against lumbar flexion. Fatigue is left out: the motion lasts
// seconds and fatigue would only blur when the muscles fall silent.
void erector_silence(const ValidationSuite& suite, const Scenario& sc, ScenarioOutcome& out) {
  const Model m = model_for(sc);
  const BoundScenario b = bind_scenario(sc, m);
  Data d(m);
  LoadSharingSettings ls;
  ls = scenario_load_sharing(sc);

  // The lumbar region's joints: those the rhythm moves for lumbar flexion.
  const int lumbar = m.region_index("lumbar");
  if (lumbar < 0) throw std::invalid_argument(sc.file + ": the model has no lumbar region");
  std::vector<int> lumbar_flexion_dofs;
  for (int j = 0; j < m.njoint; ++j)
    if (std::abs(m.rhythm(3 * j, 3 * lumbar)) > 0) lumbar_flexion_dofs.push_back(3 * j);
  int ref_joint = -1;
  for (int j = 0; j < m.njoint; ++j)
    if (m.joint_name[j] == suite.pressure.joint) ref_joint = j;
  if (ref_joint < 0) throw std::invalid_argument(sc.file + ": the model has no joint " + suite.pressure.joint);

  // One cycle on the output grid plus, when the rate does not divide it, a frame at its exact end
  // (the rule of FrameClock, which run_scenario uses), so the last keyframe is always sampled.
  const double dt = 1.0 / sc.output_rate_hz, duration = b.times.back(), grid = duration / dt;
  const double tol = 1e-9 * std::max(1.0, grid);
  long frames = static_cast<long>(std::floor(grid + tol)) + 1;
  const bool end_frame = grid - static_cast<double>(frames - 1) > tol;
  if (end_frame) ++frames;
  std::vector<double> angle(frames), force(frames);
  for (long f = 0; f < frames; ++f) {
    const double t = end_frame && f == frames - 1 ? duration : static_cast<double>(f) * dt;
    b.timeline.sample(t, d);
    clear_loads(m, d);
    size_t seg = 0;
    while (seg + 1 < b.times.size() && b.times[seg + 1] <= t) ++seg;
    seg = std::min(seg, b.hand_load.size() - 1);
    for (size_t h = 0; h < d.hands.size() && h < 2; ++h) {
      Data::Hand& hand = d.hands[h];
      hand.load_mass = b.hand_load[seg][h];
      hand.hanging = b.hand_hanging[seg][h];
      for (int c = 0; c < 3; ++c) {
        double y, yd, ydd;
        b.hand_position[h][c].evaluate(t, y, yd, ydd);
        hand.position[c] = y;
        hand.acceleration[c] = ydd;
      }
    }
    evaluate_frame(m, d);
    load_sharing(m, ls, d);
    double a = 0;
    for (int dof : lumbar_flexion_dofs) a += d.q[dof];
    angle[f] = rad2deg(a);
    // Erector spinae crossing the reference joint (moment arm about its flexion axis > 1 mm).
    double F = 0;
    for (int i = 0; i < m.nmuscle; ++i)
      if ((m.muscle_group[i] == "iliocostalis" || m.muscle_group[i] == "longissimus") &&
          std::abs(d.moment_arm(3 * ref_joint, i)) > 1e-3)
        F += d.activation[i] * d.force_active_max[i];
    force[f] = F;
  }
  const double peak = *std::max_element(force.begin(), force.end());
  out.peak_erector_force = peak;
  out.end_erector_force = force.back();
  out.end_lumbar_flexion = angle.back();
  // Silent from the first frame after which the force stays below the threshold to the end.
  long first_silent = -1;
  for (long f = frames - 1; f >= 0 && force[f] < suite.silence_fraction * peak; --f) first_silent = f;
  if (first_silent > 0 && peak > 0) out.silence_deg = angle[first_silent];
}

std::string fmt_detail(const std::string& before, double v, const std::string& after) {
  return before + fmt::format("{:.0f}", v) + after;
}

double statistic_of(const nlohmann::json& summary, const std::string& joint, const std::string& key) {
  if (!summary["joints"].contains(joint)) throw std::invalid_argument("the model has no joint " + joint);
  return summary["joints"][joint][key].get<double>();
}

}  // namespace

std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 3 || y.size() != n) return std::nullopt;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < idx.size();) {
      size_t j = i;
      while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
      for (size_t k = i; k <= j; ++k) r[idx[k]] = 0.5 * (i + j);  // ties share the mean rank
      i = j + 1;
    }
    return r;
  };
  if (x.size() < 3 || y.size() != x.size()) return std::nullopt;
  return pearson(ranks(x), ranks(y));
}

ValidationReport run_validation(const ValidationSuite& suite, const std::string& only,
                                const std::function<void(const std::string&)>& progress) {
  std::vector<const ValidationCase*> selected;
  for (const auto& c : suite.cases)
    if (only.empty() || c.name == only) selected.push_back(&c);
  if (selected.empty()) {
    std::string names;
    for (const auto& c : suite.cases) names += (names.empty() ? "" : ", ") + c.name;
    throw std::invalid_argument("no validation case named '" + only + "' (cases: " + names + ")");
  }

  // Each scenario runs once, however many cases use it.
  std::map<std::string, ScenarioOutcome> runs;
  auto outcome = [&](const std::string& path, bool silence) -> const ScenarioOutcome& {
    const std::string key = path + (silence ? "#silence" : "");
    auto it = runs.find(key);
    if (it != runs.end()) return it->second;
    if (progress) progress(fs::path(path).filename().string());
    Scenario sc = load_scenario(path);
    if (!suite.model_override.empty()) sc.model = suite.model_override;
    ScenarioOutcome o;
    if (silence) {
      erector_silence(suite, sc, o);
    } else {
      const Model m = model_for(sc);
      o.disc_area = m.disc_area(m.joint_index(suite.pressure.joint));
      o.disc_factor = m.disc_pressure_factor;
      RunOptions opt;
      opt.loadsharing = scenario_load_sharing(sc);
      o.summary = run_scenario(m, sc, opt, nullptr);
    }
    return runs.emplace(key, std::move(o)).first->second;
  };
  // Extension holds: the model and its maximal effort at the pad, found once per model and pad.
  struct HoldBody {
    std::string model;  // the file, the case's own or --model's
    Model m;
    int pad = -1;
    PadExertionResult max;
  };
  std::map<std::string, HoldBody> hold_bodies;
  const LoadSharingSettings hold_settings{};  // the default load sharing, as the C++ test's
  // Errors of a hold on the --model model say so: the cases file's line is the hold's, the model is not its own.
  const std::string model_note = suite.model_override.empty() ? "" : " (model " + suite.model_override + ", from --model)";
  auto hold_body = [&](const ValidationCase& c) -> const HoldBody& {
    const ValidationPrediction& p = c.predict;
    const std::string& model = suite.model_override.empty() ? p.model : suite.model_override;
    const std::string key = model + "#" + p.pad;
    auto it = hold_bodies.find(key);
    if (it != hold_bodies.end()) return it->second;
    if (progress) progress("maximal trunk extension, pad at " + p.pad);
    HoldBody b{model, load_model(model), -1, PadExertionResult{}};
    b.pad = b.m.segment_index(p.pad);
    if (b.pad < 0) {
      std::string names;
      for (const auto& n : b.m.segment_name) names += (names.empty() ? "" : ", ") + n;
      throw InputError(suite.file, p.pad_line, p.pad_field, "no segment '" + p.pad + "' in model " + model + model_note + " (" + names + ")");
    }
    try {
      b.max = extension_hold_max_force(b.m, hold_settings, b.pad);
    } catch (const std::invalid_argument& e) {  // a pad that no muscle resists, a posture that needs reserves
      throw InputError(suite.file, p.pad_line, p.pad_field, e.what() + model_note);
    }
    return hold_bodies.emplace(key, std::move(b)).first->second;
  };
  auto axis_label = [](const Model& m, int dof) {
    static const char* axes[] = {"flexion", "lateral bending", "axial rotation"};
    return dof < 0 ? std::string("-") : m.joint_name[dof / 3] + " " + axes[dof % 3];
  };

  // One scenario's value of the case's metric; NaN when the model does not produce it (a task
  // that never fails, erectors that never fall silent).
  auto value = [&](const ValidationCase& c, const std::string& path, std::string& detail, double& area,
                   double& factor) -> double {
    const auto& p = c.predict;
    if (p.metric == "extension_hold_endurance") {
      const HoldBody& b = hold_body(c);
      const double force = p.fraction * b.max.force_N;
      if (progress) progress(fmt::format("trunk extension hold at {:g} % of maximal effort", 100 * p.fraction));
      const ExtensionHoldResult h = extension_hold_endurance(b.m, hold_settings, b.pad, force);
      detail += fmt::format("{}, standing neutral, pelvis braced, pad pushing forward at {}'s origin: maximal effort {:.0f} N "
                            "(fresh, no reserves; first short: {}); held {:g} % of it, {:.0f} N, in 1-s steps; ",
                            fs::path(b.model).stem().string(), p.pad, b.max.force_N, axis_label(b.m, b.max.limiting_dof),
                            100 * p.fraction, force);
      if (!h.failed) {
        detail += fmt::format("no task failure within {:.0f} s; ", h.endurance_s);
        return std::nan("");
      }
      const TaskFailure& f = h.failure;
      detail += fmt::format("task failure at {} (deficit {:.2f} of {:.1f} N·m), first {}; ", axis_label(b.m, f.dof), f.deficit,
                            f.mvc, f.muscle >= 0 ? b.m.muscle_name[f.muscle] : "-");
      return h.endurance_s;
    }
    const std::string stat = p.statistic == "peak" ? "peak" : "mean";
    if (p.metric == "erector_silence_lumbar_flexion") {
      const ScenarioOutcome& o = outcome(path, true);
      detail += fmt::format("erector spinae active force: peak {:.0f} N, {:.0f} N ({:.0f} % of peak) at the end "
                            "(lumbar flexion {:.1f}°); silence = below {:.0f} % of peak; ",
                            o.peak_erector_force, o.end_erector_force,
                            o.peak_erector_force > 0 ? 100 * o.end_erector_force / o.peak_erector_force : 0.0,
                            o.end_lumbar_flexion, 100 * suite.silence_fraction);
      return o.silence_deg ? *o.silence_deg : std::nan("");
    }
    const ScenarioOutcome& o = outcome(path, false);
    // Reserves carry moment without compressing the spine: say when a run needed them.
    const double reserve = o.summary["reserves"]["peak_moment_Nm"].get<double>();
    if (reserve > 1e-3) detail += fmt::format("reserves up to {:.1f} N·m ({}); ", reserve, o.summary["scenario"].get<std::string>());
    if (p.metric == "endurance") {
      detail += "endurance over " + fmt_detail("", o.summary["duration_s"].get<double>(), " s run; ");
      return o.summary["endurance_s"].is_null() ? std::nan("") : o.summary["endurance_s"].get<double>();
    }
    if (p.metric == "shear_ap") {
      const double s = statistic_of(o.summary, p.joint, "peak_shear_ap_N");
      detail += fmt_detail(p.joint + " peak AP shear ", s, " N; ");
      return s;
    }
    const double F = statistic_of(o.summary, p.joint, stat + "_compression_N");
    detail += fmt_detail(p.joint + " " + stat + " compression ", F, " N; ");
    if (p.metric == "compression") return F;
    if (!(o.disc_area > 0) || !(o.disc_factor > 0))
      throw std::invalid_argument(path + ": the model gives no disc area at " + p.joint + " (joint disc: area_cm2) or no " +
                                  "correction factor (disc_pressure:), so compression cannot be converted to pressure");
    detail += fmt::format("k = {:g}, disc area {:.2f} cm² (model, scaled to the subject); ", o.disc_factor, 1e4 * o.disc_area);
    area = o.disc_area;
    factor = o.disc_factor;
    return 1e-6 * o.disc_factor * F / o.disc_area;  // MPa, Model::disc_pressure of the mean or peak compression
  };

  ValidationReport rep;
  for (const ValidationCase* c : selected) {
    if (!c->not_modelled.empty()) {
      rep.not_modelled.push_back(c);
      continue;
    }
    ValidationResult res;
    res.c = c;
    double divisor_area = 0, divisor_factor = 0;
    // On another model (--model) a case may not apply: a segment the scenario rests or pushes on
    // that the model lumps into another (lumbar has no T12), an input error of that scenario on that
    // model. That case gives no value and says why; the other cases still run (audit20b: one such
    // case ended the whole run with no JSON). Any other exception is a fault and propagates.
    bool not_applicable = false;
    auto does_not_apply = [&](const std::exception& e) {
      if (suite.model_override.empty()) return false;
      not_applicable = true;
      res.predicted = std::nan("");
      res.detail = "not applicable to model " + suite.model_override + ": " + e.what() + "; ";
      return true;
    };
    try {
      res.predicted = value(*c, c->predict.scenario, res.detail, res.disc_area_m2, res.correction_factor);
      if (!c->predict.divide_by.empty())
        res.predicted /= value(*c, c->predict.divide_by, res.detail, divisor_area, divisor_factor);
    } catch (const InputError& e) {
      if (!does_not_apply(e)) throw;
    } catch (const std::invalid_argument& e) {
      if (!does_not_apply(e)) throw;
    }
    if (!res.detail.empty()) res.detail.resize(res.detail.size() - 2);
    res.error_pct = 100 * (res.predicted - c->measured) / std::abs(c->measured);
    if (c->bound == "upper") res.error_pct = std::max(res.error_pct, 0.0);  // NaN stays NaN
    if (c->bound == "lower") res.error_pct = std::min(res.error_pct, 0.0);
    res.pass = std::isfinite(res.predicted) && std::abs(res.error_pct) <= c->tolerance_pct;
    const bool known = !c->known_failure.empty();
    res.status = res.pass ? (known ? "FIXED? (marked known failure)" : "pass") : (known ? "known failure" : "FAIL");
    if (not_applicable) res.status = "not applicable";
    if (!res.pass) ++rep.failures;
    if (res.pass == known) ++rep.unexpected;
    rep.results.push_back(res);
  }

  // Per data set: n, Pearson r and Spearman ρ of predicted vs measured, mean absolute error.
  std::vector<std::string> order;
  for (const auto& res : rep.results)
    if (std::find(order.begin(), order.end(), res.c->dataset) == order.end()) order.push_back(res.c->dataset);
  for (const auto& name : order) {
    ValidationDataset ds;
    ds.name = name;
    std::vector<double> meas, pred;
    double sum = 0;
    for (const auto& res : rep.results)
      if (res.c->dataset == name) {
        ++ds.n;
        ds.passed += res.pass;
        sum += std::isfinite(res.error_pct) ? std::abs(res.error_pct) : 100.0;
        if (std::isfinite(res.predicted) && res.c->bound.empty()) meas.push_back(res.c->measured), pred.push_back(res.predicted);
      }
    ds.mean_abs_error_pct = sum / ds.n;
    ds.pearson_r = pearson(meas, pred);
    ds.spearman_rho = spearman(meas, pred);
    rep.datasets.push_back(ds);
  }
  return rep;
}

nlohmann::json validation_json(const ValidationSuite& suite, const ValidationReport& r) {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  nlohmann::json j;
  j["cases_file"] = suite.file;
  j["model_override"] = suite.model_override.empty() ? nlohmann::json(nullptr) : nlohmann::json(suite.model_override);
  j["pressure_conversion"] = {{"joint", suite.pressure.joint}, {"disc_area", "model"},
                              {"correction_factor", "model"}, {"source", suite.pressure.source}};
  j["cases"] = nlohmann::json::array();
  for (const auto& res : r.results) {
    const ValidationCase& c = *res.c;
    j["cases"].push_back({{"name", c.name}, {"dataset", c.dataset}, {"quantity", c.quantity}, {"unit", c.unit},
                          {"measured", c.measured}, {"bound", c.bound.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.bound)},
                          {"predicted", num(res.predicted)},
                          {"error_pct", num(res.error_pct)}, {"tolerance_pct", c.tolerance_pct},
                          {"pass", res.pass}, {"status", res.status}, {"source", c.source},
                          {"disc_area_cm2", res.disc_area_m2 > 0 ? nlohmann::json(1e4 * res.disc_area_m2) : nlohmann::json(nullptr)},
                          {"correction_factor", res.correction_factor > 0 ? nlohmann::json(res.correction_factor) : nlohmann::json(nullptr)},
                          {"tolerance_reason", c.tolerance_reason}, {"detail", res.detail},
                          {"known_failure", c.known_failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.known_failure)},
                          {"scenarios", c.predict.scenario.empty()     ? nlohmann::json::array()  // extension holds
                                        : c.predict.divide_by.empty() ? nlohmann::json::array({c.predict.scenario})
                                                                      : nlohmann::json::array({c.predict.scenario, c.predict.divide_by})}});
  }
  j["datasets"] = nlohmann::json::array();
  for (const auto& ds : r.datasets)
    j["datasets"].push_back({{"name", ds.name}, {"n", ds.n}, {"pearson_r", opt(ds.pearson_r)},
                             {"spearman_rho", opt(ds.spearman_rho)},
                             {"mean_abs_error_pct", ds.mean_abs_error_pct}, {"passed", ds.passed}});
  j["not_modelled"] = nlohmann::json::array();
  for (const ValidationCase* c : r.not_modelled)
    j["not_modelled"].push_back({{"name", c->name}, {"dataset", c->dataset}, {"quantity", c->quantity},
                                 {"unit", c->unit}, {"measured", c->measured}, {"source", c->source},
                                 {"reason", c->not_modelled}});
  j["failures"] = r.failures;
  j["unexpected"] = r.unexpected;
  return j;
}

}  // namespace paraspine
