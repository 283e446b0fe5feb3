// Attribute-preserving selection of cloud points.
#include "engine/geometry/CloudSequence.h"

namespace xwam::geometry {

CloudFrame CloudFrame::select(const std::vector<size_t>& indices) const {
  CloudFrame out;
  out.xyz.reserve(indices.size() * 3);
  out.rgb.reserve(indices.size() * 3);
  out.view.reserve(indices.size());
  for (size_t i : indices) {
    out.xyz.insert(out.xyz.end(), xyz.begin() + 3 * i, xyz.begin() + 3 * i + 3);
    out.rgb.insert(out.rgb.end(), rgb.begin() + 3 * i, rgb.begin() + 3 * i + 3);
    out.view.push_back(view[i]);
    if (!confidence.empty()) out.confidence.push_back(confidence[i]);
    if (!error.empty()) out.error.push_back(error[i]);
  }
  return out;
}

}  // namespace xwam::geometry
