#pragma once
// One self-contained HTML page about one or more results files: a summary table (with differences
// from the first file when there are several), a strip of five instants of the movement, the key
// pictures (posture at the peak compression
// coloured by activation, seen from the side and from behind; fatigue at the end of the run) and
// time series (compression per level with the NIOSH action limit, activation and fatigue per muscle
// group). Several files are laid side by side, plots on shared axes. Pictures are SVG embedded as
// data: URIs; no script, font or style is fetched, so the page opens without a network.
#include <string>
#include <vector>

#include "sim/render/picture.h"

namespace paraspine {

// A file written with --fields may lack per-frame fields: the page then shows what the file has
// (summary values where the summary holds them) and says in a note what it leaves out and why;
// `omissions` (optional) receives the same sentences, one per thing left out, for the command line.
// `joint_forces`: the pictures at the peak compression carry the joint-load arrows (render
// --joint-forces, docs/render.md), one scale across every file. `joints`: the levels of the summary's
// spinal-load rows, as the models name them (report --joints, resolved by the CLI); empty = L5-S1, L4-L5.
// `region`: every picture (the movement's strip, the peak and end pictures) frames that part of the
// body (render --region); InputError naming a file whose model has none of it.
std::string report_html(const std::vector<std::string>& results_paths, std::vector<std::string>* omissions = nullptr, bool joint_forces = false,
                        const std::vector<std::string>& joints = {}, Region region = Region::kWhole);

// Writes report_html under a temporary name and renames it; throws InputError naming a bad file.
void write_report(const std::vector<std::string>& results_paths, const std::string& out,
                  std::vector<std::string>* omissions = nullptr, bool joint_forces = false,
                  const std::vector<std::string>& joints = {}, Region region = Region::kWhole);

}  // namespace paraspine
