#include "sim/simulate/run.h"

#include <cmath>
#include <map>

#include "sim/dynamics/inverse_dynamics.h"
#include "sim/fatigue/fatigue.h"
#include "sim/loadsharing/reactions.h"
#include "sim/simulate/frame.h"

namespace paraspine {

nlohmann::json run_scenario(const Model& m, const Scenario& s, const RunOptions& options, ResultsWriter* writer) {
  const BoundScenario b = bind_scenario(s, m);
  Data d(m);
  fatigue_reset(m, d);
  LoadSharingSettings ls = options.loadsharing;

  const double dt = 1.0 / s.output_rate_hz;
  const double cycle = b.times.back(), duration = s.duration_s() > 0 ? s.duration_s() : cycle;
  const long frames = static_cast<long>(std::floor(duration / dt + 1e-9)) + 1;

  // Accumulators.
  std::vector<double> peak_c(m.njoint, 0), sum_c(m.njoint, 0), peak_ap(m.njoint, 0), peak_lat(m.njoint, 0);
  std::vector<double> peak_a(m.nmuscle, 0), sum_a(m.nmuscle, 0);
  double peak_reserve = 0, endurance = -1;
  long reserve_frames = 0;
  std::string first_to_fail;

  for (long f = 0; f < frames; ++f) {
    const double t = f * dt;
    // Where in the cycle (or in the rest after it) this frame falls.
    const CyclePosition where = cycle_position(s, cycle, t);
    const bool resting = where.resting;
    const double tk = where.time_in_cycle;
    b.timeline.sample(tk, d);
    if (resting) d.qd.setZero(), d.qdd.setZero(), d.pelvis_rates.setZero(), d.pelvis_accels.setZero(),
                 d.pelvis_velocity.setZero(), d.pelvis_acceleration.setZero();
    clear_loads(m, d);
    size_t seg = 0;
    while (seg + 1 < b.times.size() && b.times[seg + 1] <= tk) ++seg;
    seg = std::min(seg, b.hand_load.size() - 1);
    for (size_t h = 0; h < d.hands.size() && h < 2; ++h) {
      Data::Hand& hand = d.hands[h];
      hand.load_mass = resting ? 0.0 : b.hand_load[seg][h];
      hand.hanging = resting || b.hand_hanging[seg][h];
      for (int c = 0; c < 3; ++c) {
        double y, yd, ydd;
        b.hand_position[h][c].evaluate(tk, y, yd, ydd);
        hand.position[c] = y;
        hand.acceleration[c] = resting ? 0.0 : ydd;
      }
    }
    evaluate_frame(m, d);
    load_sharing(m, ls, d);
    reactions(m, d);
    // Fatigue carries the frame's activations over the next interval.
    fatigue_update(m, options.fatigue, dt, d);

    for (int j = 0; j < m.njoint; ++j) {
      peak_c[j] = std::max(peak_c[j], d.disc_force(0, j));
      sum_c[j] += d.disc_force(0, j);
      peak_ap[j] = std::max(peak_ap[j], std::abs(d.disc_force(1, j)));
      peak_lat[j] = std::max(peak_lat[j], std::abs(d.disc_force(2, j)));
    }
    for (int i = 0; i < m.nmuscle; ++i) {
      peak_a[i] = std::max(peak_a[i], d.activation[i]);
      sum_a[i] += d.activation[i];
    }
    const double reserve = d.loadsharing_info.max_reserve;
    peak_reserve = std::max(peak_reserve, reserve);
    if (reserve > 1e-6) ++reserve_frames;
    // Task failure: this frame needs a reserve that fresh muscles would not. (Reserves needed even
    // when fresh are the model's capacity limit, reported under reserves, not fatigue.) The probe
    // re-solves the frame at full capacity; it runs only on frames with reserves, until the first
    // failure is found.
    if (endurance < 0 && reserve > 1e-3 && d.muscle_capacity.minCoeff() < 1) {
      Data probe = d;
      probe.muscle_capacity.setOnes();
      load_sharing(m, ls, probe);
      if (probe.loadsharing_info.max_reserve <= 1e-3) {  // fresh muscles would hold it unaided
        int worst = -1;
        for (int i = 0; i < m.nmuscle; ++i)
          if (d.activation[i] >= d.muscle_capacity[i] - 1e-9 && d.muscle_capacity[i] < 1 &&
              (worst < 0 || d.muscle_capacity[i] < d.muscle_capacity[worst]))
            worst = i;
        endurance = t;
        first_to_fail = worst >= 0 ? m.muscle_group[worst] : std::string("unknown");
      }
    }
    if (writer) writer->append(t, d);
    if (options.on_frame) options.on_frame(t, d);
    if (options.progress && (f % 50 == 0 || f == frames - 1)) options.progress(double(f + 1) / frames, t, duration);
  }

  nlohmann::json j;
  j["scenario"] = s.name;
  j["model"] = m.name;
  j["subject"] = {{"body_mass_kg", m.reference_body_mass}, {"height_m", m.reference_height}, {"sex", m.reference_sex}};
  j["criterion"] = s.criterion;
  j["duration_s"] = duration;
  j["frames"] = frames;
  nlohmann::json joints = nlohmann::json::object();
  for (int k = 0; k < m.njoint; ++k)
    joints[m.joint_name[k]] = {{"peak_compression_N", peak_c[k]}, {"mean_compression_N", sum_c[k] / frames},
                               {"peak_shear_ap_N", peak_ap[k]}, {"peak_shear_lateral_N", peak_lat[k]}};
  j["joints"] = joints;
  // Groups per side: peak and mean of the group's fascicles (mean over fascicles and frames), and
  // the fatigued fraction at the end (mean over fascicles).
  std::map<std::pair<std::string, std::string>, std::array<double, 4>> g;  // peak, sum, n, fatigued
  for (int i = 0; i < m.nmuscle; ++i) {
    auto& a = g[{m.muscle_group[i], side_name(m.muscle_side[i])}];
    a[0] = std::max(a[0], peak_a[i]);
    a[1] += sum_a[i] / frames;
    a[2] += 1;
    a[3] += d.fatigue[i].fatigued;
  }
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& [key, a] : g)
    groups[key.first][key.second] = {{"peak_activation", a[0]}, {"mean_activation", a[1] / a[2]},
                                     {"end_fatigued_fraction", a[3] / a[2]}};
  j["groups"] = groups;
  j["reserves"] = {{"peak_moment_Nm", peak_reserve}, {"frames_used_fraction", double(reserve_frames) / frames}};
  j["endurance_s"] = endurance < 0 ? nlohmann::json(nullptr) : nlohmann::json(endurance);
  j["first_to_fail"] = first_to_fail.empty() ? nlohmann::json(nullptr) : nlohmann::json(first_to_fail);
  return j;
}

}  // namespace paraspine
