// Pictures, animations and reports of results files: the right size, not blank, colours that follow
// activation where (and only where) it changes, the expected number of video frames, a report that
// needs no network. The browser check of the report is in tests/python/test_render.py.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cairo.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "fixtures.h"
#include "sim/common/error.h"
#include "sim/io/results_writer.h"
#include "sim/model/loader.h"
#include "sim/render/animate.h"
#include "sim/render/picture.h"
#include "sim/render/plot.h"
#include "sim/render/report.h"
#include "sim/render/results_series.h"
#include "sim/render/scene.h"
#include "sim/kinematics/kinematics.h"
#include "sim/kinematics/posture.h"
#include "sim/loadsharing/reactions.h"
#include "sim/simulate/frame.h"
#include "sim/simulate/run.h"

// Fontconfig, which Cairo uses for text, keeps its configuration for the life of the process, and
// LeakSanitizer (make test-asan) reports it at exit. Not a leak of ours: suppressed by library name.
extern "C" __attribute__((used)) const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

namespace paraspine {
namespace {

namespace fs = std::filesystem;

// Short runs (5 frames per second) of two bundled lifts, each written once per test process when
// first asked for (ctest runs every test in its own process).
struct Runs {
  fs::path dir;
  std::string stoop_path, squat_path;
  Runs() {
    dir = fs::temp_directory_path() / ("paraspine_render_test_" + std::to_string(getpid()));
    fs::create_directories(dir);
  }
  const std::string& stoop() { return stoop_path.empty() ? stoop_path = run("rounded_back_lift") : stoop_path; }
  const std::string& squat() { return squat_path.empty() ? squat_path = run("squat_lift") : squat_path; }
  ~Runs() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // Written once each: `file` names the results file, `overrides` change the scenario (default: 5
  // frames per second), `fields` keep only those datasets (as run --fields).
  std::map<std::string, std::string> written;
  const std::string& get(const std::string& name, const std::string& file, const std::vector<std::string>& overrides,
                         const std::vector<std::string>& fields = {}) {
    auto it = written.find(file);
    if (it == written.end()) it = written.emplace(file, run(name, file, overrides, fields)).first;
    return it->second;
  }
  std::string run(const std::string& name, const std::string& file = "", std::vector<std::string> overrides = {},
                  const std::vector<std::string>& fields = {}) {
    const Scenario base = load_scenario(name);
    if (overrides.empty()) overrides = {"output_rate_hz=5"};
    const Scenario sc = parse_scenario(apply_overrides(base.text, base.file, overrides), base.file);
    const Model m = load_model(sc.model);
    const std::string out = (dir / ((file.empty() ? name : file) + ".h5")).string();
    ResultsOptions ro;
    ro.fields = fields;
    ResultsWriter w(out, m, {sc.name, sc.text, sc.criterion, {{"body_mass_kg", m.reference_body_mass}, {"height_m", m.reference_height}, {"sex", m.reference_sex}}, "", ""}, ro);
    RunOptions opt;
    w.finish(run_scenario(m, sc, opt, &w));
    return out;
  }
};
Runs& runs() {
  static Runs r;
  return r;
}

struct Image {
  int w = 0, h = 0;
  std::vector<uint32_t> px;  // ARGB
  uint32_t at(int x, int y) const { return px[static_cast<size_t>(y) * w + x]; }
};
Image image_of(cairo_surface_t* s) {
  cairo_surface_flush(s);
  Image im;
  im.w = cairo_image_surface_get_width(s), im.h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  for (int y = 0; y < im.h; ++y)
    for (int x = 0; x < im.w; ++x) im.px.push_back(reinterpret_cast<const uint32_t*>(data + static_cast<size_t>(y) * stride)[x]);
  return im;
}
int red(uint32_t p) { return (p >> 16) & 255; }
int blue(uint32_t p) { return p & 255; }
double luma(uint32_t p) { return 0.299 * red(p) + 0.587 * ((p >> 8) & 255) + 0.114 * blue(p); }

Image render(ResultsPicture& p, const FrameValues& v, const Scene& s, const PictureOptions& o, int w, int h) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
  cairo_t* cr = cairo_create(surface);
  p.draw(cr, w, h, v, s, o);
  cairo_destroy(cr);
  Image im = image_of(surface);
  cairo_surface_destroy(surface);
  return im;
}

TEST(Render, PngHasTheRequestedSizeAndIsNotBlank) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const std::string out = (runs().dir / "stoop.png").string();
  write_picture(p, p.peak_frame(), PictureOptions{}, out, 900, 560);
  cairo_surface_t* s = cairo_image_surface_create_from_png(out.c_str());
  ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  const Image im = image_of(s);
  cairo_surface_destroy(s);
  EXPECT_EQ(im.w, 900);
  EXPECT_EQ(im.h, 560);
  // Not blank: a real share of the pixels is drawn, in many colours (bones, the colour scale, bars).
  long drawn = 0;
  std::set<uint32_t> colours;
  for (uint32_t px : im.px) {
    if ((px & 0xffffff) != 0xffffff) ++drawn;
    colours.insert(px);
  }
  EXPECT_GT(drawn, 0.05 * im.w * im.h);
  EXPECT_GT(colours.size(), 300u);
  EXPECT_FALSE(fs::exists(out + ".partial"));
}

// Raising the activation of the right longissimus from 0 to 1 (posture, forces, loads unchanged)
// recolours pixels along those fascicles' paths, toward red, and nowhere else.
TEST(Render, ColoursChangeWhereActivationChanges) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const Model& m = p.model();
  const FrameValues v = p.values(0);
  const Scene s = p.scene(v);
  std::vector<int> chosen;
  for (int i = 0; i < m.nmuscle; ++i)
    if (m.muscle_group[i] == "longissimus" && m.muscle_side[i] == Side::kRight) chosen.push_back(i);
  ASSERT_GT(chosen.size(), 10u);
  FrameValues low = v, high = v;
  for (int i : chosen) low.activation[i] = 0, high.activation[i] = 1;
  for (const View view : {View::kSagittal, View::kFrontal}) {
    PictureOptions o;
    o.view = view;
    o.legend = false;  // its ranking of the most active groups would (rightly) change too
    const int W = 1000, H = 640;
    const Image a = render(p, low, s, o, W, H), b = render(p, high, s, o, W, H);
    // Where the chosen fascicles are drawn: their projected points, with a margin for line width.
    double xmin = 1e9, xmax = -1e9, ymin = 1e9, ymax = -1e9;
    for (int i : chosen)
      for (const Vec3& q : s.muscle_path[i]) {
        const auto sp = p.screen_point(W, H, v, s, o, q);
        xmin = std::min(xmin, sp.x()), xmax = std::max(xmax, sp.x()), ymin = std::min(ymin, sp.y()), ymax = std::max(ymax, sp.y());
      }
    const double margin = 8;
    long changed = 0, outside = 0;
    double redness_a = 0, redness_b = 0, luma_a = 0, luma_b = 0;
    std::vector<char> mask(W * H, 0);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        if (a.at(x, y) == b.at(x, y)) continue;
        ++changed;
        mask[y * W + x] = 1;
        if (x < xmin - margin || x > xmax + margin || y < ymin - margin || y > ymax + margin) ++outside;
        redness_a += red(a.at(x, y)) - blue(a.at(x, y));
        redness_b += red(b.at(x, y)) - blue(b.at(x, y));
        luma_a += luma(a.at(x, y)), luma_b += luma(b.at(x, y));
      }
    EXPECT_GT(changed, 300) << view_name(view);
    EXPECT_EQ(outside, 0) << view_name(view) << ": pixels changed away from the fascicles whose activation changed";
    // The scale runs from pale blue-grey (0) to dark crimson (1): warmer and much darker.
    EXPECT_GT(redness_b, redness_a + 10.0 * changed) << view_name(view) << ": full activation should read warmer than none";
    EXPECT_LT(luma_b, luma_a - 40.0 * changed) << view_name(view) << ": full activation should read darker than none";
    // And along the paths: most path pieces have changed pixels at their midpoint.
    int pieces = 0, hit = 0;
    for (int i : chosen)
      for (size_t k = 0; k + 1 < s.muscle_path[i].size(); ++k) {
        const auto mid = p.screen_point(W, H, v, s, o, 0.5 * (s.muscle_path[i][k] + s.muscle_path[i][k + 1]));
        ++pieces;
        bool found = false;
        for (int dy = -3; dy <= 3 && !found; ++dy)
          for (int dx = -3; dx <= 3 && !found; ++dx) {
            const int x = static_cast<int>(mid.x()) + dx, y = static_cast<int>(mid.y()) + dy;
            found = x >= 0 && y >= 0 && x < W && y < H && mask[y * W + x];
          }
        hit += found;
      }
    EXPECT_GT(hit, 0.7 * pieces) << view_name(view);
  }
}

// The picture's bones follow the stored posture: standing at the start (head over the pelvis),
// bent forward at the peak of the stoop (head well in front of the pelvis and lower), the hands
// holding the box's load only while the scenario says so.
TEST(Render, BonesFollowThePosture) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  auto centre = [](const Scene& s, SceneBone::Kind k) {
    for (const auto& b : s.bones)
      if (b.kind == k) return b.centre;
    return Vec3(Vec3::Constant(NAN));
  };
  const Scene stand = p.scene(p.values(0)), bent = p.scene(p.values(p.peak_frame()));
  const Vec3 h0 = centre(stand, SceneBone::kHead) - centre(stand, SceneBone::kPelvis);
  const Vec3 h1 = centre(bent, SceneBone::kHead) - centre(bent, SceneBone::kPelvis);
  EXPECT_LT(std::abs(h0.x()), 0.15);  // x anterior, y up
  EXPECT_GT(h0.y(), 0.5);
  EXPECT_GT(h1.x(), 0.35);
  EXPECT_LT(h1.y(), h0.y() - 0.2);
  // Vertebral bodies stack along the spine: each lies between the centres of its two discs.
  int checked = 0;
  for (size_t k = 0; k + 2 < bent.bones.size(); ++k) {
    const auto& b = bent.bones[k];
    if (b.kind != SceneBone::kVertebra) continue;
    Vec3 lo = Vec3::Constant(NAN), hi = lo;
    for (const auto& d : bent.bones)
      if (d.kind == SceneBone::kDisc && d.name.rfind(b.name + "-", 0) == 0) lo = d.centre;           // e.g. L4-L5 below L4
      else if (d.kind == SceneBone::kDisc && d.name.size() > b.name.size() && d.name.compare(d.name.size() - b.name.size(), b.name.size(), b.name) == 0 &&
               d.name[d.name.size() - b.name.size() - 1] == '-') hi = d.centre;                     // L3-L4 above L4
    if (!lo.allFinite() || !hi.allFinite()) continue;
    EXPECT_LT((b.centre - 0.5 * (lo + hi)).norm(), 0.004) << b.name;
    ++checked;
  }
  EXPECT_GT(checked, 15);
  double load0 = 0, load1 = 0;
  for (const auto& h : stand.hands) load0 += h.load_kg;
  for (const auto& h : bent.hands) load1 += h.load_kg;
  EXPECT_EQ(load0, 0.0);
  EXPECT_NEAR(load1, 15.0, 1e-9);  // the 15 kg box, 7.5 kg in each hand
}

