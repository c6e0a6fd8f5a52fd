#include "sim/render/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "sim/common/error.h"
#include "sim/render/picture.h"
#include "sim/render/plot.h"
#include "sim/render/results_series.h"

namespace paraspine {
namespace {

constexpr long kPlotPoints = 1500;          // time-series samples per plot

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  o.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    o += t[v >> 18], o += t[(v >> 12) & 63], o += t[(v >> 6) & 63], o += t[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    o += t[v >> 18], o += t[(v >> 12) & 63], o += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    o += t[v >> 18], o += t[(v >> 12) & 63], o += t[(v >> 6) & 63], o += '=';
  }
  return o;
}

// An SVG as an <img>: each picture is its own document, so the glyph and clip ids Cairo writes
// cannot collide between pictures on one page.
std::string svg_img(const std::string& svg, const std::string& alt) {
  return "<img alt=\"" + escape(alt) + "\" src=\"data:image/svg+xml;base64," + base64(svg) + "\">";
}

std::string png_img(const std::string& png, const std::string& alt) {
  return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64," + base64(png) + "\">";
}

// One results file, read for the report.
struct Entry {
  std::unique_ptr<ResultsSeries> results;
  std::unique_ptr<ResultsPicture> picture;
  std::vector<double> t;             // sampled times
  Eigen::MatrixXd compression;       // (samples × joints)
  // Per sample: reserves of at least kNotableReserveNm acted, so its loads are lower bounds (empty
  // when the file has no /joints/reserve_moment).
  std::vector<bool> lower_bound;
  // Per group, both sides: activation as the mean over its fascicles; fatigue as the share of its
  // strength lost, M_F weighted by each fascicle's maximum force (the summary's end_fatigued_fraction).
  std::map<std::string, std::vector<double>> group_activation, group_fatigue;
  double over_limit_fraction = NAN;  // of sampled frames with any level above the action limit
  std::string label;
  std::vector<std::string> omissions;  // what the page leaves out of this file and why (--fields)
};

// The legend of the compression plots' bands (sim/simulate/load_limits.h: the threshold rings use).
const std::string kLowerBoundBand = fmt::format("band: ≥ lower bound (reserves ≥ {:g} N·m)", kNotableReserveNm);

Entry read_entry(const std::string& path) {
  Entry e;
  e.results = std::make_unique<ResultsSeries>(path);
  e.picture = std::make_unique<ResultsPicture>(*e.results);
  const ResultsSeries& r = *e.results;
  e.label = r.scenario.empty() ? std::filesystem::path(path).stem().string() : r.scenario;
  const long stride = std::max(1L, (r.frames() + kPlotPoints - 1) / kPlotPoints);
  const Eigen::MatrixXd time = r.strided("/time", stride);
  e.t.assign(time.data(), time.data() + time.size());
  const StoredFields& has = e.picture->stored();
  if (has.compression) e.compression = r.strided("/joints/compression", stride);
  if (has.reserve) {
    const Eigen::MatrixXd reserve = r.strided("/joints/reserve_moment", stride);  // samples × (joints · 3)
    for (Eigen::Index k = 0; k < reserve.rows(); ++k)
      e.lower_bound.push_back(reserve.cols() > 0 && reserve.row(k).cwiseAbs().maxCoeff() >= kNotableReserveNm);
  }
  const Eigen::MatrixXd act = has.activation ? r.strided("/muscles/activation", stride) : Eigen::MatrixXd();
  const Eigen::MatrixXd fat = has.fatigued ? r.strided("/fatigue/fatigued", stride) : Eigen::MatrixXd();
  if (r.fatigue_mode == "off")
    e.omissions.push_back(path + " was run with fatigue off (--no-fatigue): its fatigue picture and plot show fresh muscles (M_F = 0)");
  for (const std::string& note : e.picture->model_notes()) e.omissions.push_back(note);
  if (!has.compression)
    e.omissions.push_back(not_stored(path, "/joints/compression") +
                          ": no compression plot or time above the action limit; peaks from the run's summary; pictures at the "
                          "highest summed muscle value instead of the peak compression");
  if (!has.activation)
    e.omissions.push_back(not_stored(path, "/muscles/activation") + ": no activation plot; mean activation from the run's summary" +
                          (has.any_muscle_value() ? "; pictures coloured by what is stored" : "; muscles drawn grey"));
  if (!has.fatigued)
    e.omissions.push_back(not_stored(path, "/fatigue/fatigued") +
                          ": no fatigue picture or plot; strength lost at the end from the run's summary");
  std::map<std::string, std::vector<int>> members;
  for (int i = 0; i < r.nmuscle(); ++i) members[r.muscle_group[i]].push_back(i);
  for (const auto& [g, idx] : members) {
    if (!has.activation) break;
    std::vector<double> a(act.rows(), 0);
    for (Eigen::Index k = 0; k < act.rows(); ++k) {
      for (int i : idx) a[k] += act(k, i);
      a[k] /= idx.size();
    }
    e.group_activation[g] = a;
  }
  // Fatigue: the share of each group's strength lost, F0 of the file's model scaled to its subject.
  for (Eigen::Index k = 0; k < fat.rows(); ++k) {
    const Eigen::VectorXd row = fat.row(k).transpose();
    for (const auto& [g, lost] : group_strength_lost(e.picture->model(), row)) e.group_fatigue[g].push_back(lost);
  }
  if (has.compression) {
    long over = 0;
    // Frames with a lumbar level above the limit, the rule the picture's red bars follow.
    const auto& joints = e.picture->model().joint_name;
    for (Eigen::Index k = 0; k < e.compression.rows(); ++k) {
      bool frame_over = false;
      for (Eigen::Index j = 0; j < e.compression.cols() && !frame_over; ++j) frame_over = above_action_limit(joints[j], e.compression(k, j));
      over += frame_over;
    }
    e.over_limit_fraction = e.compression.rows() ? double(over) / e.compression.rows() : 0;
  }
  return e;
}

double jnum(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return NAN;
    p = &(*p)[k];
  }
  return p->is_number() ? p->get<double>() : NAN;
}

