#include "sim/render/picture.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "sim/common/error.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/kinematics/kinematics.h"
#include "sim/model/known_limits.h"
#include "sim/model/loader.h"
#include "sim/model/subject.h"
#include "sim/render/plot.h"
#include "sim/scenario/sample.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/run_notes.h"

namespace paraspine {
namespace {


struct Camera {
  Vec3 right, up, toward;  // toward = from the scene to the viewer
};

Camera camera(View v) {
  switch (v) {
    case View::kSagittal: return {Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)};    // from the right, facing right
    case View::kFrontal: return {Vec3(0, 0, 1), Vec3(0, 1, 0), Vec3(-1, 0, 0)};    // from behind
    case View::kTop: return {Vec3(0, 0, 1), Vec3(1, 0, 0), Vec3(0, 1, 0)};         // from above, anterior up
    default: {                                                                     // behind, right, above
      const Vec3 toward = Vec3(-0.8, 0.45, 1.0).normalized();
      const Vec3 right = Vec3(0, 1, 0).cross(toward).normalized();
      return {right, toward.cross(right), toward};
    }
  }
}

// Where a body axis points on the screen of camera c.
std::string screen_direction(const Camera& c, const Vec3& a) {
  const double x = a.dot(c.right), y = a.dot(c.up), z = a.dot(c.toward);
  if (std::abs(z) > std::hypot(x, y)) return z > 0 ? "toward the viewer" : "away from the viewer";
  // Within 22.5° of a screen axis: that axis; otherwise both ("down and to the right": a stooping
  // pelvis, flexed 50°, faces neither right nor down).
  const double h = std::hypot(x, y);
  const std::string lr = x > 0 ? "to the right" : "to the left", ud = y > 0 ? "up" : "down";
  if (std::abs(y) <= h * std::sin(M_PI / 8)) return lr;
  if (std::abs(x) <= h * std::sin(M_PI / 8)) return ud;
  return ud + " and " + lr;
}

}  // namespace

std::string view_caption(View v, const Mat3& pelvis, const Vec3& world_up) {
  // The cameras stay fixed to the world (gravity down on the screen in every view but the top one);
  // the caption says from which side of the body they look at the instant, and where the subject's
  // anterior (or right side) points, from the pelvis' axes: true for a lying or a side-lying body too.
  const Camera c = camera(v);
  const Vec3 ant = pelvis.col(0), sup = pelvis.col(1), right = pelvis.col(2);
  const double da = c.toward.dot(ant), ds = c.toward.dot(sup), dr = c.toward.dot(right);
  const bool upright = sup.dot(world_up) > std::cos(M_PI / 4);  // "above"/"below" only then
  std::vector<std::string> from;  // body sides facing the viewer, the main one first
  std::vector<std::pair<double, std::string>> sides = {
      {std::abs(da), da > 0 ? "the front" : "behind"},
      {std::abs(dr), dr > 0 ? "the right" : "the left"},
      {std::abs(ds), ds > 0 ? (upright ? "above" : "the head end") : (upright ? "below" : "the feet end")}};
  std::stable_sort(sides.begin(), sides.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string words = "from " + sides[0].second;
  // A body bent forward over 45° (a stoop) seen from behind: the camera looks along the trunk from
  // the pelvis end, and "from the feet end" puzzled a student who saw a back from behind. Said as
  // the viewer sees it when the trunk still rises (superior axis over 0.3 up: bent, not lying, so a
  // prone body keeps "from the feet end") and the back or front faces the viewer by over 0.3.
  if (!upright && sides[0].first == std::abs(ds) && sup.dot(world_up) > 0.3 && std::abs(da) > 0.3)
    words = std::string("from ") + (da > 0 ? "the front" : "behind") + ", along the bent trunk from its " + (ds > 0 ? "head" : "pelvis") + " end";
  // The oblique view names every side it sees by more than 0.3 (cos 72.5°), front/behind joined to
  // right/left: "from behind-right and above" for a standing body.
  if (v == View::kOblique) {
    std::string horizontal;
    if (std::abs(da) > 0.3) horizontal = da > 0 ? "front" : "behind";
    if (std::abs(dr) > 0.3) horizontal += (horizontal.empty() ? "" : "-") + std::string(dr > 0 ? "right" : "left");
    if (horizontal == "front" || horizontal == "right" || horizontal == "left") horizontal = "the " + horizontal;
    std::string vertical = std::abs(ds) > 0.3 ? sides[0].first == std::abs(ds) && horizontal.empty() ? "" : (ds > 0 ? (upright ? "above" : "the head end") : (upright ? "below" : "the feet end")) : "";
    words = "from " + (horizontal.empty() ? sides[0].second : horizontal + (vertical.empty() ? "" : " and " + vertical));
  }
  const std::string name = std::string(view_name(v)) + " view, ";
  if (v == View::kSagittal || v == View::kTop) return name + words + " (anterior " + screen_direction(c, ant) + ")";
  if (v == View::kFrontal) return name + words + " (right side " + screen_direction(c, right) + ")";
  return name + words;
}

View view_for_body(const Mat3& pelvis) {
  // Sagittal, unless it looks along the body (a side plank lies across the world's sagittal view).
  return std::abs(camera(View::kSagittal).toward.dot(pelvis.col(1))) > std::cos(M_PI / 4) ? View::kFrontal : View::kSagittal;
}

namespace {

// 1, 2, 2.5 or 5 × 10^k, not below v.
double nice_ceil(double v) {
  if (!(v > 0)) return 1;
  const double e = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * e >= v * (1 - 1e-12)) return m * e;
  return 10 * e;
}
double nice_step(double range, int target) { return nice_ceil(range / target); }

void text(cairo_t* cr, double x, double y, const std::string& s, double size, double align = 0, bool bold = false,
          double r = 0.15, double g = 0.15, double b = 0.18) {
  select_font(cr, bold);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.x_advance, y);
  cairo_set_source_rgb(cr, r, g, b);
  cairo_show_text(cr, s.c_str());
}

double text_width(cairo_t* cr, const std::string& s, double size, bool bold = false) {
  select_font(cr, bold);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return e.x_advance;
}

const char* colorbar_label(ColorBy c) {
  return c == ColorBy::kActivation ? "muscle activation (fraction of the fresh maximum)"
         : c == ColorBy::kForce    ? "muscle force, N"
                                   : "fatigued fraction of the motor-unit pool (M_F)";
}

// The font size at which s fits in `width`: `size`, or smaller down to `min_size`.
double fitted_size(cairo_t* cr, const std::string& s, double size, double width, double min_size, bool bold = false) {
  const double w = text_width(cr, s, size, bold);
  return w > width ? std::max(min_size, size * width / w) : size;
}

// Convex hull (Andrew's monotone chain) of 2-D points, counter-clockwise.
std::vector<Eigen::Vector2d> hull2d(std::vector<Eigen::Vector2d> p) {
  std::sort(p.begin(), p.end(), [](const auto& a, const auto& b) { return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y()); });
  if (p.size() < 3) return p;
  std::vector<Eigen::Vector2d> h(2 * p.size());
  auto cross = [](const Eigen::Vector2d& o, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
    return (a - o).x() * (b - o).y() - (a - o).y() * (b - o).x();
  };
  size_t k = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (size_t i = p.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(h[k - 2], h[k - 1], p[i - 1]) <= 0) --k;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  return h;
}

void arrow(cairo_t* cr, double x0, double y0, double x1, double y1, double head, double width) {
  const double dx = x1 - x0, dy = y1 - y0, len = std::hypot(dx, dy);
  if (len < 1e-9) return;
  const double ux = dx / len, uy = dy / len;
  cairo_set_line_width(cr, width);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_move_to(cr, x0, y0);
  cairo_line_to(cr, x1 - ux * head * 0.8, y1 - uy * head * 0.8);
  cairo_stroke(cr);
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x1 - ux * head - uy * head * 0.45, y1 - uy * head + ux * head * 0.45);
  cairo_line_to(cr, x1 - ux * head + uy * head * 0.45, y1 - uy * head - ux * head * 0.45);
  cairo_close_path(cr);
  cairo_fill(cr);
}

std::string subject_text(const nlohmann::json& s) {
  if (!s.is_object()) return "";
  std::string out;
  if (s.contains("body_mass_kg")) out += fmt::format("{:.1f} kg", s["body_mass_kg"].get<double>());
  if (s.contains("height_m")) out += fmt::format(" / {:.2f} m", s["height_m"].get<double>());
  if (s.contains("sex")) out.append(" ").append(s["sex"].get<std::string>());  // append: GCC 12 PR 105329
  return out;
}

// Arrow length for a force, m: 1.2 mm per N up to 100 N (a 15 kg box's 147 N: 0.20 m), then
// logarithmic, so a 600 N support does not cross the picture; the label gives the number.
double arrow_length(double newtons) { return newtons <= 100 ? 0.05 + 0.0012 * newtons : 0.17 + 0.08 * std::log(newtons / 100); }

std::string newtons_text(double n) { return n < 9.95 ? fmt::format("{:.1f} N", n) : fmt::format("{:.0f} N", n); }

// The discs whose joint loads a picture may draw (joints between two vertebrae or a vertebra and the
// pelvis, with a finite peak), in the order ResultsPicture::joint_load_levels tries them: the lowest
// level first (L5-S1: the level of the action limit), then from the most loaded (peak compression
// over the run) down. `along`: each joint's distance along the spine from the lowest disc, the sums of
// the vertebrae's disc-to-disc spacings (rigid, so the same in every posture).
std::vector<int> joint_load_candidates(const Model& m, const BoneGeometry& g, const Eigen::VectorXd& peak, std::vector<double>& along) {
  along.assign(m.njoint, 0.0);
  std::vector<int> vertebra_of_segment(m.nsegment, -1);
  for (size_t k = 0; k < g.vertebrae.size(); ++k) vertebra_of_segment[g.vertebrae[k].segment] = static_cast<int>(k);
  std::vector<int> discs;
  for (const auto& v : g.vertebrae) {  // parents before children: the model's segment order
    if (v.superior_joint >= 0)
      along[v.superior_joint] = along[v.inferior_joint] + (Vec3(m.joint_pos_in_parent.col(v.superior_joint)) - Vec3(m.joint_pos_in_child.col(v.inferior_joint))).norm();
    const int parent = m.joint_parent(v.inferior_joint);
    if ((parent == g.pelvis || vertebra_of_segment[parent] >= 0) && std::isfinite(peak[v.inferior_joint])) discs.push_back(v.inferior_joint);
  }
  std::stable_sort(discs.begin(), discs.end(), [&](int a, int b) {
    const bool la = m.joint_parent(a) == g.pelvis, lb = m.joint_parent(b) == g.pelvis;
    return la != lb ? la : peak[a] > peak[b];
  });
  return discs;
}

// The joint-load arrows' line width and head length at px_per_m pixels per metre of body (device units).
double joint_arrow_width(double px_per_m) { return std::max(3.0, 0.006 * px_per_m); }
double joint_arrow_head(double px_per_m) { return std::max(9.0, 0.022 * px_per_m); }

// The white halo under a haloed arrow from a to b (the current source): the arrow, wider.
void arrow_halo(cairo_t* cr, const Eigen::Vector2d& a, const Eigen::Vector2d& b, double head, double width) {
  head = std::min(head, 0.6 * (b - a).norm());
  arrow(cr, a.x(), a.y(), b.x(), b.y(), head + 0.25 * width + 1.5, width + 3);
}

// A shear seen along the view: the circle round its disc centre (radius, line width), device units.
double along_view_radius(double fs) { return std::max(5.0, 0.35 * fs); }

// Where a joint-load value (text tw wide, `size`) is written `away` from `at` toward `dir` (screen),
// kept inside the area x0, y0, w, h: its baseline's start, and its box with the halo (x0, y0, x1, y1).
struct ValueSpot {
  double left, base;
  std::array<double, 4> box;
};
ValueSpot value_spot(const Eigen::Vector2d& at, const Eigen::Vector2d& dir, double away, double tw, double size, double x0, double y0, double w,
                     double h) {
  double left = at.x() + dir.x() * away - (0.5 - 0.5 * dir.x()) * tw;
  double base = at.y() + dir.y() * away + (0.35 + 0.45 * dir.y()) * size;
  left = std::clamp(left, x0, std::max(x0, x0 + w - tw));
  base = std::clamp(base, y0 + size, y0 + h - 0.5 * size);  // descenders and halo inside: golf's reached the colour bar
  return {left, base, {left - 0.15 * size, base - 0.85 * size, left + tw + 0.15 * size, base + 0.3 * size}};
}

// Across an arrow from a to b on the screen: the side `prefer` points to first (a foreshortened
// arrow, under 10 px: left and right). Unit vectors.
std::vector<Eigen::Vector2d> across(const Eigen::Vector2d& a, const Eigen::Vector2d& b, const Eigen::Vector2d& prefer) {
  const Eigen::Vector2d d = b - a;
  if (d.norm() < 10) return {prefer.x() < 0 ? Eigen::Vector2d(-1, 0) : Eigen::Vector2d(1, 0), prefer.x() < 0 ? Eigen::Vector2d(1, 0) : Eigen::Vector2d(-1, 0)};
  Eigen::Vector2d n = Eigen::Vector2d(-d.y(), d.x()).normalized();
  if (n.dot(prefer) < 0) n = -n;
  return {n, -n};
}

// What one level's arrows put on the screen, as a mask: pixels their halos touch, widened by a margin
// (x0, y0: the mask's top left, device units).
struct Footprint {
  int x0 = 0, y0 = 0, w = 0, h = 0;
  std::vector<unsigned char> on;
};
// Whether two footprints share a pixel.
bool overlap(const Footprint& a, const Footprint& b) {
  const int x0 = std::max(a.x0, b.x0), y0 = std::max(a.y0, b.y0), x1 = std::min(a.x0 + a.w, b.x0 + b.w), y1 = std::min(a.y0 + a.h, b.y0 + b.h);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      if (a.on[static_cast<size_t>(y - a.y0) * a.w + (x - a.x0)] && b.on[static_cast<size_t>(y - b.y0) * b.w + (x - b.x0)]) return true;
  return false;
}
// Draws `paint` (device units) into a mask covering x0 … x1, y0 … y1 and widens what it covers by
// `margin` px all round (two footprints that do not overlap leave 2 × margin between them).
template <class Paint>
Footprint rasterize(double x0, double y0, double x1, double y1, double margin, Paint paint) {
  x0 -= margin + 1, y0 -= margin + 1, x1 += margin + 1, y1 += margin + 1;
  Footprint f;
  f.x0 = static_cast<int>(std::floor(x0)), f.y0 = static_cast<int>(std::floor(y0));
  f.w = std::max(1, static_cast<int>(std::ceil(x1)) - f.x0), f.h = std::max(1, static_cast<int>(std::ceil(y1)) - f.y0);
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_A8, f.w, f.h);
  cairo_t* cr = cairo_create(surface);
  cairo_translate(cr, -f.x0, -f.y0);
  cairo_set_source_rgba(cr, 0, 0, 0, 1);
  paint(cr);
  cairo_destroy(cr);
  cairo_surface_flush(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  std::vector<std::pair<int, int>> disc;  // offsets within the margin
  const int m = static_cast<int>(std::ceil(margin + 0.5));
  for (int dy = -m; dy <= m; ++dy)
    for (int dx = -m; dx <= m; ++dx)
      if (dx * dx + dy * dy <= (margin + 0.5) * (margin + 0.5)) disc.push_back({dx, dy});  // pixel centres within the margin of the pixel
  f.on.assign(static_cast<size_t>(f.w) * f.h, 0);
  for (int y = 0; y < f.h; ++y)
    for (int x = 0; x < f.w; ++x) {
      if (data[static_cast<size_t>(y) * stride + x] == 0) continue;
      for (const auto& [dx, dy] : disc)
        if (x + dx >= 0 && x + dx < f.w && y + dy >= 0 && y + dy < f.h) f.on[static_cast<size_t>(y + dy) * f.w + x + dx] = 1;
    }
  cairo_surface_destroy(surface);
  return f;
}

// An arrow with a white halo, so it reads over muscles and bones; false when too short to draw (under
// 6 px: the neck's 100 N arrows were black dots along the cervical spine).
bool haloed_arrow(cairo_t* cr, const Eigen::Vector2d& a, const Eigen::Vector2d& b, double head, double width, const double rgb[3]) {
  const double len = (b - a).norm();
  if (len < 6) return false;
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  arrow_halo(cr, a, b, head, width);
  cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
  arrow(cr, a.x(), a.y(), b.x(), b.y(), std::min(head, 0.6 * len), width);
  return true;
}