TEST(Render, TwoInstantsOfALiftDiffer) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  PictureOptions o;
  const FrameValues v0 = p.values(0), v1 = p.values(p.peak_frame());
  const Image a = render(p, v0, p.scene(v0), o, 800, 500), b = render(p, v1, p.scene(v1), o, 800, 500);
  long changed = 0;
  for (size_t k = 0; k < a.px.size(); ++k) changed += a.px[k] != b.px[k];
  EXPECT_GT(changed, 0.02 * a.px.size());
}

// The picture's "most fatigued groups" panel ranks groups by the share of their strength lost,
// Σ F0·M_F / Σ F0 over the group's fascicles (both sides), the number the report and the run
// summary give, not the plain mean of M_F over fascicles (which differs: F0 varies within a group).
TEST(Render, FatiguedGroupsAreRankedByTheStrengthLost) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const long last = r.frames() - 1;
  const FrameValues v = p.values(last);
  const Eigen::MatrixXd mf = r.strided("/fatigue/fatigued", 1);
  const Eigen::VectorXd& f0 = p.model().muscle_fmax;
  std::map<std::string, std::array<double, 4>> expect;  // Σ F0·M_F, Σ F0, Σ M_F, fascicles
  for (int i = 0; i < r.nmuscle(); ++i) {
    auto& e = expect[r.muscle_group[i]];
    e[0] += f0[i] * mf(last, i), e[1] += f0[i], e[2] += mf(last, i), e[3] += 1;
  }
  const auto ranked = rank_groups(p.model(), v, ColorBy::kFatigue);
  ASSERT_EQ(ranked.size(), expect.size());
  for (size_t k = 0; k < ranked.size(); ++k) {
    const auto& e = expect.at(ranked[k].second);
    EXPECT_NEAR(ranked[k].first, e[0] / e[1], 1e-12) << ranked[k].second;
    if (k) {
      EXPECT_GE(ranked[k - 1].first, ranked[k].first);
    }
  }
  // The case the plain mean got wrong: multifidus, whose fascicles' F0 differ.
  const auto& mult = expect.at("multifidus");
  ASSERT_GT(mult[0], 0);
  EXPECT_GT(std::abs(mult[0] / mult[1] - mult[2] / mult[3]), 0.05 * mult[0] / mult[1]);
}

TEST(Render, SvgAndPdfAreWritten) {
  const ResultsSeries r(runs().squat());
  ResultsPicture p(r);
  for (const char* ext : {".svg", ".pdf"}) {
    const std::string out = (runs().dir / (std::string("squat") + ext)).string();
    PictureOptions o;
    o.view = View::kOblique;
    o.color = ColorBy::kForce;
    write_picture(p, 5, o, out, 800, 500);
    std::ifstream f(out, std::ios::binary);
    std::string head(64, '\0');
    f.read(head.data(), 64);
    EXPECT_TRUE(std::string(ext) == ".pdf" ? head.rfind("%PDF", 0) == 0 : head.find("<svg") != std::string::npos || head.find("<?xml") == 0) << ext;
    EXPECT_GT(fs::file_size(out), 10000u) << ext;
  }
}

TEST(Render, BadInputIsAClearErrorAndLeavesNoFile) {
  EXPECT_THROW({ const ResultsSeries r((runs().dir / "missing.h5").string()); }, InputError);
  try {
    const ResultsSeries r((runs().dir / "missing.h5").string());
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.h5"), std::string::npos);
  }
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const std::string bad = (runs().dir / "picture.bmp").string();
  EXPECT_THROW(write_picture(p, 0, PictureOptions{}, bad, 800, 500), InputError);
  EXPECT_FALSE(fs::exists(bad));
  EXPECT_THROW(write_picture(p, 0, PictureOptions{}, (runs().dir / "no/such/dir/x.png").string(), 800, 500), InputError);
  EXPECT_THROW(parse_view("side"), std::invalid_argument);
  EXPECT_THROW(parse_color_by("stress"), std::invalid_argument);
}

long count_video_frames(const std::string& path) {
  const std::string cmd = "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return -1;
  char buf[64] = {0};
  const bool ok = std::fgets(buf, sizeof buf, f) != nullptr;
  pclose(f);
  return ok ? std::atol(buf) : -1;
}

bool have(const char* program) { return std::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) == 0; }

TEST(Render, AnimationHasTheExpectedFrameCount) {
  if (!have("ffmpeg") || !have("ffprobe")) GTEST_SKIP() << "ffmpeg is not installed (scripts/setup.sh installs it): animation test skipped";
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  AnimationOptions a;
  a.fps = 4, a.speed = 1, a.start = r.time.front(), a.end = r.time.back();
  const long expected = static_cast<long>(std::floor((a.end - a.start) * a.fps + 1e-9)) + 1;
  EXPECT_EQ(animation_frame_count(a), expected);
  for (const char* ext : {".gif", ".mp4"}) {
    const std::string out = (runs().dir / (std::string("stoop") + ext)).string();
    EXPECT_EQ(write_animation(p, PictureOptions{}, a, out, 400, 250), expected);
    EXPECT_EQ(count_video_frames(out), expected) << ext;
    EXPECT_FALSE(fs::exists(out + ".partial"));
  }
  EXPECT_THROW(write_animation(p, PictureOptions{}, a, (runs().dir / "x.avi").string(), 400, 250), InputError);
}

// Review 10, A1: a results file written with --fields (README: --fields joints,muscles/activation)
// used to be refused ("/muscles/force: dataset missing"). The picture draws what the file has:
// colour by what is stored, no chart without compression, muscles grey with no muscle value, the
// posture recomputed from the stored scenario without stored angles; omissions() says what is left
// out, once; the report does the same.
TEST(Render, FilesWrittenWithFieldsDrawWhatTheyHave) {
  const std::string readme = runs().get("rounded_back_lift", "stoop_joints_activation", {"output_rate_hz=5"}, {"joints", "muscles/activation"});
  const std::string only_force = runs().get("rounded_back_lift", "stoop_kinematics_force", {"output_rate_hz=5"}, {"kinematics", "muscles/force"});
  const std::string only_posture = runs().get("rounded_back_lift", "stoop_kinematics", {"output_rate_hz=5"}, {"kinematics"});
  const ResultsSeries full(runs().stoop()), a(readme), b(only_force), c(only_posture);
  ResultsPicture pf(full), pa(a), pb(b), pc(c);
  EXPECT_FALSE(pa.stored().kinematics);
  EXPECT_TRUE(pa.stored().activation && pa.stored().compression);
  EXPECT_FALSE(pa.stored().force || pa.stored().fatigued);
  // Same default instant where the compression is stored; the same posture at every frame.
  EXPECT_EQ(pa.peak_frame(), pf.peak_frame());
  for (long f = 0; f < full.frames(); f += 3) {
    const Scene sf = pf.scene(pf.values(f)), sa = pa.scene(pa.values(f));
    ASSERT_EQ(sf.bones.size(), sa.bones.size());
    for (size_t k = 0; k < sf.bones.size(); ++k) EXPECT_LT((sf.bones[k].centre - sa.bones[k].centre).norm(), 1e-12) << f << " " << sf.bones[k].name;
  }
  // Every colour draws; what the file lacks is said, naming the dataset and what is drawn instead.
  for (const ColorBy color : {ColorBy::kActivation, ColorBy::kForce, ColorBy::kFatigue}) {
    PictureOptions o;
    o.color = color;
    for (ResultsPicture* p : {&pa, &pb, &pc}) {
      const FrameValues v = p->values(p->peak_frame());
      const Image im = render(*p, v, p->scene(v), o, 800, 500);
      long drawn = 0;
      for (uint32_t px : im.px) drawn += (px & 0xffffff) != 0xffffff;
      EXPECT_GT(drawn, 0.03 * im.w * im.h) << p->results().path;
    }
  }
  PictureOptions force;
  force.color = ColorBy::kForce;
  ASSERT_EQ(pa.shown(force).color, ColorBy::kActivation);
  const auto notes = pa.omissions(force);
  ASSERT_EQ(notes.size(), 2u);  // posture recomputed; force not stored
  EXPECT_NE(notes[0].find("/kinematics/joint_angles"), std::string::npos);
  EXPECT_NE(notes[1].find("/muscles/force"), std::string::npos);
  EXPECT_NE(notes[1].find("coloured by activation"), std::string::npos);
  EXPECT_TRUE(pa.omissions(PictureOptions{}).size() == 1u);  // activation is stored: only the posture note
  PictureOptions fatigue;
  fatigue.color = ColorBy::kFatigue;
  EXPECT_EQ(pb.shown(fatigue).color, ColorBy::kForce);
  EXPECT_FALSE(pb.shown(fatigue).chart);
  EXPECT_TRUE(pb.omissions(PictureOptions{}).back().find("/joints/compression") != std::string::npos);
  EXPECT_GT(pb.peak_frame(), 0);  // the frame of the largest summed force, not frame 0
  EXPECT_NE(pc.omissions(PictureOptions{})[0].find("grey"), std::string::npos);
  // Files written, animations too.
  for (const std::string& path : {readme, only_force, only_posture}) {
    const ResultsSeries r(path);
    ResultsPicture p(r);
    const std::string out = path + ".png";
    write_picture(p, p.peak_frame(), fatigue, out, 600, 400);
    EXPECT_TRUE(fs::exists(out));
  }
  // The report: made, with a note on what it leaves out.
  std::vector<std::string> left_out;
  const std::string html = report_html({readme, only_force}, &left_out);
  EXPECT_NE(html.find("Not everything is shown"), std::string::npos);
  bool fatigue_named = false;
  for (const auto& n : left_out) fatigue_named = fatigue_named || n.find("/fatigue/fatigued") != std::string::npos;
  EXPECT_TRUE(fatigue_named);
  EXPECT_EQ(html.find("At the end of the run: fatigue"), std::string::npos);  // no file stores it
  // A file with everything has nothing to say.
  EXPECT_TRUE(pf.omissions(PictureOptions{}).empty());
  std::vector<std::string> none;
  report_html({runs().stoop()}, &none);
  EXPECT_TRUE(none.empty());
  // forcearrows: the report's joint-load arrows need both shears; a file without them says so.
  std::vector<std::string> arrows_left_out;
  const std::string with_arrows = report_html({runs().stoop(), only_force}, &arrows_left_out, true);
  EXPECT_NE(with_arrows.find("Arrows at the discs"), std::string::npos);
  bool said = false;
  for (const auto& n : arrows_left_out) said = said || (n.find(only_force) != std::string::npos && n.find("no joint-load arrows") != std::string::npos);
  EXPECT_TRUE(said);
  for (const auto& n : arrows_left_out) EXPECT_EQ(n.find(runs().stoop() + " has no"), std::string::npos) << n;
}

// Review 10, A2: ticks 0.0025 apart were labelled 0.003, 0.005, 0.007 (three decimals from
// ceil(-log10(step))); labels carry the decimals the step needs and read back as the tick's value.
TEST(Plot, TickLabelsCarryTheDigitsOfTheStep) {
  EXPECT_EQ(tick_label(0.0075, 0.0025), "0.0075");
  EXPECT_EQ(tick_label(0.0025, 0.0025), "0.0025");
  EXPECT_EQ(tick_label(0.75, 0.25), "0.75");
  EXPECT_EQ(tick_label(75, 25), "75");
  EXPECT_EQ(tick_label(6e-5, 2e-5), "0.00006");
  EXPECT_EQ(tick_label(30000, 1e4), "30000");
  EXPECT_EQ(tick_label(0, 0.0025), "0");
  for (const double step : {2.5e-3, 0.25, 25.0, 2e-5, 1e4, 2.5, 0.05}) {
    std::set<std::string> seen;
    double v = 0;
    for (int k = 0; k <= 8; ++k, v += step) {  // accumulated, as the plots step through their ticks
      const std::string label = tick_label(v, step);
      EXPECT_NEAR(std::stod(label), k * step, 1e-9 * step) << "step " << step << ": " << label;
      EXPECT_TRUE(seen.insert(label).second) << "step " << step << ": " << label << " twice";
    }
  }
}

