#include "sim/io/fields.h"

#include "sim/loadsharing/reactions.h"

namespace paraspine {

int field_width(const Model& m, FieldShape s) {
  switch (s) {
    case FieldShape::kJoint3: return 3 * m.njoint;
    case FieldShape::kJoint: return m.njoint;
    default: return m.nmuscle;
  }
}

namespace {
void copy(const Eigen::VectorXd& v, double* out) { std::copy(v.data(), v.data() + v.size(), out); }
template <int Row>
void disc_row(const Model& m, const Data& d, double* out) {
  for (int j = 0; j < m.njoint; ++j) out[j] = d.disc_force(Row, j);
}
}  // namespace

const std::array<OutputField, 19> kOutputFields = {{
    {"/kinematics/joint_angles", "rad", FieldShape::kJoint3,
     "joint angles: flexion (+ forward), lateral bending (+ right), axial rotation (+ right)",
     [](const Model&, const Data& d, double* o) { copy(d.q, o); }},
    {"/joints/compression", "N", FieldShape::kJoint,
     "intervertebral compression along the disc normal (+ pressed together); includes "
     "/joints/ligament_compression",
     disc_row<0>},
    {"/joints/ligament_compression", "N", FieldShape::kJoint,
     "part of the compression due to the tissues that carry the flexion law's moment off the disc "
     "(passive.off_disc: posterior ligaments in tension add, facets in contact subtract; "
     "docs/mechanics.md); 0 at joints without them or while the law is slack",
     [](const Model& m, const Data& d, double* o) { for (int j = 0; j < m.njoint; ++j) o[j] = off_disc_compression(m, d, j); }},
    {"/joints/disc_pressure", "Pa", FieldShape::kJoint,
     "intradiscal pressure from the compression, correction factor · compression / disc area (the model's "
     "disc_pressure and joint disc:, docs/model.md §9; no unloaded term, so lying pressures are low, "
     "docs/sources/disc_pressure.md); NaN at joints without a disc area",
     [](const Model& m, const Data& d, double* o) { for (int j = 0; j < m.njoint; ++j) o[j] = m.disc_pressure(j, d.disc_force(0, j)); }},
    {"/joints/shear_ap", "N", FieldShape::kJoint,
     "anterior shear (+ the load pushes the superior vertebra forward)", disc_row<1>},
    {"/joints/shear_lateral", "N", FieldShape::kJoint,
     "lateral shear (+ the load pushes the superior vertebra to the right)", disc_row<2>},
    {"/joints/net_moment", "N m", FieldShape::kJoint3,
     "net moment the tissues must supply (inverse dynamics; in a supported break what the relaxed tissues carry), per rotation",
     [](const Model&, const Data& d, double* o) { copy(d.tau, o); }},
    {"/joints/muscle_moment", "N m", FieldShape::kJoint3, "moment carried by muscles",
     [](const Model&, const Data& d, double* o) { copy(d.muscle_moment, o); }},
    {"/joints/passive_moment", "N m", FieldShape::kJoint3,
     "moment carried by passive tissue (moment-angle laws); where passive.off_disc applies, part of the "
     "flexion moment is ligament tension behind the disc, which presses it (/joints/ligament_compression)",
     [](const Model&, const Data& d, double* o) { copy(d.passive_joint_moment, o); }},
    {"/joints/reserve_moment", "N m", FieldShape::kJoint3,
     "moment carried by reserve actuators (where muscles cannot)",
     [](const Model&, const Data& d, double* o) { copy(d.reserve, o); }},
    {"/joints/abdominal_pressure_moment", "N m", FieldShape::kJoint3,
     "moment carried by intra-abdominal pressure (zero where the model has none); muscle + passive + "
     "reserve + this = net",
     [](const Model&, const Data& d, double* o) { copy(d.abdominal_pressure_moment, o); }},
    {"/joints/creep", "rad", FieldShape::kJoint,
     "flexion slack the passive tissue has gained by creep (passive laws act beyond it)",
     [](const Model& m, const Data& d, double* o) { for (int j = 0; j < m.njoint; ++j) o[j] = d.creep[m.dof(j, 0)]; }},
    {"/muscles/force", "N", FieldShape::kMuscle, "musculotendon force (active + passive)",
     [](const Model&, const Data& d, double* o) { copy(d.muscle_force, o); }},
    {"/muscles/activation", "1", FieldShape::kMuscle, "activation (fraction of fresh maximum)",
     [](const Model&, const Data& d, double* o) { copy(d.activation, o); }},
    {"/muscles/fiber_length", "m", FieldShape::kMuscle, "fibre length",
     [](const Model&, const Data& d, double* o) { copy(d.fiber_length, o); }},
    {"/fatigue/active", "1", FieldShape::kMuscle, "active fraction of the motor-unit pool (M_A)",
     [](const Model& m, const Data& d, double* o) { for (int i = 0; i < m.nmuscle; ++i) o[i] = d.fatigue[i].active; }},
    {"/fatigue/resting", "1", FieldShape::kMuscle, "resting, recruitable fraction (M_R)",
     [](const Model& m, const Data& d, double* o) { for (int i = 0; i < m.nmuscle; ++i) o[i] = d.fatigue[i].resting; }},
    {"/fatigue/fatigued", "1", FieldShape::kMuscle, "fatigued fraction (M_F)",
     [](const Model& m, const Data& d, double* o) { for (int i = 0; i < m.nmuscle; ++i) o[i] = d.fatigue[i].fatigued; }},
    {"/fatigue/capacity", "1", FieldShape::kMuscle, "activation capacity, 1 − M_F",
     [](const Model&, const Data& d, double* o) { copy(d.muscle_capacity, o); }},
}};

}  // namespace paraspine