// Inside a circle of radius r at c: a cross when what it marks points away from the viewer (the tail
// of an arrow seen from behind), else a dot (its head coming toward the viewer).
void along_view_mark(cairo_t* cr, const Eigen::Vector2d& c, double r, bool away) {
  if (away) {
    const double k = r * 0.7071;
    cairo_move_to(cr, c.x() - k, c.y() - k), cairo_line_to(cr, c.x() + k, c.y() + k);
    cairo_move_to(cr, c.x() - k, c.y() + k), cairo_line_to(cr, c.x() + k, c.y() - k);
    cairo_stroke(cr);
  } else {
    cairo_arc(cr, c.x(), c.y(), 0.3 * r, 0, 2 * M_PI);
    cairo_fill(cr);
  }
}

// Text on a white halo of `halo_alpha`, so it reads over muscles, bones and arrows.
void haloed_text(cairo_t* cr, double x, double y, const std::string& str, double size, bool bold, const double rgb[3],
                 double halo_alpha) {
  select_font(cr, bold);
  cairo_set_font_size(cr, size);
  cairo_new_path(cr);
  cairo_move_to(cr, x, y);
  cairo_text_path(cr, str.c_str());
  cairo_set_source_rgba(cr, 1, 1, 1, halo_alpha);
  cairo_set_line_width(cr, 0.3 * size);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  text(cr, x, y, str, size, 0, bold, rgb[0], rgb[1], rgb[2]);
}

// The joint-load arrows' colours: compression near-black, shear violet (the muscles' scale runs
// through yellow, orange and red to crimson, so neither is one of its colours).
constexpr double kCompressionRgb[3] = {0.08, 0.08, 0.12}, kShearRgb[3] = {0.50, 0.15, 0.80};

// The scale bar's force for the legend: 1000 N unless its bar would be shorter than 2 or longer than
// 8 legend font sizes.
double scale_bar_newtons(double px_per_newton, double fs) {
  static const double steps[] = {100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000};
  int k = 3;
  while (k < 8 && steps[k] * px_per_newton < 2 * fs) ++k;
  while (k > 0 && steps[k] * px_per_newton > 8 * fs) --k;
  return steps[k];
}

// The joint-load legend row's scale after its text: a gap, the bar, its value (device units).
double scale_bar_width(cairo_t* cr, double fs, double px_per_newton) {
  const double n = scale_bar_newtons(px_per_newton, fs);
  return 0.6 * fs + n * px_per_newton + 0.4 * fs + text_width(cr, fmt::format("{:.0f} N", n), fs);
}

// The joint-load legend row's text: the longest of these whose row (text and scale, `scale_w`) fits
// in `room` (the report's pictures, font × 1.5, ran the scale's "2000 N" into the chart's column).
std::string joint_load_legend_text(cairo_t* cr, double fs, double scale_w, double room) {
  static const char* texts[] = {"load on the disc from the body above: compression (black), shear (violet);",
                                "disc load from above: compression (black), shear (violet);",
                                "disc load: compression (black), shear (violet);", "disc load: compression, shear;"};
  for (const char* t : texts)
    if (text_width(cr, t, fs) + scale_w <= room) return t;
  return texts[3];
}

}  // namespace

std::vector<JointLoadArrow> joint_load_arrows(const Scene& s, const FrameValues& v, const std::vector<int>& levels) {
  std::vector<JointLoadArrow> out;
  const Eigen::Index nj = v.compression.size();
  if (nj == 0 || v.shear_ap.size() != nj || v.shear_lateral.size() != nj) return out;
  for (const auto& b : s.bones) {
    if (b.kind != SceneBone::kDisc || std::find(levels.begin(), levels.end(), b.joint) == levels.end()) continue;
    JointLoadArrow a;
    a.joint = b.joint, a.centre = b.centre;
    a.compression = v.compression[b.joint], a.shear_ap = v.shear_ap[b.joint], a.shear_lateral = v.shear_lateral[b.joint];
    const Vec3 anterior = b.disc_frame.col(0), normal = b.disc_frame.col(1), right = b.disc_frame.col(2);
    // The load of the body above on the disc: −C n (pressing in, ending at the centre) and the shear.
    const Vec3 along = -a.compression * kJointLoadMetresPerN * normal;
    a.compression_tail = a.compression >= 0 ? Vec3(a.centre - along) : a.centre;
    a.compression_tip = a.compression >= 0 ? a.centre : Vec3(a.centre + along);
    a.shear_tail = a.centre;
    a.shear_tip = a.centre + kJointLoadMetresPerN * (a.shear_ap * anterior + a.shear_lateral * right);
    out.push_back(a);
  }
  return out;
}

double label_x(double at, double text_w, bool left, double fs, double x_min, double x_max) {
  const double right_start = at + 0.6 * fs, left_start = at - 0.6 * fs - text_w;
  const bool right_fits = right_start + text_w <= x_max, left_fits = left_start >= x_min;
  double x = left ? (left_fits || !right_fits ? left_start : right_start) : (right_fits || !left_fits ? right_start : left_start);
  if (x + text_w > x_max) x = x_max - text_w;  // fits on neither side: moved in from the edge
  return std::max(x, x_min);
}

std::vector<ForceArrow> force_arrows(const Scene& s, double g) {
  std::vector<ForceArrow> out;
  // Hands within 8 cm of each other hold one thing (a club in both hands): one cluster, one arrow.
  constexpr double kTogether = 0.08;
  std::vector<int> cluster(s.hands.size(), -1);
  std::vector<std::vector<int>> clusters;
  for (size_t a = 0; a < s.hands.size(); ++a) {
    if (cluster[a] >= 0) continue;
    cluster[a] = static_cast<int>(clusters.size());
    clusters.push_back({static_cast<int>(a)});
    for (size_t b = a + 1; b < s.hands.size(); ++b)
      if (cluster[b] < 0 && (s.hands[b].hand - s.hands[a].hand).norm() < kTogether) cluster[b] = cluster[a], clusters.back().push_back(static_cast<int>(b));
  }
  // A given force acting at a hand (within 8 cm) is part of what the hand feels: its arrow and label
  // are the resultant, so a club's 320 N pull is not labelled "0.15 kg" alone.
  std::vector<std::vector<const SceneForce*>> at_hand(clusters.size());
  std::vector<const SceneForce*> free;
  for (const auto& f : s.forces) {
    if (f.force.norm() < 0.5) continue;  // a support taking no share, a pull not yet begun
    int best = -1;
    double dist = kTogether;
    for (size_t h = 0; h < s.hands.size() && !f.support; ++h)
      if ((s.hands[h].hand - f.point).norm() < dist) dist = (s.hands[h].hand - f.point).norm(), best = cluster[h];
    if (best >= 0) at_hand[best].push_back(&f);
    else free.push_back(&f);
  }
  for (size_t c = 0; c < clusters.size(); ++c) {
    ForceArrow a;
    a.hand = true;
    a.hands = static_cast<int>(clusters[c].size());
    double mass = 0;
    bool equal = true;
    for (int h : clusters[c]) {
      a.at += s.hands[h].hand / a.hands, mass += s.hands[h].load_kg;
      equal = equal && std::abs(s.hands[h].load_kg - s.hands[clusters[c][0]].load_kg) < 1e-9;
    }
    a.load_kg = mass;
    a.force = mass * g * s.gravity_dir;
    for (const SceneForce* f : at_hand[c]) a.force += f->force;
    if (a.force.norm() < 0.05) continue;  // empty hands
    std::string held;
    if (mass > 0) {
      held = a.hands > 1 && equal ? fmt::format("{} × {:.3g} kg", a.hands, mass / a.hands) : fmt::format("{:.3g} kg", mass);
      if (at_hand[c].empty()) held += " (" + newtons_text(mass * g) + ")";
    }
    if (at_hand[c].empty()) {
      a.label = held;
    } else {
      std::string parts;
      for (const SceneForce* f : at_hand[c]) parts += (parts.empty() ? "" : " + ") + fmt::format("{} {}", f->name, newtons_text(f->force.norm()));
      a.label = newtons_text(a.force.norm()) + " at the hand" + (a.hands > 1 ? "s" : "") + ": " + parts + (held.empty() ? "" : " + " + held);
    }
    out.push_back(a);
  }
  for (const SceneForce* f : free) {
    ForceArrow a;
    a.at = f->point, a.force = f->force, a.support = f->support;
    a.label = fmt::format("{} {}", f->name, newtons_text(f->force.norm()));
    out.push_back(a);
  }
  for (auto& a : out) {
    const Vec3 along = a.force.normalized() * arrow_length(a.force.norm());
    a.tail = a.support ? Vec3(a.at - along) : a.at;
    a.tip = a.support ? a.at : Vec3(a.at + along);
  }
  return out;
}

View parse_view(const std::string& s) {
  if (s == "sagittal") return View::kSagittal;
  if (s == "frontal") return View::kFrontal;
  if (s == "top") return View::kTop;
  if (s == "oblique") return View::kOblique;
  throw std::invalid_argument("--view: '" + s + "' is not one of sagittal, frontal, top, oblique");
}

Region parse_region(const std::string& s, const std::string& option) {
  for (Region r : {Region::kWhole, Region::kLumbar, Region::kThoracic, Region::kNeck})
    if (s == region_name(r)) return r;
  throw InputError(option, 0, "", fmt::format("'{}' is not a region a picture can frame: one of {}", s, region_names()));
}

const char* region_name(Region r) {
  switch (r) {
    case Region::kWhole: return "whole";
    case Region::kLumbar: return "lumbar";
    case Region::kThoracic: return "thoracic";
    case Region::kNeck: return "neck";
  }
  return "whole";
}

std::string region_names() { return "whole, lumbar, thoracic, neck"; }

ColorBy parse_color_by(const std::string& s) {
  if (s == "activation") return ColorBy::kActivation;
  if (s == "force") return ColorBy::kForce;
  if (s == "fatigue") return ColorBy::kFatigue;
  throw std::invalid_argument("--color: '" + s + "' is not one of activation, force, fatigue");
}

const char* view_name(View v) {
  switch (v) {
    case View::kSagittal: return "sagittal";
    case View::kFrontal: return "frontal";
    case View::kTop: return "top";
    default: return "oblique";
  }
}

const char* color_by_name(ColorBy c) {
  switch (c) {
    case ColorBy::kActivation: return "activation";
    case ColorBy::kForce: return "force";
    default: return "fatigue";
  }
}

void colormap(double v, double rgb[3]) {
  // Sequential: resting muscles recede (pale blue-grey), working ones stand out (warm, dark).
  static const double stops[][4] = {{0.00, 0.78, 0.82, 0.88},
                                    {0.20, 0.99, 0.86, 0.45},
                                    {0.45, 0.98, 0.56, 0.20},
                                    {0.70, 0.85, 0.18, 0.15},
                                    {1.00, 0.40, 0.00, 0.25}};
  v = std::clamp(std::isfinite(v) ? v : 0.0, 0.0, 1.0);
  int k = 0;
  while (k < 3 && v > stops[k + 1][0]) ++k;
  const double f = (v - stops[k][0]) / (stops[k + 1][0] - stops[k][0]);
  for (int c = 0; c < 3; ++c) rgb[c] = stops[k][c + 1] + f * (stops[k + 1][c + 1] - stops[k][c + 1]);
}

std::string not_stored(const std::string& file, const std::string& dataset) {
  return fmt::format("{} has no {} (the run was written with --fields that leave it out)", file, dataset);
}