// audit25t D5: where reserves acted a compression is a lower bound; the plots draw a pale band under
// those points (and only those) and name it in the legend.
TEST(Plot, LowerBoundsAreBandedAndNamed) {
  PlotSeries a;
  a.name = "a";
  for (int k = 0; k < 10; ++k) a.x.push_back(k), a.y.push_back(100 * k);
  PlotOptions o;
  o.lower_bound_label = "band: lower bound here";
  const std::string plain = plot_svg({a}, o);
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(plain, "opacity:0.25"), 0u);
  a.lower_bound.assign(10, false);
  const std::string none = plot_svg({a}, o);
  EXPECT_EQ(count(none, "opacity:0.25"), 0u);  // no bound, no band,
  EXPECT_EQ(none.size(), plain.size());        // and no legend entry (the SVGs differ only in cairo's surface id)
  a.lower_bound[3] = a.lower_bound[4] = a.lower_bound[5] = true;  // pieces 3-4 and 4-5, and 5's end
  const std::string banded = plot_svg({a}, o);
  EXPECT_EQ(count(banded, "opacity:0.25"), 3u);
  EXPECT_NE(banded.size(), plain.size());  // the legend's extra entry (its text is glyphs in the SVG)
}

// Review 10, A3: the scenario's external forces were never drawn, and golf's hands at impact read
// "0.1 kg (1 N)" while the club pulled 319 N there. The scene now carries every external force the
// run applied at that instant; a force at the hands joins their arrow, labelled with the resultant.
TEST(Render, ExternalForcesAreDrawnWithTheirMagnitude) {
  const std::string golf = runs().get("golf_swing", "golf", {"repetitions=1", "output_rate_hz=10"}, {"kinematics", "joints/compression", "muscles/activation"});
  const ResultsSeries r(golf);
  ResultsPicture p(r);
  FrameValues v = p.values(r.frame_at(3.57));
  v.time = 3.57;  // impact (keyframe), between the stored frames: the loads are sampled there
  v.q.resize(0);  // and so is the posture
  const Scene s = p.scene(v);
  const SceneForce* pull = nullptr;
  for (const auto& f : s.forces)
    if (f.name == "club_pull") pull = &f;
  ASSERT_NE(pull, nullptr);
  // Since session 10 the pull acts at the hands (point_frame: hands): 320 N at impact, at the grip's
  // midpoint, along the header's sagittal (0.23, -0.97) (tests/cpp/test_hand_forces.cpp). Both
  // hands hold the grip at the keyframe's point (right and left given alike, not mirrored).
  EXPECT_NEAR(pull->force.norm(), 320.0, 0.5);
  EXPECT_NEAR(std::atan2(pull->force.x(), -pull->force.y()), std::atan2(0.23, 0.97), 0.02);
  EXPECT_LT((pull->point - Vec3(0.35, -0.20, -0.02)).norm(), 1e-9);
  const double g = p.model().gravity.norm();
  const auto arrows = force_arrows(s, g);
  const ForceArrow* hands = nullptr;
  for (const auto& a : arrows)
    if (a.hand) hands = &a;
  ASSERT_NE(hands, nullptr);
  EXPECT_EQ(hands->hands, 2);
  EXPECT_NEAR((hands->force - (pull->force + 0.3 * g * s.gravity_dir)).norm(), 0, 1e-6);
  EXPECT_NE(hands->label.find("club_pull 320 N"), std::string::npos) << hands->label;
  EXPECT_NE(hands->label.find("2 × 0.15 kg"), std::string::npos) << hands->label;
  EXPECT_EQ(hands->label.rfind("323 N", 0), 0u) << hands->label;  // the pull plus the club's 2.9 N weight first
  {  // teachrev F13: render.md quoted 322 / 319 N after the pull had become 320 N; it quotes the label as drawn
    std::ifstream doc(test::source_dir() + "/docs/render.md");
    const std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"" + hands->label + "\""), std::string::npos) << "docs/render.md does not quote " << hands->label;
  }
  // Drawn: green (external force) pixels appear only with the forces in the scene, blue hand arrows too.
  PictureOptions o;
  o.legend = false;
  auto count = [](const Image& im, int r0, int g0, int b0) {
    long n = 0;
    for (uint32_t px : im.px) n += std::abs(red(px) - r0) < 12 && std::abs(int((px >> 8) & 255) - g0) < 12 && std::abs(blue(px) - b0) < 12;
    return n;
  };
  EXPECT_GT(count(render(p, v, s, o, 1000, 640), 26, 89, 191), 200);  // the hands' arrow, blue, 322 N long
  // The backpack: 15 % of body weight at T8, green, where nothing is held.
  const std::string pack = runs().get("backpack_carry", "backpack", {"output_rate_hz=0.01"}, {"kinematics", "joints/compression", "muscles/activation"});
  const ResultsSeries rb(pack);
  ResultsPicture pb(rb);
  const Scene sb = pb.scene(pb.values(0));
  ASSERT_EQ(sb.forces.size(), 1u);
  EXPECT_EQ(sb.forces[0].name, "backpack");
  EXPECT_NEAR(sb.forces[0].force.y(), -0.15 * pb.model().reference_body_mass * g, 1e-9);
  const auto pack_arrows = force_arrows(sb, g);
  ASSERT_EQ(pack_arrows.size(), 1u);  // empty hands draw nothing
  EXPECT_FALSE(pack_arrows[0].hand);
  EXPECT_NEAR((pack_arrows[0].tail - sb.forces[0].point).norm(), 0, 1e-12);  // a load hangs from its point
  Scene sb_without = sb;
  sb_without.forces.clear();
  const FrameValues vb = pb.values(0);
  EXPECT_GT(count(render(pb, vb, sb, o, 1000, 640), 13, 128, 71), 150);
  EXPECT_EQ(count(render(pb, vb, sb_without, o, 1000, 640), 13, 128, 71), 0);
  // teachrev F24: the legend lists the green arrow only when the instant draws one (superman lifted
  // listed an external force with none drawn); its row stays, empty, so animations do not jump.
  PictureOptions with_legend;
  with_legend.chart = false;
  EXPECT_GT(count(render(pb, vb, sb, with_legend, 1000, 640), 13, 128, 71), 150);
  EXPECT_EQ(count(render(pb, vb, sb_without, with_legend, 1000, 640), 13, 128, 71), 0);
}

// teachrev F14: at 800 × 500 (animations) the base font was 9 px, the legend 7 px and the chart's
// values 5 px. The base now has a floor of 12 px; larger pictures and the report's scaled ones keep
// their sizes.
TEST(Render, TextHasAFloorAtSmallSizes) {
  PictureOptions o;
  EXPECT_DOUBLE_EQ(base_font_size(800, 500, o), 12.0);
  EXPECT_DOUBLE_EQ(base_font_size(1600, 1000, o), 1000.0 / 55);
  o.font_scale = 2.2;  // the report's film strip, 560 × 520
  EXPECT_DOUBLE_EQ(base_font_size(560, 520, o), 520.0 / 55 * 2.2);
}

// Review 10, A3: supports (a side plank's forearm, the floor under resting segments) push on the
// body: drawn ending at their point, the floor as one resultant of the resting segments' weights.
TEST(Render, SupportsEndAtTheirPoint) {
  const std::string plank = runs().get("side_plank", "plank", {"repetitions=1", "output_rate_hz=2"}, {"kinematics", "joints/compression", "muscles/activation"});
  const ResultsSeries r(plank);
  ResultsPicture p(r);
  const double g = p.model().gravity.norm();
  // Lying at t = 0: every segment rests; the floor carries their weight (model segments only).
  const Scene lying = p.scene(p.values(0));
  double weight = 0;
  for (int k = 0; k < p.model().nsegment; ++k) weight += p.model().segment_mass[k] * g;
  const SceneForce* floor = nullptr;
  for (const auto& f : lying.forces)
    if (f.support && f.name.find("floor") != std::string::npos) floor = &f;
  ASSERT_NE(floor, nullptr);
  EXPECT_NEAR(floor->force.y(), weight, 1e-6 * weight);
  // Held (t = 6 s): the forearm takes the balance about the feet, upward, and the arrow ends there.
  const Scene held = p.scene(p.values(r.frame_at(6.0)));
  const SceneForce* forearm = nullptr;
  for (const auto& f : held.forces)
    if (f.name == "forearm_floor") forearm = &f;
  ASSERT_NE(forearm, nullptr);
  EXPECT_GT(forearm->force.y(), 100);
  for (const auto& a : force_arrows(held, g))
    if (a.label.rfind("forearm_floor", 0) == 0) {
      EXPECT_TRUE(a.support);
      EXPECT_NEAR((a.tip - forearm->point).norm(), 0, 1e-12);
      EXPECT_LT(a.tail.y(), a.tip.y());
    }
}

// teachrev F1: the cameras are fixed to the world, and the captions used to be too ("from the right
// (anterior to the right)" for a side plank lying across that view, "right side to the right" with
// the right side down). They now follow the pelvis at the instant; a standing body reads as before.
TEST(Render, ViewCaptionsFollowTheBody) {
  const Mat3 standing = Mat3::Identity();
  const Vec3 up(0, 1, 0);
  EXPECT_EQ(view_caption(View::kSagittal, standing, up), "sagittal view, from the right (anterior to the right)");
  EXPECT_EQ(view_caption(View::kFrontal, standing, up), "frontal view, from behind (right side to the right)");
  EXPECT_EQ(view_caption(View::kTop, standing, up), "top view, from above (anterior up)");
  EXPECT_EQ(view_caption(View::kOblique, standing, up), "oblique view, from behind-right and above");
  EXPECT_EQ(view_for_body(standing), View::kSagittal);
  // Prone (superman, bird dog): the pelvis flexed 90° about the subject's right, anterior down.
  const Mat3 prone = Eigen::AngleAxisd(-M_PI / 2, Vec3::UnitZ()).toRotationMatrix();
  EXPECT_EQ(view_caption(View::kSagittal, prone, up), "sagittal view, from the right (anterior down)");
  EXPECT_EQ(view_caption(View::kTop, prone, up), "top view, from behind (anterior away from the viewer)");
  // A stoop's pelvis flexed 50° faces neither right nor down; within 22.5° of an axis it faces that axis.
  EXPECT_EQ(view_caption(View::kSagittal, Eigen::AngleAxisd(-50 * M_PI / 180, Vec3::UnitZ()).toRotationMatrix(), up),
            "sagittal view, from the right (anterior down and to the right)");
  EXPECT_EQ(view_caption(View::kSagittal, Eigen::AngleAxisd(-20 * M_PI / 180, Vec3::UnitZ()).toRotationMatrix(), up),
            "sagittal view, from the right (anterior to the right)");
  // The side plank held (pelvis lateral bending 75°, right side down), from the run.
  const std::string plank = runs().get("side_plank", "plank", {"repetitions=1", "output_rate_hz=2"}, {"kinematics", "joints/compression", "muscles/activation"});
  const ResultsSeries r(plank);
  ResultsPicture p(r);
  const Scene held = p.scene(p.values(r.frame_at(6.0)));
  EXPECT_LT(held.pelvis_rotation.col(2).y(), -0.9);  // the subject's right points down
  EXPECT_EQ(view_caption(View::kFrontal, held.pelvis_rotation, up), "frontal view, from behind (right side down)");
  const std::string along = view_caption(View::kSagittal, held.pelvis_rotation, up);  // looking along the body
  EXPECT_TRUE(along.rfind("sagittal view, from the head end", 0) == 0 || along.rfind("sagittal view, from the feet end", 0) == 0) << along;
  EXPECT_EQ(view_for_body(held.pelvis_rotation), View::kFrontal);  // the default picture of a side plank
  // A stoop lift bends the pelvis forward but keeps its sides: sagittal.
  const ResultsSeries rs(runs().stoop());
  ResultsPicture ps(rs);
  EXPECT_EQ(view_for_body(ps.scene(ps.values(ps.peak_frame())).pelvis_rotation), View::kSagittal);
}

