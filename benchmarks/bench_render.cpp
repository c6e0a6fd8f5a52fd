// Cost of a picture (what an animation pays per frame): reading one frame, posing the model
// (kinematics + muscle paths), and drawing 1600 × 1000 into memory with Cairo. The results file is a
// short run of rounded_back_lift, made once.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cairo.h>

#include <filesystem>

#include "sim/io/results_writer.h"
#include "sim/model/loader.h"
#include "sim/render/picture.h"
#include "sim/render/results_series.h"
#include "sim/simulate/run.h"

namespace ps = paraspine;

namespace {

struct RenderFixture {
  std::string path;
  std::unique_ptr<ps::ResultsSeries> results;
  std::unique_ptr<ps::ResultsPicture> picture;
  RenderFixture() {
    path = (std::filesystem::temp_directory_path() / ("paraspine_bench_render_" + std::to_string(getpid()) + ".h5")).string();
    const ps::Scenario base = ps::load_scenario("rounded_back_lift");
    const ps::Scenario sc = ps::parse_scenario(ps::apply_overrides(base.text, base.file, {"output_rate_hz=10"}), base.file);
    const ps::Model m = ps::load_model(sc.model);
    ps::ResultsWriter w(path, m, {sc.name, sc.text, sc.criterion, {{"body_mass_kg", m.reference_body_mass}, {"height_m", m.reference_height}}, "", ""});
    w.finish(ps::run_scenario(m, sc, ps::RunOptions{}, &w));
    results = std::make_unique<ps::ResultsSeries>(path);
    picture = std::make_unique<ps::ResultsPicture>(*results);
  }
  ~RenderFixture() {
    picture.reset();
    results.reset();
    std::filesystem::remove(path);
  }
};

RenderFixture& fixture() {
  static RenderFixture f;
  return f;
}

void BM_PictureFrameAndPose(benchmark::State& state) {
  auto& f = fixture();
  long k = 0;
  for (auto _ : state) {
    const ps::FrameValues v = f.picture->values(k++ % f.results->frames());
    benchmark::DoNotOptimize(f.picture->scene(v));
  }
}
BENCHMARK(BM_PictureFrameAndPose)->Unit(benchmark::kMillisecond);

void BM_PictureDraw1600x1000(benchmark::State& state) {
  auto& f = fixture();
  const ps::FrameValues v = f.picture->values(f.picture->peak_frame());
  const ps::Scene s = f.picture->scene(v);
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1600, 1000);
  for (auto _ : state) {
    cairo_t* cr = cairo_create(surface);
    f.picture->draw(cr, 1600, 1000, v, s, ps::PictureOptions{});
    cairo_destroy(cr);
    cairo_surface_flush(surface);
  }
  cairo_surface_destroy(surface);
}
BENCHMARK(BM_PictureDraw1600x1000)->Unit(benchmark::kMillisecond);

}  // namespace