ResultsPicture::ResultsPicture(const ResultsSeries& results) : r_(results) {
  // What a file written with --fields lacks is left out of the pictures (omissions() says what).
  stored_.kinematics = r_.has("/kinematics/joint_angles");
  stored_.activation = r_.has("/muscles/activation");
  stored_.force = r_.has("/muscles/force");
  stored_.fatigued = r_.has("/fatigue/fatigued");
  stored_.compression = r_.has("/joints/compression");
  stored_.reserve = r_.has("/joints/reserve_moment");
  stored_.shear = r_.has("/joints/shear_ap") && r_.has("/joints/shear_lateral");
  if (r_.scenario_text.empty())
    throw InputError(r_.path, 0, "scenario_text", "missing: the pelvis pose and hand loads cannot be placed");
  scenario_ = r_.motion_text.empty()
                  ? parse_scenario(r_.scenario_text, r_.path + " (scenario_text)")
                  : parse_scenario_with_motion(r_.scenario_text, r_.path + " (scenario_text)", r_.motion_text, r_.path + " (motion_text)");
  Subject subject;
  if (r_.subject.is_object()) {
    subject.body_mass = r_.subject.value("body_mass_kg", 0.0);
    subject.height = r_.subject.value("height_m", 0.0);
    subject.sex = r_.subject.value("sex", std::string());
  }
  // The run's own model text where the file stores it: the picture is of the run, whatever has become
  // of the model file since. Older files name the file only, which is looked for and checked.
  const bool stored_text = !r_.model_text.empty();
  const std::string recorded = stored_text ? std::string() : r_.recorded_model_file();
  model_by_name_ = !stored_text && !r_.model_file.empty() && recorded.empty();
  std::string model_path = stored_text ? r_.path + " (model_text)" : recorded.empty() ? r_.model : recorded;
  if (model_by_name_) {
    model_path = resolve_model_path(r_.model);
    if (!std::filesystem::is_regular_file(model_path))
      throw InputError(r_.path, 0, "model_file",
                       fmt::format("the model file {} that the run recorded is not found (looked for as recorded and beside the "
                                   "results file), and no bundled model is named '{}': put the model file back where it was",
                                   r_.model_file, r_.model));
  }
  Model source = stored_text ? parse_model(r_.model_text, model_path) : load_model(model_path);
  if (stored_text) source.file = r_.model_file;  // where the run read it, as the results say
  model_ = scale_model(std::move(source), subject);
  const std::string by_name_note =
      model_by_name_ ? fmt::format(" (the model file {} that the run recorded is not found; this is the model named '{}')", r_.model_file, r_.model) : "";
  if (model_.njoint != r_.njoint() || model_.nmuscle != r_.nmuscle())
    throw InputError(r_.path, 0, "model", fmt::format("model '{}' has {} joints and {} muscles, the file {} and {}: it no longer matches the results{}",
                                                      model_path, model_.njoint, model_.nmuscle, r_.njoint(), r_.nmuscle(), by_name_note));
  for (int i = 0; i < model_.nmuscle; ++i)
    if (model_.muscle_name[i] != r_.muscle_name[i])
      throw InputError(r_.path, 0, "/muscles/name", fmt::format("muscle {} is '{}' in the file but '{}' in model '{}'{}", i, r_.muscle_name[i], model_.muscle_name[i], model_path, by_name_note));
  // The run's own F0 where the file has them: fascicle widths and the groups' share of strength lost
  // (report) as the run weighted them, whatever the model file says now.
  if (const Eigen::VectorXd f0 = r_.run_max_force(); f0.size() == model_.nmuscle) model_.muscle_fmax = f0;
  try {
    bound_ = std::make_unique<BoundScenario>(bind_scenario(scenario_, model_));
  } catch (const InputError& e) {
    if (stored_.kinematics) throw;
    // Without stored angles the posture comes from the scenario alone: say what is missing.
    throw InputError(r_.path, 0, "/kinematics/joint_angles",
                     std::string("missing (the run was written with --fields that leave it out), and the posture cannot be "
                                 "recomputed from the stored scenario: ") + e.what() +
                         "; run it again with --fields kinematics,joints,muscles/activation (or without --fields)");
  }
  run_has_forces_ = !bound_->forces.empty();
  for (const auto& rest : bound_->resting)
    for (int idx : rest) run_has_forces_ = run_has_forces_ || idx >= 0;
  run_has_arms_ = !model_.arms.empty();
  for (const auto& loads : bound_->hand_load) run_has_hand_load_ = run_has_hand_load_ || loads[0] > 0 || loads[1] > 0;
  bones_ = std::make_unique<BoneGeometry>(model_);
  data_ = std::make_unique<Data>(model_);
  // Reserves and failure, from the summary: the picture's status lines and ringed joints.
  if (r_.summary.is_object()) {
    const auto& res = r_.summary.value("reserves", nlohmann::json::object());
    run_has_reserves_ = stored_.reserve && res.is_object() && res.value("peak_moment_Nm", 0.0) >= kShownReserveNm;
    if (r_.summary.contains("endurance_s") && r_.summary["endurance_s"].is_number()) endurance_s_ = r_.summary["endurance_s"].get<double>();
    run_fails_ = endurance_s_ >= 0;
    // Only where fatigue changes a level's peak compression visibly (5 % and 10 N over the fresh
    // muscles' peak): a lift whose saturated fascicle tires a little is "fatigue-limited" from early
    // on, but its loads are the fresh ones to the newton.
    bool visible = false;
    if (r_.summary.contains("joints") && r_.summary["joints"].is_object())
      for (const auto& [name, j] : r_.summary["joints"].items()) {
        const double peak = j.value("peak_compression_N", 0.0), fresh = j.value("fresh_peak_compression_N", peak);
        visible = visible || peak > 1.05 * fresh + 10;
      }
    if (visible && r_.summary.contains("fatigue_limited_from_s") && r_.summary["fatigue_limited_from_s"].is_number())
      fatigue_limited_from_s_ = r_.summary["fatigue_limited_from_s"].get<double>();
  }

  // Run-wide scales, so that every frame of an animation shares its colour bar and axes. Force and
  // fatigue scales from every n-th frame; the peak compression exactly, from the most loaded level.
  const long stride = std::max(1L, r_.frames() / 2000);
  peak_compression_ = Eigen::VectorXd::Constant(r_.njoint(), 0.0);
  if (stored_.compression) peak_compression_ = r_.strided("/joints/compression", stride).colwise().maxCoeff().transpose();
  for (int j = 0; j < r_.njoint(); ++j) {  // the summary saw every frame
    const double p = r_.summary.is_object() && r_.summary.contains("joints") && r_.summary["joints"].contains(r_.joint_name[j])
                         ? r_.summary["joints"][r_.joint_name[j]].value("peak_compression_N", -INFINITY)
                         : -INFINITY;
    peak_compression_[j] = std::max(peak_compression_[j], p);
  }
  if (stored_.force) force_max_ = nice_ceil(std::max(1.0, r_.strided("/muscles/force", stride).maxCoeff()));
  if (stored_.fatigued) fatigue_max_ = std::min(1.0, nice_ceil(std::max(0.01, r_.strided("/fatigue/fatigued", stride).maxCoeff())));
  abdominal_wall_on_spine_ = abdominal_wall_on_spine(model_);
  tick_compression_ = peak_compression_;
  if (fatigue_limited_from_s_ >= 0)
    for (int j = 0; j < r_.njoint(); ++j) {
      const auto& joints = r_.summary["joints"];
      if (joints.contains(r_.joint_name[j]) && joints[r_.joint_name[j]].contains("fresh_peak_compression_N") &&
          joints[r_.joint_name[j]]["fresh_peak_compression_N"].is_number())
        tick_compression_[j] = joints[r_.joint_name[j]]["fresh_peak_compression_N"].get<double>();
    }
  compression_max_ = nice_ceil(std::max(kNioshActionLimit * 1.15, 1.05 * peak_compression_.maxCoeff()));
  peak_compression_.maxCoeff(&peak_joint_);
  joint_load_candidates_ = joint_load_candidates(model_, *bones_, peak_compression_, joint_load_along_);
  joint_load_all_ = joint_load_candidates_;
  std::sort(joint_load_all_.begin(), joint_load_all_.end());
  Eigen::Index row = 0;
  if (stored_.compression) {
    r_.column("/joints/compression", peak_joint_).maxCoeff(&row);
    peak_frame_ = row;
  } else if (stored_.any_muscle_value()) {  // every n-th frame, as the scales
    const char* field = stored_.activation ? "/muscles/activation" : stored_.force ? "/muscles/force" : "/fatigue/fatigued";
    r_.strided(field, stride).rowwise().sum().maxCoeff(&row);
    peak_frame_ = row * stride;
  }
  // Where fatigue visibly shifted the load, the default instant is where the task itself asks most:
  // the time of the largest fresh-muscle peak (the summary's fresh_peak_compression_time_s), not a
  // fatigue-driven peak (audit23t left open: forward_head_posture's default picture was its neutral
  // hold at 940 s, C7-T1 at 1116 N against 77 N fresh; now its 60° hold). The status line still says
  // when the loads drawn there are fatigue-driven.
  if (fatigue_limited_from_s_ >= 0 && r_.summary.contains("joints") && r_.summary["joints"].is_object()) {
    double best = -INFINITY, at = -1;
    for (const auto& [name, j] : r_.summary["joints"].items()) {
      const double fresh = j.value("fresh_peak_compression_N", -INFINITY);
      if (fresh > best && j.contains("fresh_peak_compression_time_s") && j["fresh_peak_compression_time_s"].is_number())
        best = fresh, at = j["fresh_peak_compression_time_s"].get<double>();
    }
    if (at >= 0) peak_frame_ = r_.frame_at(at);
  }
}

PictureOptions ResultsPicture::shown(const PictureOptions& o) const {
  PictureOptions s = o;
  if (!stored_.has(o.color))
    for (ColorBy c : {ColorBy::kActivation, ColorBy::kForce, ColorBy::kFatigue})
      if (stored_.has(c)) {
        s.color = c;
        break;
      }
  s.chart = o.chart && stored_.compression;
  s.joint_forces = o.joint_forces && stored_.compression && stored_.shear;
  return s;
}

ResultsPicture::ModelMatch ResultsPicture::model_match() const {
  if (r_.model_digest.empty() || model_.source_digest.empty()) return ModelMatch::kUnknown;
  return r_.model_digest == model_.source_digest ? ModelMatch::kSame : ModelMatch::kChanged;
}

std::vector<std::string> ResultsPicture::model_notes() const {
  std::vector<std::string> out;
  const ModelMatch match = model_match();
  if (model_by_name_)
    out.push_back(fmt::format("the model file {} that the run recorded is not found (looked for as recorded and beside {}): "
                              "the model named '{}' was loaded instead, {}{}",
                              r_.model_file, r_.path, r_.model, model_.file,
                              match == ModelMatch::kSame      ? ", whose text is the run's (model_digest)"
                              : match == ModelMatch::kChanged ? ", whose text is not the run's (model_digest): masses, strengths and external forces come from it"
                                                              : "",
                              match == ModelMatch::kChanged && !stored_.kinematics ? ", and so does the recomputed posture" : ""));
  else if (match == ModelMatch::kChanged)
    out.push_back(fmt::format("the model file {} has changed since the run (its text no longer matches {}'s model_digest): "
                              "masses, strengths and external forces come from the model as it is now{}",
                              model_.file, r_.path, stored_.kinematics ? "" : ", and so does the recomputed posture"));
  if (!stored_.kinematics)
    out.push_back(not_stored(r_.path, "/kinematics/joint_angles") +
                  (match == ModelMatch::kSame ? ": the posture is recomputed from the stored scenario, as the run sampled it"
                                              : ": the posture is recomputed from the stored scenario with the model file as it is now") +
                  " (add kinematics to --fields to store it)");
  return out;
}

std::vector<std::string> ResultsPicture::omissions(const PictureOptions& o) const {
  std::vector<std::string> out;
  const PictureOptions s = shown(o);
  for (const std::string& note : model_notes()) out.push_back(note);
  const char* dataset = o.color == ColorBy::kActivation ? "/muscles/activation" : o.color == ColorBy::kForce ? "/muscles/force" : "/fatigue/fatigued";
  if (!stored_.any_muscle_value())
    out.push_back(not_stored(r_.path, "/muscles/activation, /muscles/force or /fatigue/fatigued") +
                  ": the muscles are drawn grey (add muscles/activation to --fields to colour them)");
  else if (s.color != o.color)
    out.push_back(not_stored(r_.path, dataset) + fmt::format(": the muscles are coloured by {} instead (add {} to --fields to colour by {})",
                                                              color_by_name(s.color), dataset + 1, color_by_name(o.color)));
  if (s.color == ColorBy::kFatigue && r_.fatigue_mode == "off")
    out.push_back(r_.path + " was run with fatigue off (--no-fatigue): M_F is 0 throughout, so the fatigue colouring shows fresh muscles");
  if (o.joint_forces && !s.joint_forces)
    out.push_back(not_stored(r_.path, stored_.compression ? "/joints/shear_ap or /joints/shear_lateral" : "/joints/compression") +
                  ": no joint-load arrows (add joints to --fields)");
  if (o.chart && !s.chart)
    out.push_back(not_stored(r_.path, "/joints/compression") +
                  ": no compression chart, and the default instant is the frame of the highest summed muscle value, not the peak "
                  "compression (add joints/compression to --fields)");
  return out;
}

FrameValues ResultsPicture::values(long frame) const {
  FrameValues v;
  v.frame = std::clamp(frame, 0L, r_.frames() - 1);
  v.time = r_.time[v.frame];
  if (stored_.kinematics) v.q = r_.frame("/kinematics/joint_angles", v.frame);
  if (stored_.activation) v.activation = r_.frame("/muscles/activation", v.frame);
  if (stored_.force) v.force = r_.frame("/muscles/force", v.frame);
  if (stored_.fatigued) v.fatigued = r_.frame("/fatigue/fatigued", v.frame);
  if (stored_.compression) v.compression = r_.frame("/joints/compression", v.frame);
  if (stored_.reserve) v.reserve = r_.frame("/joints/reserve_moment", v.frame);
  if (stored_.shear) v.shear_ap = r_.frame("/joints/shear_ap", v.frame), v.shear_lateral = r_.frame("/joints/shear_lateral", v.frame);
  if (stored_.kinematics && v.q.size() != model_.ndof) throw InputError(r_.path, 0, "/kinematics/joint_angles", "width does not match the model");
  return v;
}

std::string ResultsPicture::phase_label(double t) const {
  const auto& k = scenario_.keyframes;
  bool any = false;
  for (const auto& kf : k) any = any || !kf.label.empty();
  if (!any) return "";
  const CyclePosition where = cycle_position(scenario_, scenario_.cycle_s(), t);
  if (where.resting) return where.on_break ? "break" : "rest";
  size_t i = 0;
  while (i + 1 < k.size() && k[i + 1].time <= where.time_in_cycle) ++i;
  if (i + 1 >= k.size() || std::abs(where.time_in_cycle - k[i].time) <= 1e-9) return k[i].label;  // on a keyframe
  const std::string &a = k[i].label, &b = k[i + 1].label;
  if (a == b || b.empty()) return a;
  if (a.empty()) return b;
  return a + " → " + b;
}

Scene ResultsPicture::scene(const FrameValues& v) {
  Data& d = *data_;
  clear_loads(model_, d);
  // Sampled as the run sampled frame f (run.cpp: cycle_position_of_frame), so a repetition's first
  // frame shows that repetition's t = 0 (its hands and loads), not the end of the rest before it.
  const double dt = 1.0 / scenario_.output_rate_hz, cycle = bound_->times.back();
  const long f = std::lround(v.time / dt);
  const CyclePosition where = std::abs(static_cast<double>(f) * dt - v.time) <= 1e-9 * std::max(1.0, v.time)
                                  ? cycle_position_of_frame(scenario_, cycle, f, dt)
                                  : cycle_position(scenario_, cycle, v.time);
  sample_scenario_at(*bound_, where, d);
  if (v.q.size()) d.q = v.q;  // the stored angles are what the run used (without them: its sample, above)
  // The scenario's external loads as the run applied them (run.cpp set_frame_kinematics): they
  // depend on where the segments are, so after forward kinematics.
  forward_kinematics(model_, d);
  std::vector<AppliedScenarioForce> applied;
  apply_scenario_loads(model_, *bound_, where.time_in_cycle, where.resting, d, nullptr, &applied);
  evaluate_frame_after_kinematics(model_, d);
  Scene sc = build_scene(model_, *bones_, d);
  SceneForce floor{"floor under the resting segments", Vec3::Zero(), Vec3::Zero(), true};
  Vec3 moment_point = Vec3::Zero();
  for (const auto& a : applied) {
    if (a.resting) {  // one resultant: vertical weights act through their weight-weighted centroid
      floor.force += a.force, moment_point += a.force.norm() * a.point;
      continue;
    }
    sc.forces.push_back({a.name, a.point, a.force, a.support});
  }
  if (floor.force.norm() > 0) {
    floor.point = moment_point / floor.force.norm();
    sc.forces.push_back(floor);
  }
  return sc;
}

ResultsPicture::Fit ResultsPicture::fit_scene(View view, const std::vector<const Scene*>& scenes, const std::vector<const FrameValues*>& values,
                                              const std::vector<int>& levels, Region region) const {
  const Camera cam = camera(view);
  double xmin = 1e9, xmax = -1e9, ymin = 1e9, ymax = -1e9;
  auto add = [&](const Vec3& p) {
    const double x = p.dot(cam.right), y = p.dot(cam.up);
    xmin = std::min(xmin, x), xmax = std::max(xmax, x), ymin = std::min(ymin, y), ymax = std::max(ymax, y);
  };
  if (region != Region::kWhole) {
    // A region: its bones (their processes and the head's nose too) and the joint-load arrows at its
    // discs; muscles, arms and loads that reach beyond are cut at the frame's edge.
    for (const Scene* s : scenes)
      for (const auto& b : s->bones) {
        if (!in_region(b, region)) continue;
        for (const Vec3& p : b.hull) add(p);
        for (const auto& [a, c] : b.bars) add(a), add(c);
      }
    for (size_t k = 0; k < values.size() && k < scenes.size(); ++k)
      for (const auto& a : joint_load_arrows(*scenes[k], *values[k], levels))
        add(a.compression_tail), add(a.compression_tip), add(a.shear_tail), add(a.shear_tip);
    // The margin: a tenth of the box's larger side, at least 4 cm [A: drawing], so the labels beside
    // the bodies (4 cm anterior) and the nearest muscles show.
    const double margin = std::max(0.04, 0.1 * std::max(xmax - xmin, ymax - ymin));
    Fit f;
    f.cx = 0.5 * (xmin + xmax), f.cy = 0.5 * (ymin + ymax);
    f.span_x = std::max(0.1, xmax - xmin + 2 * margin), f.span_y = std::max(0.1, ymax - ymin + 2 * margin);
    f.ready = true;
    return f;
  }
  for (const Scene* s : scenes) {
    for (const auto& b : s->bones) for (const Vec3& p : b.hull) add(p);
    for (const auto& path : s->muscle_path) for (const Vec3& p : path) add(p);
    for (const auto& h : s->hands) add(h.shoulder), add(h.hand);
    for (const auto& a : force_arrows(*s, model_.gravity.norm())) add(a.tail), add(a.tip);
  }
  for (size_t k = 0; k < values.size() && k < scenes.size(); ++k)  // joint loads: a lift's lumbar shear reached below the pelvis
    for (const auto& a : joint_load_arrows(*scenes[k], *values[k], levels))
      add(a.compression_tail), add(a.compression_tip), add(a.shear_tail), add(a.shear_tip);
  // Arms are drawn 2 cm wide and hands as 1.8 cm discs around their points: room for them.
  constexpr double kPad = 0.03;
  xmin -= kPad, xmax += kPad, ymin -= kPad, ymax += kPad;
  Fit f;
  f.cx = 0.5 * (xmin + xmax), f.cy = 0.5 * (ymin + ymax);
  f.span_x = std::max(0.1, xmax - xmin), f.span_y = std::max(0.1, ymax - ymin);
  f.ready = true;
  return f;
}