// teachrev F2: a paraspinal_only lift looked balanced while reserves carried 24 N·m of extension at
// L5-S1, and pictures drawn after the task failed said nothing. The status lines name the largest
// reserve, its rotation and joint, and the failure from the summary; the joint is ringed in red.
TEST(Render, ReservesAndFailureAreSaid) {
  const std::string po = runs().get("rounded_back_lift", "po_stoop", {"output_rate_hz=5", "model=paraspinal_only"});
  const ResultsSeries r(po);
  ResultsPicture p(r);
  ASSERT_TRUE(r.summary["endurance_s"].is_number());
  const double endurance = r.summary["endurance_s"].get<double>();
  const FrameValues peak = p.values(p.peak_frame());
  const auto res = shown_reserves(peak.reserve);
  ASSERT_FALSE(res.empty());
  EXPECT_EQ(p.model().joint_name[res[0].joint], "L5-S1");
  EXPECT_EQ(res[0].rotation, "extension");
  const auto lines = p.status_lines(peak);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].rfind(fmt::format("reserves carry {:.0f} N·m extension at L5-S1 — the muscles cannot", res[0].moment), 0), 0u) << lines[0];
  const auto after = p.status_lines(p.values(r.frames() - 1));
  ASSERT_GE(r.time.back(), endurance);
  EXPECT_NE(after.back().find("task failed at"), std::string::npos) << after.back();
  for (const auto& l : p.status_lines(p.values(r.frame_at(0.5 * endurance)))) EXPECT_EQ(l.find("task failed"), std::string::npos) << l;
  // Drawn: the ring (217, 13, 13) appears with the reserves and goes with them.
  PictureOptions o;
  o.legend = false, o.chart = false;
  auto ring = [](const Image& im) {
    long n = 0;
    for (uint32_t px : im.px) n += std::abs(red(px) - 217) < 12 && std::abs(int((px >> 8) & 255) - 13) < 12 && std::abs(blue(px) - 13) < 12;
    return n;
  };
  const Scene s = p.scene(peak);
  FrameValues none = peak;
  none.reserve.setZero();
  EXPECT_GT(ring(render(p, peak, s, o, 1000, 640)), 50);
  EXPECT_EQ(ring(render(p, none, s, o, 1000, 640)), 0);
  EXPECT_TRUE(p.status_lines(none).empty() || p.status_lines(none)[0].find("reserves") == std::string::npos);
  // The chart's values are lower bounds while reserves act, marked as the run's table marks them.
  EXPECT_EQ(chart_value_text(2937.4, reserves_act(peak.reserve)), "≥2937");
  EXPECT_EQ(chart_value_text(2937.4, reserves_act(none.reserve)), "2937");
  EXPECT_EQ(chart_value_text(-47.6, true), "≥-48 (tension)");  // audit25t B3
  EXPECT_EQ(chart_value_text(-0.4, false), "0");
  // A shear's label names its level and keeps the table's signs (audit24p #2: it gave the magnitude).
  EXPECT_EQ(shear_label("T10-T11", 741.4, 0.3), "T10-T11 AP +741 N");
  EXPECT_EQ(shear_label("L3-L4", -272.2, 1.0), "L3-L4 AP -272 N");
  EXPECT_EQ(shear_label("L3-L4", -272.2, 48.0), "L3-L4 AP -272, lat. +48 N");
  EXPECT_EQ(shear_label("L5-S1", 2.0, -130.0), "L5-S1 lat. -130 N");
}

// teachrev F4: forward_head_posture's default picture (t = 940 s, in the neutral hold) gave no phase;
// the title now carries the keyframe labels of the instant.
TEST(Render, TheTitleNamesThePhaseFromKeyframeLabels) {
  const std::string golf = runs().get("golf_swing", "golf", {"repetitions=1", "output_rate_hz=10"}, {"kinematics", "joints/compression", "muscles/activation"});
  const ResultsSeries r(golf);
  ResultsPicture p(r);
  EXPECT_EQ(p.phase_label(3.57), "impact");                                // on a keyframe
  EXPECT_EQ(p.phase_label(3.40), "top of the backswing → impact");        // between two
  EXPECT_EQ(p.phase_label(0.5), "standing, club in the hands → address");
  EXPECT_EQ(p.phase_label(7.17), "back to standing");
  // A hold: both keyframes carry the same label (forward_head_posture's "neck 0 deg" … "neck 60 deg").
  const Scenario fhp = load_scenario("forward_head_posture");
  ASSERT_GE(fhp.keyframes.size(), 2u);
  EXPECT_EQ(fhp.keyframes[0].label, "neck 0 deg");
  EXPECT_EQ(fhp.keyframes.back().label, "neck 60 deg");
}

// teachrev F6: L2-L3 is the most loaded level of every lift because the abdominal pressure relieves
// only L3-L4 … L5-S1 (docs/mechanics.md, "Levels"); the chart marks the relieved levels.
TEST(Render, TheChartMarksTheLevelsThePressureRelieves) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  std::set<std::string> names;
  for (int j : p.pressure_relieved_joints()) names.insert(p.model().joint_name[j]);
  EXPECT_EQ(names, (std::set<std::string>{"L3-L4", "L4-L5", "L5-S1"}));
  EXPECT_EQ(p.model().joint_name[p.peak_joint()], "L2-L3");  // the step the mark explains
}

// Review 10, A4: the legend block was given a fixed 4.5 font sizes while its rows and the ranking
// beside it take more, so a side plank's raised arm (frontal view) crossed the legend text. The body
// drawn into the picture (A) against the same picture without it (B): no pixel of B's legend, title,
// ranking, colour bar or chart may change, i.e. the body never reaches under them.
TEST(Render, TheBodyStaysClearOfLegendAndPanels) {
  const std::string plank = runs().get("side_plank", "plank", {"repetitions=1", "output_rate_hz=2"}, {"kinematics", "joints/compression", "muscles/activation"});
  const std::string golf = runs().get("golf_swing", "golf", {"repetitions=1", "output_rate_hz=10"}, {"kinematics", "joints/compression", "muscles/activation"});
  const std::string golf_full = runs().get("golf_swing", "golf_full", {"repetitions=1", "output_rate_hz=10"});
  struct Case {
    std::string file;
    View view;
    int w, h;
    double t;
    bool joint_forces = false;
  };
  const Case cases[] = {{plank, View::kFrontal, 1600, 1000, 1.5}, {plank, View::kFrontal, 800, 500, 1.5}, {plank, View::kSagittal, 1000, 625, 6},
                        {golf, View::kFrontal, 1000, 625, 3.6},   {golf, View::kOblique, 1600, 1000, 4.2}, {runs().stoop(), View::kSagittal, 800, 500, 2},
                        // teacherpics: golf's hand label ("305 N at the hands: club_pull …") ran on into the chart
                        {golf, View::kSagittal, 800, 500, 3.5},
                        // forcearrows: the joint-load arrows and their values stay in the body's area too
                        // (at the run's peak, t < 0: one of the instants the animation's camera is fitted to)
                        {runs().stoop(), View::kSagittal, 800, 500, -1, true}, {runs().stoop(), View::kFrontal, 1600, 1000, -1, true},
                        {golf_full, View::kSagittal, 800, 500, -1, true},     {golf_full, View::kFrontal, 1000, 625, -1, true}};
  for (const Case& c : cases) {
    const ResultsSeries r(c.file);
    ResultsPicture p(r);
    const FrameValues v = p.values(c.t < 0 ? p.peak_frame() : r.frame_at(c.t));
    const Scene s = p.scene(v);
    Scene empty = s;
    empty.bones.clear(), empty.hands.clear(), empty.forces.clear(), empty.joint_centre.clear();
    for (auto& path : empty.muscle_path) path.clear();
    PictureOptions o;
    o.view = c.view;
    o.joint_forces = c.joint_forces;
    // The legend's scale bar (and so where the ranking starts) follows the body's scale, which the
    // picture without the body would fit differently: with the arrows, one camera for both, as an
    // animation has.
    o.fixed_frame = c.joint_forces;
    const Image a = render(p, v, s, o, c.w, c.h), b = render(p, v, empty, o, c.w, c.h);
    long overlap = 0;
    int x0 = c.w, y0 = c.h, x1 = -1, y1 = -1;  // where, for the message
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x)
        if ((b.at(x, y) & 0xffffff) != 0xffffff && a.at(x, y) != b.at(x, y))
          ++overlap, x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    EXPECT_EQ(overlap, 0) << r.scenario << " " << view_name(c.view) << " " << c.w << " × " << c.h << " at t = " << c.t << ": pixels in x "
                          << x0 << "–" << x1 << ", y " << y0 << "–" << y1;
  }
}

// Review: paraspinal_only's pictures had no pelvis to speak of. Drawn from its muscle attachments
// alone, a pelvis carrying only the erectors was a sliver beside L5, where full_spine's (abdominals,
// psoas, quadratus lumborum attached) filled the pelvis. With the ellipsoid of the segment's own
// mass and inertia (the same in both models) it is a pelvis in both: in the sagittal and frontal
// projections of the neutral posture, at least 0.6 of full_spine's area and at least 0.03 m².
TEST(Render, EveryModelDrawsAWholePelvis) {
  auto pelvis_areas = [](const std::string& name) {
    const Model m = load_model(test::source_dir() + "/models/" + name + ".yaml");
    Data d(m);
    set_static_posture(m, neutral_posture(m), d);
    evaluate_frame(m, d);
    const Scene s = build_scene(m, BoneGeometry(m), d);
    std::array<double, 2> area{0, 0};
    for (const auto& b : s.bones) {
      if (b.kind != SceneBone::kPelvis || b.name != m.segment_name[0]) continue;
      for (int view = 0; view < 2; ++view) {  // sagittal (x anterior, y up), frontal (z right, y up)
        std::vector<std::pair<double, double>> p;
        for (const Vec3& q : b.hull) p.emplace_back(view == 0 ? q.x() : q.z(), q.y());
        std::sort(p.begin(), p.end());
        auto cross = [](const auto& o, const auto& a, const auto& c) {
          return (a.first - o.first) * (c.second - o.second) - (a.second - o.second) * (c.first - o.first);
        };
        std::vector<std::pair<double, double>> h(2 * p.size());  // Andrew's monotone chain
        size_t k = 0;
        for (size_t i = 0; i < p.size(); ++i) {
          while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
          h[k++] = p[i];
        }
        for (size_t i = p.size() - 1, t = k + 1; i-- > 0;) {
          while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
          h[k++] = p[i];
        }
        for (size_t i = 0; i + 1 < k; ++i) area[view] += 0.5 * (h[i].first * h[i + 1].second - h[i + 1].first * h[i].second);
      }
    }
    return area;
  };
  const auto full = pelvis_areas("full_spine"), only = pelvis_areas("paraspinal_only");
  for (int view = 0; view < 2; ++view) {
    EXPECT_GT(only[view], 0.6 * full[view]) << (view ? "frontal" : "sagittal") << ": " << only[view] << " vs " << full[view] << " m²";
    EXPECT_GT(only[view], 0.03) << (view ? "frontal" : "sagittal");
  }
}

