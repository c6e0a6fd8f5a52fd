#pragma once
// render --joints / Python picture(joints=...): the discs whose joint-load arrows are drawn, chosen
// by name or region. A chosen level that cannot have arrows in the framed region (outside it, or a
// joint with no disc or no stored loads: C0-C1) is an error naming it and the levels that can, not a
// picture that silently leaves it out (review23 #3).
#include <algorithm>
#include <string>
#include <vector>

#include "sim/cli/joint_selection.h"
#include "sim/common/error.h"
#include "sim/render/picture.h"

namespace paraspine::cli {

inline std::vector<int> joint_force_levels(const ResultsPicture& p, Region region, const std::vector<std::string>& items,
                                           const std::string& option) {
  JointCatalog catalog;
  catalog.add(p.model());
  const std::vector<int> can = p.joint_force_choices(region);
  std::vector<int> out;
  for (const std::string& name : select_joints(items, catalog, "the file's model")) {
    int j = 0;
    while (j < p.model().njoint && p.model().joint_name[j] != name) ++j;
    if (std::find(can.begin(), can.end(), j) == can.end()) {
      std::string list;
      for (int k : can) list += (list.empty() ? "" : ", ") + p.model().joint_name[k];
      throw InputError(option, 0, name,
                       "has no joint-load arrows in the " + std::string(region_name(region)) + " picture (levels that can: " + list + ")");
    }
    out.push_back(j);
  }
  return out;
}

}  // namespace paraspine::cli