ResultsPicture::Fit& ResultsPicture::fit(const PictureOptions& o, const std::vector<int>& levels) {
  const bool region = o.region != Region::kWhole;
  const double from = region ? o.span_start : -INFINITY, to = region ? o.span_end : INFINITY;
  Fit& f = fits_[{static_cast<int>(o.view), static_cast<int>(o.region), from, to, levels}];
  if (f.ready) return f;
  std::vector<long> frames;
  if (!region) {
    const long n = std::min(12L, r_.frames());
    frames.push_back(peak_frame_);
    for (long k = 0; k < n; ++k) frames.push_back(n > 1 ? k * (r_.frames() - 1) / (n - 1) : 0);
  } else {
    // A region's camera: its box over the span the animation draws, from up to 200 frames evenly
    // spread over it (the run's 12 were enough for the whole body, which a margin of its muscles
    // surrounds; a cropped region's bones would reach the frame's edge between them).
    const long lo = std::isfinite(from) ? r_.frame_at(from) : 0, hi = std::isfinite(to) ? r_.frame_at(to) : r_.frames() - 1;
    const long n = std::min(200L, hi - lo + 1);
    for (long k = 0; k < n; ++k) frames.push_back(n > 1 ? lo + k * (hi - lo) / (n - 1) : lo);
  }
  std::vector<Scene> scenes;
  std::vector<FrameValues> vals;
  for (long fr : frames) vals.push_back(values(fr)), scenes.push_back(scene(vals.back()));
  std::vector<const Scene*> ptrs;
  std::vector<const FrameValues*> vptrs;
  for (size_t k = 0; k < scenes.size(); ++k) {
    ptrs.push_back(&scenes[k]);
    if (!levels.empty()) vptrs.push_back(&vals[k]);
  }
  f = fit_scene(o.view, ptrs, vptrs, levels, o.region);
  return f;
}

ResultsPicture::Fit ResultsPicture::body_fit(const FrameValues& v, const Scene& s, const PictureOptions& o, const std::vector<int>& levels) {
  static const std::vector<int> none;
  const std::vector<int>& drawn = o.joint_forces ? levels : none;
  if (o.fixed_frame) return fit(o, drawn);
  return drawn.empty() ? fit_scene(o.view, {&s}, {}, {}, o.region) : fit_scene(o.view, {&s}, {&v}, drawn, o.region);
}

namespace {
// A segment's region, by its name as the vertebra labels know it: the pelvis (segment 0) and L1 … L5
// lumbar, T1 … T12 and a lumped thorax (the lumbar model's) thoracic, C1 … C7 and the head the neck.
bool segment_in_region(const Model& m, int seg, Region r) {
  if (r == Region::kWhole) return true;
  if (seg < 0 || seg >= m.nsegment) return false;
  const std::string& name = m.segment_name[seg];
  auto numbered = [&](char c) { return name.size() > 1 && name[0] == c && std::isdigit(static_cast<unsigned char>(name[1])); };
  switch (r) {
    case Region::kLumbar: return seg == 0 || numbered('L');
    case Region::kThoracic: return numbered('T') || name == "thorax";
    case Region::kNeck: return numbered('C') || name == "head";
    case Region::kWhole: break;
  }
  return true;
}
}  // namespace

bool ResultsPicture::in_region(const SceneBone& b, Region r) const {
  if (r == Region::kWhole) return true;
  if (b.kind == SceneBone::kDisc)  // a disc joins its joint's two segments: in the region of either
    return b.joint >= 0 && (segment_in_region(model_, b.joint + 1, r) || segment_in_region(model_, model_.joint_parent(b.joint), r));
  return segment_in_region(model_, b.kind == SceneBone::kHead ? model_.segment_index("head") : model_.segment_index(b.name), r);
}

std::vector<int> ResultsPicture::region_joints(Region r) const {
  std::vector<int> out;
  for (int j = 0; j < model_.njoint; ++j)
    if (segment_in_region(model_, j + 1, r) || segment_in_region(model_, model_.joint_parent(j), r)) out.push_back(j);
  return out;
}

void ResultsPicture::check_region(Region r) const {
  if (r == Region::kWhole) return;
  for (int seg = 0; seg < model_.nsegment; ++seg)
    if (segment_in_region(model_, seg, r)) return;
  std::string has = "whole";
  for (Region q : {Region::kLumbar, Region::kThoracic, Region::kNeck})
    for (int seg = 0; seg < model_.nsegment; ++seg)
      if (segment_in_region(model_, seg, q)) {
        has += std::string(", ") + region_name(q);
        break;
      }
  static const char* what[] = {"", "pelvis or L1 … L5", "T1 … T12", "C1 … C7 or head"};
  throw InputError(r_.path, 0, "--region", fmt::format("model '{}' has no {} segment ({}), so it has no {} to frame; regions it has: {}", model_.name,
                                                       region_name(r), what[static_cast<int>(r)], region_name(r), has));
}

std::vector<int> ResultsPicture::candidates(Region r) const {
  if (r == Region::kWhole) return joint_load_candidates_;
  const std::vector<int> in = region_joints(r);
  std::vector<int> out;
  for (int j : joint_load_candidates_)
    if (std::binary_search(in.begin(), in.end(), j)) out.push_back(j);
  return out;
}

std::vector<int> ResultsPicture::candidates_ascending(Region r) const {
  if (r == Region::kWhole) return joint_load_all_;
  std::vector<int> out = candidates(r);
  std::sort(out.begin(), out.end());
  return out;
}

// The picture's scale, px per metre of body: the fit of `span_x` × `span_y` metres into w × h with a
// margin, capped by PictureOptions::max_px_per_m.
static double fitted_px_per_m(double w, double h, double span_x, double span_y, const PictureOptions& o) {
  const double fitted = 0.94 * std::min(w / span_x, h / span_y);
  return o.max_px_per_m > 0 ? std::min(fitted, o.max_px_per_m) : fitted;
}

ResultsPicture::Extent ResultsPicture::extent(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& asked) {
  const PictureOptions o = shown(asked);
  const Area a = body_area(w, h, o, static_cast<int>(status_lines(v).size()), legend_room(v, s, o));
  const Fit f = body_fit(v, s, o, joint_load_levels(w, h, v, s, o));
  const double scale = fitted_px_per_m(a.w, a.h, f.span_x, f.span_y, o);
  return {f.cx, f.cy, a.w / scale, a.h / scale};
}

std::vector<int> ResultsPicture::joint_load_levels(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& asked) {
  const PictureOptions o = shown(asked);
  if (!o.joint_forces) return {};
  // Levels the user chose (audit23t #8: --region lumbar drew L5-S1 and L2-L3 but not L4-L5, the disc
  // of the lesson): those of them with stored loads in the framed region, whatever overlaps.
  if (!o.joint_force_levels.empty()) {
    const std::vector<int> allowed = candidates_ascending(o.region);
    std::vector<int> chosen;
    for (int j : allowed)
      if (std::find(o.joint_force_levels.begin(), o.joint_force_levels.end(), j) != o.joint_force_levels.end()) chosen.push_back(j);
    return chosen;
  }
  const Area area = body_area(w, h, o, static_cast<int>(status_lines(v).size()), legend_room(v, s, o));
  const double fs = base_font_size(w, h, o);
  // The scale: the picture's fit with the arrows of every candidate level, so no larger than the one
  // it is drawn at (fitted to the arrows of the levels kept, fewer); arrows and labels clear of each
  // other at this scale stay clear at a larger one (their lengths and spacings grow, the labels not).
  const std::vector<int> all = candidates_ascending(o.region), tried = candidates(o.region);  // a region: its discs only
  if (all.empty()) return {};
  const Fit f = o.fixed_frame ? fit(o, all) : fit_scene(o.view, {&s}, {&v}, all, o.region);
  const double ppm = fitted_px_per_m(area.w, area.h, f.span_x, f.span_y, o);
  // And the largest it can be drawn at (fitted without arrows): an arrow or circle that may be drawn
  // there counts.
  const Fit body = o.fixed_frame ? fit(o, {}) : fit_scene(o.view, {&s}, {}, {}, o.region);
  const double grow = std::max(1.0, fitted_px_per_m(area.w, area.h, body.span_x, body.span_y, o) / ppm);
  if (!peak_scene_) {
    peak_values_ = values(peak_frame_);
    peak_scene_ = std::make_unique<Scene>(scene(peak_values_));
  }
  const Scene& ps = *peak_scene_;
  const Camera cam = camera(o.view);
  auto P = [&](const Vec3& p) {
    return Eigen::Vector2d(area.x0 + 0.5 * area.w + (p.dot(cam.right) - f.cx) * ppm, area.y0 + 0.5 * area.h - (p.dot(cam.up) - f.cy) * ppm);
  };
  auto screen_dir = [&](const Vec3& d) { return Eigen::Vector2d(d.dot(cam.right), -d.dot(cam.up)); };
  const auto loads = joint_load_arrows(ps, peak_values_, tried);
  // As draw_body draws them at the run's peak: which arrows show, and the spots its values may take.
  const double width = joint_arrow_width(ppm), head = joint_arrow_head(ppm), size = 0.75 * fs;
  cairo_surface_t* probe = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
  cairo_t* tcr = cairo_create(probe);
  struct Level {
    const JointLoadArrow* load = nullptr;
    Eigen::Vector2d tail, tip, shear_tail, shear_tip, centre;
    bool compression = false, shear = false, mark = false;  // may be drawn: compression arrow, shear arrow, the shear's circle
    std::vector<std::array<double, 4>> compression_spots, shear_spots;  // where draw_body tries its values, in order
  };
  // The boxes draw_body tries for a value from `at`: toward each of `dirs`, 0.6 to 4 font sizes away.
  auto spots = [&](const Eigen::Vector2d& at, const std::vector<Eigen::Vector2d>& dirs, const std::string& str) {
    std::vector<std::array<double, 4>> out;
    const double tw = text_width(tcr, str, size, true);
    for (Eigen::Vector2d dir : dirs) {
      dir = dir.norm() > 1e-9 ? Eigen::Vector2d(dir.normalized()) : Eigen::Vector2d(1, 0);
      for (double away = 0.6 * fs; away <= 4 * fs; away += 0.3 * fs) out.push_back(value_spot(at, dir, away, tw, size, area.x0, area.y0, area.w, area.h).box);
    }
    return out;
  };
  std::vector<Level> levels;
  for (int j : tried) {
    const auto it = std::find_if(loads.begin(), loads.end(), [&](const JointLoadArrow& a) { return a.joint == j; });
    if (it == loads.end()) continue;
    Level l;
    l.load = &*it;
    l.tail = P(it->compression_tail), l.tip = P(it->compression_tip), l.shear_tail = P(it->shear_tail), l.shear_tip = P(it->shear_tip), l.centre = P(it->centre);
    l.compression = (l.tip - l.tail).norm() * grow >= 6;
    l.shear = (l.shear_tip - l.shear_tail).norm() * grow >= 6;
    l.mark = (l.shear_tip - l.shear_tail).norm() < 6 && (it->shear_tip - it->shear_tail).norm() * ppm * grow >= 8;
    const SceneBone* disc = nullptr;
    for (const auto& b : ps.bones)
      if (b.kind == SceneBone::kDisc && b.joint == j) disc = &b;
    Eigen::Vector2d side = screen_dir(-disc->disc_frame.col(0));
    if (side.norm() < 0.3) side = screen_dir(-disc->disc_frame.col(2));
    l.compression_spots = spots(0.5 * (l.tail + l.tip), across(l.tail, l.tip, side), fmt::format("{} {:.0f} N", model_.joint_name[j], it->compression));
    const Eigen::Vector2d along = l.shear_tip - l.shear_tail;
    std::vector<Eigen::Vector2d> dirs = across(l.shear_tail, l.shear_tip, Eigen::Vector2d(1, 0));
    dirs.insert(dirs.begin(), along.norm() > 3 ? along : Eigen::Vector2d(0, -1));
    l.shear_spots = spots(l.shear_tip, dirs, shear_label(model_.joint_name[j], it->shear_ap, it->shear_lateral));
    levels.push_back(l);
  }
  cairo_destroy(tcr);
  cairo_surface_destroy(probe);
  // A level's arrows as a mask (every pixel their halos touch), widened so that two levels' halos
  // leave about half an arrow's width and 1 px between them [A: drawing]: the end of one arrow stays
  // that far from the head of the next (4 px at 1600 × 1000).
  const double margin = 0.25 * width + 1;
  std::map<int, Footprint> footprints;
  auto footprint = [&](int k) -> const Footprint& {
    auto [it, fresh] = footprints.try_emplace(k);
    if (!fresh) return it->second;
    const Level& l = levels[k];
    const double pad = head + width + along_view_radius(fs) + 4;
    double x0 = l.centre.x(), y0 = l.centre.y(), x1 = x0, y1 = y0;
    for (const Eigen::Vector2d& q : {l.tail, l.tip, l.shear_tail, l.shear_tip})
      x0 = std::min(x0, q.x()), y0 = std::min(y0, q.y()), x1 = std::max(x1, q.x()), y1 = std::max(y1, q.y());
    it->second = rasterize(x0 - pad, y0 - pad, x1 + pad, y1 + pad, margin, [&](cairo_t* cr) {
      if (l.compression) arrow_halo(cr, l.tail, l.tip, head, width);
      if (l.shear) arrow_halo(cr, l.shear_tail, l.shear_tip, head, width);
      if (l.mark) {
        cairo_new_path(cr);
        cairo_arc(cr, l.centre.x(), l.centre.y(), along_view_radius(fs) + 0.5 * std::max(1.5, 0.5 * width), 0, 2 * M_PI);
        cairo_fill(cr);
      }
    });
    return it->second;
  };
  auto hits = [](const Footprint& f, const std::array<double, 4>& box) {  // a value's box on a mask
    const int x0 = std::max(f.x0, static_cast<int>(std::floor(box[0]))), x1 = std::min(f.x0 + f.w, static_cast<int>(std::ceil(box[2])));
    const int y0 = std::max(f.y0, static_cast<int>(std::floor(box[1]))), y1 = std::min(f.y0 + f.h, static_cast<int>(std::ceil(box[3])));
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        if (f.on[static_cast<size_t>(y - f.y0) * f.w + (x - f.x0)]) return true;
    return false;
  };
  // In the order of the candidates, a level is kept when, with it, no two kept levels' arrows share a
  // pixel, and every value draw_body would write (the three largest compressions and the two largest
  // shears of the levels kept, in its order) finds one of the spots it tries clear of every arrow and
  // of the values before it. And, as before the choice looked at the screen, when along the spine its
  // arrow and each kept one at their peak leave 6 mm between the tail of the one below and the disc
  // above [A: drawing]: a view that shows the spine's length (the sagittal one) keeps the levels it
  // had wherever they do not meet on its screen.
  constexpr double kGap = 0.006;  // m
  auto reach = [&](int j) { return std::max(0.0, peak_compression_[j]) * kJointLoadMetresPerN; };
  auto apart = [&](int i, int j) {
    const int lo = joint_load_along_[i] < joint_load_along_[j] ? i : j, hi = lo == i ? j : i;
    return joint_load_along_[hi] - joint_load_along_[lo] >= reach(lo) + kGap;
  };
  std::vector<int> kept;
  for (int k = 0; k < static_cast<int>(levels.size()); ++k) {
    if (!std::all_of(kept.begin(), kept.end(), [&](int i) { return apart(levels[i].load->joint, levels[k].load->joint); })) continue;
    std::vector<int> t = kept;
    t.push_back(k);
    bool clear = true;
    for (size_t a = 0; a < t.size() && clear; ++a)
      for (size_t b = a + 1; b < t.size() && clear; ++b) clear = !overlap(footprint(t[a]), footprint(t[b]));
    auto largest = [&](auto value, auto drawn, size_t n) {
      std::vector<int> order;
      for (int i : t)
        if (drawn(levels[i])) order.push_back(i);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return value(levels[a]) > value(levels[b]); });
      if (order.size() > n) order.resize(n);
      return order;
    };
    std::vector<const std::vector<std::array<double, 4>>*> values;  // each value's spots, in draw_body's order
    for (int i : largest([](const Level& l) { return std::abs(l.load->compression); }, [](const Level& l) { return l.compression; }, 3))
      values.push_back(&levels[i].compression_spots);
    for (int i : largest([](const Level& l) { return std::hypot(l.load->shear_ap, l.load->shear_lateral); }, [](const Level& l) { return l.shear || l.mark; }, 2))
      values.push_back(&levels[i].shear_spots);
    std::vector<std::array<double, 4>> placed;
    for (size_t n = 0; n < values.size() && clear; ++n) {
      clear = false;
      for (const auto& box : *values[n]) {
        if (std::any_of(t.begin(), t.end(), [&](int i) { return hits(footprint(i), box); }) ||
            std::any_of(placed.begin(), placed.end(), [&](const auto& q) { return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]; }))
          continue;
        placed.push_back(box);
        clear = true;
        break;
      }
    }
    if (clear) kept = t;
  }
  std::vector<int> out;
  for (int k : kept) out.push_back(levels[k].load->joint);
  std::sort(out.begin(), out.end());
  return out;
}

