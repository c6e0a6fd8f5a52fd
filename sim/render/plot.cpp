#include "sim/render/plot.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace paraspine {
namespace {

constexpr const char* kFont = "DejaVu Sans";

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void text(cairo_t* cr, double x, double y, const std::string& s, double size, double align, bool bold = false) {
  select_font(cr, bold);
  cairo_set_font_size(cr, size);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.x_advance, y);
  cairo_show_text(cr, s.c_str());
}

double nice(double v) {
  if (!(v > 0)) return 1;
  const double e = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * e >= v * (1 - 1e-12)) return m * e;
  return 10 * e;
}

}  // namespace

std::string tick_label(double v, double step) {
  step = std::abs(step);
  if (!(step > 0) || !std::isfinite(step)) return fmt::format("{:g}", v);
  if (std::abs(v) < 1e-9 * step) return "0";
  // As many decimals as the step itself needs (2.5e-3 → 4, 0.25 → 2, 25 → 0): every tick is a
  // multiple of the step, so that many show each one exactly. Ceil(-log10(step)) gave 3 for 0.0025
  // and labelled 0.0025 and 0.0075 as "0.003" and "0.007".
  int digits = 0;
  while (digits < 12) {
    const double scaled = step * std::pow(10.0, digits);
    if (std::abs(scaled - std::round(scaled)) <= 1e-6 * scaled) break;
    ++digits;
  }
  return fmt::format("{:.{}f}", v, digits);
}

void plot_colour(int k, double rgb[3]) {
  static const double palette[][3] = {{0.12, 0.39, 0.67}, {0.85, 0.37, 0.01}, {0.17, 0.58, 0.25}, {0.78, 0.12, 0.20},
                                      {0.47, 0.33, 0.65}, {0.55, 0.34, 0.29}, {0.85, 0.40, 0.65}, {0.40, 0.40, 0.40},
                                      {0.62, 0.62, 0.10}, {0.09, 0.62, 0.70}};
  const auto& c = palette[((k % 10) + 10) % 10];
  rgb[0] = c[0], rgb[1] = c[1], rgb[2] = c[2];
}

void select_font(cairo_t* cr, bool bold) {
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, options);
  cairo_font_options_destroy(options);
}