// teacherpics: a level's value written after its bar was struck through by its own peak tick when
// the peak lay just beyond the bar (slouched sitting's cervical levels read "2|24"), and by the
// action limit's line. The value now starts past the tick; the limit line is interrupted under it.
TEST(Render, ChartValuesStartPastTheirPeakTick) {
  const double fs = 18, tw = 30;
  EXPECT_DOUBLE_EQ(chart_value_x(100, tw, fs, {}), 100 + 0.3 * fs);
  EXPECT_DOUBLE_EQ(chart_value_x(100, tw, fs, {300}), 100 + 0.3 * fs);  // a tick far beyond: after the bar
  for (double tick : {100.0, 104.0, 115.0, 130.0, 139.0}) {             // a tick that would cross the number
    const double x = chart_value_x(100, tw, fs, {tick});
    EXPECT_GT(x, tick) << tick;
    EXPECT_DOUBLE_EQ(x, tick + 0.3 * fs) << tick;
  }
  EXPECT_DOUBLE_EQ(chart_value_x(100, tw, fs, {125, 110}), 125 + 0.3 * fs);  // past both, in any order
}

// The NIOSH action limit (3400 N) was set for L5/S1 and is read for the lumbar levels; golf's T7-T8
// at 3.9 kN was drawn red as "over the limit", and the report counted its frames as time above it.
TEST(Render, OnlyLumbarLevelsAreMarkedAboveTheActionLimit) {
  EXPECT_TRUE(above_action_limit("L5-S1", 3401));
  EXPECT_TRUE(above_action_limit("L1-L2", 5750));
  EXPECT_FALSE(above_action_limit("L5-S1", 3400));  // at the limit is not above it
  EXPECT_FALSE(above_action_limit("L4-L5", 2249));
  EXPECT_FALSE(above_action_limit("T7-T8", 3962));
  EXPECT_FALSE(above_action_limit("T12-L1", 5678));  // the thoracolumbar junction: T12's disc
  EXPECT_FALSE(above_action_limit("C0-C1", 1e5));
}

// teacherpics: a force's label that does not fit on its side of the arrow goes to the other side,
// else is moved in from the edge; it never leaves the body's area (the chart is beside it).
TEST(Render, ForceLabelsStayInsideTheBodyArea) {
  const double fs = 12;
  EXPECT_DOUBLE_EQ(label_x(100, 50, false, fs, 0, 600), 100 + 0.6 * fs);       // room to the right
  EXPECT_DOUBLE_EQ(label_x(100, 50, true, fs, 0, 600), 100 - 0.6 * fs - 50);   // room to the left
  EXPECT_DOUBLE_EQ(label_x(560, 300, false, fs, 0, 600), 560 - 0.6 * fs - 300);  // no room right: left
  EXPECT_DOUBLE_EQ(label_x(20, 300, true, fs, 0, 600), 20 + 0.6 * fs);          // no room left: right
  EXPECT_DOUBLE_EQ(label_x(300, 590, false, fs, 0, 600), 10);                   // neither: moved in
  EXPECT_DOUBLE_EQ(label_x(300, 700, false, fs, 0, 600), 0);                    // wider than the area: from its left edge
}

// teacherpics: the report's pictures (1400 × 880, font scale 1.5 for two files) cut the subtitle at
// the right edge, "… muscles coloured by ac": what the colours mean was lost. The subtitle is made
// smaller until it fits: the picture's last columns stay white along the header.
TEST(Render, TheSubtitleFitsTheWidth) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const FrameValues v = p.values(p.peak_frame());
  const Scene s = p.scene(v);
  PictureOptions o;
  o.font_scale = 1.5;
  const int w = 1400, h = 880;
  const Image im = render(p, v, s, o, w, h);
  const double fs = base_font_size(w, h, o);
  long ink = 0;
  for (int y = static_cast<int>(2.4 * fs); y < static_cast<int>(3.8 * fs); ++y)
    for (int x = w - static_cast<int>(0.8 * fs); x < w; ++x) ink += (im.at(x, y) & 0xffffff) != 0xffffff;
  EXPECT_EQ(ink, 0);
  // The colour bar's label ends inside the body's column: it ran 60 px into the chart's, left of
  // the chart's axis, level with its tick labels.
  const double chart_w = std::max(0.3 * w, 22 * fs), body_w = w - chart_w;
  long spill = 0;
  for (int y = h - static_cast<int>(3.3 * fs); y < h - static_cast<int>(2.2 * fs); ++y)
    for (int x = static_cast<int>(body_w); x < static_cast<int>(body_w + 3.4 * fs); ++x) spill += (im.at(x, y) & 0xffffff) != 0xffffff;
  EXPECT_EQ(spill, 0);
}

// teacherpics: the vertebra labels were put 3.5 cm to the screen's right of each body, the anterior
// side only for a standing body: along a prone (Biering-Sørensen) or stooping spine they sat on the
// next vertebrae. They now go on the side each body's anterior axis points to, which the scene
// carries: forward when standing, downward (and forward) at the stoop's peak.
TEST(Render, VertebraLabelsGoOnTheAnteriorSide) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  auto axis = [&](long frame, const std::string& name, bool right) {
    const Scene s = p.scene(p.values(frame));
    for (const auto& b : s.bones)
      if (b.kind == SceneBone::kVertebra && b.name == name) return right ? b.right : b.anterior;
    return Vec3(Vec3::Zero());
  };
  auto anterior = [&](long frame, const std::string& name) { return axis(frame, name, false); };
  // Frontal labels go on the subject's right: world +z standing (the frontal view's screen right).
  EXPECT_GT(axis(0, "L3", true).z(), 0.8);
  for (const char* name : {"L3", "T8", "C4"}) {
    const Vec3 standing = anterior(0, name);
    EXPECT_NEAR(standing.norm(), 1, 1e-9) << name;
    EXPECT_GT(standing.x(), 0.8) << name;  // world x: anterior of the standing body
  }
  const Vec3 stooped = anterior(p.peak_frame(), "T8");
  EXPECT_LT(stooped.y(), -0.5);  // the flexed trunk's T8 faces the floor
}

// teacherpics: the legend did not say what the grey bar from the shoulder is (slouched sitting's
// hangs below the pelvis, a stoop's reaches to the box). A model with arms has a legend row for
// them, drawn as the body draws them: its grey disc shows in a picture whose body is left out.
// The first rows of ink in the legend's symbol column, between the header and the colour bar, of a
// picture w × h px drawn with options o: one per symbol drawn.
std::vector<int> legend_symbol_rows(const Image& im, int w, int h, const PictureOptions& o) {
  const double fs = base_font_size(w, h, o);
  std::vector<int> starts;
  bool inked = false;
  for (int y = static_cast<int>(4.5 * fs); y < h - static_cast<int>(4 * fs); ++y) {
    bool row = false;
    for (int x = static_cast<int>(fs); x < static_cast<int>(fs + 1.6 * 0.8 * fs); ++x) row = row || (im.at(x, y) & 0xffffff) != 0xffffff;
    if (row && !inked) starts.push_back(y);
    inked = row;
  }
  return starts;
}

TEST(Render, TheLegendNamesTheArm) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  ASSERT_FALSE(p.model().arms.empty());
  const FrameValues v = p.values(0);
  Scene empty = p.scene(v);
  empty.bones.clear(), empty.hands.clear(), empty.forces.clear(), empty.joint_centre.clear();
  for (auto& path : empty.muscle_path) path.clear();
  PictureOptions o;
  o.chart = false;
  const int w = 1000, h = 640;
  const Image im = render(p, v, empty, o, w, h);
  // Bones, discs, muscle and arm (no hand arrow or ring is drawn at this instant without the body)
  // are four bands of ink.
  EXPECT_EQ(legend_symbol_rows(im, w, h, o).size(), 4u);
}

// A still picture closes the gap of a legend row whose symbol the instant does not draw (golf and
// the phone neck showed an empty row); an animation keeps the row's place so its frames do not jump.
TEST(Render, AStillLegendHasNoEmptyRowAnAnimationKeepsItsPlace) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const FrameValues v = p.values(0);
  Scene empty = p.scene(v);  // no hand arrow at this instant: the hand-load row is not drawn
  empty.bones.clear(), empty.hands.clear(), empty.forces.clear(), empty.joint_centre.clear();
  for (auto& path : empty.muscle_path) path.clear();
  auto band_starts = [&](bool animation) {
    PictureOptions o;
    o.chart = false;
    o.joint_forces = true;  // a row after the hand-load row: bones, discs, muscles, arm, (hand), joint load
    o.fixed_frame = animation;
    const int w = 1000, h = 640;
    return legend_symbol_rows(render(p, v, empty, o, w, h), w, h, o);
  };
  const std::vector<int> still = band_starts(false), animation = band_starts(true);
  ASSERT_EQ(still.size(), 5u);
  ASSERT_EQ(animation.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(still[i], animation[i]) << i;  // bones, discs, muscles, arm
  // The joint-load row: in the still right after the arm's, in the animation one row further down.
  const double row = 1.45 * 0.8 * base_font_size(1000, 640, PictureOptions{});
  EXPECT_NEAR(animation[4] - still[4], row, 2.0);
}

// arrowlayout, task 2: a still picture closed the gap of a legend row it does not draw, but its legend
// block still kept that row's height: the stoop before the box is lifted (no hand arrow, no hand-load
// row) had a blank band over the body. The same body, the same fit, once with a hand arrow inside it
// (the row drawn) and once without: the head's top (its fill colour, found in the picture) lies
// higher without the row, in a still by at least 0.4 legend rows; an animation keeps the row's place,
// the head where it was.
TEST(Render, AStillGivesTheBodyTheHeightOfAnUndrawnLegendRow) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const FrameValues v = p.values(0);
  const Scene without = p.scene(v);  // standing, hands empty: no hand arrow
  ASSERT_FALSE(without.hands.empty());
  Scene with = without;  // a 20 N push at the hand, up the forearm: a hand arrow inside the body's outline, the fit unchanged
  with.forces.push_back({"push", with.hands[0].hand, Vec3(0, 20, 0), false});
  const int w = 1000, h = 640;
  auto head_top = [&](const Scene& s, bool animation) {
    PictureOptions o;
    o.chart = false;
    o.joint_forces = true;  // rows: bones, discs, muscles, arm, hand load, joint load (six, more than the ranking's five)
    o.fixed_frame = animation;
    const Image im = render(p, v, s, o, w, h);
    // The head's fill (0.96, 0.89, 0.80) at 0.9 over white: (246, 229, 209).
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const uint32_t px = im.at(x, y);
        if (std::abs(red(px) - 246) <= 3 && std::abs(int((px >> 8) & 255) - 229) <= 3 && std::abs(blue(px) - 209) <= 3) return y;
      }
    return -1;
  };
  const double row = 1.45 * 0.8 * base_font_size(w, h, PictureOptions{});
  const int still_without = head_top(without, false), still_with = head_top(with, false);
  ASSERT_GT(still_without, 0);
  ASSERT_GT(still_with, 0);
  EXPECT_GE(still_with - still_without, 0.4 * row) << "head's top at y = " << still_without << " without the row, " << still_with << " with it";
  EXPECT_EQ(head_top(without, true), head_top(with, true));
}