double ResultsPicture::color_max(const PictureOptions& o) const {
  if (o.color_max > 0) return o.color_max;
  return o.color == ColorBy::kActivation ? 1.0 : o.color == ColorBy::kForce ? force_max_ : fatigue_max_;
}

double ResultsPicture::color_value(const FrameValues& v, int i, const PictureOptions& o) const {
  const ColorBy c = o.color;
  if (!stored_.has(c)) return NAN;  // nothing stored to colour by: drawn grey
  const double x = c == ColorBy::kActivation ? v.activation[i] : c == ColorBy::kForce ? v.force[i] : v.fatigued[i];
  return x / color_max(o);
}

static std::string legend_muscle_line(const Scene& s, const PictureOptions& o, bool coloured) {
  if (!o.highlight.empty()) {
    const long shown = std::count(o.highlight.begin(), o.highlight.end(), true);
    return coloured ? fmt::format("{} ({} of {} fascicles; the others faint): colour = {}", o.highlight_label, shown,
                                  s.muscle_path.size(), color_by_name(o.color))
                    : fmt::format("{} ({} of {} fascicles; the others faint)", o.highlight_label, shown, s.muscle_path.size());
  }
  if (!coloured) return fmt::format("muscle fascicles ({}): width ∝ √(max. force)", s.muscle_path.size());
  return fmt::format("muscle fascicles ({}): colour = {}, width ∝ √(max. force)", s.muscle_path.size(), color_by_name(o.color));
}

std::pair<std::vector<bool>, std::string> highlight_muscles(const Model& model, const std::vector<std::string>& items,
                                                            const std::string& option) {
  std::vector<bool> on(model.muscle_name.size(), false);
  std::string label;
  std::vector<std::string> seen;
  for (const std::string& item : items) {
    if (item.empty()) throw InputError(option, 0, "", "an empty name in the list");
    if (std::find(seen.begin(), seen.end(), item) != seen.end()) continue;  // named twice: once in the legend
    seen.push_back(item);
    bool found = false;
    for (size_t i = 0; i < on.size(); ++i)
      if (model.muscle_group[i] == item || model.muscle_name[i] == item) on[i] = found = true;
    if (!found) {
      std::vector<std::string> groups;
      for (const auto& g : model.muscle_group)
        if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
      std::string list;
      for (const auto& g : groups) list += (list.empty() ? "" : ", ") + g;
      throw InputError(option, 0, item, fmt::format("no muscle group or fascicle of that name in the {} model (its groups: {})", model.name, list));
    }
    label += (label.empty() ? "" : ", ") + item;
  }
  if (items.empty()) on.clear();
  return {on, label};
}

ResultsPicture::Area ResultsPicture::body_area(double w, double h, const PictureOptions& o, int status_shown, int legend_shown) const {
  const double fs = base_font_size(w, h, o);
  const double top = header_height(fs, o, status_shown), bar_h = o.compact ? 0.8 * fs : 3.6 * fs;
  // The legend block's real height: its rows (or the ranking's five, beside it) of 1.45 legend font
  // sizes from 0.4 fs below the title, plus a gap. A fixed 4.5 fs had the fourth legend row and the
  // ranking's last rows reach into the body's area (a side plank's raised arm crossed them).
  // The rows the instant draws (legend_room): a still kept the height of the stoop's hand-load row
  // before the box was lifted, a blank band above the body.
  const int rows = std::max(legend_shown, stored_.any_muscle_value() ? 5 : 0);
  const double legend_h = o.legend ? 0.4 * fs + rows * 1.45 * 0.8 * fs + 0.8 * fs : 0;
  const double chart_w = o.chart ? std::max(0.3 * w, 22 * fs) : 0;
  return {0, top + legend_h, w - chart_w, h - top - legend_h - bar_h};
}

std::vector<ResultsPicture::LegendLine> ResultsPicture::legend_lines(const Scene& s, const PictureOptions& o) const {
  std::vector<LegendLine> lines = {{LegendRow::kBones, "vertebrae, head, pelvis (schematic)"},
                                   {LegendRow::kDiscs, "intervertebral discs"},
                                   {LegendRow::kMuscles, legend_muscle_line(s, o, stored_.any_muscle_value())}};
  if (run_has_arms_) lines.push_back({LegendRow::kArm, "arm: a bar from the shoulder to the hand (schematic)"});
  if (run_has_hand_load_) lines.push_back({LegendRow::kHandLoad, "hand load: weight held (with any force acting at the hand), N"});
  if (run_has_reserves_) lines.push_back({LegendRow::kReserve, "joint where reserves carry moment (the muscles cannot)"});
  if (run_has_forces_) lines.push_back({LegendRow::kForce, "external force of the scenario (load or support), N"});
  if (o.joint_forces) lines.push_back({LegendRow::kJointLoad, "load on the disc from the body above: compression (black), shear (violet);"});
  return lines;
}

Eigen::Vector2d ResultsPicture::screen_point(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& asked, const Vec3& p) {
  const PictureOptions o = shown(asked);
  const Area a = body_area(w, h, o, static_cast<int>(status_lines(v).size()), legend_room(v, s, o));
  const Fit f = body_fit(v, s, o, joint_load_levels(w, h, v, s, o));
  const Camera cam = camera(o.view);
  const double scale = fitted_px_per_m(a.w, a.h, f.span_x, f.span_y, o);
  return Eigen::Vector2d(a.x0 + 0.5 * a.w + (p.dot(cam.right) - f.cx) * scale, a.y0 + 0.5 * a.h - (p.dot(cam.up) - f.cy) * scale);
}

double ResultsPicture::px_per_m(double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& asked) {
  const PictureOptions o = shown(asked);
  const Area a = body_area(w, h, o, static_cast<int>(status_lines(v).size()), legend_room(v, s, o));
  const Fit f = body_fit(v, s, o, joint_load_levels(w, h, v, s, o));
  return fitted_px_per_m(a.w, a.h, f.span_x, f.span_y, o);
}

double ResultsPicture::px_per_m_at(long frame, double w, double h, const PictureOptions& o) {
  const FrameValues v = values(frame);
  const Scene s = scene(v);
  return px_per_m(w, h, v, s, o);
}

void ResultsPicture::draw(cairo_t* cr, double w, double h, const FrameValues& v, const Scene& s, const PictureOptions& asked) {
  const PictureOptions o = shown(asked);  // what the file can show of what was asked
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, 0, 0, w, h);
  cairo_fill(cr);
  const double fs = base_font_size(w, h, o);
  // Title and subtitle.
  if (o.compact) {
    text(cr, fs, 1.9 * fs, fmt::format("t = {:.2f} s", v.time), 1.55 * fs, 0, true);
  } else {
    std::string phase = phase_label(v.time);  // "neck 0 deg": which hold or movement the instant is in
    auto title = [&] { return fmt::format("{} — t = {:.2f} s{}", r_.scenario.empty() ? r_.path : r_.scenario, v.time, phase.empty() ? "" : " · " + phase); };
    // Long labels ("grasp (the box's weight is now in the hands) → upright, …") are cut to the width, with "…".
    // Measured in the bold face it is drawn in: "normal width × 1.08" let rounded_back_lift's
    // "grasp … → upright, box close a" run off the right edge of a 1600-px picture, uncut.
    while (phase.size() > 12 && text_width(cr, title(), 1.55 * fs, true) > w - 2 * fs) {
      phase.erase(phase.size() - (phase.size() >= 3 && phase.compare(phase.size() - 3, 3, "…") == 0 ? 4 : 1));
      while (!phase.empty() && (static_cast<unsigned char>(phase.back()) & 0xC0) == 0x80) phase.pop_back();  // whole UTF-8 characters
      if (!phase.empty() && (static_cast<unsigned char>(phase.back()) & 0x80)) phase.pop_back();
      phase += "…";
    }
    text(cr, fs, 1.9 * fs, title(), 1.55 * fs, 0, true);
    const char* quantity = o.color == ColorBy::kActivation ? "activation" : o.color == ColorBy::kForce ? "muscle force" : "fatigue";
    std::string coloured = fmt::format("muscles coloured by {}", quantity);
    if (!stored_.any_muscle_value()) coloured = "muscle values not stored (--fields)";
    else if (o.color != asked.color) coloured += fmt::format(" ({} not stored, --fields)", color_by_name(asked.color));
    if (asked.chart && !o.chart) coloured += " · compression not stored";
    if (o.color == ColorBy::kFatigue && r_.fatigue_mode == "off") coloured += " (fatigue off in this run, --no-fatigue)";
    // Smaller when it would run off the right edge: the report's pictures (font_scale 1.2–1.5)
    // ended "… muscles coloured by ac", what the muscles' colours mean cut off; the red status lines too.
    const std::string framed = o.region == Region::kWhole ? "" : fmt::format(" · {} only", region_name(o.region));
    const std::string subtitle = fmt::format("{} model, {} · {}{} · {}", model_.name, subject_text(r_.subject), view_caption(o.view, s.pelvis_rotation, -s.gravity_dir),
                                             framed, coloured);
    text(cr, fs, 3.4 * fs, subtitle, fitted_size(cr, subtitle, 0.9 * fs, w - 2 * fs, 0.55 * fs), 0, false, 0.35, 0.35, 0.4);
  }
  const auto status = status_lines(v);
  const int status_shown = static_cast<int>(status.size());
  if (!o.compact) {  // reserves carrying load, a failed task: in red under the subtitle
    for (size_t k = 0; k < status.size(); ++k)
      text(cr, fs, (4.65 + 1.25 * k) * fs, status[k], fitted_size(cr, status[k], 0.9 * fs, w - 2 * fs, 0.55 * fs, true), 0, true, 0.75, 0.08, 0.08);
  }
  const double top = header_height(fs, o, status_shown);
  const double chart_w = o.chart ? std::max(0.3 * w, 22 * fs) : 0;
  const double body_w = w - chart_w;
  const double bar_h = 3.6 * fs;
  const Area body = body_area(w, h, o, status_shown, legend_room(v, s, o));
  const std::vector<int> levels = joint_load_levels(w, h, v, s, o);
  const Fit fitted = body_fit(v, s, o, levels);
  const double body_px_per_m = fitted_px_per_m(body.w, body.h, fitted.span_x, fitted.span_y, o);
  cairo_save(cr);  // the body's line caps and joins must not leak into the colour bar's ticks
  draw_body(cr, body.x0, body.y0, body.w, body.h, fs, v, s, o, levels);
  cairo_restore(cr);
  if (!o.compact && stored_.any_muscle_value()) {
    // The bar is shortened so that its label ends inside the body's column: in the report's
    // pictures (1400 × 880, font × 1.5) the label ran 60 px into the chart's column, just above its
    // tick labels.
    const double label_w = text_width(cr, colorbar_label(o.color), 0.8 * fs);
    const double bar_w = std::max(6 * fs, std::min({body_w - 3 * fs, 0.45 * body_w, body_w - 2.6 * fs - label_w}));
    draw_colorbar(cr, fs * 1.5, h - bar_h + 0.4 * fs, bar_w, fs, o);
  }
  if (o.legend) {
    cairo_save(cr);  // the legend's line caps must not leak into the chart (they now depend on which symbols the instant draws)
    draw_legend(cr, fs, top + 0.4 * fs, 0.8 * fs, v, o, s, body_px_per_m, body_w - 0.5 * fs);
    cairo_restore(cr);
    // The ranking beside the legend when its widest name and value fit (names of every group of the
    // model, so the panel neither moves nor comes and goes in an animation).
    const double lfs = 0.8 * fs;
    const double legend_w = legend_width(cr, lfs, s, o, body_px_per_m, body_w - 0.5 * fs - (fs + 2.2 * lfs));
    const double legend_end = fs + 2.2 * lfs + legend_w + 2 * lfs;
    const double x = std::max(0.52 * body_w, legend_end);
    if (stored_.any_muscle_value() && x + top_groups_width(cr, lfs, o) <= body_w - 0.5 * fs) draw_top_groups(cr, x, top + 0.4 * fs, lfs, v, o);
  }
  if (o.timeline && r_.time.back() > r_.time.front()) {
    // Where this instant lies in the run: a thin bar across the top.
    const double f = std::clamp((v.time - r_.time.front()) / (r_.time.back() - r_.time.front()), 0.0, 1.0);
    cairo_set_source_rgb(cr, 0.90, 0.90, 0.92);
    cairo_rectangle(cr, 0, 0, w, 0.35 * fs);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.10, 0.35, 0.75);
    cairo_rectangle(cr, 0, 0, f * w, 0.35 * fs);
    cairo_fill(cr);
  }
  if (o.chart) draw_chart(cr, body_w, top, chart_w, h - top - 0.4 * fs, fs, v);
  cairo_restore(cr);
}

