#pragma once
// Line plots of time series as SVG documents (Cairo), for reports: axes with round ticks, labels,
// a legend, an optional horizontal limit line.
#include <cairo.h>

#include <optional>
#include <string>
#include <vector>

namespace paraspine {

struct PlotSeries {
  std::string name;
  std::vector<double> x, y;
  int colour = 0;  // index into the qualitative palette (plot_colour)
  bool dashed = false;
  // Per point (empty: none): where the value is a lower bound (reserves acted), drawn on a pale band
  // of the series' colour, so a "≥" curve is not read as a plain one (audit25t D5).
  std::vector<bool> lower_bound;
};

struct PlotOptions {
  std::string title, xlabel, ylabel;
  std::optional<double> ymin, ymax;  // default: from the data (ymin 0 when all data ≥ 0)
  std::optional<double> hline;       // e.g. the NIOSH action limit
  std::string hline_label;
  std::string lower_bound_label;  // the legend entry of the bands (drawn when a series has one)
  int width = 760, height = 380;
};

// The label of a tick at `value` on an axis whose ticks are `step` apart: fixed-point with exactly
// the decimals the step needs (step 2.5e-3: "0.0075"; 0.25: "0.75"; 25: "75"; 1e4: "20000"), "0"
// for zero.
std::string tick_label(double value, double step);

// Selects the pictures' and plots' font (DejaVu Sans, bold or not) with fixed font options: grey
// antialiasing, no hinting, unhinted metrics, whatever the surface. Without them the text depended
// on what the process drew before — cairo shares scaled fonts between surfaces, and an SVG drawn
// first left a notebook's next PNG with other glyph shapes than `render`'s (found in session 26) —
// and on the surface type, so an SVG's text could be laid out apart from the PNG's.
void select_font(cairo_t* cr, bool bold);

// Qualitative palette, colour k (cycles), r, g, b in [0, 1].
void plot_colour(int k, double rgb[3]);

std::string plot_svg(const std::vector<PlotSeries>& series, const PlotOptions& o);

}  // namespace paraspine
