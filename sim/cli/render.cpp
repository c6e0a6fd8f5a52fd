// paraspine render RESULTS.h5 [--time T] [--view V] [--color C] -o FILE.svg|.png|.pdf
// paraspine render RESULTS.h5 --animate [--fps F] [--speed S] [--start T0] [--end T1] -o FILE.mp4|.gif
#include "sim/cli/render.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "sim/cli/joint_force_levels.h"
#include "sim/common/error.h"
#include "sim/cli/interrupt.h"
#include "sim/cli/options.h"
#include "sim/io/output_path.h"
#include "sim/render/animate.h"
#include "sim/render/picture.h"
#include "sim/render/results_series.h"

namespace paraspine::cli {

namespace {
constexpr int kDefaultWidth = 1600, kDefaultHeight = 1000;  // render's picture size, also run --picture's
struct RenderArgs {
  std::string results, out, view, color = "activation", region = "whole";
  long frame = 0;
  double time = 0, fps = 25, speed = 1, start = 0, end = 0, color_max = 0;
  int width = kDefaultWidth, height = kDefaultHeight;
  bool animate = false, joint_forces = false;
  std::vector<std::string> joints;  // --joints: the discs of --joint-forces
  std::vector<std::string> same_scale_as;  // --same-scale-as: other results files drawn at one pixel scale
  std::vector<std::string> highlight;      // --highlight: muscle groups or fascicles drawn as usual, the others faint
};
}  // namespace

std::vector<std::string> run_picture_fields() {
  // Posture, the chart and its peak frame, the reserve rings, the muscles' colour (activation).
  return {"kinematics/joint_angles", "joints/compression", "joints/shear_ap", "joints/shear_lateral", "joints/reserve_moment",
          "muscles/activation"};
}

std::string draw_run_picture(const std::string& results_file, const std::string& out) {
  const ResultsSeries results(results_file);
  ResultsPicture picture(results);
  PictureOptions o;
  const long frame = picture.peak_frame();
  o.view = view_for_body(picture.scene(picture.values(frame)).pelvis_rotation);
  for (const auto& note : picture.omissions(o)) fmt::print(stderr, "note: {}\n", note);
  const int width = kDefaultWidth, height = kDefaultHeight;  // render's defaults
  write_picture(picture, frame, o, out, width, height);
  return fmt::format("{}: t = {:.2f} s (the peak compression, frame {}), {} view, coloured by {}, {}×{} px "
                     "(other instants, views and colours: paraspine render)",
                     out, results.time[frame], frame, view_name(o.view),
                     picture.stored().any_muscle_value() ? color_by_name(picture.shown(o).color) : "nothing (no muscle values stored)",
                     width, height);
}

Verb add_render_verb(CLI::App& app) {
  auto args = std::make_shared<RenderArgs>();
  CLI::App* c = app.add_subcommand("render", "Draw a results file: spine, muscles coloured by activation/force/fatigue, loads (SVG, PNG, PDF, MP4, GIF)");
  c->add_option("RESULTS", args->results, "Results file (paraspine run -o)")->required();
  c->add_option("-o,--output", args->out, "Picture .svg/.png/.pdf, or with --animate .mp4/.gif")->required();
  c->add_option("--time", args->time, "Instant to draw, s (default: the peak compression of the run; with --color fatigue its last frame)");
  c->add_option("--frame", args->frame, "Frame to draw, by its index in the file (0 = the first; instead of --time)")->check(non_negative_number())
      ->excludes("--time");
  c->add_option("--view", args->view, "sagittal (from the right), frontal (from behind), top or oblique; the cameras are fixed to the world "
                                      "(default: sagittal, or frontal when the sagittal view would look along the body, e.g. a side plank)")
      ->check(CLI::IsMember({"sagittal", "frontal", "top", "oblique"}));
  c->add_option("--color", args->color, "What colours the muscles: activation, force or fatigue")->capture_default_str()
      ->check(CLI::IsMember({"activation", "force", "fatigue"}));
  c->add_option("--color-max", args->color_max, "Value at the top of the colour bar (same scale for pictures to compare; default: activation 1, force and fatigue the run's maximum)")
      ->check(positive_number());
  c->add_option("--width", args->width, "Width, pixels (points for PDF), 200-20000")->capture_default_str()->check(CLI::Range(200, 20000));
  c->add_option("--height", args->height, "Height, pixels (points for PDF), 150-20000")->capture_default_str()->check(CLI::Range(150, 20000));
  c->add_flag("--joint-forces", args->joint_forces, "Draw at the discs the load of the body above: compression along the disc normal (black) and "
                                                    "shear in the disc plane (violet), from the file's /joints/compression and shear_*, one scale "
                                                    "(1000 N = 40 mm of body, bar in the legend)");
  c->add_option("--region", args->region, "Part of the body to frame: whole, lumbar (pelvis to T12-L1), thoracic (T12-L1 to C7-T1) or neck "
                                          "(C7-T1 to the head); the picture is cropped to its bones (an animation: over its span, one camera), "
                                          "labels its vertebrae and draws --joint-forces at its discs")
      ->capture_default_str();
  c->add_option("--joints", args->joints, "With --joint-forces: the discs whose arrows are drawn, comma-separated joint names or regions "
                                          "(L5-S1,L4-L5 or lumbar); default: chosen so arrows and labels stay clear of each other")
      ->delimiter(',')
      ->type_name("LIST");
  c->add_option("--same-scale-as", args->same_scale_as,
                 "Other results files to draw at one scale with this one: each fits its own picture (at its default instant, "
                 "with these options), and all are drawn at the smallest of those scales; give the same list when drawing each "
                 "(render a.h5 --same-scale-as b.h5, render b.h5 --same-scale-as a.h5) for slides side by side")
      ->expected(1, -1);
  c->add_option("--highlight", args->highlight,
                 "Muscle groups or fascicles drawn as usual, comma-separated (e.g. iliocostalis,longissimus,spinalis); "
                 "the other fascicles faint and grey (`paraspine model info` lists the groups)")
      ->delimiter(',')->type_name("LIST");
  c->add_flag("--animate", args->animate, "Draw the run over time into a video (.mp4 or .gif, needs ffmpeg)");
  c->add_option("--fps", args->fps, "Animation frames per second of video")->capture_default_str()->check(CLI::Range(1.0, 120.0) & finite_number());
  c->add_option("--speed", args->speed, "Animation: seconds of the run per second of video")->capture_default_str()->check(positive_number());
  c->add_option("--start", args->start, "Animation: first instant, s (default: the start of the run)");
  c->add_option("--end", args->end, "Animation: last instant, s (default: the end of the run)");
  c->footer("Examples:\n"
            "  paraspine render lift.h5 -o lift.svg\n"
            "  paraspine render lift.h5 --time 1.5 --view oblique --color force -o lift.png\n"
            "  paraspine render lift.h5 --joint-forces -o lift_loads.png\n"
            "  paraspine render lift.h5 --highlight iliocostalis,longissimus,spinalis -o erectors.png\n"
            "  paraspine render neck.h5 --time 16000 --region neck --joint-forces -o neck.png\n"
            "  paraspine render plank.h5 --frame 12 -o plank.png\n"
            "  paraspine render sitting.h5 --color fatigue --view frontal -o fatigue.pdf\n"
            "  paraspine render lift.h5 --animate --fps 25 -o lift.mp4\n"
            "  paraspine render shift.h5 --animate --speed 60 --width 1000 --height 625 -o shift.gif");
  return {c, [args, c]() {
            const auto t0 = std::chrono::steady_clock::now();
            // `render lift.png -o lift.png` would replace the results by their picture; a device,
            // FIFO or link at -o would be replaced by a file (the picture is renamed into place).
            check_output_path(args->out, {args->results});
            const Region region = parse_region(args->region);  // before anything is read or written
            const ResultsSeries results(args->results);
            // An instant outside the run, or NaN, used to draw the first or last frame silently.
            for (const char* opt : {"--time", "--start", "--end"}) {
              if (!c->count(opt)) continue;
              const double t = std::string(opt) == "--time" ? args->time : std::string(opt) == "--start" ? args->start : args->end;
              if (!std::isfinite(t)) throw InputError(opt, 0, "", fmt::format("must be a finite time in s, got {}", t));
              if (!(t >= results.time.front() - 1e-9 && t <= results.time.back() + 1e-9))
                throw InputError(opt, 0, "", fmt::format("{} s is outside the run in {} ({:g} … {:g} s)", t, args->results,
                                                         results.time.front(), results.time.back()));
            }
            // The animation's options on a still picture were ignored without a word (audit25i #18).
            if (!args->animate)
              for (const char* opt : {"--start", "--end", "--speed", "--fps"})
                if (c->count(opt)) throw InputError(opt, 0, "", "sets the animation: give --animate too (a still picture is one instant: --time or --frame)");
            ResultsPicture picture(results);
            picture.check_region(region);  // the lumbar model has no neck
            PictureOptions o;
            o.region = region;
            if (!args->joints.empty()) {
              if (!args->joint_forces) throw InputError("--joints", 0, "", "chooses the discs of --joint-forces: give --joint-forces too");
              o.joint_force_levels = joint_force_levels(picture, region, args->joints, "--joints");
            }
            const long frame = c->count("--frame") ? args->frame : c->count("--time") ? results.frame_at(args->time)
                                                                                     : picture.default_frame(parse_color_by(args->color));
            if (frame >= results.frames())
              throw InputError("--frame", 0, "", fmt::format("frame {} is outside the run in {} (frames 0 … {})", frame, args->results, results.frames() - 1));
            // No --view: sagittal, or frontal where the body lies across the sagittal view (its pelvis at the drawn instant).
            o.view = args->view.empty() ? view_for_body(picture.scene(picture.values(frame)).pelvis_rotation) : parse_view(args->view);
            o.color = parse_color_by(args->color);
            o.color_max = args->color_max;
            o.joint_forces = args->joint_forces;
            if (!args->highlight.empty())
              std::tie(o.highlight, o.highlight_label) = highlight_muscles(picture.model(), args->highlight, "--highlight");
            // One pixel scale with other files' pictures (audit25t D1: a stoop and a squat rendered apart
            // were drawn 10 % apart, 43 against 39 px per 2000 N): the smallest fitted scale of all, as the
            // report gives the columns of a row.
            if (!args->same_scale_as.empty()) {
              if (args->animate) throw InputError("--same-scale-as", 0, "", "draws still pictures at one scale; an animation fits its whole run");
              double ppm = picture.px_per_m_at(frame, args->width, args->height, o);
              for (const std::string& other : args->same_scale_as) {
                const ResultsSeries r(other);
                ResultsPicture p(r);
                if (region != Region::kWhole) p.check_region(region);
                // At the instant asked of this picture when one is (review25: --time fitted the others at their peaks).
                const long at = c->count("--time") ? r.frame_at(std::clamp(args->time, r.time.front(), r.time.back()))
                                : c->count("--frame") ? std::min(frame, r.frames() - 1)
                                                      : p.default_frame(parse_color_by(args->color));
                ppm = std::min(ppm, p.px_per_m_at(at, args->width, args->height, o));
              }
              o.max_px_per_m = ppm;
            }
            // A file written with --fields: say once what the picture leaves out and why.
            for (const auto& note : picture.omissions(o)) fmt::print(stderr, "note: {}\n", note);
            if (args->animate) {
              AnimationOptions a;
              a.fps = args->fps;
              a.speed = args->speed;
              a.start = c->count("--start") ? args->start : results.time.front();
              a.end = c->count("--end") ? args->end : results.time.back();
              o.span_start = a.start, o.span_end = a.end;  // a region's one camera: over the span drawn
              remove_on_interrupt({partial_file(args->out)}, "video");  // Ctrl-C leaves no half-written OUT.partial
              const long n = write_animation(picture, o, a, args->out, args->width, args->height);
              const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
              fmt::print("{}: {} frames at {:g} fps ({:.2f} s of video, run time {:.2f}–{:.2f} s), {} × {}, rendered in {:.1f} s\n",
                         args->out, n, a.fps, n / a.fps, a.start, a.end, args->width + args->width % 2,
                         args->height + args->height % 2, s);  // the size written: write_animation makes it even
              return 0;
            }
            remove_on_interrupt({partial_file(args->out)}, "picture");
            write_picture(picture, frame, o, args->out, args->width, args->height);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const PictureOptions drawn = picture.shown(o);  // a --fields file may lack the requested colour
            std::string framed;
            if (region != Region::kWhole) {
              const ResultsPicture::Extent e = picture.extent(args->width, args->height, picture.values(frame), picture.scene(picture.values(frame)), o);
              framed = fmt::format(" ({} region, {:.2f} × {:.2f} m)", region_name(region), e.span_x, e.span_y);
            }
            fmt::print("{}: t = {:.2f} s (frame {}), {} view{}, coloured by {}, {} × {}{}, rendered in {:.2f} s\n", args->out,
                       results.time[frame], frame, view_name(o.view), framed,
                       picture.stored().any_muscle_value() ? color_by_name(drawn.color) : "nothing (no muscle values stored)",
                       args->width, args->height,
                       args->same_scale_as.empty() ? std::string() : fmt::format(", {:.0f} px per m of body (shared)", o.max_px_per_m), s);
            return 0;
          }};
}

}  // namespace paraspine::cli