void ResultsPicture::draw_body(cairo_t* cr, double x0, double y0, double w, double h, double fs, const FrameValues& v, const Scene& s, const PictureOptions& o,
                               const std::vector<int>& levels) {
  const Fit f = body_fit(v, s, o, levels);
  const Camera cam = camera(o.view);
  const double scale = fitted_px_per_m(w, h, f.span_x, f.span_y, o);
  auto P = [&](const Vec3& p) {
    return Eigen::Vector2d(x0 + 0.5 * w + (p.dot(cam.right) - f.cx) * scale, y0 + 0.5 * h - (p.dot(cam.up) - f.cy) * scale);
  };
  const double px_per_m = scale;
  // A region (o.region) is cropped: what reaches beyond the body's area is cut at its edge, and what
  // lies wholly beyond it (the pelvis and legs of the muscles in a picture of the neck) is not drawn,
  // so an SVG holds only what shows.
  const bool cropped = o.region != Region::kWhole;
  auto off_frame = [&](double ax0, double ay0, double ax1, double ay1) { return cropped && (ax1 < x0 || ax0 > x0 + w || ay1 < y0 || ay0 > y0 + h); };
  auto points_off_frame = [&](const std::vector<Eigen::Vector2d>& pts, double pad) {
    double ax0 = 1e300, ay0 = 1e300, ax1 = -1e300, ay1 = -1e300;
    for (const auto& q : pts) ax0 = std::min(ax0, q.x()), ay0 = std::min(ay0, q.y()), ax1 = std::max(ax1, q.x()), ay1 = std::max(ay1, q.y());
    return off_frame(ax0 - pad, ay0 - pad, ax1 + pad, ay1 + pad);
  };
  auto inside = [&](const Eigen::Vector2d& q) { return q.x() >= x0 && q.x() <= x0 + w && q.y() >= y0 && q.y() <= y0 + h; };
  if (cropped) {
    cairo_rectangle(cr, x0, y0, w, h);
    cairo_clip(cr);
  }

  struct Item {
    double depth;
    int kind, a, b;  // kind 0 bone (a), 1 muscle piece (a muscle, b point), 2 arm (a hand)
  };
  std::vector<Item> items;
  for (size_t k = 0; k < s.bones.size(); ++k) {
    // The pelvis hull spans the body: behind everything so it never hides a muscle.
    const double depth = s.bones[k].kind == SceneBone::kPelvis ? -1e9 : s.bones[k].centre.dot(cam.toward);
    items.push_back({depth, 0, static_cast<int>(k), 0});
  }
  for (int i = 0; i < static_cast<int>(s.muscle_path.size()); ++i)
    for (int k = 0; k + 1 < static_cast<int>(s.muscle_path[i].size()); ++k)
      items.push_back({0.5 * (s.muscle_path[i][k] + s.muscle_path[i][k + 1]).dot(cam.toward), 1, i, k});
  for (int hnd = 0; hnd < static_cast<int>(s.hands.size()); ++hnd)
    items.push_back({0.5 * (s.hands[hnd].shoulder + s.hands[hnd].hand).dot(cam.toward), 2, hnd, 0});
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.depth < b.depth; });

  const double fmax_all = model_.muscle_fmax.maxCoeff();
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const Item& it : items) {
    if (it.kind == 0) {
      const SceneBone& b = s.bones[it.a];
      std::vector<Eigen::Vector2d> pts;
      for (const Vec3& p : b.hull) pts.push_back(P(p));
      if (cropped) {
        std::vector<Eigen::Vector2d> all = pts;
        for (const auto& [a, c] : b.bars) all.push_back(P(a)), all.push_back(P(c));
        if (points_off_frame(all, 0.011 * px_per_m + 2)) continue;
      }
      const auto hull = hull2d(pts);
      double fill[4] = {0.93, 0.90, 0.82, 1.0}, line[3] = {0.45, 0.41, 0.34};
      if (b.kind == SceneBone::kDisc) fill[0] = 0.60, fill[1] = 0.72, fill[2] = 0.86;
      if (b.kind == SceneBone::kPelvis) fill[3] = 0.75;  // 0.45 left paraspinal_only's narrow pelvis almost invisible
      if (b.kind == SceneBone::kHead) fill[0] = 0.96, fill[1] = 0.89, fill[2] = 0.80, fill[3] = 0.9;
      for (const auto& [a, c] : b.bars) {  // processes under the body outline
        const auto pa = P(a), pc = P(c);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_width(cr, std::max(2.0, 0.011 * px_per_m));
        cairo_set_source_rgb(cr, line[0], line[1], line[2]);
        cairo_move_to(cr, pa.x(), pa.y()), cairo_line_to(cr, pc.x(), pc.y());
        cairo_stroke(cr);
        cairo_set_line_width(cr, std::max(1.0, 0.011 * px_per_m - 2));
        cairo_set_source_rgb(cr, fill[0], fill[1], fill[2]);
        cairo_move_to(cr, pa.x(), pa.y()), cairo_line_to(cr, pc.x(), pc.y());
        cairo_stroke(cr);
      }
      if (hull.size() >= 3) {
        cairo_move_to(cr, hull[0].x(), hull[0].y());
        for (size_t k = 1; k < hull.size(); ++k) cairo_line_to(cr, hull[k].x(), hull[k].y());
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, fill[0], fill[1], fill[2], fill[3]);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, line[0], line[1], line[2], 1.0);
        cairo_set_line_width(cr, std::max(b.kind == SceneBone::kPelvis ? 1.5 : 0.8, (b.kind == SceneBone::kPelvis ? 0.003 : 0.0015) * px_per_m));
        cairo_stroke(cr);
      }
    } else if (it.kind == 1) {
      const int i = it.a;
      const bool faint = !o.highlight.empty() && !o.highlight[i];
      double rgb[3] = {0.62, 0.62, 0.64};
      if (const double c = color_value(v, i, o); std::isfinite(c) && !faint) colormap(c, rgb);
      const auto pa = P(s.muscle_path[i][it.b]), pb = P(s.muscle_path[i][it.b + 1]);
      if (points_off_frame({pa, pb}, 0.006 * px_per_m + 1)) continue;
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      const double width = std::max(0.6, px_per_m * (0.0012 + 0.0045 * std::sqrt(model_.muscle_fmax[i] / fmax_all)));
      cairo_set_line_width(cr, faint ? std::min(width, std::max(0.6, 0.0012 * px_per_m)) : width);
      cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], faint ? 0.2 : 0.9);
      cairo_move_to(cr, pa.x(), pa.y()), cairo_line_to(cr, pb.x(), pb.y());
      cairo_stroke(cr);
    } else {
      const SceneHand& hd = s.hands[it.a];
      const auto ps = P(hd.shoulder), ph = P(hd.hand);
      if (points_off_frame({ps, ph}, 0.02 * px_per_m + 3)) continue;
      cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
      cairo_set_line_width(cr, std::max(2.0, 0.02 * px_per_m));
      cairo_set_source_rgba(cr, 0.55, 0.55, 0.58, 0.35);
      cairo_move_to(cr, ps.x(), ps.y()), cairo_line_to(cr, ph.x(), ph.y());
      cairo_stroke(cr);
      cairo_arc(cr, ph.x(), ph.y(), std::max(3.0, 0.018 * px_per_m), 0, 2 * M_PI);
      cairo_set_source_rgba(cr, 0.55, 0.55, 0.58, 0.6);
      cairo_fill(cr);
    }
  }

  // Joints where reserves carry moment at the instant (the muscles cannot): a red ring round the disc.
  if (v.reserve.size() == 3 * model_.njoint) {
    for (const ShownReserve& x : shown_reserves(v.reserve)) {
      // Round the joint's disc; a joint without one (C0-C1, C1-C2: the head on the atlas, the atlas on
      // the axis) round its centre, which the head's outline covers: the ring said "ringed" and was
      // nowhere to be seen there (audit25t B1). Rings are drawn after every bone, over the head.
      const SceneBone* disc = nullptr;
      for (const auto& b : s.bones)
        if (b.kind == SceneBone::kDisc && b.joint == x.joint) disc = &b;
      if (!disc && x.joint >= static_cast<int>(s.joint_centre.size())) continue;
      const auto c = P(disc ? disc->centre : s.joint_centre[x.joint]);
      if (cropped && !inside(c)) continue;
      // 3 cm round a lumbar disc; a cropped region's ring fits its own disc (0.6 of the disc's
      // largest extent on the screen, at most 3 cm): 3-cm rings hid the zoomed neck's C2 … C7. A
      // joint without a disc takes the size of a cervical one (1.5 cm).
      double radius = std::max(6.0, (disc ? 0.03 : 0.015) * px_per_m), line = std::max(2.0, 0.006 * px_per_m);
      if (cropped && disc) {
        double extent = 0;
        for (const Vec3& q : disc->hull) extent = std::max(extent, (P(q) - c).norm());
        radius = std::max(6.0, std::min(radius, 1.2 * extent)), line = std::max(2.0, std::min(line, 0.12 * radius));
      } else if (cropped) {
        line = std::max(2.0, std::min(line, 0.12 * radius));
      }
      cairo_new_path(cr);
      cairo_arc(cr, c.x(), c.y(), radius, 0, 2 * M_PI);
      cairo_set_source_rgb(cr, 0.85, 0.05, 0.05);
      cairo_set_line_width(cr, line);
      cairo_stroke(cr);
    }
  }

  // Loads on the body: hand loads (blue) and the scenario's other external forces (green), arrows
  // whose length grows with the force; arrows that coincide on screen (two hands seen from the side
  // holding the same) share one, labelled "2 × …".
  const double g = model_.gravity.norm();
  const auto arrows = force_arrows(s, g);
  std::vector<bool> done(arrows.size(), false);
  double mid = 0;  // labels on the outer side of their arrow, so two hands seen from behind do not collide
  for (const auto& h : s.hands) mid += P(h.hand).x() / std::max<size_t>(1, s.hands.size());
  for (size_t a = 0; a < arrows.size(); ++a) {
    if (done[a]) continue;
    const ForceArrow& fa = arrows[a];
    int count = 1;
    for (size_t b = a + 1; b < arrows.size(); ++b)
      if (!done[b] && arrows[b].hand == fa.hand && arrows[b].label == fa.label && (arrows[b].force - fa.force).norm() < 1e-6 &&
          (P(arrows[b].at) - P(fa.at)).norm() < 6)
        done[b] = true, ++count;
    done[a] = true;
    // A cropped region draws the loads acting inside its frame (a picture of the neck: not the
    // phone in the hands at the belt, whose label would be pushed in from the edge, away from it).
    if (cropped && !inside(P(fa.at))) continue;
    const double rgb[3] = {fa.hand ? 0.10 : 0.05, fa.hand ? 0.35 : 0.50, fa.hand ? 0.75 : 0.28};
    auto p0 = P(fa.tail), p1 = P(fa.tip);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    Eigen::Vector2d label_at = fa.support ? p0 : p1;  // at the free end
    if ((p1 - p0).norm() > 0.02 * px_per_m) {
      arrow(cr, p0.x(), p0.y(), p1.x(), p1.y(), std::max(8.0, 0.03 * px_per_m), std::max(2.5, 0.008 * px_per_m));
    } else {  // seen along the force: a circled cross (away from the viewer) or dot (toward)
      const auto c = P(fa.at);
      const double r = std::max(7.0, 0.025 * px_per_m);
      cairo_set_line_width(cr, std::max(2.0, 0.006 * px_per_m));
      cairo_new_path(cr);
      cairo_arc(cr, c.x(), c.y(), r, 0, 2 * M_PI);
      cairo_stroke(cr);
      along_view_mark(cr, c, r, fa.force.dot(camera(o.view).toward) < 0);
      label_at = c + Eigen::Vector2d(0, -1.3 * r);
    }
    const std::string label = count > 1 && fa.hand && fa.hands == 1 && fa.label.find(" at the hand") == std::string::npos
                                  ? fmt::format("{} × {:.3g} kg ({})", count, fa.load_kg, newtons_text(count * fa.force.norm()))
                              : count > 1 ? fmt::format("{} × {}", count, fa.label)
                                          : fa.label;
    const bool left = fa.hand ? count == 1 && P(fa.at).x() < mid - 1 : label_at.x() < P(fa.at).x() - 1;
    // Inside the body's area: golf's "305 N at the hands: club_pull 302 N + 2 × 0.15 kg" ran on
    // into the compression chart at 800 × 500. A label that does not fit on its side goes to the
    // other side of the arrow's end, else is moved in from the edge.
    const double tw = text_width(cr, label, 0.85 * fs, true);
    const double x_label = label_x(label_at.x(), tw, left, fs, x0, x0 + w);
    // Its descenders inside the area too: an animation of golf (one camera for the run) had the hand
    // label's reach the colour bar's row.
    const double y_label = std::clamp(label_at.y(), y0 + 0.9 * fs, y0 + h - 0.3 * fs);
    text(cr, x_label, y_label, label, 0.85 * fs, 0.0, true, rgb[0], rgb[1], rgb[2]);
  }

  // Joint loads (--joint-forces): at the chosen discs the load of the body above, compression along
  // the disc normal ending at the disc, shear in the disc plane starting there; one scale
  // (kJointLoadMetresPerN) at the body's px_per_m. A shear seen along the view is a circled cross
  // (away from the viewer) or dot (toward), when its arrow would be 8 px or more.
  std::vector<JointLoadArrow> loads;
  std::vector<bool> compression_drawn, shear_drawn;
  std::vector<std::pair<Eigen::Vector2d, Eigen::Vector2d>> drawn_arrows;  // screen: their values keep off them
  if (o.joint_forces) {
    loads = joint_load_arrows(s, v, levels);
    const double width = joint_arrow_width(px_per_m), head = joint_arrow_head(px_per_m);
    for (const JointLoadArrow& a : loads) {
      compression_drawn.push_back(haloed_arrow(cr, P(a.compression_tail), P(a.compression_tip), head, width, kCompressionRgb));
      if (compression_drawn.back()) drawn_arrows.push_back({P(a.compression_tail), P(a.compression_tip)});
      bool drawn = haloed_arrow(cr, P(a.shear_tail), P(a.shear_tip), head, width, kShearRgb);
      if (drawn) drawn_arrows.push_back({P(a.shear_tail), P(a.shear_tip)});
      if (!drawn && (a.shear_tip - a.shear_tail).norm() * px_per_m >= 8) {
        const auto c = P(a.centre);
        const double r = along_view_radius(fs);
        cairo_new_path(cr);
        cairo_arc(cr, c.x(), c.y(), r, 0, 2 * M_PI);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, kShearRgb[0], kShearRgb[1], kShearRgb[2]);
        cairo_set_line_width(cr, std::max(1.5, 0.5 * width));
        cairo_stroke(cr);
        along_view_mark(cr, c, r, (a.shear_tip - a.shear_tail).dot(cam.toward) < 0);
        drawn = true;
      }
      shear_drawn.push_back(drawn);
    }
  }

  std::vector<std::array<double, 4>> placed;  // labels written: x0, y0, x1, y1
  // Vertebra labels for orientation, beside the bodies: in the sagittal view on the anterior side
  // of each body as it lies (a prone or stooping spine's labels below it, not on the next
  // vertebrae along it), in the frontal view on the subject's right (below a side plank's spine,
  // lying right side down, not along it). A label that would overlap one already
  // written is left out: in a frontal view of a stooping or prone body the spine runs toward the
  // viewer and "T8 T12 L1 C7 C4" were piled on one spot.
  if (o.view == View::kSagittal || o.view == View::kFrontal) {
    const double th = 0.7 * fs;
    for (const auto& b : s.bones) {
      if (b.kind != SceneBone::kVertebra) continue;
      static const char* shown[] = {"L1", "L2", "L3", "L4", "L5", "T12", "T8", "T4", "T1", "C7", "C4", "C1"};
      // A cropped region labels every vertebra of its own (C1 … C7 in the neck's picture: there is
      // room for them), and those of the list above its frame shows.
      const bool listed = std::find_if(std::begin(shown), std::end(shown), [&](const char* n) { return b.name == n; }) != std::end(shown);
      if (!listed && !(cropped && in_region(b, o.region))) continue;
      const auto c = P(b.centre);
      const Vec3& side = o.view == View::kSagittal ? b.anterior : b.right;
      Eigen::Vector2d dir(1, 0);
      if (const Eigen::Vector2d a(side.dot(cam.right), -side.dot(cam.up)); a.norm() > 0.3) dir = a.normalized();
      const double dist = (o.view == View::kSagittal ? 0.04 : 0.06) * px_per_m;
      const double tw = text_width(cr, b.name, th);
      const double left = c.x() + dir.x() * dist - (0.5 - 0.5 * dir.x()) * tw;
      const double base = c.y() + dir.y() * dist + (0.35 + 0.45 * dir.y()) * th;
      const std::array<double, 4> box = {left - 0.1 * th, base - 0.8 * th, left + tw + 0.1 * th, base + 0.25 * th};
      if (cropped && (box[0] < x0 || box[2] > x0 + w || box[1] < y0 || box[3] > y0 + h)) continue;  // wholly inside the frame, or not at all
      if (std::any_of(placed.begin(), placed.end(), [&](const auto& q) { return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]; })) continue;
      placed.push_back(box);
      // On a white halo: the labels sit over muscles and the reserves' red rings (slouched sitting's
      // L2 … L5 were crossed by them).
      static constexpr double kLabelRgb[3] = {0.40, 0.37, 0.30};
      haloed_text(cr, left, base, b.name, th, false, kLabelRgb, 0.85);
    }
  }

  // The joint loads' values: the three largest compressions ("L2-L3 2991 N", beside the middle of
  // their arrow, across it: on the disc's posterior side first, else the other) and the two largest
  // shears (at the arrow's end, beyond it, else across it), inside the body's area, on a white halo; a
  // value that would overlap a label already written on every side tried is left out.

  // Writes `str` beside `at`, on the side of the first direction (screen) in `dirs` where, at 0.6 to
  // 4 font sizes from `at`, it overlaps no label already written and no joint-load arrow (a value
  // centred above the middle of a slanting arrow covered its tail); false when there is none.
  const double arrow_margin = 0.5 * std::max(3.0, 0.006 * px_per_m) + 2;
  auto on_arrow = [&](const std::array<double, 4>& box) {
    for (const auto& [a, b] : drawn_arrows) {
      const int n = 1 + static_cast<int>((b - a).norm() / 2);
      for (int k = 0; k <= n; ++k) {
        const Eigen::Vector2d q = a + (b - a) * (static_cast<double>(k) / n);
        if (q.x() > box[0] - arrow_margin && q.x() < box[2] + arrow_margin && q.y() > box[1] - arrow_margin && q.y() < box[3] + arrow_margin) return true;
      }
    }
    return false;
  };
  auto place = [&](const Eigen::Vector2d& at, const std::vector<Eigen::Vector2d>& dirs, const std::string& str, const double rgb[3]) {
    const double size = 0.75 * fs, tw = text_width(cr, str, size, true);
    for (Eigen::Vector2d dir : dirs) {
      dir = dir.norm() > 1e-9 ? Eigen::Vector2d(dir.normalized()) : Eigen::Vector2d(1, 0);
      for (double away = 0.6 * fs; away <= 4 * fs; away += 0.3 * fs) {
        const ValueSpot spot = value_spot(at, dir, away, tw, size, x0, y0, w, h);
        const std::array<double, 4>& box = spot.box;
        if (on_arrow(box) || std::any_of(placed.begin(), placed.end(), [&](const auto& q) { return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]; }))
          continue;
        placed.push_back(box);
        haloed_text(cr, spot.left, spot.base, str, size, true, rgb, 0.9);
        return true;
      }
    }
    return false;
  };
  auto screen_dir = [&](const Vec3& d) { return Eigen::Vector2d(d.dot(cam.right), -d.dot(cam.up)); };
  std::vector<size_t> order(loads.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::abs(loads[a].compression) > std::abs(loads[b].compression); });
  int tried = 0;
  for (size_t k : order) {
    if (tried == 3) break;
    if (!compression_drawn[k]) continue;
    ++tried;
    const JointLoadArrow& a = loads[k];
    const SceneBone* disc = nullptr;
    for (const auto& b : s.bones)
      if (b.kind == SceneBone::kDisc && b.joint == a.joint) disc = &b;
    Eigen::Vector2d side = screen_dir(-disc->disc_frame.col(0));
    if (side.norm() < 0.3) side = screen_dir(-disc->disc_frame.col(2));
    const Eigen::Vector2d tail = P(a.compression_tail), tip = P(a.compression_tip);
    place(0.5 * (tail + tip), across(tail, tip, side), fmt::format("{} {:.0f} N", model_.joint_name[a.joint], a.compression), kCompressionRgb);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::hypot(loads[a].shear_ap, loads[a].shear_lateral) > std::hypot(loads[b].shear_ap, loads[b].shear_lateral);
  });
  tried = 0;
  for (size_t k : order) {
    if (tried == 2) break;
    if (!shear_drawn[k]) continue;
    ++tried;
    const JointLoadArrow& a = loads[k];
    const Eigen::Vector2d tip = P(a.shear_tip), along = tip - P(a.shear_tail);
    std::vector<Eigen::Vector2d> dirs = across(P(a.shear_tail), tip, Eigen::Vector2d(1, 0));
    dirs.insert(dirs.begin(), along.norm() > 3 ? along : Eigen::Vector2d(0, -1));
    place(tip, dirs, shear_label(model_.joint_name[a.joint], a.shear_ap, a.shear_lateral), kShearRgb);
  }
}