std::string fmt_num(double v, int digits) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "–"; }

// A group's value from the run's summary (both sides), for files that do not store the frames:
// mean_activation averaged over the sides' fascicles; end_fatigued_fraction weighted by each side's
// Σ F0 (the summary's own weighting within a side), so both match what the frames would give.
double summary_group_value(const Entry& e, const std::string& group, const char* key) {
  const auto& s = e.results->summary;
  if (!s.is_object() || !s.contains("groups") || !s["groups"].contains(group)) return NAN;
  const Model& m = e.picture->model();
  double num = 0, den = 0;
  for (const auto& [side, v] : s["groups"][group].items()) {
    const double x = v.value(key, double(NAN));
    double weight = 0;
    for (int i = 0; i < m.nmuscle; ++i)
      if (m.muscle_group[i] == group && e.results->muscle_side[i] == side)
        weight += std::string(key) == "end_fatigued_fraction" ? m.muscle_fmax[i] : 1.0;
    if (!std::isfinite(x) || weight <= 0) return NAN;
    num += weight * x, den += weight;
  }
  return den > 0 ? num / den : NAN;
}

// A grid cell for a file that does not store what the row shows.
std::string missing_cell(const std::string& what) { return "<p class=\"note\">" + escape(what) + "</p>\n"; }

}  // namespace