// paraspine report RESULTS.h5 [MORE.h5 ...] -o report.html [--joints LIST]
#include "sim/cli/joint_selection.h"
#include "sim/io/results_reader.h"
#include "sim/model/loader.h"
#include "sim/render/report.h"

namespace paraspine::cli {

Verb add_report_verb(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto joint_forces = std::make_shared<bool>(false);
  auto joint_items = std::make_shared<std::vector<std::string>>();
  auto region = std::make_shared<std::string>("whole");
  CLI::App* c = app.add_subcommand("report", "One self-contained HTML page: summary, pictures, time series; several files side by side");
  c->add_option("RESULTS", *files, "Results files (paraspine run -o); the first is the reference of the differences")->required()->expected(1, -1);
  c->add_option("-o,--output", *out, "HTML file")->required();
  c->add_flag("--joint-forces", *joint_forces, "The pictures at the peak compression carry the joint-load arrows (as render --joint-forces), one scale for every file");
  c->add_option("--joints", *joint_items,
                "Levels of the summary's spinal-load rows, comma-separated: joint names as the model names them (C4-C5,C7-T1), "
                "regions (lumbar, thoracic, cervical, head: `paraspine model info`) or all. Default: L5-S1 and L4-L5")
      ->delimiter(',')->type_name("LIST");
  c->add_option("--region", *region, "Part of the body every picture frames, as render --region: whole, lumbar, thoracic or neck")->capture_default_str();
  c->footer("Examples:\n  paraspine report lift.h5 -o lift.html\n  paraspine report stoop.h5 squat.h5 -o stoop_vs_squat.html\n"
            "  paraspine report stoop.h5 squat.h5 --joint-forces -o loads.html\n"
            "  paraspine report neck0.h5 neck45.h5 --joints C4-C5,C7-T1 -o neck.html\n"
            "  paraspine report neck0.h5 neck45.h5 --joints cervical --region neck --joint-forces -o neck.html");
  return {c, [files, out, joint_forces, joint_items, region]() {
            const auto t0 = std::chrono::steady_clock::now();
            const Region framed = parse_region(*region);  // before anything is read or written
            std::vector<std::string> joints;  // --joints against the files' stored models, before any work
            if (!joint_items->empty()) {
              JointCatalog catalog;
              for (const auto& f : *files) {
                try {
                  catalog.add(parse_model(read_stored_model_text(f), f + " (model_text)"));
                } catch (const std::exception&) {
                  catalog.add_summary(read_results_info(f).summary);  // a file without model text: its joint names
                }
              }
              joints = select_joints(*joint_items, catalog, files->size() > 1 ? "the files' models" : "the file's model");
            }
            check_output_path(*out, *files);  // never a results file, device, FIFO or link replaced
            remove_on_interrupt({partial_file(*out)}, "report");
            std::vector<std::string> omissions;
            write_report(*files, *out, &omissions, *joint_forces, joints, framed);
            for (const auto& note : omissions) fmt::print(stderr, "note: {}\n", note);  // also at the top of the page
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            fmt::print("{}: {} results file{}, {:.0f} kB, made in {:.1f} s\n", *out, files->size(), files->size() > 1 ? "s" : "",
                       std::filesystem::file_size(*out) / 1024.0, s);
            return 0;
          }};
}

}  // namespace paraspine::cli