void ResultsPicture::draw_colorbar(cairo_t* cr, double x0, double y0, double w, double fs, const PictureOptions& o) {
  const double bh = 0.9 * fs;
  cairo_pattern_t* grad = cairo_pattern_create_linear(x0, 0, x0 + w, 0);
  for (int k = 0; k <= 20; ++k) {
    double rgb[3];
    colormap(k / 20.0, rgb);
    cairo_pattern_add_color_stop_rgb(grad, k / 20.0, rgb[0], rgb[1], rgb[2]);
  }
  cairo_rectangle(cr, x0, y0, w, bh);
  cairo_set_source(cr, grad);
  cairo_fill_preserve(cr);
  cairo_pattern_destroy(grad);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
  const double vmax = color_max(o);
  const double step = nice_step(vmax, 5);
  for (double t = 0; t <= vmax * (1 + 1e-9); t += step) {
    const double x = x0 + w * t / vmax;
    cairo_move_to(cr, x, y0 + bh), cairo_line_to(cr, x, y0 + bh + 0.3 * fs);
    cairo_stroke(cr);
    text(cr, x, y0 + bh + 1.2 * fs, tick_label(t, step), 0.75 * fs, 0.5);
  }
  text(cr, x0 + w + 0.6 * fs, y0 + 0.8 * bh, colorbar_label(o.color), 0.8 * fs);
}

void ResultsPicture::draw_legend(cairo_t* cr, double x0, double y0, double fs, const FrameValues& v, const PictureOptions& o, const Scene& s, double px_per_m,
                                 double right_edge) {
  const double row = 1.45 * fs;
  double y = y0;
  auto swatch = [&](double r, double g, double b) {
    cairo_rectangle(cr, x0, y - 0.75 * fs, 1.6 * fs, 0.9 * fs);
    cairo_set_source_rgb(cr, r, g, b);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.45, 0.41, 0.34);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
  };
  // Each row by its name (legend_lines), one row height apart. An animation keeps a row's place in
  // every frame, drawn or not (its rows do not jump); a still picture closes the gap a row it does
  // not draw would leave (golf and the phone neck showed an empty row above the external force).
  for (const LegendLine& line : legend_lines(s, o)) {
    const bool drawn = legend_row_drawn(line.row, v, s);
    if (drawn || o.fixed_frame) y += row;
    if (!drawn) continue;
    std::string shown = line.text;
    switch (line.row) {
      case LegendRow::kBones:
        swatch(0.93, 0.90, 0.82);
        break;
      case LegendRow::kDiscs:
        swatch(0.60, 0.72, 0.86);
        break;
      case LegendRow::kMuscles: {
        double rgb[3];
        colormap(0.75, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, 0.35 * fs);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_move_to(cr, x0, y - 0.3 * fs), cairo_line_to(cr, x0 + 1.6 * fs, y - 0.3 * fs);
        cairo_stroke(cr);
        break;
      }
      case LegendRow::kArm:
        // A student asked what the grey stick from the shoulder was (slouched sitting's hangs below
        // the pelvis); drawn as draw_body draws them.
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_width(cr, 0.45 * fs);
        cairo_set_source_rgba(cr, 0.55, 0.55, 0.58, 0.35);
        cairo_move_to(cr, x0 + 0.2 * fs, y - 0.3 * fs), cairo_line_to(cr, x0 + 1.3 * fs, y - 0.3 * fs);
        cairo_stroke(cr);
        cairo_arc(cr, x0 + 1.3 * fs, y - 0.3 * fs, 0.35 * fs, 0, 2 * M_PI);
        cairo_set_source_rgba(cr, 0.55, 0.55, 0.58, 0.6);
        cairo_fill(cr);
        break;
      case LegendRow::kHandLoad:
        cairo_set_source_rgb(cr, 0.10, 0.35, 0.75);
        arrow(cr, x0 + 0.8 * fs, y - 1.0 * fs, x0 + 0.8 * fs, y + 0.1 * fs, 0.6 * fs, 0.2 * fs);
        break;
      case LegendRow::kReserve:
        cairo_new_path(cr);
        cairo_arc(cr, x0 + 0.8 * fs, y - 0.3 * fs, 0.45 * fs, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, 0.85, 0.05, 0.05);
        cairo_set_line_width(cr, 0.15 * fs);
        cairo_stroke(cr);
        break;
      case LegendRow::kForce:
        cairo_set_source_rgb(cr, 0.05, 0.50, 0.28);
        arrow(cr, x0 + 0.8 * fs, y - 1.0 * fs, x0 + 0.8 * fs, y + 0.1 * fs, 0.6 * fs, 0.2 * fs);
        break;
      case LegendRow::kJointLoad: {
        // The symbols (compression down, shear across), then after the text the scale: a bar of
        // scale_bar_newtons N at the picture's kJointLoadMetresPerN × px_per_m.
        cairo_set_source_rgb(cr, kCompressionRgb[0], kCompressionRgb[1], kCompressionRgb[2]);
        arrow(cr, x0 + 0.35 * fs, y - 1.0 * fs, x0 + 0.35 * fs, y + 0.1 * fs, 0.6 * fs, 0.2 * fs);
        cairo_set_source_rgb(cr, kShearRgb[0], kShearRgb[1], kShearRgb[2]);
        arrow(cr, x0 + 0.6 * fs, y - 0.3 * fs, x0 + 1.7 * fs, y - 0.3 * fs, 0.6 * fs, 0.2 * fs);
        const double per_n = kJointLoadMetresPerN * px_per_m, n = scale_bar_newtons(per_n, fs);
        shown = joint_load_legend_text(cr, fs, scale_bar_width(cr, fs, per_n), right_edge - (x0 + 2.2 * fs));
        const double bx = x0 + 2.2 * fs + text_width(cr, shown, fs) + 0.6 * fs, len = n * per_n;
        cairo_set_source_rgb(cr, kCompressionRgb[0], kCompressionRgb[1], kCompressionRgb[2]);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        cairo_set_line_width(cr, std::max(1.5, 0.15 * fs));
        cairo_move_to(cr, bx, y - 0.3 * fs), cairo_line_to(cr, bx + len, y - 0.3 * fs);
        cairo_move_to(cr, bx, y - 0.65 * fs), cairo_line_to(cr, bx, y + 0.05 * fs);
        cairo_move_to(cr, bx + len, y - 0.65 * fs), cairo_line_to(cr, bx + len, y + 0.05 * fs);
        cairo_stroke(cr);
        text(cr, bx + len + 0.4 * fs, y, fmt::format("{:.0f} N", n), fs);
        break;
      }
    }
    text(cr, x0 + 2.2 * fs, y, shown, fs);
  }
}

bool ResultsPicture::legend_row_drawn(LegendRow row, const FrameValues& v, const Scene& s) const {
  // The arrow rows keep their room in every frame of an animation (it does not jump) but are written
  // only when the instant draws such an arrow: superman's lifted phase listed a force it did not draw.
  if (row == LegendRow::kHandLoad || row == LegendRow::kForce) {
    for (const auto& a : force_arrows(s, model_.gravity.norm()))
      if (a.hand == (row == LegendRow::kHandLoad)) return true;
    return false;
  }
  if (row == LegendRow::kReserve) return v.reserve.size() == 3 * model_.njoint && !shown_reserves(v.reserve).empty();
  return true;
}

int ResultsPicture::legend_rows_drawn(const FrameValues& v, const Scene& s, const PictureOptions& o) const {
  int n = 0;
  for (const LegendLine& line : legend_lines(s, o)) n += legend_row_drawn(line.row, v, s);
  return n;
}

double ResultsPicture::legend_width(cairo_t* cr, double fs, const Scene& s, const PictureOptions& o, double px_per_m, double room) const {
  double w = 0;
  for (const LegendLine& line : legend_lines(s, o)) {
    double lw = text_width(cr, line.text, fs);
    if (line.row == LegendRow::kJointLoad) {  // the text that fits, and its scale bar
      const double bar = scale_bar_width(cr, fs, kJointLoadMetresPerN * px_per_m);
      lw = text_width(cr, joint_load_legend_text(cr, fs, bar, room), fs) + bar;
    }
    w = std::max(w, lw);
  }
  return w;
}

double base_font_size(double w, double h, const PictureOptions& o) {
  // The smaller side / 55, with a floor of 12 (the legend 9.6 px, the chart's level names 8.4 px):
  // at 800 × 500 the floor of 9 left the legend and chart at 5–7 px, unreadable in an animation.
  return std::max(12.0, std::min(w, h) / 55 * o.font_scale);
}

std::vector<ShownReserve> shown_reserves(const Eigen::Ref<const Eigen::VectorXd>& reserve) {
  std::vector<ShownReserve> out;
  for (Eigen::Index j = 0; j + 2 < reserve.size(); j += 3) {
    int k = 0;
    for (int c = 1; c < 3; ++c)
      if (std::abs(reserve[j + c]) > std::abs(reserve[j + k])) k = c;
    const double x = reserve[j + k];
    if (!(std::abs(x) >= kShownReserveNm)) continue;
    // Signs as /kinematics/joint_angles: flexion +, lateral bending + right, axial rotation + right.
    static const char* names[3][2] = {{"extension", "flexion"}, {"left lateral bending", "right lateral bending"}, {"left axial rotation", "right axial rotation"}};
    out.push_back({static_cast<int>(j / 3), std::abs(x), names[k][x > 0]});
  }
  std::stable_sort(out.begin(), out.end(), [](const ShownReserve& a, const ShownReserve& b) { return a.moment > b.moment; });
  return out;
}

std::vector<std::string> ResultsPicture::status_lines(const FrameValues& v) const {
  std::vector<std::string> out;
  if (v.reserve.size() == 3 * model_.njoint) {
    const auto res = shown_reserves(v.reserve);
    if (!res.empty()) {
      std::string line = fmt::format("reserves carry {:.0f} N·m {} at {} — the muscles cannot", res[0].moment, res[0].rotation, model_.joint_name[res[0].joint]);
      if (res.size() > 1) line += fmt::format(" (and ≥ {:g} N·m at {} more level{}; ringed)", kShownReserveNm, res.size() - 1, res.size() > 2 ? "s" : "");
      else line += " (ringed)";
      out.push_back(line);
    }
  }
  // Fatigue-driven loads before failure (audit23t #2: forward_head_posture's default picture, its
  // neutral hold at 940 s, showed C7-T1 1116 N where fresh muscles give 77 N, and said nothing).
  const bool failed = run_fails_ && v.time >= endurance_s_ - 1e-9;
  if (!failed && fatigue_limited_from_s_ >= 0 && v.time >= fatigue_limited_from_s_ - 1e-9)
    out.push_back(fmt::format("fatigue-driven from t = {:.0f} s: fatigued muscles shift the load, so these loads exceed the "
                              "task's with fresh muscles (a --no-fatigue run draws those)",
                              fatigue_limited_from_s_));
  // audit25t A1: oblique slips at 0.99, the darkest lines of a lift, read on a slide as a finding.
  if (v.activation.size() == model_.nmuscle) {
    double most = 0;
    std::string which;
    for (const int i : abdominal_wall_on_spine_)
      if (v.activation[i] >= kAbdominalArtefactActivation && v.activation[i] > most) most = v.activation[i], which = model_.muscle_name[i];
    if (!which.empty())
      out.push_back(fmt::format("abdominal slips riding on the lumbar vertebrae work at up to {:.2f} here ({}): the model's known "
                                "artefact, not a finding (docs/model.md, \"Open findings\")",
                                most, which));
  }
  // audit23t left open: the run's text warns about a flexed neck, the pictures did not.
  if (v.q.size() == model_.ndof) {
    const double neck_deg = neck_flexion_deg(model_, v.q);
    if (neck_deg >= kNeckFlexionCaveatDeg)
      // The upper thoracic levels carry the neck flexors' pull too (forward_head_posture's 60° hold:
      // T1-T2 ×15, T4-T5 ×3.9 its neutral-neck load; audit25t A5): named, since they top the chart.
      out.push_back(fmt::format("neck flexed {:.0f}° here: from {:.0f}° the model's cervical and upper thoracic loads are known to be too high "
                                "(docs/model.md, \"The neck: what is and is not validated\")",
                                neck_deg, kNeckFlexionCaveatDeg));
  }
  if (failed) {
    const auto& s = r_.summary;
    auto str = [&](const char* key) { return s.contains(key) && s[key].is_string() ? s[key].get<std::string>() : std::string(); };
    std::string why = str("first_to_fail");
    if (!str("failed_joint").empty()) why += (why.empty() ? "at " : " first, at ") + str("failed_joint");
    if (str("failure_kind") == "strength_limit") why += ", at its strength limit";
    else if (str("failure_kind") == "fatigue") why += ", by fatigue";
    out.push_back(fmt::format("task failed at {} s{} — drawn after it, the muscles no longer hold this", endurance_s_ >= 100 ? fmt::format("{:.0f}", endurance_s_) : fmt::format("{:.3g}", endurance_s_),
                              why.empty() ? "" : " (" + why + ")"));
  }
  return out;
}

double ResultsPicture::header_height(double fs, const PictureOptions& o, int status_shown) const {
  return o.compact ? 2.8 * fs : (4.4 + 1.25 * status_rows(o, status_shown)) * fs;
}

std::map<std::string, double> group_strength_lost(const Model& m, const Eigen::Ref<const Eigen::VectorXd>& fatigued) {
  std::map<std::string, std::pair<double, double>> acc;  // group → (Σ F0·M_F, Σ F0)
  for (int i = 0; i < m.nmuscle; ++i) {
    auto& a = acc[m.muscle_group[i]];
    a.first += m.muscle_fmax[i] * fatigued[i], a.second += m.muscle_fmax[i];
  }
  std::map<std::string, double> lost;
  for (const auto& [g, a] : acc) lost[g] = a.first / a.second;
  return lost;
}

std::vector<std::pair<double, std::string>> rank_groups(const Model& m, const FrameValues& v, ColorBy c) {
  std::vector<std::pair<double, std::string>> ranked;
  const Eigen::VectorXd& x = c == ColorBy::kActivation ? v.activation : c == ColorBy::kForce ? v.force : v.fatigued;
  if (x.size() != m.nmuscle) return ranked;  // not stored in the file (--fields)
  if (c == ColorBy::kFatigue) {
    for (const auto& [g, lost] : group_strength_lost(m, v.fatigued)) ranked.push_back({lost, g});
  } else {
    std::map<std::string, std::pair<double, int>> acc;  // group → (sum of values, fascicles)
    for (int i = 0; i < m.nmuscle; ++i) {
      auto& a = acc[m.muscle_group[i]];
      a.first += c == ColorBy::kActivation ? v.activation[i] : v.force[i], a.second += 1;
    }
    for (const auto& [g, a] : acc) ranked.push_back({c == ColorBy::kForce ? a.first : a.first / a.second, g});
  }
  std::sort(ranked.rbegin(), ranked.rend());
  return ranked;
}

