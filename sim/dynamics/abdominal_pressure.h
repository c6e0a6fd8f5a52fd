#pragma once
// Intra-abdominal pressure (IAP): the pressurized abdominal cavity as a load carrier of the lumbar
// spine (docs/mechanics.md, "Intra-abdominal pressure"; sources in docs/sources/iap.md).
//
// Free body above a cut through lumbar joint j and through the abdomen (Daggfeldt & Thorstensson
// 1997, J Biomech 30:1149): the cavity's pressure p acts on the cut's abdominal cross-section A,
// whose centroid lies d anterior to the joint centre. On the body above the cut it gives
//   a force  F_j = p A n_j  (n_j the disc normal, superior): a distraction of the disc, and
//   a moment (d a_j) × F_j about the joint centre (a_j the disc's anterior axis): an extension
//   moment p A d in the sagittal plane of the disc.
// The abdominal wall that holds the pressure is assumed to be the transversus abdominis, whose
// fibres run around the cavity and do not cross the cut (the model has no transversus): its
// tension adds no compression and no moment here (see the limits in docs/mechanics.md).
//
// The pressure is prescribed by a measured empirical relation (Chaffin / 3DSSPP style) with the net
// extension moment M that inverse dynamics demands at a reference joint:
//   p = clamp(c0 + c1 M^e, 0, p_max)  for M > 0,   p = 0 otherwise,
// default (models/full_spine.yaml) Mairiaux et al. 1984, Ergonomics 27:883: p = 0.079 M − 1.127 kPa
// at L4-L5, bounded by 26.6 kPa (Essendrop 2003, the bound AnyBody's AMMR uses).
//
// Needs inverse_dynamics (tau) and forward kinematics (joint frames, dof axes). Writes
// abdominal_pressure, abdominal_pressure_moment (per rotation, the share of τ the pressure carries)
// and abdominal_pressure_force (per joint, world, on the body above). Load sharing calls it and
// subtracts the moment from what muscles must carry; reactions subtract the force from the disc
// contact. No allocation.
#include "sim/model/data.h"
#include "sim/model/model.h"

namespace paraspine {

// The relation alone: pressure (Pa) for a net extension moment (N·m) at the reference joint.
double abdominal_pressure_from_moment(const AbdominalPressureParameters& p, double extension_moment);

// The net extension moment (N·m) the reference joint must carry: −τ of its flexion rotation
// (flexion is rotation about −z, so an extension demand is a negative flexion moment).
double abdominal_pressure_driving_moment(const Model& m, const Data& d);

// Fills the IAP outputs of d; all zero when the model has no abdominal pressure or enabled is false.
void abdominal_pressure(const Model& m, bool enabled, Data& d);

}  // namespace paraspine
