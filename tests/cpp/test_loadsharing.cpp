// Load sharing and spinal loads on the synthetic model: equilibrium, optimality against Ipopt, and
// the disc force of a hand-calculated case.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "sim/dynamics/inverse_dynamics.h"
#include "sim/loadsharing/ipopt_reference.h"
#include "sim/loadsharing/loadsharing.h"
#include "sim/loadsharing/reactions.h"
#include "sim/simulate/frame.h"

namespace paraspine {
namespace {

// Two segments; one vertical muscle straight across the joint, 3 cm behind it.
const char* kPillar = R"(paraspine_model: 1
name: pillar
reference_subject: {body_mass: 70, height: 1.75, source: "synthetic test fixture"}
muscle_defaults:
  all: {specific_tension: 1.0e6, type1_fraction: 0.5, source: "synthetic test fixture"}
segments:
  - {name: base, mass: 10, com: [0, 0, 0], inertia: [0.1, 0.1, 0.1], source: "synthetic test fixture"}
  - name: top
    parent: base
    mass: 30
    com: [0.01, 0.2, 0.0]
    inertia: [0.5, 0.2, 0.5]
    joint:
      name: top-base
      in_parent: {position: [0, 0.1, 0]}
      range_deg: {flexion: [-20, 60], lateral_bending: [-20, 20], axial_rotation: [-10, 10]}
      source: "synthetic test fixture"
    source: "synthetic test fixture"
muscles:
  - name: back
    group: longissimus
    side: midline
    path: [[base, -0.03, 0.0, 0.0], [top, -0.03, 0.1, 0.0]]
    max_isometric_force: 1000
    optimal_fiber_length: 0.2
    tendon_slack_length: 0.001
    source: "synthetic test fixture"
)";

TEST(Reactions, VerticalMuscleAddsItsTensionToCompression) {
  const Model m = parse_model(kPillar, "pillar.yaml");
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  clear_loads(m, d);
  evaluate_frame(m, d);
  d.muscle_force[0] = 700;  // N, any tension
  reactions(m, d);
  // Net force: the weight above, 30 g up. The muscle pulls the top down along −y: the disc carries
  // weight + tension; no shear.
  EXPECT_NEAR(d.disc_force(0, 0), 30 * 9.81 + 700, 1e-9);
  EXPECT_NEAR(d.disc_force(1, 0), 0, 1e-9);
  EXPECT_NEAR(d.disc_force(2, 0), 0, 1e-9);
}

TEST(LoadSharing, BalancesTheMomentWithTheOnlyExtensor) {
  // The weight 1 cm in front of the joint needs 30 g · 0.01 N·m of extension; the muscle's lever is
  // 3 cm, so it pulls 30 g / 3 and the disc carries 30 g · (1 + 1/3).
  const Model m = parse_model(kPillar, "pillar.yaml");
  Data d(m);
  set_static_posture(m, neutral_posture(m), d);
  clear_loads(m, d);
  evaluate_frame(m, d);
  load_sharing(m, LoadSharingSettings{}, d);
  reactions(m, d);
  const double W = 30 * 9.81;
  EXPECT_NEAR(d.muscle_force[0], W / 3, 1e-6);
  EXPECT_NEAR(d.disc_force(0, 0), W * (1 + 1.0 / 3), 1e-6);
  EXPECT_LT(d.loadsharing_info.equilibrium_residual, 1e-6);
  EXPECT_LT(d.loadsharing_info.max_reserve, 1e-3);  // lateral and axial: nothing to carry
}

TEST(LoadSharing, MiniModelMatchesIpoptForEveryCriterionItSolvesAsOneQp) {
  const Model m = test::mini_model();
  Data d(m);
  for (double fl : {-0.2, 0.1, 0.4}) {
    Posture p = neutral_posture(m);
    p.region_angles(0, kFlexion) = fl;
    p.region_angles(0, kLateralBending) = 0.5 * fl;
    set_static_posture(m, p, d);
    clear_loads(m, d);
    d.hands[0].load_mass = 3;
    evaluate_frame(m, d);
    for (Criterion c : {Criterion::kActivation2, Criterion::kStress2}) {
      LoadSharingSettings s;
      s.criterion = c;
      load_sharing(m, s, d);
      EXPECT_LT(d.loadsharing_info.equilibrium_residual, 1e-6);
      const IpoptResult ref = ipopt_solve(d.qp, 1e-12);
      ASSERT_TRUE(ref.solved);
      for (int i = 0; i < m.nmuscle; ++i)
        EXPECT_NEAR(ref.x[i] * d.force_active_max[i], d.activation[i] * d.force_active_max[i], 1e-3)
            << m.muscle_name[i] << " (N)";
    }
  }
}

}  // namespace
}  // namespace paraspine