// teacherpics: the ranking beside the legend wrote every group of a lift's fatigue picture as "0.00"
// (two decimals) beside swatches of different colours on a 0–0.05 scale; forward_head_posture's
// head, an ellipsoid of nearly equal sagittal axes, did not show which way it faced.
TEST(Render, GroupValuesHaveTheDigitsOfTheScale) {
  EXPECT_EQ(group_value_text(0.2913, ColorBy::kActivation, 1), "0.29");
  EXPECT_EQ(group_value_text(0.0034, ColorBy::kFatigue, 0.05), "0.003");
  EXPECT_EQ(group_value_text(0.0034, ColorBy::kFatigue, 0.02), "0.0034");
  EXPECT_EQ(group_value_text(0.41, ColorBy::kFatigue, 0.5), "0.41");
  EXPECT_EQ(group_value_text(1703.03, ColorBy::kForce, 200), "1703");
}

TEST(Render, TheHeadShowsWhichWayItFaces) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const Scene s = p.scene(p.values(0));  // standing
  const auto head = std::find_if(s.bones.begin(), s.bones.end(), [](const SceneBone& b) { return b.kind == SceneBone::kHead; });
  ASSERT_NE(head, s.bones.end());
  ASSERT_EQ(head->bars.size(), 1u);
  const Vec3 nose = head->bars[0].second - head->centre;
  EXPECT_GT(nose.x(), 0.1);                   // in front of the head's outline (semi-axis 9.75 cm)
  EXPECT_LT(std::abs(nose.y()), 0.03);        // at about the centre's height
}

TEST(Report, SelfContainedWithSummaryPicturesAndComparison) {
  const std::string out = (runs().dir / "report.html").string();
  write_report({runs().stoop(), runs().squat()}, out);
  std::ifstream f(out);
  const std::string html((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("rounded_back_lift"), std::string::npos);
  EXPECT_NE(html.find("squat_lift"), std::string::npos);
  EXPECT_NE(html.find("vs first"), std::string::npos);
  EXPECT_NE(html.find("NIOSH"), std::string::npos);
  // teachrev F23: "How to read this page" called group fatigue a mean over fascicles; it is F0-weighted.
  EXPECT_EQ(html.find("Activation and fatigue per group are means"), std::string::npos);
  EXPECT_NE(html.find("M_F weighted by each fascicle's"), std::string::npos);
  // Everything embedded: every src/href is a data: URI, nothing is fetched. (A plain scan:
  // std::regex recurses per character and overflows the stack on megabyte-long data URIs.)
  int images = 0;
  for (const std::string attr : {" src=\"", " href=\""}) {
    for (size_t pos = html.find(attr); pos != std::string::npos; pos = html.find(attr, pos + 1)) {
      EXPECT_EQ(html.compare(pos + attr.size(), 5, "data:"), 0) << html.substr(pos, 80);
      images += attr == " src=\"";
    }
  }
  EXPECT_EQ(images, 2 * (5 + 3 + 3) + 1);  // per file a strip of 5, 3 pictures, 3 plots; one overlay
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + ".partial"));
  EXPECT_THROW(write_report({runs().stoop()}, (runs().dir / "report.txt").string()), InputError);
}

}  // namespace
}  // namespace paraspine

namespace paraspine {
namespace {

// forcearrows: the picture drew compression only as the chart's bars and shear not at all. With
// joint_forces it draws at chosen discs the load of the body above: compression along the disc
// normal, ending at the disc, and shear in the disc plane, from the file's values at the instant.

// The disc frame the scene carries is the one the run resolved the contact force in: a force given
// to reactions() (no muscles, no pressure, no off-disc tissues: contact = joint force) comes back as
// the file's compression and shears exactly when projected on the scene's frame; and the arrows'
// load, −C n + S_ap a + S_lat r, is minus that contact force (the body above pushing on the disc).
TEST(Render, JointLoadsUseTheRunsDiscFrame) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const Model& m = p.model();
  const FrameValues v = p.values(p.peak_frame());
  const Scene s = p.scene(v);
  Data d(m);
  d.q = v.q;
  forward_kinematics(m, d);
  d.muscle_force.setZero(), d.abdominal_pressure_force.setZero(), d.passive_joint_moment.setZero();
  d.joint_force = Eigen::Matrix3Xd::Random(3, m.njoint) * 1000;
  reactions(m, d);
  // d's pelvis may stand elsewhere than the scene's: world vectors are carried over by the pelvis' rotation.
  const Mat3 to_scene = s.pelvis_rotation * d.segment_rotation[0].transpose();
  FrameValues given = v;
  given.compression = d.disc_force.row(0).transpose(), given.shear_ap = d.disc_force.row(1).transpose(), given.shear_lateral = d.disc_force.row(2).transpose();
  std::vector<int> all(m.njoint);
  for (int j = 0; j < m.njoint; ++j) all[j] = j;
  const auto arrows = joint_load_arrows(s, given, all);
  ASSERT_GE(arrows.size(), 20u);
  for (const auto& a : arrows) {
    const Vec3 f = to_scene * d.contact_force.col(a.joint);
    const Vec3 load = (a.compression_tip - a.compression_tail) + (a.shear_tip - a.shear_tail);
    EXPECT_LT((load / kJointLoadMetresPerN + f).norm(), 1e-6 * f.norm()) << m.joint_name[a.joint];
    EXPECT_LT(((a.compression >= 0 ? a.compression_tip : a.compression_tail) - a.centre).norm(), 1e-12) << m.joint_name[a.joint];
  }
}

int violet(const Image& im) {
  int n = 0;
  for (uint32_t px : im.px) n += std::abs(red(px) - 128) < 20 && std::abs(int((px >> 8) & 255) - 38) < 20 && std::abs(blue(px) - 204) < 20;
  return n;
}

// Drawn: along each compression arrow on the screen the dark ink runs from its tail to its tip, the
// length compression × 40 mm/kN × the picture's pixels per metre, to 2.5 px, along the disc normal
// projected; the largest lumbar shear's arrow points the way its sign says (+ anterior), in violet.
// Without the option nothing of it is drawn.
// audit23t #4: report columns were each fitted to their own body, so the same load drew different
// arrow lengths (a stoop and a squat at 21 and 18 px per kN). max_px_per_m caps a picture's scale;
// the report gives each row its columns' smallest fitted scale, so every column draws at it, and
// the body still fits (the cap only shrinks).
TEST(Render, ACappedScaleIsTheScaleDrawn) {
  const ResultsSeries stoop_r(runs().stoop()), squat_r(runs().squat());
  ResultsPicture stoop(stoop_r), squat(squat_r);
  PictureOptions o;
  o.joint_forces = true;
  const double a = stoop.px_per_m_at(stoop.peak_frame(), 1400, 880, o), b = squat.px_per_m_at(squat.peak_frame(), 1400, 880, o);
  ASSERT_GT(std::abs(a - b), 0.02 * std::max(a, b)) << "the case needs two different fitted scales";
  o.max_px_per_m = std::min(a, b);
  EXPECT_DOUBLE_EQ(stoop.px_per_m_at(stoop.peak_frame(), 1400, 880, o), std::min(a, b));
  EXPECT_DOUBLE_EQ(squat.px_per_m_at(squat.peak_frame(), 1400, 880, o), std::min(a, b));
  o.max_px_per_m = 2 * std::max(a, b);  // a cap above the fit changes nothing
  EXPECT_DOUBLE_EQ(stoop.px_per_m_at(stoop.peak_frame(), 1400, 880, o), a);
  // Drawn: the pictures differ from the uncapped ones only where the scale changed.
  const FrameValues v = squat.values(squat.peak_frame());
  const Scene s = squat.scene(v);
  PictureOptions capped;
  capped.joint_forces = true;
  capped.max_px_per_m = 0.8 * squat.px_per_m(1400, 880, v, s, capped);
  EXPECT_DOUBLE_EQ(squat.px_per_m(1400, 880, v, s, capped), capped.max_px_per_m);
  PictureOptions uncapped;
  uncapped.joint_forces = true;
  EXPECT_NE(render(squat, v, s, capped, 1400, 880).px, render(squat, v, s, uncapped, 1400, 880).px);
}

TEST(Render, JointLoadArrowsAreDrawnToScale) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const Model& m = p.model();
  const FrameValues v = p.values(p.peak_frame());
  const Scene s = p.scene(v);
  PictureOptions off;
  off.chart = false;
  PictureOptions on = off;
  on.joint_forces = true;
  const int W = 1200, H = 750;
  const std::vector<int> levels = p.joint_load_levels(W, H, v, s, on);
  ASSERT_NE(std::find(levels.begin(), levels.end(), m.joint_index("L5-S1")), levels.end());
  const Image a = render(p, v, s, on, W, H), b = render(p, v, s, off, W, H);
  EXPECT_EQ(violet(b), 0);
  EXPECT_GT(violet(a), 30);
  const double ppm = p.px_per_m(W, H, v, s, on);
  // Ink of the compression's near-black (20, 20, 31), not the shear's violet, drawn by the option,
  // at q or a pixel next to it (a 2.5 px line slanting across pixels covers none whole everywhere).
  auto dark = [&](const Eigen::Vector2d& q) {
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int x = static_cast<int>(std::lround(q.x())) + dx, y = static_cast<int>(std::lround(q.y())) + dy;
        if (x < 0 || y < 0 || x >= W || y >= H) continue;
        const uint32_t px = a.at(x, y);
        if (red(px) < 70 && int((px >> 8) & 255) < 70 && blue(px) < 90 && px != b.at(x, y)) return true;
      }
    return false;
  };
  const auto arrows = joint_load_arrows(s, v, levels);
  ASSERT_EQ(arrows.size(), levels.size());
  int checked = 0;
  const SceneBone* lumbar = nullptr;
  double largest = 0;
  for (const auto& ar : arrows) {
    const SceneBone* disc = nullptr;
    for (const auto& bone : s.bones)
      if (bone.kind == SceneBone::kDisc && bone.joint == ar.joint) disc = &bone;
    ASSERT_NE(disc, nullptr);
    const Eigen::Vector2d tail = p.screen_point(W, H, v, s, on, ar.compression_tail), tip = p.screen_point(W, H, v, s, on, ar.compression_tip);
    // Along the normal, and as long as the scale says (the sagittal view sees the normal whole: the
    // lift is symmetric).
    const Vec3 n = disc->disc_frame.col(1);
    const Eigen::Vector2d n_screen(n.x(), -n.y());
    EXPECT_NEAR((tail - tip).norm(), ar.compression * kJointLoadMetresPerN * ppm * n_screen.norm(), 0.5) << m.joint_name[ar.joint];
    if (ar.compression > 0) {
      EXPECT_GT((tail - tip).normalized().dot(n_screen.normalized()), 0.9999) << m.joint_name[ar.joint];
    }
    const double len = (tail - tip).norm();
    if (len < 20) continue;
    const Eigen::Vector2d u = (tip - tail) / len, mid = tail + 0.4 * len * u;
    ASSERT_TRUE(dark(mid)) << m.joint_name[ar.joint];
    double back = 0, fwd = 0;
    while (back < len + 20 && dark(mid - (back + 0.5) * u)) back += 0.5;
    while (fwd < len + 20 && dark(mid + (fwd + 0.5) * u)) fwd += 0.5;
    EXPECT_NEAR(back, 0.4 * len, 2.5) << m.joint_name[ar.joint] << ": ink begins away from the tail";
    EXPECT_NEAR(fwd, 0.6 * len, 2.5) << m.joint_name[ar.joint] << ": ink ends away from the tip";
    ++checked;
    if (m.joint_name[ar.joint][0] == 'L' && std::abs(ar.shear_ap) > largest) largest = std::abs(ar.shear_ap), lumbar = disc;
  }
  EXPECT_GE(checked, 2);
  ASSERT_NE(lumbar, nullptr);
  for (const auto& ar : arrows) {
    if (ar.joint != lumbar->joint) continue;
    ASSERT_GT(std::abs(ar.shear_ap) * kJointLoadMetresPerN * ppm, 8) << "a lift's lumbar shear is visible";
    const Eigen::Vector2d c = p.screen_point(W, H, v, s, on, ar.shear_tail), t = p.screen_point(W, H, v, s, on, ar.shear_tip);
    const Vec3 ant = lumbar->disc_frame.col(0);
    EXPECT_GT((t - c).dot(Eigen::Vector2d(ant.x(), -ant.y())) * ar.shear_ap, 0) << "the arrow points anterior for + shear";
    const Eigen::Vector2d q = c + 0.5 * (t - c);
    const uint32_t px = a.at(static_cast<int>(std::lround(q.x())), static_cast<int>(std::lround(q.y())));
    EXPECT_TRUE(std::abs(red(px) - 128) < 30 && std::abs(blue(px) - 204) < 30) << fmt::format("{:06x}", px & 0xffffff);
  }
}

