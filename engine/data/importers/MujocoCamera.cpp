#include "engine/data/importers/MujocoCamera.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace xwam::data {
namespace {

// The value of attribute `name` inside one start tag, nullopt when absent.
std::optional<std::string> attribute(const std::string& tag, const std::string& name) {
  for (size_t at = tag.find(name + "="); at != std::string::npos; at = tag.find(name + "=", at + 1)) {
    // A whole attribute name: preceded by white space.
    if (at == 0 || !std::isspace(static_cast<unsigned char>(tag[at - 1]))) continue;
    const size_t open = at + name.size() + 1;
    if (open >= tag.size() || (tag[open] != '"' && tag[open] != '\'')) continue;
    const size_t close = tag.find(tag[open], open + 1);
    if (close == std::string::npos) return std::nullopt;
    return tag.substr(open + 1, close - open - 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> mjcf_camera_fovy(const std::string& xml, const std::string& camera) {
  for (size_t at = xml.find("<camera"); at != std::string::npos; at = xml.find("<camera", at + 1)) {
    const size_t end = xml.find('>', at);
    if (end == std::string::npos) break;
    const std::string tag = xml.substr(at, end - at);
    if (attribute(tag, "name") != camera) continue;
    const auto fovy = attribute(tag, "fovy");
    if (!fovy) return 45.0;  // MuJoCo's default
    char* rest = nullptr;
    const double value = std::strtod(fovy->c_str(), &rest);
    if (rest == fovy->c_str() || !std::isfinite(value) || value <= 0 || value >= 180) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

PinholeIntrinsics intrinsics_from_mujoco_fovy(double fovy_deg, int width, int height) {
  const double f = 0.5 * height / std::tan(0.5 * fovy_deg * M_PI / 180.0);
  return PinholeIntrinsics::from_half_pixel_centres(f, f, 0.5 * width, 0.5 * height);
}

}  // namespace xwam::data