std::string report_html(const std::vector<std::string>& paths, std::vector<std::string>* omissions, bool joint_forces,
                        const std::vector<std::string>& joints, Region region) {
  if (paths.empty()) throw std::invalid_argument("report: no results files");
  std::vector<Entry> entries;
  for (const auto& p : paths) {
    entries.push_back(read_entry(p));
    entries.back().picture->check_region(region);
    const StoredFields& has = entries.back().picture->stored();
    if (joint_forces && !(has.compression && has.shear))
      entries.back().omissions.push_back(not_stored(p, has.compression ? "/joints/shear_ap or /joints/shear_lateral" : "/joints/compression") +
                                         ": no joint-load arrows in its pictures");
  }
  const size_t n = entries.size();
  // Two files of one scenario (with and without fatigue, two subjects) had columns both headed by the
  // scenario's name (audit23t #14): such columns are headed by their file's name, the scenario's after it.
  {
    std::vector<std::string> original;
    for (const auto& e : entries) original.push_back(e.label);
    for (size_t a = 0; a < n; ++a)
      if (std::count(original.begin(), original.end(), original[a]) > 1)
        entries[a].label = std::filesystem::path(paths[a]).filename().string() + " (" + original[a] + ")";
  }
  std::vector<std::string> left_out;
  for (const auto& e : entries) left_out.insert(left_out.end(), e.omissions.begin(), e.omissions.end());
  if (omissions) *omissions = left_out;
  const bool compare = n > 1;

  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  std::string title = "paraspine report: ";
  for (size_t k = 0; k < n; ++k) title += (k ? " vs " : "") + entries[k].label;
  h += "<title>" + escape(title) + "</title>\n";
  h += "<link rel=\"icon\" href=\"data:,\">\n";  // no favicon request
  h += R"(<style>
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 0 auto; max-width: 1500px; padding: 1.2em 2em; color: #222; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { font-size: 1.0em; margin: 0.6em 0 0.3em; } p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #d4d4d8; padding: 0.28em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f1f2f5; }
tr.section td { background: #f7f7f9; font-weight: bold; text-align: left; }
td.over { color: #b3261e; font-weight: bold; } td.diff { color: #555; }
.grid { display: grid; gap: 1em; align-items: start; } .grid img { width: 100%; height: auto; border: 1px solid #e3e3e6; }
figure { margin: 0; } figure img { max-width: 100%; height: auto; } figcaption { font-size: 0.85em; color: #444; margin-top: 0.2em; }
.note { font-size: 0.85em; color: #555; max-width: 70em; }
</style>
</head>
<body>
)";
  h += "<h1>" + escape(title) + "</h1>\n";
  std::time_t now = std::time(nullptr);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  h += fmt::format("<p class=\"meta\">Made by paraspine {} on {} from {}.</p>\n", PARASPINE_VERSION, stamp,
                   escape([&] { std::string s; for (size_t k = 0; k < n; ++k) s += (k ? ", " : "") + paths[k]; return s; }()));
  if (!left_out.empty()) {
    h += "<p class=\"note\"><b>Not everything is shown:</b></p>\n<ul class=\"note\">\n";
    for (const auto& s : left_out) h += "<li>" + escape(s) + "</li>\n";
    h += "</ul>\n";
  }

  // ---- summary table
  h += "<h2>Summary</h2>\n<table>\n<thead><tr><th></th>";
  for (size_t k = 0; k < n; ++k) h += "<th>" + escape(entries[k].label) + "</th>" + (k && compare ? "<th>vs first</th>" : "");
  h += "</tr></thead>\n<tbody>\n";
  const int cols = static_cast<int>(n + (n > 1 ? n - 1 : 0)) + 1;
  auto section = [&](const std::string& s) { h += fmt::format("<tr class=\"section\"><td colspan=\"{}\">{}</td></tr>\n", cols, escape(s)); };
  auto text_row = [&](const std::string& label, auto get) {
    h += "<tr><td>" + escape(label) + "</td>";
    for (size_t k = 0; k < n; ++k) h += "<td>" + escape(get(entries[k])) + "</td>" + (k && compare ? "<td></td>" : "");
    h += "</tr>\n";
  };
  // diff_in_units: the difference to the first run in the row's unit, not in % — for signed values
  // (AP shear), whose ratio means nothing across a change of sign (as `paraspine compare` gives it).
  // `bound`: a compression, marked ≥ in a file whose reserves made its loads lower bounds (summary
  // loads_are_lower_bounds), as run, batch, sweep and compare mark it.
  auto lower_bounds = [](const Entry& e) {
    const auto& s = e.results->summary;
    return s.contains("loads_are_lower_bounds") && s["loads_are_lower_bounds"].is_boolean() && s["loads_are_lower_bounds"].get<bool>();
  };
  auto num_row = [&](const std::string& label, auto get, int digits, const std::string& unit, double limit = NAN,
                     bool diff_in_units = false, bool bound = false) {
    h += "<tr><td>" + escape(label) + (unit.empty() ? "" : ", " + escape(unit)) + "</td>";
    const double first = get(entries[0]);
    for (size_t k = 0; k < n; ++k) {
      const double v = get(entries[k]);
      h += std::string(std::isfinite(limit) && v > limit ? "<td class=\"over\">" : "<td>") +
           (bound && std::isfinite(v) && lower_bounds(entries[k]) ? "≥" : "") + fmt_num(v, digits) + "</td>";
      if (k && compare && diff_in_units)
        h += "<td class=\"diff\">" + (std::isfinite(v) && std::isfinite(first) ? fmt::format("{:+.{}f} {}", v - first, digits, unit)
                                                                                : std::string("–")) + "</td>";
      else if (k && compare)
        h += "<td class=\"diff\">" + (std::isfinite(v) && std::isfinite(first) && first != 0
                                          ? (std::abs(100 * (v / first - 1)) < 0.5 ? std::string("0 %") : fmt::format("{:+.0f} %", 100 * (v / first - 1)))
                                          : std::string("–")) + "</td>";
    }
    h += "</tr>\n";
  };
  section("Run");
  text_row("model", [](const Entry& e) { return e.results->model; });
  text_row("subject", [](const Entry& e) {
    const auto& s = e.results->subject;
    return s.is_object() ? fmt::format("{:.1f} kg, {:.2f} m, {}", s.value("body_mass_kg", double(NAN)), s.value("height_m", double(NAN)), s.value("sex", std::string("?"))) : std::string("–");
  });
  text_row("load-sharing criterion", [](const Entry& e) { return e.results->criterion; });
  // audit25t A8: full_spine against paraspinal_only read "+30 % at L5-S1" where most of it was the
  // pressure the one has and the other lacks; the report never said so.
  text_row("abdominal pressure", [](const Entry& e) {
    const std::vector<int> relieved = e.picture->pressure_relieved_joints();
    if (relieved.empty())
      return std::string(e.picture->model().abdominal_pressure.enabled ? "off (the scenario)" : "none in this model");
    const auto [lo, hi] = std::minmax_element(relieved.begin(), relieved.end());
    return fmt::format("on: relieves {} … {}", e.picture->model().joint_name[*hi], e.picture->model().joint_name[*lo]);
  });
  num_row("duration", [](const Entry& e) { return jnum(e.results->summary, {"duration_s"}); }, 1, "s");
  num_row("frames", [](const Entry& e) { return double(e.results->frames()); }, 0, "");
  section(std::all_of(joints.begin(), joints.end(), [](const std::string& j) { return !j.empty() && j[0] != 'L'; }) && !joints.empty()
              ? "Spinal loads"  // --joints without a lumbar level: the limit is not theirs (audit23t #14)
              : "Spinal loads (NIOSH action limit 3400 N, lumbar levels)");
  // The levels: `joints` (report --joints) or L5-S1 and L4-L5. Only a lumbar level is flagged against
  // the NIOSH limit (load_limits.h: the limits are lumbar).
  const std::vector<std::string> levels = joints.empty() ? std::vector<std::string>{"L5-S1", "L4-L5"} : joints;
  for (const std::string& level : levels) {
    const char* j = level.c_str();
    const double limit = is_lumbar_level(level) ? kNioshActionLimit : NAN;
    num_row(fmt::format("{} peak compression", j), [j](const Entry& e) { return jnum(e.results->summary, {"joints", j, "peak_compression_N"}); }, 0, "N", limit,
            false, true);
    num_row(fmt::format("{} mean compression", j), [j](const Entry& e) { return jnum(e.results->summary, {"joints", j, "mean_compression_N"}); }, 0, "N", limit,
            false, true);
    // Signed, at the largest magnitude (it showed the magnitude as "anterior"; files before session 11: '–').
    num_row(fmt::format("{} peak AP shear (+ anterior, − posterior)", j), [j](const Entry& e) { return jnum(e.results->summary, {"joints", j, "peak_shear_ap_signed_N"}); }, 0, "N",
            NAN, true);
  }
  text_row("most loaded level", [](const Entry& e) { return e.picture->model().joint_name[e.picture->peak_joint()]; });
  num_row("its peak compression", [](const Entry& e) {
    const std::string& j = e.picture->model().joint_name[e.picture->peak_joint()];
    return e.compression.size() ? std::max(e.compression.maxCoeff(), jnum(e.results->summary, {"joints", j.c_str(), "peak_compression_N"}))
                                : jnum(e.results->summary, {"joints", j.c_str(), "peak_compression_N"});
  }, 0, "N", NAN, false, true);  // not flagged: the level may be thoracic, where the limit does not apply (above_action_limit)
  num_row("time with a lumbar level above the action limit", [](const Entry& e) { return 100 * e.over_limit_fraction; }, 1, "% of the run");
  section("Reserves and endurance");
  num_row("reserve moment, peak", [](const Entry& e) { return jnum(e.results->summary, {"reserves", "peak_moment_Nm"}); }, 2, "N·m");
  num_row("frames needing reserves", [](const Entry& e) { return 100 * jnum(e.results->summary, {"reserves", "frames_used_fraction"}); }, 1, "%");
  num_row("frames with a reserve of 0.5 N·m or more (ringed)",
          [](const Entry& e) { return 100 * jnum(e.results->summary, {"reserves", "frames_notable_fraction"}); }, 1, "%");  // audit25t A7
  text_row("endurance", [](const Entry& e) {
    const auto& s = e.results->summary;
    if (s.contains("fatigue") && !s["fatigue"].get<bool>()) return std::string("not evaluated (run without fatigue)");
    if (!s.contains("endurance_s") || s["endurance_s"].is_null()) return std::string("the task never failed");
    return fmt::format("fails after {:.0f} s ({} first)", s["endurance_s"].get<double>(), s.value("first_to_fail", std::string("?")));
  });
  h += "</tbody>\n</table>\n";
  {
    std::string bounded;
    for (const auto& e : entries)
      if (lower_bounds(e)) bounded += (bounded.empty() ? "" : ", ") + e.label;
    if (!bounded.empty())
      h += "<p class=\"note\">≥ lower bounds (" + escape(bounded) +
           "): reserves carried moments the muscles could not, without loading the discs, so the true compressions are "
           "higher (docs/loadsharing.md, \"Reserves\").</p>\n";
  }

  // ---- muscle groups: one block of columns per file
  std::set<std::string> groups;
  for (const auto& e : entries) for (const auto& g : e.results->muscle_group) groups.insert(g);
  h += "<h2>Muscle groups</h2>\n<table>\n<thead><tr><th rowspan=\"2\">group (both sides)</th>";
  for (const auto& e : entries) h += "<th colspan=\"3\">" + escape(e.label) + "</th>";
  h += "</tr><tr>";
  for (size_t k = 0; k < n; ++k) h += "<th>mean activation</th><th>peak activation</th><th>fatigued at the end</th>";
  h += "</tr></thead>\n<tbody>\n";
  for (const auto& g : groups) {
    h += "<tr><td>" + escape(g) + "</td>";
    for (const auto& e : entries) {
      const auto a = e.group_activation.find(g);
      const auto f = e.group_fatigue.find(g);
      double mean = NAN, peak = NAN;
      if (a != e.group_activation.end() && !a->second.empty()) {
        mean = 0;
        for (double x : a->second) mean += x;
        mean /= a->second.size();
      } else if (!e.picture->stored().activation) {
        mean = summary_group_value(e, g, "mean_activation");
      }
      if (e.results->summary.contains("groups") && e.results->summary["groups"].contains(g))
        for (const auto& [side, v] : e.results->summary["groups"][g].items()) {
          const double p = v.value("peak_activation", double(NAN));
          peak = std::isfinite(peak) ? std::max(peak, p) : p;
        }
      const double lost = f != e.group_fatigue.end() && !f->second.empty() ? f->second.back()
                          : !e.picture->stored().fatigued                ? summary_group_value(e, g, "end_fatigued_fraction")
                                                                          : double(NAN);
      h += "<td>" + fmt_num(mean, 3) + "</td><td>" + fmt_num(peak, 2) + "</td><td>" + fmt_num(lost, 4) + "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody>\n</table>\n<p class=\"note\">Mean activation: over the group's fascicles on both sides and every frame. Peak: "
       "the largest activation of any of its fascicles. Fatigued: the share of the group's strength lost at the last frame (fatigued fraction M_F weighted by each fascicle's maximum force, both sides).</p>\n";

  // ---- pictures: one row per kind, one column per file
  const std::string grid = fmt::format("<div class=\"grid\" style=\"grid-template-columns: repeat({}, 1fr)\">\n", n);
  struct Kind {
    const char* title;
    View view;
    ColorBy color;
    bool at_end;
  };
  const Kind kinds[] = {{"At the peak compression, seen from the right: activation", View::kSagittal, ColorBy::kActivation, false},
                        {"At the peak compression, seen from behind: activation", View::kFrontal, ColorBy::kActivation, false},
                        {"At the end of the run: fatigue", View::kSagittal, ColorBy::kFatigue, true}};
  // ---- the movement: five instants of the first repetition, body only, one row per file
  h += "<h2>The movement</h2>\n";
  for (auto& e : entries) {
    const double t0 = e.results->time.front(), t1 = std::min(e.results->time.back(), t0 + e.picture->cycle_s());
    const double dt = e.results->frames() > 1 ? e.results->time[1] - e.results->time[0] : 0;
    h += "<h3>" + escape(e.label) + (t1 < e.results->time.back() - 0.5 * dt ? ", first repetition" : "") + ": activation</h3>\n";
    h += "<div class=\"grid\" style=\"grid-template-columns: repeat(5, 1fr)\">\n";
    for (int k = 0; k < 5; ++k) {
      PictureOptions o;
      o.chart = false, o.legend = false, o.compact = true, o.font_scale = 2.2;
      o.fixed_frame = true;  // one camera for the strip, so the body moves against a still frame
      o.region = region, o.span_start = t0, o.span_end = t1;  // a region's camera: over the strip's span
      const long frame = e.results->frame_at(t0 + (t1 - t0) * k / 4.0);
      h += "<figure>" + png_img(picture_png(*e.picture, frame, o, 560, 520), fmt::format("{} at t = {:.2f} s", e.label, e.results->time[frame])) +
           "</figure>\n";
    }
    h += "</div>\n";
  }

  h += "<h2>Pictures</h2>\n";
  if (region != Region::kWhole)
    h += "<p class=\"note\">Every picture frames the " + std::string(region_name(region)) +
         " (--region): its bones over the instant drawn, the movement's strip over its span; what reaches beyond is cut at the edge.</p>\n";
  if (joint_forces)
    h += "<p class=\"note\">Arrows at the discs (pictures at the peak compression): the load on the disc from the body above, "
         "compression (black) along the disc normal and shear (violet) in the disc plane, + anterior and + right as the file's signs; "
         "one scale in every picture, 1000 N = 40 mm of body (scale bar in the legend).</p>\n";
  for (const Kind& kind : kinds) {
    // A kind no file can show (fatigue, when no file stores it) is left out; the note above says why.
    if (kind.color == ColorBy::kFatigue &&
        std::none_of(entries.begin(), entries.end(), [](const Entry& e) { return e.picture->stored().fatigued; }))
      continue;
    h += "<h3>" + escape(kind.title) + "</h3>\n" + grid;
    // One pixel scale for the row: each column's fitted scale, the smallest for all, so a load draws
    // the same arrow length in every column (audit23t #4: 21 against 18 px per kN).
    PictureOptions row;  // the same for every column, but the pixel scale set below
    row.view = kind.view, row.color = kind.color, row.region = region;
    row.joint_forces = joint_forces && !kind.at_end;
    row.font_scale = n > 1 ? 1.5 : 1.2;  // shown at half or full page width
    for (const auto& other : entries) row.color_max = std::max(row.color_max, other.picture->default_color_max(kind.color));  // one scale for all files
    constexpr int kWidth = 1400, kHeight = 880;
    auto frame_of = [&](const Entry& e) { return kind.at_end ? e.results->frames() - 1 : e.picture->peak_frame(); };
    for (auto& e : entries) {
      if (kind.color == ColorBy::kFatigue && !e.picture->stored().fatigued) continue;
      const double ppm = e.picture->px_per_m_at(frame_of(e), kWidth, kHeight, row);
      row.max_px_per_m = row.max_px_per_m > 0 ? std::min(row.max_px_per_m, ppm) : ppm;
    }
    for (auto& e : entries) {
      if (kind.color == ColorBy::kFatigue && !e.picture->stored().fatigued) {
        h += missing_cell(e.label + ": fatigue not stored in the file (--fields)");
        continue;
      }
      const long frame = frame_of(e);
      const std::string png = picture_png(*e.picture, frame, row, kWidth, kHeight);
      h += "<figure>" + png_img(png, fmt::format("{}: {} view at t = {:.2f} s", e.label, view_name(kind.view), e.results->time[frame])) +
           "<figcaption>" + escape(fmt::format("{}, t = {:.2f} s", e.label, e.results->time[frame])) + "</figcaption></figure>\n";
    }
    h += "</div>\n";
  }

  // ---- time series, shared axes across files
  h += "<h2>Over time</h2>\n";
  double cmax = kNioshActionLimit, amax = 0.05, fmax = 0.01;
  for (const auto& e : entries) {
    if (e.compression.size()) cmax = std::max(cmax, e.compression.maxCoeff());
    for (const auto& [g, v] : e.group_activation) for (double x : v) amax = std::max(amax, x);
    for (const auto& [g, v] : e.group_fatigue) for (double x : v) fmax = std::max(fmax, x);
  }
  const bool any_compression = std::any_of(entries.begin(), entries.end(), [](const Entry& e) { return e.compression.size() > 0; });
  if (any_compression) h += "<h3>Compression per level</h3>\n" + grid;
  for (const auto& e : entries) {
    if (!any_compression) break;
    if (e.compression.size() == 0) {
      h += missing_cell(e.label + ": compression not stored in the file (--fields)");
      continue;
    }
    std::vector<PlotSeries> s;
    const Model& m = e.picture->model();
    std::vector<int> joints;
    for (const char* name : {"L5-S1", "L4-L5", "L3-L4", "L2-L3", "L1-L2"})
      if (m.joint_index(name) >= 0) joints.push_back(m.joint_index(name));
    if (std::find(joints.begin(), joints.end(), e.picture->peak_joint()) == joints.end()) joints.push_back(e.picture->peak_joint());
    for (size_t k = 0; k < joints.size(); ++k) {
      PlotSeries p;
      p.name = m.joint_name[joints[k]];
      p.x = e.t;
      for (Eigen::Index r = 0; r < e.compression.rows(); ++r) p.y.push_back(e.compression(r, joints[k]));
      p.colour = static_cast<int>(k);
      p.lower_bound = e.lower_bound;
      s.push_back(p);
    }
    PlotOptions o;
    o.lower_bound_label = kLowerBoundBand;
    o.title = e.label + ": compression";
    o.xlabel = "time, s", o.ylabel = "compression, N";
    o.ymin = 0, o.ymax = std::ceil(cmax * 1.08 / 500) * 500;
    o.hline = kNioshActionLimit, o.hline_label = "NIOSH action limit 3400 N";
    h += "<figure>" + svg_img(plot_svg(s, o), o.title) + "</figure>\n";
  }
  if (any_compression) h += "</div>\n";
  // Groups that stay near zero in every file would only crowd the legend; they are named below.
  auto shown_groups = [&](bool fatigue) {
    std::set<std::string> shown;
    for (const auto& g : groups) {
      double peak = 0;
      for (const auto& e : entries) {
        const auto& src = fatigue ? e.group_fatigue : e.group_activation;
        if (const auto it = src.find(g); it != src.end()) for (double x : it->second) peak = std::max(peak, x);
      }
      if (peak >= (fatigue ? 1e-3 : 0.02)) shown.insert(g);
    }
    return shown;
  };
  // One line style per group for both plots: numbered among the groups shown in either, a group's
  // colour was its place among those shown in that plot, so longissimus was grey-brown in the
  // activation plot and pink in the fatigue plot beneath it.
  std::map<std::string, int> style;
  {
    std::set<std::string> either = shown_groups(false);
    for (const auto& g : shown_groups(true)) either.insert(g);
    for (const auto& g : either) style.emplace(g, static_cast<int>(style.size()));
  }
  auto group_plots = [&](const char* heading, bool fatigue, double ymax) {
    const std::set<std::string> shown = shown_groups(fatigue);
    std::set<std::string> quiet;
    for (const auto& g : groups)
      if (!shown.count(g)) quiet.insert(g);
    const auto stored = [&](const Entry& e) { return fatigue ? e.picture->stored().fatigued : e.picture->stored().activation; };
    if (std::none_of(entries.begin(), entries.end(), stored)) return;  // the note at the top says why
    h += std::string("<h3>") + heading + "</h3>\n" + grid;
    for (const auto& e : entries) {
      if (!stored(e)) {
        h += missing_cell(e.label + (fatigue ? ": fatigue" : ": activation") + " not stored in the file (--fields)");
        continue;
      }
      std::vector<PlotSeries> s;
      for (const auto& g : shown) {
        const auto& src = fatigue ? e.group_fatigue : e.group_activation;
        const auto it = src.find(g);
        if (it == src.end()) continue;
        PlotSeries p;
        const int k = style.at(g);
        p.name = g, p.x = e.t, p.y = it->second, p.colour = k, p.dashed = k % 20 >= 10;
        s.push_back(p);
      }
      PlotOptions o;
      o.title = e.label + (fatigue ? ": strength lost (M_F weighted by F0), per group" : ": activation, mean per group");
      o.xlabel = "time, s", o.ylabel = fatigue ? "fatigued fraction" : "activation";
      o.ymin = 0, o.ymax = ymax;
      o.height = 420;
      h += "<figure>" + svg_img(plot_svg(s, o), o.title) + "</figure>\n";
    }
    h += "</div>\n";
    if (!quiet.empty()) {
      std::string names;
      for (const auto& g : quiet) names += (names.empty() ? "" : ", ") + g;
      h += "<p class=\"note\">Not plotted, " + std::string(fatigue ? "fatigued fraction below 0.001" : "activation below 0.02") +
           " throughout: " + escape(names) + ".</p>\n";
    }
  };
  group_plots("Activation per muscle group", false, std::min(1.0, amax * 1.1));
  group_plots("Fatigue per muscle group", true, std::min(1.0, fmax * 1.1));

  if (compare) {
    h += "<h2>Side by side</h2>\n";
    PlotOptions o;
    o.title = "L5-S1 compression, every file";
    o.lower_bound_label = kLowerBoundBand;
    o.xlabel = "time, s", o.ylabel = "compression, N";
    o.hline = kNioshActionLimit, o.hline_label = "NIOSH action limit 3400 N";
    o.width = 1100, o.height = 420;
    std::vector<PlotSeries> s;
    for (size_t k = 0; k < n; ++k) {
      const int j = entries[k].picture->model().joint_index("L5-S1");
      if (j < 0 || entries[k].compression.size() == 0) continue;
      PlotSeries p;
      p.name = entries[k].label, p.x = entries[k].t, p.colour = static_cast<int>(k);
      for (Eigen::Index r = 0; r < entries[k].compression.rows(); ++r) p.y.push_back(entries[k].compression(r, j));
      p.lower_bound = entries[k].lower_bound;
      s.push_back(p);
    }
    h += "<figure>" + svg_img(plot_svg(s, o), o.title) + "</figure>\n";
  }

  h += R"(<h2>How to read this page</h2>
<p class="note">Bones are schematic (vertebral bodies and discs sized from the model's joint spacing, spinous processes to
the model's muscle attachments, head and pelvis outlines); they sit where forward kinematics puts each segment at the stored
joint angles. Every muscle fascicle of the model is drawn along its path (origin, via points, insertion); its colour is the
stored activation, force or fatigued fraction, its width grows with the square root of its maximum force. Compression is the
intervertebral force along the disc normal. The NIOSH action limit of 3400 N is the compression criterion of the revised
NIOSH lifting equation (Waters et al. 1993, Ergonomics 36:749), set for the L5/S1 disc: lumbar levels above it are marked, thoracic ones are not. Activation per group is the mean over all the
group's fascicles on both sides; fatigue per group is the share of the group's strength lost, M_F weighted by each fascicle's
maximum force F0 (the sum of F0·M_F over the sum of F0), as the group table and the run summary's end_fatigued_fraction, not the
plain mean of M_F.</p>
</body>
</html>
)";
  return h;
}

void write_report(const std::vector<std::string>& paths, const std::string& out, std::vector<std::string>* omissions, bool joint_forces,
                  const std::vector<std::string>& joints, Region region) {
  namespace fs = std::filesystem;
  const std::string ext = fs::path(out).extension().string();
  if (ext != ".html" && ext != ".htm") throw InputError(out, 0, "", "a report is an .html file");
  const fs::path dir = fs::path(out).parent_path();
  if (!dir.empty() && !fs::is_directory(dir)) throw InputError(out, 0, "", "the folder does not exist");
  const std::string html = report_html(paths, omissions, joint_forces, joints, region);
  write_file_in_place(out, html, "report");
}

}  // namespace paraspine