std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& o) {
  std::string out;
  const double W = o.width, H = o.height;
  cairo_surface_t* surface = cairo_svg_surface_create_for_stream(append, &out, W, H);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (const auto& s : series)
    for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      if (std::isfinite(s.x[k]) && std::isfinite(s.y[k]))
        xmin = std::min(xmin, s.x[k]), xmax = std::max(xmax, s.x[k]), ymin = std::min(ymin, s.y[k]), ymax = std::max(ymax, s.y[k]);
  if (!std::isfinite(xmin)) xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  if (o.hline) ymax = std::max(ymax, *o.hline * 1.08);
  if (ymin >= 0) ymin = 0;
  if (o.ymin) ymin = *o.ymin;
  if (o.ymax) ymax = *o.ymax;
  if (xmax <= xmin) xmax = xmin + 1;
  if (ymax <= ymin) ymax = ymin + 1;
  const double ystep = nice((ymax - ymin) / 5), xstep = nice((xmax - xmin) / 6);
  if (!o.ymax) ymax = std::ceil(ymax / ystep - 1e-9) * ystep;

  const double fs = std::max(10.0, H / 30);
  const double L = 5.2 * fs, R = W - 1.2 * fs, T = 2.6 * fs;
  const bool any_band = std::any_of(series.begin(), series.end(), [](const PlotSeries& s) {
    return std::find(s.lower_bound.begin(), s.lower_bound.end(), true) != s.lower_bound.end();
  });
  const size_t legend_entries = series.size() + (any_band ? 1 : 0);
  const double legend_rows = std::ceil(legend_entries / 4.0);
  const double B = H - 3.2 * fs - legend_rows * 1.3 * fs;
  auto X = [&](double x) { return L + (R - L) * (x - xmin) / (xmax - xmin); };
  auto Y = [&](double y) { return B - (B - T) * (y - ymin) / (ymax - ymin); };

  cairo_set_source_rgb(cr, 0.1, 0.1, 0.12);
  text(cr, L, 1.5 * fs, o.title, 1.1 * fs, 0, true);
  cairo_set_line_width(cr, 0.7);
  for (double y = std::ceil(ymin / ystep) * ystep; y <= ymax + 1e-9 * ystep; y += ystep) {
    cairo_set_source_rgb(cr, 0.89, 0.89, 0.91);
    cairo_move_to(cr, L, Y(y)), cairo_line_to(cr, R, Y(y));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.28);
    text(cr, L - 0.4 * fs, Y(y) + 0.35 * fs, tick_label(y, ystep), 0.8 * fs, 1.0);
  }
  for (double x = std::ceil(xmin / xstep) * xstep; x <= xmax + 1e-9 * xstep; x += xstep) {
    cairo_set_source_rgb(cr, 0.89, 0.89, 0.91);
    cairo_move_to(cr, X(x), T), cairo_line_to(cr, X(x), B);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.28);
    text(cr, X(x), B + 1.1 * fs, tick_label(x, xstep), 0.8 * fs, 0.5);
  }
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.32);
  cairo_rectangle(cr, L, T, R - L, B - T);
  cairo_stroke(cr);
  text(cr, 0.5 * (L + R), B + 2.3 * fs, o.xlabel, 0.85 * fs, 0.5);
  cairo_save(cr);
  cairo_translate(cr, 1.2 * fs, 0.5 * (T + B));
  cairo_rotate(cr, -M_PI / 2);
  text(cr, 0, 0, o.ylabel, 0.85 * fs, 0.5);
  cairo_restore(cr);

  cairo_save(cr);
  cairo_rectangle(cr, L, T, R - L, B - T);
  cairo_clip(cr);
  if (o.hline) {
    cairo_set_source_rgb(cr, 0.80, 0.10, 0.10);
    cairo_set_line_width(cr, 1.6);
    const double dash[] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, L, Y(*o.hline)), cairo_line_to(cr, R, Y(*o.hline));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    text(cr, R - 0.4 * fs, Y(*o.hline) - 0.4 * fs, o.hline_label, 0.8 * fs, 1.0, true);
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  // The lower-bound bands first, under every line: each piece between two points that are both bounds.
  for (const auto& s : series) {
    if (s.lower_bound.empty()) continue;
    double rgb[3];
    plot_colour(s.colour, rgb);
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.25);
    cairo_set_line_width(cr, 0.55 * fs);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (size_t k = 0; k < s.x.size() && k < s.y.size() && k < s.lower_bound.size(); ++k) {
      if (!s.lower_bound[k] || !std::isfinite(s.y[k])) continue;
      const bool next = k + 1 < s.x.size() && k + 1 < s.lower_bound.size() && s.lower_bound[k + 1] && std::isfinite(s.y[k + 1]);
      cairo_move_to(cr, X(s.x[k]), Y(s.y[k]));
      if (next) cairo_line_to(cr, X(s.x[k + 1]), Y(s.y[k + 1]));
      else cairo_line_to(cr, X(s.x[k]), Y(s.y[k]));  // a lone point: a dot
      cairo_stroke(cr);
    }
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  }
  for (const auto& s : series) {
    double rgb[3];
    plot_colour(s.colour, rgb);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 1.8);
    if (s.dashed) {
      const double dash[] = {5, 3};
      cairo_set_dash(cr, dash, 2, 0);
    }
    bool pen = false;
    for (size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!std::isfinite(s.y[k])) { pen = false; continue; }
      if (pen) cairo_line_to(cr, X(s.x[k]), Y(s.y[k]));
      else cairo_move_to(cr, X(s.x[k]), Y(s.y[k])), pen = true;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  cairo_restore(cr);

  // Legend under the axis title, four entries a row.
  const double col_w = (W - L) / 4;
  for (size_t k = 0; k < series.size(); ++k) {
    const double x = L + (k % 4) * col_w, y = B + 3.4 * fs + (k / 4) * 1.3 * fs;
    double rgb[3];
    plot_colour(series[k].colour, rgb);
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 2.5);
    if (series[k].dashed) {
      const double dash[] = {5, 3};
      cairo_set_dash(cr, dash, 2, 0);
    }
    cairo_move_to(cr, x, y - 0.3 * fs), cairo_line_to(cr, x + 1.6 * fs, y - 0.3 * fs);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.18);
    text(cr, x + 2.0 * fs, y, series[k].name, 0.8 * fs, 0);
  }
  if (any_band) {
    const size_t k = series.size();
    const double x = L + (k % 4) * col_w, y = B + 3.4 * fs + (k / 4) * 1.3 * fs;
    cairo_set_source_rgba(cr, 0.45, 0.45, 0.5, 0.35);
    cairo_set_line_width(cr, 0.55 * fs);
    cairo_move_to(cr, x, y - 0.3 * fs), cairo_line_to(cr, x + 1.6 * fs, y - 0.3 * fs);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.18);
    text(cr, x + 2.0 * fs, y, o.lower_bound_label.empty() ? "band: lower bound" : o.lower_bound_label, 0.8 * fs, 0);
  }

  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("plot rendering failed: ") + cairo_status_to_string(st));
  return out;
}

}  // namespace paraspine