std::string group_value_text(double value, ColorBy c, double scale_max) {
  // Two decimals on a scale to 1; one more per factor 10 below: on a lift's fatigue scale (0 to
  // 0.05) every group read "0.00" beside swatches of different colours.
  if (c == ColorBy::kForce) return fmt::format("{:.0f}", value);
  const int decimals = scale_max >= 0.5 ? 2 : scale_max >= 0.05 ? 3 : 4;
  return fmt::format("{:.{}f}", value, decimals);
}

namespace {
const char* top_groups_title(ColorBy c) {
  return c == ColorBy::kActivation ? "Most active groups (mean activation)"
         : c == ColorBy::kForce    ? "Largest group forces (sum, N; colour: mean per fascicle)"
                                   : "Most fatigued groups (share of strength lost)";
}
}  // namespace

double ResultsPicture::name_column(cairo_t* cr, double fs) const {
  double w = 0;
  for (const auto& g : model_.muscle_group) w = std::max(w, text_width(cr, g, fs));
  return w;
}

std::string ResultsPicture::widest_group_value(const PictureOptions& o) const {
  // Forces up to "00000" N; activation and fatigue as group_value_text writes them at this scale.
  return o.color == ColorBy::kForce ? "00000" : group_value_text(0, o.color, color_max(o));
}

double ResultsPicture::top_groups_width(cairo_t* cr, double fs, const PictureOptions& o) const {
  // Swatch, the widest group name, a gap, the widest value.
  const double value_w = text_width(cr, widest_group_value(o), fs);
  select_font(cr, true);
  cairo_set_font_size(cr, fs);
  cairo_text_extents_t e;
  cairo_text_extents(cr, top_groups_title(o.color), &e);
  return std::max(2.2 * fs + name_column(cr, fs) + 1.2 * fs + value_w, e.x_advance);
}

void ResultsPicture::draw_top_groups(cairo_t* cr, double x0, double y0, double fs, const FrameValues& v, const PictureOptions& o) {
  const auto ranked = rank_groups(model_, v, o.color);
  std::map<std::string, int> fascicles;  // the force swatch is coloured by the mean force per fascicle
  for (int i = 0; i < model_.nmuscle; ++i) ++fascicles[model_.muscle_group[i]];
  const double row = 1.45 * fs;
  text(cr, x0, y0 + row, top_groups_title(o.color), fs, 0, true);
  // Values right-aligned after the widest name: "levatores_costarum" ran into its value at 15 fs.
  const double value_x = x0 + 2.2 * fs + name_column(cr, fs) + 1.2 * fs + text_width(cr, widest_group_value(o), fs);
  for (size_t k = 0; k < std::min<size_t>(4, ranked.size()); ++k) {
    const double y = y0 + (k + 2) * row;
    const double value = ranked[k].first;
    double rgb[3];
    colormap((o.color == ColorBy::kForce ? value / fascicles[ranked[k].second] : value) / color_max(o), rgb);
    cairo_rectangle(cr, x0, y - 0.75 * fs, 1.6 * fs, 0.9 * fs);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_fill(cr);
    text(cr, x0 + 2.2 * fs, y, ranked[k].second, fs);
    text(cr, value_x, y, group_value_text(value, o.color, color_max(o)), fs, 1.0);
  }
}

std::vector<int> ResultsPicture::pressure_relieved_joints() const {
  if (!model_.abdominal_pressure.enabled || !scenario_.abdominal_pressure) return {};
  return model_.abdominal_pressure.joints;
}

bool above_action_limit(const std::string& joint, double compression_N) {
  return compression_N > kNioshActionLimit && is_lumbar_level(joint);  // load_limits.h
}

double chart_value_x(double bar_end, double text_w, double fs, std::vector<double> lines) {
  // After the bar; past each vertical line given (the level's peak tick) that would fall inside the
  // number or just before it.
  std::sort(lines.begin(), lines.end());
  double x = bar_end + 0.3 * fs;
  for (double l : lines)
    if (l >= x - 0.2 * fs && l <= x + text_w + 0.2 * fs) x = l + 0.3 * fs;
  return x;
}

std::string shear_label(const std::string& joint, double shear_ap_N, double shear_lateral_N) {
  // Signed as the run's table and the results file give them (+ the load pushes the upper vertebra
  // forward / to the right): the label said the magnitude of both together, "L3-L4 272 N" where the
  // table read -272 (audit24p #2). A component under 5 N, or under 2 % of the other, is left out
  // (review24 #8: at 5 %, 60 N of lateral shear beside 1300 N AP was hidden).
  const double ap = std::abs(shear_ap_N), lat = std::abs(shear_lateral_N);
  const bool show_lat = lat >= 5 && lat >= 0.02 * ap, show_ap = !show_lat || (ap >= 5 && ap >= 0.02 * lat);
  auto v = [](double x) { return std::lround(x) == 0 ? std::string("0") : fmt::format("{:+.0f}", x); };
  if (show_ap && show_lat) return fmt::format("{} AP {}, lat. {} N", joint, v(shear_ap_N), v(shear_lateral_N));
  if (show_lat) return fmt::format("{} lat. {} N", joint, v(shear_lateral_N));
  return fmt::format("{} AP {} N", joint, v(shear_ap_N));
}

bool reserves_act(const Eigen::Ref<const Eigen::VectorXd>& reserve) {
  return reserve.size() > 0 && reserve.size() % 3 == 0 && !shown_reserves(reserve).empty();
}

std::string chart_value_text(double compression_N, bool lower_bound) {
  // A negative compression pulls the vertebrae apart: said so, since "≥-48" on a compression chart
  // puzzled a class (audit25t B3).
  const long n = std::lround(compression_N);
  return fmt::format("{}{}{}", lower_bound ? "≥" : "", n, n < 0 ? " (tension)" : "");
}

void ResultsPicture::draw_chart(cairo_t* cr, double x0, double y0, double w, double h, double fs, const FrameValues& v) {
  const int nj = model_.njoint;
  const double label_w = 4.4 * fs, right_pad = 1.5 * fs;
  const double ax0 = x0 + label_w, ax1 = x0 + w - right_pad;
  const std::vector<int> relieved = pressure_relieved_joints();
  const double top = y0 + (relieved.empty() ? 4.4 : 6.6) * fs, bottom = y0 + h - 3.0 * fs;
  const double row = (bottom - top) / nj;
  const double vmax = compression_max_;
  auto X = [&](double n) { return ax0 + (ax1 - ax0) * std::clamp(n, 0.0, vmax) / vmax; };
  text(cr, x0 + 0.3 * fs, y0 + 1.2 * fs, "Compression per level", 1.1 * fs, 0, true);
  // Where reserves carry moment at this instant (the status line names them), every compression is a
  // lower bound: a reserve carries moment without loading a disc. Marked ≥ as the run's table marks
  // it (audit23t #7: the paraspinal_only lift read 2937 where the CLI says ≥2937).
  const bool lower = v.reserve.size() == 3 * nj && reserves_act(v.reserve);
  const bool fresh_ticks = fatigue_limited_from_s_ >= 0;
  Eigen::Index tick_joint = 0;  // in bold: the level of the highest tick
  tick_compression_.maxCoeff(&tick_joint);
  text(cr, x0 + 0.3 * fs, y0 + 2.5 * fs,
       lower ? (fresh_ticks ? "now (bars; ≥ lower bounds: reserves act) and fresh-muscle peak (ticks)" : "now (bars; ≥ lower bounds: reserves act) and peak (ticks)")
             : (fresh_ticks ? "now (bars) and fresh-muscle peak over the run (ticks)" : "now (bars) and peak over the run (ticks)"),
       0.75 * fs, 0, false, 0.4, 0.4, 0.45);
  if (!relieved.empty()) {
    text(cr, x0 + 0.3 * fs, y0 + 3.6 * fs, "* levels the abdominal pressure can relieve", 0.75 * fs, 0, false, 0.4, 0.4, 0.45);
    // The relief ends at the highest of them, so the level above can read highest in a lift (L2-L3):
    // the model's cut-off, not the spine's (audit23t #3: students read the bold L2-L3 as anatomy).
    const int highest = *std::max_element(relieved.begin(), relieved.end());
    text(cr, x0 + 0.3 * fs, y0 + 4.6 * fs, fmt::format("  (none above {}: a step there is the model's)", model_.joint_name[highest]),
         0.75 * fs, 0, false, 0.4, 0.4, 0.45);
  }
  // Grid and axis.
  const double step = nice_step(vmax, 5);
  cairo_set_line_width(cr, 0.6);
  for (double t = 0; t <= vmax * (1 + 1e-9); t += step) {
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.90);
    cairo_move_to(cr, X(t), top), cairo_line_to(cr, X(t), bottom);
    cairo_stroke(cr);
    text(cr, X(t), bottom + 1.1 * fs, tick_label(t, step), 0.7 * fs, 0.5);
  }
  text(cr, 0.5 * (ax0 + ax1), bottom + 2.3 * fs, "compression, N", 0.8 * fs, 0.5);
  // Bars, superior levels on top. Their values are written after the action limit's line, which
  // crossed the white numbers inside the bars ("4651") when drawn over them.
  struct Value {
    double x, y;
    std::string s;
    double size;
    bool inside;
  };
  std::vector<Value> values;
  for (int j = 0; j < nj; ++j) {
    const int r = nj - 1 - j;
    const double yc = top + (r + 0.5) * row;
    const double c = v.compression[j];
    const bool over = above_action_limit(model_.joint_name[j], c);
    const double bar = std::min(0.72 * row, 1.4 * fs);
    cairo_rectangle(cr, ax0, yc - 0.5 * bar, X(c) - ax0, bar);
    if (over) cairo_set_source_rgb(cr, 0.82, 0.22, 0.18);
    else cairo_set_source_rgb(cr, 0.45, 0.56, 0.70);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.5);
    const double xp = X(tick_compression_[j]);
    cairo_move_to(cr, xp, yc - 0.65 * bar), cairo_line_to(cr, xp, yc + 0.65 * bar);
    cairo_stroke(cr);
    const double lfs = std::min(0.7 * fs, 0.8 * row);
    const bool iap = std::find(relieved.begin(), relieved.end(), j) != relieved.end();
    text(cr, ax0 - 0.4 * fs, yc + 0.35 * lfs, model_.joint_name[j] + (iap ? " *" : ""), lfs, 1.0, j == tick_joint);
    if (row > 0.9 * lfs) {  // the value inside the bar's end when it fits, else after it
      const std::string value = chart_value_text(c, lower);
      const double tw = text_width(cr, value, 0.85 * lfs);
      // Outside the bar it starts after the peak tick too: placed after the bar alone, the tick of a
      // level whose peak lies just beyond its bar struck through the number ("2|24" for 224 N); and
      // it is written on a white ground that interrupts the action limit's line ("1|469" at 800 × 500).
      if (X(c) - ax0 > tw + 0.8 * fs) values.push_back({X(c) - 0.3 * fs - tw, yc + 0.35 * lfs, value, 0.85 * lfs, true});
      else values.push_back({chart_value_x(X(c), tw, fs, {xp}), yc + 0.35 * lfs, value, 0.85 * lfs, false});
    }
  }
  // NIOSH action limit.
  const double xl = X(kNioshActionLimit);
  cairo_set_source_rgb(cr, 0.80, 0.10, 0.10);
  cairo_set_line_width(cr, 2);
  const double dash[] = {6, 4};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_move_to(cr, xl, top - 0.9 * fs), cairo_line_to(cr, xl, bottom);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  const char* limit_label = "NIOSH action limit 3400 N (lumbar)";
  text(cr, xl - 0.3 * fs, top - 1.1 * fs, limit_label, 0.72 * fs, xl + text_width(cr, limit_label, 0.72 * fs) / 2 > ax1 ? 1.0 : 0.5, true, 0.8, 0.1, 0.1);
  for (const Value& val : values)
    if (val.inside) text(cr, val.x, val.y, val.s, val.size, 0, false, 1, 1, 1);
    else {
      cairo_rectangle(cr, val.x - 0.15 * val.size, val.y - 0.85 * val.size, text_width(cr, val.s, val.size) + 0.3 * val.size, 1.1 * val.size);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_fill(cr);
      text(cr, val.x, val.y, val.s, val.size, 0, false, 0.3, 0.3, 0.35);
    }
}

namespace {

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void draw_frame(ResultsPicture& p, long frame, const PictureOptions& o, cairo_surface_t* surface, double w, double h) {
  cairo_t* cr = cairo_create(surface);
  const FrameValues v = p.values(frame);
  const Scene s = p.scene(v);
  p.draw(cr, w, h, v, s, o);
  cairo_destroy(cr);
}

}  // namespace

std::string picture_svg(ResultsPicture& p, long frame, const PictureOptions& o, int width, int height) {
  std::string out;
  cairo_surface_t* surface = cairo_svg_surface_create_for_stream(append_to_string, &out, width, height);
  draw_frame(p, frame, o, surface, width, height);
  cairo_surface_finish(surface);
  const cairo_status_t st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("SVG rendering failed: ") + cairo_status_to_string(st));
  return out;
}

std::string picture_png(ResultsPicture& p, long frame, const PictureOptions& o, int width, int height) {
  std::string out;
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
  draw_frame(p, frame, o, surface, width, height);
  const cairo_status_t st = cairo_surface_write_to_png_stream(surface, append_to_string, &out);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("PNG rendering failed: ") + cairo_status_to_string(st));
  return out;
}

void write_file_in_place(const std::string& out, const std::string& bytes, const std::string& what) {
  namespace fs = std::filesystem;
  const std::string tmp = out + ".partial";
  auto fail = [&](int err) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw InputError(out, 0, "", "cannot write the " + what + ": " + std::strerror(err));
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(errno);
  errno = 0;
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  int err = written ? 0 : (errno ? errno : EIO);
  if (std::fclose(f) != 0 && err == 0) err = errno ? errno : EIO;  // a full disk often shows only here
  if (err) fail(err);
  std::error_code ec;
  fs::rename(tmp, out, ec);
  if (ec) {
    const std::string why = ec.message();  // before remove() reuses ec
    fs::remove(tmp, ec);
    throw InputError(out, 0, "", "cannot write the " + what + ": " + why);
  }
}

void check_picture_name(const std::string& out, bool render_hints) {
  namespace fs = std::filesystem;
  const std::string ext = fs::path(out).extension().string();
  if (ext == ".mp4" || ext == ".gif")  // a video asked for without --animate, or of a verb that draws stills
    throw InputError(out, 0, "", render_hints ? "'" + ext + "' is a video: add --animate (a picture is .svg, .png or .pdf)"
                                              : "draws one still picture (.svg, .png or .pdf); a video: -o RESULTS.h5, then "
                                                "paraspine render RESULTS.h5 --animate -o " + out);
  if (ext != ".svg" && ext != ".png" && ext != ".pdf")
    throw InputError(out, 0, "", "unknown picture format '" + ext + (render_hints ? "' (use .svg, .png or .pdf; .mp4 or .gif with --animate)" : "' (use .svg, .png or .pdf)"));
  const fs::path dir = fs::path(out).parent_path();
  if (!dir.empty() && !fs::is_directory(dir)) throw InputError(out, 0, "", "the folder does not exist");
}

void write_picture(ResultsPicture& p, long frame, const PictureOptions& o, const std::string& out, int width, int height) {
  namespace fs = std::filesystem;
  if (width < 200 || height < 150 || width > 20000 || height > 20000)
    throw std::invalid_argument(fmt::format("picture size {} × {} is outside 200 × 150 … 20000 × 20000", width, height));
  check_picture_name(out);
  const std::string ext = fs::path(out).extension().string();
  // Drawn into memory, then written by write_file_in_place: cairo's own file output reports a
  // failed write only as "error while writing to output stream", and a failed PNG not at all.
  std::string bytes;
  if (ext == ".png") {
    bytes = picture_png(p, frame, o, width, height);
  } else {
    cairo_surface_t* surface = ext == ".svg" ? cairo_svg_surface_create_for_stream(append_to_string, &bytes, width, height)
                                             : cairo_pdf_surface_create_for_stream(append_to_string, &bytes, width, height);
    try {
      draw_frame(p, frame, o, surface, width, height);
    } catch (...) {
      cairo_surface_destroy(surface);
      throw;
    }
    cairo_surface_finish(surface);
    const cairo_status_t st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("drawing the picture failed: ") + cairo_status_to_string(st));
  }
  write_file_in_place(out, bytes, "picture");
}

}  // namespace paraspine