// The legend's joint-load row (text, scale bar, "2000 N") ends inside the body's column: in the
// report's pictures (1400 × 880, font × 1.5) it ran into the chart's. A strip along the column's
// edge stays white from the header down through the legend; the row's shorter text is taken.
TEST(Render, TheJointLoadLegendRowStaysInTheBodysColumn) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const FrameValues v = p.values(p.peak_frame());
  const Scene s = p.scene(v);
  for (const double scale : {1.0, 1.5}) {
    PictureOptions o;
    o.joint_forces = true, o.font_scale = scale;
    const int w = 1400, h = 880;
    const Image im = render(p, v, s, o, w, h);
    const double fs = base_font_size(w, h, o), body_w = w - std::max(0.3 * w, 22 * fs);
    // Below the red status lines, which span the picture's width (a stoop's abdominal-slip line, audit25t A1).
    const double below = 1.25 * static_cast<double>(p.status_lines(v).size()) * fs;
    long ink = 0;
    for (int y = static_cast<int>(4.5 * fs + below); y < static_cast<int>(14 * fs + below); ++y)
      for (int x = static_cast<int>(body_w - 0.4 * fs); x < static_cast<int>(body_w + 0.2 * fs); ++x) ink += (im.at(x, y) & 0xffffff) != 0xffffff;
    EXPECT_EQ(ink, 0) << "font × " << scale;
  }
}

// No two compression arrows of the run's peak come near each other in the body (3-D), in the levels
// the sagittal picture chooses (1600 × 1000).
TEST(Render, JointLoadLevelsDoNotOverlap) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  const FrameValues v = p.values(p.peak_frame());
  const Scene s = p.scene(v);
  PictureOptions o;
  o.joint_forces = true;
  const auto arrows = joint_load_arrows(s, v, p.joint_load_levels(1600, 1000, v, s, o));
  ASSERT_GE(arrows.size(), 4u);
  auto dist = [](const Vec3& a0, const Vec3& a1, const Vec3& q) {
    const Vec3 d = a1 - a0;
    const double t = d.squaredNorm() > 0 ? std::clamp((q - a0).dot(d) / d.squaredNorm(), 0.0, 1.0) : 0;
    return (a0 + t * d - q).norm();
  };
  for (size_t i = 0; i < arrows.size(); ++i)
    for (size_t j = 0; j < arrows.size(); ++j) {
      if (i == j) continue;
      double closest = 1e9;
      for (int k = 0; k <= 20; ++k)
        closest = std::min(closest, dist(arrows[i].compression_tail, arrows[i].compression_tip,
                                         arrows[j].compression_tail + k / 20.0 * (arrows[j].compression_tip - arrows[j].compression_tail)));
      EXPECT_GT(closest, 0.003) << p.model().joint_name[arrows[i].joint] << " and " << p.model().joint_name[arrows[j].joint];
    }
}

// arrowlayout: the joint-load levels were chosen once per run by distances along the spine, so in a
// view where the spine is foreshortened (the stoop from behind, along the bent trunk; its top view)
// the arrows of L5-S1, L2-L3 and T10-T11 lay on top of each other. In every view of the stoop and the
// squat at the run's peak, as drawn (screen_point, the picture's own projection), no drawn arrow of
// one level comes over the centre line of an arrow of another: the shortest distance between their
// screen segments is at least half the arrow's width plus its 1.5 px halo.
TEST(Render, JointLoadArrowsDoNotCoverEachOtherOnScreen) {
  for (const std::string& file : {runs().stoop(), runs().squat()}) {
    const ResultsSeries r(file);
    ResultsPicture p(r);
    const FrameValues v = p.values(p.peak_frame());
    const Scene s = p.scene(v);
    for (View view : {View::kSagittal, View::kFrontal, View::kTop, View::kOblique})
      for (const auto& [W, H] : {std::pair{1600, 1000}, std::pair{800, 500}}) {
        PictureOptions o;
        o.view = view, o.joint_forces = true;
        const double ppm = p.px_per_m(W, H, v, s, o), width = std::max(3.0, 0.006 * ppm);
        struct Drawn {
          int joint;
          Eigen::Vector2d a, b;
        };
        std::vector<Drawn> drawn;  // arrows of 6 px or more: the picture draws those
        for (const auto& ar : joint_load_arrows(s, v, p.joint_load_levels(W, H, v, s, o))) {
          for (const auto& [tail, tip] : {std::pair{ar.compression_tail, ar.compression_tip}, std::pair{ar.shear_tail, ar.shear_tip}}) {
            const Eigen::Vector2d a = p.screen_point(W, H, v, s, o, tail), b = p.screen_point(W, H, v, s, o, tip);
            if ((b - a).norm() >= 6) drawn.push_back({ar.joint, a, b});
          }
        }
        auto point_segment = [](const Eigen::Vector2d& q, const Eigen::Vector2d& a, const Eigen::Vector2d& b) {
          const Eigen::Vector2d d = b - a;
          const double t = std::clamp((q - a).dot(d) / d.squaredNorm(), 0.0, 1.0);
          return (a + t * d - q).norm();
        };
        auto segments = [&](const Drawn& x, const Drawn& y) {  // shortest distance between two segments (sampled finely)
          double d = 1e9;
          for (int k = 0; k <= 200; ++k) {
            d = std::min(d, point_segment(x.a + (x.b - x.a) * (k / 200.0), y.a, y.b));
            d = std::min(d, point_segment(y.a + (y.b - y.a) * (k / 200.0), x.a, x.b));
          }
          return d;
        };
        int pairs = 0;
        for (size_t i = 0; i < drawn.size(); ++i)
          for (size_t j = i + 1; j < drawn.size(); ++j) {
            if (drawn[i].joint == drawn[j].joint) continue;
            ++pairs;
            EXPECT_GE(segments(drawn[i], drawn[j]), 0.5 * width + 1.5)
                << r.scenario << " " << view_name(view) << " " << W << " × " << H << ": " << p.model().joint_name[drawn[i].joint] << " and "
                << p.model().joint_name[drawn[j].joint];
          }
        if (view == View::kSagittal) {
          EXPECT_GT(pairs, 0) << r.scenario << ": the lateral view keeps several levels";
        }
      }
  }
}

// forcearrows, task 2b: a single picture of a run that fails kept room for status lines it did not
// draw (forward_head_posture at 940 s: a blank band under the subtitle). A still keeps room only for
// the lines it draws; an animation (fixed frame) keeps it for every line the run has.
TEST(Render, StillPicturesKeepRoomOnlyForTheirStatusLines) {
  const std::string po = runs().get("rounded_back_lift", "po_stoop", {"output_rate_hz=5", "model=paraspinal_only"});
  const ResultsSeries r(po);
  ResultsPicture p(r);
  long quiet = -1;  // an instant with no status line: no reserve, before the failure
  for (long f = 0; f < r.frames() && quiet < 0; ++f)
    if (p.status_lines(p.values(f)).empty()) quiet = f;
  ASSERT_GE(quiet, 0);
  const FrameValues v = p.values(quiet);
  const Scene s = p.scene(v);
  Scene empty = s;
  empty.bones.clear(), empty.hands.clear(), empty.forces.clear(), empty.joint_centre.clear();
  for (auto& path : empty.muscle_path) path.clear();
  const int w = 1000, h = 640;
  auto first_swatch_row = [&](const PictureOptions& o) {
    const Image im = render(p, v, empty, o, w, h);
    const double fs = base_font_size(w, h, o);
    for (int y = static_cast<int>(3.8 * fs); y < h; ++y)
      if ((im.at(static_cast<int>(1.5 * fs), y) & 0xffffff) != 0xffffff) return y;
    return -1;
  };
  PictureOptions still;
  PictureOptions film = still;
  film.fixed_frame = true;
  const double fs = base_font_size(w, h, still), lfs = 0.8 * fs;
  // The bones' swatch: 0.4 fs below the header, one legend row down, 0.75 lfs above its baseline.
  EXPECT_NEAR(first_swatch_row(still), 4.4 * fs + 0.4 * fs + 1.45 * lfs - 0.75 * lfs, 1.5);
  EXPECT_NEAR(first_swatch_row(film), (4.4 + 2 * 1.25) * fs + 0.4 * fs + 1.45 * lfs - 0.75 * lfs, 1.5);
}

// forcearrows, task 2c: the frontal view of a stoop (pelvis flexed over 45°) said "from the feet end"
// to a student who saw a back from behind; it now says the camera is behind and looks along the bent
// trunk. A prone body (superman) keeps "from the feet end": it lies, the viewer stands at its feet.
TEST(Render, TheFrontalViewOfAStoopSaysBehind) {
  const Vec3 up(0, 1, 0);
  const Mat3 stoop = Eigen::AngleAxisd(-50 * M_PI / 180, Vec3::UnitZ()).toRotationMatrix();
  EXPECT_EQ(view_caption(View::kFrontal, stoop, up), "frontal view, from behind, along the bent trunk from its pelvis end (right side to the right)");
  const Mat3 prone = Eigen::AngleAxisd(-M_PI / 2, Vec3::UnitZ()).toRotationMatrix();
  EXPECT_EQ(view_caption(View::kFrontal, prone, up).rfind("frontal view, from the feet end", 0), 0u) << view_caption(View::kFrontal, prone, up);
  // Flexed 40°: still upright enough to be seen "from behind".
  EXPECT_EQ(view_caption(View::kFrontal, Eigen::AngleAxisd(-40 * M_PI / 180, Vec3::UnitZ()).toRotationMatrix(), up),
            "frontal view, from behind (right side to the right)");
}

// ---- Regions (--region): a picture cropped to the bones of one part of the body (docs/render.md, "Regions").

// A phone-reading neck, short: forward_head_posture's 0° and 60° angles (its keyframes), 0 → 60° in
// 2 s and held 1 s, at 5 Hz. Written once per test process.
const std::string& neck_run() {
  static std::string path;
  if (!path.empty()) return path;
  const Scenario sc = load_scenario(std::string(PARASPINE_SOURCE_DIR) + "/tests/data/neck_flexion.yaml");
  const Model m = load_model(sc.model);
  const std::string out = (runs().dir / "neck_flexion.h5").string();
  ResultsWriter w(out, m, {sc.name, sc.text, sc.criterion, {{"body_mass_kg", m.reference_body_mass}, {"height_m", m.reference_height}, {"sex", m.reference_sex}}, "", ""}, {});
  w.finish(run_scenario(m, sc, RunOptions{}, &w));
  return path = out;
}

const SceneBone& bone_named(const Scene& s, const std::string& name) {
  for (const auto& b : s.bones)
    if (b.name == name) return b;
  throw std::runtime_error("no bone " + name);
}

// Every hull point of b inside the sagittal extent e (camera right = world x, up = world y).
bool bone_inside(const SceneBone& b, const ResultsPicture::Extent& e) {
  return std::all_of(b.hull.begin(), b.hull.end(), [&](const Vec3& p) { return std::abs(p.x() - e.cx) <= 0.5 * e.span_x && std::abs(p.y() - e.cy) <= 0.5 * e.span_y; });
}
bool bone_outside(const SceneBone& b, const ResultsPicture::Extent& e) {
  return std::none_of(b.hull.begin(), b.hull.end(), [&](const Vec3& p) { return std::abs(p.x() - e.cx) <= 0.5 * e.span_x && std::abs(p.y() - e.cy) <= 0.5 * e.span_y; });
}

// The neck's picture at 60°: a tighter box than the whole body's, holding the head and C7 and no
// part of the pelvis; the picture differs from the whole one, and its SVG leaves out what lies
// outside the frame (smaller file). Lumbar and thoracic frame their own bones likewise.
TEST(Render, ARegionFramesItsBonesAndNotThePelvis) {
  const ResultsSeries r(neck_run());
  ResultsPicture p(r);
  const FrameValues v = p.values(r.frames() - 1);
  const Scene s = p.scene(v);
  PictureOptions whole, neck;
  neck.region = Region::kNeck;
  const auto ew = p.extent(1600, 1000, v, s, whole), en = p.extent(1600, 1000, v, s, neck);
  EXPECT_LT(en.span_x * en.span_y, 0.25 * ew.span_x * ew.span_y) << en.span_x << " × " << en.span_y << " against " << ew.span_x << " × " << ew.span_y;
  EXPECT_LT(en.span_y, 0.6);
  EXPECT_NEAR(en.span_x / en.span_y, ew.span_x / ew.span_y, 1e-9);  // the body's area keeps its aspect ratio
  for (const char* name : {"head", "C7", "C4", "C1"}) EXPECT_TRUE(bone_inside(bone_named(s, name), en)) << name;
  EXPECT_TRUE(bone_outside(bone_named(s, "pelvis"), en));
  EXPECT_TRUE(bone_outside(bone_named(s, "L3"), en));
  EXPECT_TRUE(bone_inside(bone_named(s, "pelvis"), ew));
  PictureOptions lumbar, thoracic;
  lumbar.region = Region::kLumbar, thoracic.region = Region::kThoracic;
  const auto el = p.extent(1600, 1000, v, s, lumbar), et = p.extent(1600, 1000, v, s, thoracic);
  for (const char* name : {"pelvis", "L5", "L1"}) EXPECT_TRUE(bone_inside(bone_named(s, name), el)) << name;
  EXPECT_TRUE(bone_outside(bone_named(s, "head"), el));
  for (const char* name : {"T12", "T6", "T1"}) EXPECT_TRUE(bone_inside(bone_named(s, name), et)) << name;
  EXPECT_TRUE(bone_outside(bone_named(s, "pelvis"), et));
  EXPECT_FALSE(bone_inside(bone_named(s, "head"), et));  // the flexed head hangs in front of T1: partly in the frame's width
  // Drawn: different pixels, and an SVG without the paths that lie outside the frame.
  const Image a = render(p, v, s, whole, 800, 500), b = render(p, v, s, neck, 800, 500);
  EXPECT_NE(a.px, b.px);
  EXPECT_LT(picture_svg(p, r.frames() - 1, neck, 800, 500).size(), 0.8 * picture_svg(p, r.frames() - 1, whole, 800, 500).size());
  // The joint loads of a region: its discs only, and several of them (the whole body's picture at
  // this scale draws the neck's 300 N as arrows under 6 px, not at all).
  neck.joint_forces = whole.joint_forces = true;
  const auto levels = p.joint_load_levels(1600, 1000, v, s, neck);
  const auto in_neck = p.region_joints(Region::kNeck);
  EXPECT_GE(levels.size(), 2u);
  for (int j : levels) EXPECT_TRUE(std::count(in_neck.begin(), in_neck.end(), j)) << r.joint_name[j];
  EXPECT_GT(p.px_per_m(1600, 1000, v, s, neck), 3 * p.px_per_m(1600, 1000, v, s, whole));
}

// The region's vertebrae are labelled (C2, C3, C5, C6 too, which the whole body's picture leaves
// out): drawing the neck with a vertebra renamed changes pixels only when its label is drawn.
TEST(Render, ARegionLabelsItsVertebrae) {
  const ResultsSeries r(neck_run());
  ResultsPicture p(r);
  const FrameValues v = p.values(r.frames() - 1);
  const Scene s = p.scene(v);
  PictureOptions neck, whole;
  neck.region = Region::kNeck;
  neck.chart = whole.chart = false, neck.legend = whole.legend = false;
  for (const char* name : {"C2", "C3", "C5", "C6"}) {
    Scene renamed = s;
    for (auto& b : renamed.bones)
      if (b.name == name) b.name = "Q9";  // no segment of that name: its label is left out, its bone drawn alike
    // Renaming takes the bone out of the region, so compare the label pixels only: a frame whose
    // label is there differs from one whose label is not. The whole picture never labels it.
    EXPECT_NE(render(p, v, s, neck, 1200, 750).px, render(p, v, renamed, neck, 1200, 750).px) << name;
    EXPECT_EQ(render(p, v, s, whole, 1200, 750).px, render(p, v, renamed, whole, 1200, 750).px) << name;
  }
}

// An animation of a region keeps one camera: the same world point lands on the same pixel in every
// frame, every frame's head and C7 are inside it, and it is fitted over the span drawn (the 60° hold
// alone: a smaller box than 0 → 60°, whose head moves).
TEST(Render, ARegionAnimationKeepsOneCamera) {
  const ResultsSeries r(neck_run());
  ResultsPicture p(r);
  PictureOptions o;
  o.region = Region::kNeck, o.fixed_frame = true, o.joint_forces = true;
  o.span_start = r.time.front(), o.span_end = r.time.back();
  const Vec3 mark(0.1, 1.4, 0);
  Eigen::Vector2d first;
  ResultsPicture::Extent e0;
  for (long f = 0; f < r.frames(); ++f) {
    const FrameValues v = p.values(f);
    const Scene s = p.scene(v);
    const Eigen::Vector2d at = p.screen_point(800, 500, v, s, o, mark);
    const auto e = p.extent(800, 500, v, s, o);
    if (f == 0) first = at, e0 = e;
    EXPECT_LT((at - first).norm(), 1e-9) << "frame " << f;
    EXPECT_NEAR(e.span_x, e0.span_x, 1e-12);
    EXPECT_TRUE(bone_inside(bone_named(s, "head"), e) && bone_inside(bone_named(s, "C7"), e)) << "frame " << f;
  }
  PictureOptions hold = o;
  hold.span_start = 2.0;
  const FrameValues v = p.values(r.frames() - 1);
  const Scene s = p.scene(v);
  EXPECT_LT(p.extent(800, 500, v, s, hold).span_x, e0.span_x);
  EXPECT_TRUE(bone_inside(bone_named(s, "head"), p.extent(800, 500, v, s, hold)));
}

// A name that is no region, or a region the model lacks, is an error that names the valid ones.
TEST(Render, AnUnknownRegionIsAnErrorListingTheValidOnes) {
  try {
    parse_region("nek");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--region"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("whole, lumbar, thoracic, neck"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_region("neck"), Region::kNeck);
  const std::string lumbar = runs().get("upright_sitting", "lumbar_model_sitting", {"output_rate_hz=0.01", "model=lumbar"});
  const ResultsSeries r(lumbar);
  ResultsPicture p(r);
  EXPECT_NO_THROW(p.check_region(Region::kLumbar));
  EXPECT_NO_THROW(p.check_region(Region::kThoracic));  // its lumped thorax
  try {
    p.check_region(Region::kNeck);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("regions it has: whole, lumbar, thoracic"), std::string::npos) << e.what();
  }
}

// A joint without a disc (C0-C1: the head on the atlas) is ringed round its centre when reserves act
// there: the status line said "ringed" and no ring was drawn, since rings went round discs only
// (audit25t B1). The same frame with the joint centres withheld from the scene draws no ring, and
// differs from it only there.
TEST(Render, AReserveAtAJointWithoutADiscIsRinged) {
  const ResultsSeries r(runs().stoop());
  ResultsPicture p(r);
  FrameValues v = p.values(0);
  const Model& m = p.model();
  const int c0 = m.joint_index("C0-C1");
  ASSERT_GE(c0, 0);
  v.reserve = Eigen::VectorXd::Zero(3 * m.njoint);
  v.reserve[3 * c0] = 5;  // N·m of flexion
  const Scene s = p.scene(v);
  Scene unmarked = s;
  unmarked.joint_centre.clear();
  PictureOptions o;
  const Image a = render(p, v, s, o, 1200, 750), b = render(p, v, unmarked, o, 1200, 750);
  long red_ring = 0;
  for (int y = 0; y < a.h; ++y)
    for (int x = 0; x < a.w; ++x)
      if (a.at(x, y) != b.at(x, y) && red(a.at(x, y)) > 180 && ((a.at(x, y) >> 8) & 255) < 80) ++red_ring;
  EXPECT_GT(red_ring, 30);
}

// Where fatigue visibly shifted the load, the chart's ticks are the fresh-muscle peaks: the peaks
// after a sitting's task failure ranked upright sitting above slouched on a slide (audit25t A6).
TEST(Render, TicksAreFreshPeaksWhereFatigueShiftedTheLoad) {
  const ResultsSeries r(runs().get("slouched_sitting", "slouched_ticks", {"output_rate_hz=0.05"}));
  ResultsPicture p(r);
  ASSERT_TRUE(r.summary["fatigue_limited_from_s"].is_number());
  bool higher = false;
  for (int j = 0; j < r.njoint(); ++j) {
    const auto& js = r.summary["joints"][p.model().joint_name[j]];
    EXPECT_DOUBLE_EQ(p.chart_ticks()[j], js["fresh_peak_compression_N"].get<double>()) << p.model().joint_name[j];
    higher = higher || js["peak_compression_N"].get<double>() > 1.05 * js["fresh_peak_compression_N"].get<double>() + 10;
  }
  EXPECT_TRUE(higher) << "the case needs a fatigue-driven peak";
  const ResultsSeries lift(runs().stoop());  // fresh loads throughout: the ticks are the peaks
  ResultsPicture q(lift);
  for (int j = 0; j < lift.njoint(); ++j)
    EXPECT_NEAR(q.chart_ticks()[j], lift.summary["joints"][q.model().joint_name[j]]["peak_compression_N"].get<double>(), 0.01);  // float32 file
}

}  // namespace
}  // namespace paraspine
