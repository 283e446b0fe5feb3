#include "engine/data/XWamDataset.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/OutputDir.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/data/StateActionCodec.h"
#include "engine/data/VideoReader.h"
#include "engine/data/VideoWriter.h"

namespace xwam::data {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* const kArmNames[kArms] = {"left", "right"};

json read_json(const std::string& path) { return json_fields::parse_file(path); }

// Frames of one episode at most (9 hours at 30 fps): per-frame arrays are allocated from num_frames.
constexpr int kMaxEpisodeFrames = 1 << 20;

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  AtomicFile out(path);
  {
    std::ofstream f(out.temp_path());
    f << text;
    if (!f) throw Error(path, "cannot write (disk full?)");
  }
  out.commit();
}

json matrix_json(const Eigen::Matrix4d& m) {
  json rows = json::array();
  for (int r = 0; r < 4; ++r) rows.push_back({m(r, 0), m(r, 1), m(r, 2), m(r, 3)});
  return rows;
}

Eigen::Matrix4d matrix_from_json(const json& j, const std::string& file, const std::string& key) {
  Eigen::Matrix4d m;
  try {
    if (j.size() == 16) {
      for (int i = 0; i < 16; ++i) m(i / 4, i % 4) = j.at(i).get<double>();
    } else if (j.size() == 4) {
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) m(r, c) = j.at(r).at(c).get<double>();
    } else {
      throw std::runtime_error("size");
    }
  } catch (const std::exception&) {
    throw Error(file, key, "expected a 4x4 matrix (4 rows of 4 numbers, or 16 numbers row-major)");
  }
  return m;
}

// A T×D array from JSON, accepting T×D, T×(a×b) nested, or a flat list of T·D numbers.
std::vector<double> array_rows(const json& j, int T, int D, const std::string& file, const std::string& key) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(T) * D);
  // At most T×a×b nesting: deeper lists are malformed (and would exhaust the stack).
  std::function<void(const json&, int)> flatten = [&](const json& v, int depth) {
    if (v.is_array()) {
      if (depth > 3) throw Error(file, key, "lists nested deeper than T×a×b");
      for (const auto& x : v) flatten(x, depth + 1);
    } else if (v.is_number()) {
      out.push_back(v.get<double>());
    } else {
      throw Error(file, key, "non-numeric entry");
    }
  };
  flatten(j, 0);
  if (out.size() < static_cast<size_t>(T) * D)
    throw Error(file, key, "has " + std::to_string(out.size()) + " numbers, expected at least " + std::to_string(T) + "x" +
                                std::to_string(D));
  out.resize(static_cast<size_t>(T) * D);
  return out;
}

// Rotation matrices from T×9 / T×3×3 (row-major) or rotation vectors T×3.
std::vector<Eigen::Matrix3d> rotations(const json& j, int T, const std::string& file, const std::string& key) {
  size_t count = 0;
  std::function<void(const json&, int)> tally = [&](const json& v, int depth) {
    if (v.is_array()) {
      if (depth > 3) throw Error(file, key, "lists nested deeper than T×3×3");
      for (const auto& x : v) tally(x, depth + 1);
    } else {
      ++count;
    }
  };
  tally(j, 0);
  std::vector<Eigen::Matrix3d> out(T);
  if (count >= static_cast<size_t>(T) * 9) {
    auto flat = array_rows(j, T, 9, file, key);
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < 9; ++i) out[t](i / 3, i % 3) = flat[static_cast<size_t>(t) * 9 + i];
  } else {
    auto flat = array_rows(j, T, 3, file, key);
    for (int t = 0; t < T; ++t)
      out[t] = rotation_from_axis_angle(Eigen::Vector3d(flat[t * 3], flat[t * 3 + 1], flat[t * 3 + 2]));
  }
  return out;
}

std::string chunk_name(int index, int per_chunk) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "chunk-%04d", index / per_chunk);
  return buf;
}

std::string episode_file_name(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "episode_%07d", index);
  return buf;
}

}  // namespace

// ------------------------------------------------------------------------------------------ depth

float DepthMapping::to_metres(uint8_t v) const {
  if (zero_is_invalid && v == 0) return 0.f;
  const double s = v / 255.0;
  if (kind == Kind::Linear) return static_cast<float>(near_m + s * (far_m - near_m));
  const double inv = 1.0 / near_m + s * (1.0 / far_m - 1.0 / near_m);
  return static_cast<float>(1.0 / inv);
}

uint8_t DepthMapping::to_value(float d) const {
  if (!(d > 0)) return 0;
  double s = kind == Kind::Linear ? (d - near_m) / (far_m - near_m) : (1.0 / d - 1.0 / near_m) / (1.0 / far_m - 1.0 / near_m);
  const double lo = zero_is_invalid ? 1.0 : 0.0;
  return static_cast<uint8_t>(std::clamp(std::round(s * 255.0), lo, 255.0));
}

// ------------------------------------------------------------------------------------ calibration

CameraCalibrations read_camera_calibrations(const std::string& path) {
  json root = read_json(path);
  const json& cams = root.contains("cameras") ? root.at("cameras") : root;
  if (!cams.is_object()) throw Error(path, "expected an object of cameras by name");
  CameraCalibrations out;
  for (const auto& item : cams.items()) {
    // Named, not structured bindings: lambdas below use them (C++17 lets no lambda capture a binding).
    const std::string name = item.key();
    const auto& j = item.value();
    const std::string where = "camera " + name;
    CameraCalibration c;
    try {
      if (j.contains("intrinsics")) {
        const auto& k = j.at("intrinsics");
        auto number = [&](const json& v, const char* part) {
          return json_fields::finite_number(v, path, "cameras." + name + ".intrinsics." + part);
        };
        c.intrinsics = k.is_array() ? PinholeIntrinsics{number(k.at(0), "fx"), number(k.at(1), "fy"), number(k.at(2), "cx"),
                                                        number(k.at(3), "cy")}
                                    : PinholeIntrinsics{number(k.at("fx"), "fx"), number(k.at("fy"), "fy"),
                                                        number(k.at("cx"), "cx"), number(k.at("cy"), "cy")};
      }
      const std::string mount = j.value("mount", std::string("fixed"));
      if (mount != "fixed" && mount != "wrist")
        throw Error(path, where + " key mount", quoted_value(mount) + ", expected fixed or wrist");
      c.mount = camera_mount_from_string(mount);
      if (j.contains("arm")) c.arm = json_fields::integer<int>(j.at("arm"), path, "cameras." + name + ".arm", 0, kArms - 1);
      if (j.contains("T_world_cam")) c.T_world_cam = matrix_from_json(j.at("T_world_cam"), path, where + " key T_world_cam");
      if (j.contains("T_ee_cam")) c.T_ee_cam = matrix_from_json(j.at("T_ee_cam"), path, where + " key T_ee_cam");
      if (j.contains("depth")) {
        const auto& d = j.at("depth");
        DepthMapping m;
        const std::string kind = d.value("encoding", std::string("linear"));
        if (kind == "inverse") {
          m.kind = DepthMapping::Kind::Inverse;
        } else if (kind != "linear") {
          throw Error(path, where + " key depth.encoding", "expected linear or inverse, got '" + kind + "'");
        }
        m.near_m = json_fields::finite_number(d.at("near_m"), path, "cameras." + name + ".depth.near_m");
        m.far_m = json_fields::finite_number(d.at("far_m"), path, "cameras." + name + ".depth.far_m");
        m.zero_is_invalid = d.value("zero_is_invalid", false);
        if (!(m.near_m > 0 || m.kind == DepthMapping::Kind::Linear) || m.far_m <= m.near_m)
          throw Error(path, where + " key depth", "needs 0 < near_m < far_m (near_m ≥ 0 for linear)");
        c.depth = m;
      }
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(path, where, std::string("malformed entry: ") + e.what());
    }
    if (c.mount == CameraMount::Wrist && c.arm != 0 && c.arm != 1) throw Error(path, where + " key arm", "must be 0 or 1");
    out[name] = c;
  }
  return out;
}

void write_camera_calibrations(const std::string& path, const CameraCalibrations& cameras) {
  json cams = json::object();
  for (const auto& [name, c] : cameras) {
    json j = {{"mount", to_string(c.mount)}};
    if (c.intrinsics) j["intrinsics"] = {{"fx", c.intrinsics->fx}, {"fy", c.intrinsics->fy}, {"cx", c.intrinsics->cx}, {"cy", c.intrinsics->cy}};
    if (c.T_world_cam) j["T_world_cam"] = matrix_json(*c.T_world_cam);
    if (c.T_ee_cam) {
      j["T_ee_cam"] = matrix_json(*c.T_ee_cam);
      j["arm"] = c.arm;
    }
    if (c.depth)
      j["depth"] = {{"encoding", c.depth->kind == DepthMapping::Kind::Linear ? "linear" : "inverse"},
                    {"near_m", c.depth->near_m}, {"far_m", c.depth->far_m}, {"zero_is_invalid", c.depth->zero_is_invalid}};
    cams[name] = j;
  }
  write_text(path, json({{"cameras", cams}}).dump(2) + "\n");
}

// ------------------------------------------------------------------------------------- statistics

namespace {
struct StatSlot {
  const char* key;
  bool state;   // state or action dims
  int offset;   // first dim
  int size;
};
// Where each released key lives in our 16/14-d vectors. Grippers share one key for both arms.
const StatSlot kStatSlots[] = {
    {"proprio_left_ee_xyz", true, 0, 3},       {"proprio_right_ee_xyz", true, 8, 3},
    {"gripper_pos", true, 7, 1},               {"action_left_ee_xyz", false, 0, 3},
    {"action_left_ee_axisangle", false, 3, 3}, {"action_right_ee_xyz", false, 7, 3},
    {"action_right_ee_axisangle", false, 10, 3}, {"gripper_action", false, 6, 1},
};
}  // namespace

NormStats read_xwam_statistics(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    throw Error(path, std::string("cannot read YAML: ") + e.what());
  }
  // A dataset config holds `statistics`, a released run's config.yaml `dataset.statistics`.
  YAML::Node block = root["statistics"]                                          ? root["statistics"]
                     : root["dataset"].IsMap() && root["dataset"]["statistics"] ? root["dataset"]["statistics"]
                                                                                 : root;
  if (!block["q01"] || !block["q99"])
    throw Error(path, "no statistics: no q01/q99 block under statistics, dataset.statistics or at the top");
  NormStats s;
  // Defaults that leave values unchanged: 2(x + 1)/2 − 1 = x.
  s.state_q01.fill(-1.f);
  s.state_q99.fill(1.f);
  s.action_q01.fill(-1.f);
  s.action_q99.fill(1.f);
  for (const auto& slot : kStatSlots) {
    if (!block["q01"][slot.key]) continue;
    if (!block["q99"][slot.key]) throw Error(path, std::string("key ") + slot.key, "in q01 but not in q99");
    std::vector<double> lo, hi;
    try {
      lo = block["q01"][slot.key].as<std::vector<double>>();
      hi = block["q99"][slot.key].as<std::vector<double>>();
    } catch (const std::exception&) {
      throw Error(path, std::string("key ") + slot.key, "expected a list of numbers");
    }
    if (static_cast<int>(lo.size()) != slot.size || static_cast<int>(hi.size()) != slot.size)
      throw Error(path, std::string("key ") + slot.key, "expected " + std::to_string(slot.size) + " values");
    for (int i = 0; i < slot.size; ++i)
      if (!std::isfinite(lo[i]) || !std::isfinite(hi[i]))  // YAML spells them .nan and .inf
        throw Error(path, std::string("key ") + slot.key, "holds a non-finite number");
    float* q01 = slot.state ? s.state_q01.data() : s.action_q01.data();
    float* q99 = slot.state ? s.state_q99.data() : s.action_q99.data();
    for (int i = 0; i < slot.size; ++i) {
      q01[slot.offset + i] = static_cast<float>(lo[i]);
      q99[slot.offset + i] = static_cast<float>(hi[i]);
      // One gripper key serves both arms.
      if (slot.size == 1) {
        q01[slot.offset + (slot.state ? kStatePerArm : kActionPerArm)] = static_cast<float>(lo[i]);
        q99[slot.offset + (slot.state ? kStatePerArm : kActionPerArm)] = static_cast<float>(hi[i]);
      }
    }
  }
  return s;
}

void write_xwam_statistics(const std::string& path, const NormStats& s) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "statistics" << YAML::Value << YAML::BeginMap;
  for (const char* q : {"q01", "q99"}) {
    out << YAML::Key << q << YAML::Value << YAML::BeginMap;
    for (const auto& slot : kStatSlots) {
      const auto& v = std::string(q) == "q01" ? (slot.state ? s.state_q01.data() : s.action_q01.data())
                                              : (slot.state ? s.state_q99.data() : s.action_q99.data());
      out << YAML::Key << slot.key << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (int i = 0; i < slot.size; ++i) out << v[slot.offset + i];
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  write_text(path, std::string(out.c_str()) + "\n");
}

// --------------------------------------------------------------------------------------- reading

std::vector<std::string> list_xwam_episodes(const std::string& root) {
  std::vector<std::string> keys;
  const fs::path meta = fs::path(root) / "metadata.json";
  if (fs::exists(meta)) {
    json j = read_json(meta.string());
    if (!j.is_object()) throw Error(meta.string(), "expected {episode_key: num_frames}");
    // Keys name files under data/: they may not lead out of it.
    for (const auto& [key, frames] : j.items()) {
      confined_path((fs::path(root) / "data").string(), key + ".json", meta.string(), quoted_value(key));
      keys.push_back(key);
    }
  } else {
    const fs::path data = fs::path(root) / "data";
    if (!fs::is_directory(data)) throw Error(root, "not an X-WAM dataset (no metadata.json and no data/ folder)");
    for (const auto& chunk : fs::directory_iterator(data)) {
      if (!chunk.is_directory() || chunk.path().filename().string().rfind("chunk-", 0) != 0) continue;
      for (const auto& f : fs::directory_iterator(chunk.path()))
        if (f.path().extension() == ".json") keys.push_back(chunk.path().filename().string() + "/" + f.path().stem().string());
    }
  }
  std::sort(keys.begin(), keys.end());
  if (keys.empty()) throw Error(root, "dataset holds no episodes");
  return keys;
}

namespace {
Episode episode_from_json(const json& j, const std::string& file, const std::string& root, const std::string& key,
                          const CameraCalibrations& calibrations) {
  const std::string ep_where = "episode " + key;
  if (!j.contains("num_frames")) throw Error(file, ep_where, "missing key num_frames");
  // The bound keeps the state/action arrays allocated below small; videos bound the images.
  const int T = json_fields::integer<int>(j.at("num_frames"), file, "num_frames", 1, kMaxEpisodeFrames);

  Episode ep;
  ep.name = key;
  ep.num_frames = ep.total_frames = T;
  if (!j.contains("instructions") || !j.at("instructions").is_array() || j.at("instructions").empty())
    throw Error(file, ep_where, "missing or empty key instructions");
  ep.instruction = j.at("instructions").at(0).get<std::string>();

  // Proprio → states.
  ep.states.assign(static_cast<size_t>(T) * kStateDim, 0.f);
  ep.actions.assign(static_cast<size_t>(T) * kActionDim, 0.f);
  const json proprios = j.value("proprios", json::object());
  const json actions = j.value("actions", json::object());
  std::vector<std::vector<Eigen::Matrix3d>> p_rot(kArms);
  std::vector<std::vector<double>> p_pos(kArms), p_grip(kArms);
  for (int arm = 0; arm < kArms; ++arm) {
    const std::string a = kArmNames[arm];
    const bool has_pos = proprios.contains(a + "_ee_pos"), has_rot = proprios.contains(a + "_ee_rotm"),
               has_grip = proprios.contains(a + "_gripper_pos");
    if (has_pos) p_pos[arm] = array_rows(proprios.at(a + "_ee_pos"), T, 3, file, ep_where + " key proprios." + a + "_ee_pos");
    if (has_rot) p_rot[arm] = rotations(proprios.at(a + "_ee_rotm"), T, file, ep_where + " key proprios." + a + "_ee_rotm");
    if (has_grip) p_grip[arm] = array_rows(proprios.at(a + "_gripper_pos"), T, 1, file, ep_where + " key proprios." + a + "_gripper_pos");
    for (int t = 0; t < T; ++t) {
      float* s = ep.states.data() + static_cast<size_t>(t) * kStateDim + arm * kStatePerArm;
      ArmPose pose;
      if (has_pos) pose.pose.translation() = Eigen::Vector3d(p_pos[arm][t * 3], p_pos[arm][t * 3 + 1], p_pos[arm][t * 3 + 2]);
      if (has_rot) pose.pose.linear() = p_rot[arm][t];
      if (has_grip) pose.gripper = p_grip[arm][t];
      encode_state(pose, s);
      if (!has_pos) s[0] = s[1] = s[2] = 0.f;
      if (!has_rot) s[3] = s[4] = s[5] = s[6] = 0.f;
      if (!has_grip) s[7] = 0.f;
    }
    for (int d = 0; d < 3; ++d) ep.state_mask[arm * kStatePerArm + d] = has_pos;
    for (int d = 3; d < 7; ++d) ep.state_mask[arm * kStatePerArm + d] = has_rot;
    ep.state_mask[arm * kStatePerArm + 7] = has_grip;
  }

  // Actions: raw_actions when present (its gripper negated, as the released loader does), else deltas.
  if (actions.contains("raw_actions")) {
    const json& raw = actions.at("raw_actions");
    const int width = raw.empty() || !raw.at(0).is_array() ? 0 : static_cast<int>(raw.at(0).size());
    const int arms = width / kActionPerArm;
    if (arms < 1 || width % kActionPerArm != 0)
      throw Error(file, ep_where + " key actions.raw_actions", "rows must hold 7 numbers per arm");
    auto flat = array_rows(raw, T, width, file, ep_where + " key actions.raw_actions");
    for (int t = 0; t < T; ++t)
      for (int arm = 0; arm < std::min(arms, kArms); ++arm)
        for (int d = 0; d < kActionPerArm; ++d) {
          const double v = flat[static_cast<size_t>(t) * width + arm * kActionPerArm + d];
          ep.actions[static_cast<size_t>(t) * kActionDim + arm * kActionPerArm + d] = static_cast<float>(d == 6 ? -v : v);
        }
    for (int arm = 0; arm < std::min(arms, kArms); ++arm)
      for (int d = 0; d < kActionPerArm; ++d) ep.action_mask[arm * kActionPerArm + d] = 1;
    ep.source["raw_actions"] = SourceArray{{T, width}, flat};
  } else {
    for (int arm = 0; arm < kArms; ++arm) {
      const std::string a = kArmNames[arm];
      const bool has_pos = actions.contains(a + "_ee_pos") && !p_pos[arm].empty();
      const bool has_rot = actions.contains(a + "_ee_rotm") && !p_rot[arm].empty();
      const bool has_grip = !p_grip[arm].empty();
      std::vector<double> a_pos;
      std::vector<Eigen::Matrix3d> a_rot;
      if (has_pos) a_pos = array_rows(actions.at(a + "_ee_pos"), T, 3, file, ep_where + " key actions." + a + "_ee_pos");
      if (has_rot) a_rot = rotations(actions.at(a + "_ee_rotm"), T, file, ep_where + " key actions." + a + "_ee_rotm");
      for (int t = 0; t < T; ++t) {
        float* out = ep.actions.data() + static_cast<size_t>(t) * kActionDim + arm * kActionPerArm;
        for (int d = 0; has_pos && d < 3; ++d) out[d] = static_cast<float>(a_pos[t * 3 + d] - p_pos[arm][t * 3 + d]);
        if (has_rot) {
          const Eigen::Vector3d aa = axis_angle_from_rotation(a_rot[t] * p_rot[arm][t].transpose());
          for (int d = 0; d < 3; ++d) out[3 + d] = static_cast<float>(aa[d]);
        }
        if (has_grip && t + 1 < T) out[6] = static_cast<float>(p_grip[arm][t + 1] - p_grip[arm][t]);
      }
      for (int d = 0; d < 3; ++d) ep.action_mask[arm * kActionPerArm + d] = has_pos;
      for (int d = 3; d < 6; ++d) ep.action_mask[arm * kActionPerArm + d] = has_rot;
      ep.action_mask[arm * kActionPerArm + 6] = has_grip;
    }
  }
  std::vector<double> instruction_count = {static_cast<double>(j.at("instructions").size())};
  ep.source["instruction_count"] = SourceArray{{1}, instruction_count};

  // Cameras: every observation, in name order (as the released loader sorts them).
  if (!j.contains("observations") || !j.at("observations").is_object() || j.at("observations").empty())
    throw Error(file, ep_where, "missing or empty key observations");
  for (const auto& item : j.at("observations").items()) {
    const std::string name = item.key();  // not structured bindings: a lambda below captures them
    const auto& obs = item.value();
    const std::string where = ep_where + " camera " + name;
    check_file_name(name, file, "observations." + quoted_value(name));
    for (const char* k : {"rgb_path", "fps"})
      if (!obs.contains(k)) throw Error(file, where, std::string("missing key ") + k);
    const int start = obs.contains("start") ? json_fields::integer<int>(obs.at("start"), file, "observations." + name + ".start", 0,
                                                                        kMaxEpisodeFrames)
                                            : 0;
    const int end = obs.contains("end") ? json_fields::integer<int>(obs.at("end"), file, "observations." + name + ".end", 0,
                                                                    2 * kMaxEpisodeFrames)
                                        : start + T;
    if (end - start < T)
      throw Error(file, where, "observation covers frames [" + std::to_string(start) + ", " + std::to_string(end) +
                                   ") but the episode has " + std::to_string(T));
    ep.fps = json_fields::finite_number(obs.at("fps"), file, "observations." + name + ".fps");
    if (ep.fps <= 0) throw Error(file, "key observations." + name + ".fps", "must be positive");
    CameraInfo cam;
    cam.name = name;
    cam.mount = obs.value("type", std::string("static")) == "dynamic" ? CameraMount::Wrist : CameraMount::Fixed;
    auto calib = calibrations.find(name);
    if (calib != calibrations.end()) {
      cam.intrinsics = calib->second.intrinsics;
      cam.mount = calib->second.mount;
      cam.T_world_cam = calib->second.T_world_cam;
      cam.T_ee_cam = calib->second.T_ee_cam;
      cam.arm = calib->second.arm;
    }
    // Video paths are relative to the dataset root and stay inside it.
    auto resolve = [&](const char* key) {
      const std::string full_key = "observations." + name + "." + key;
      if (!obs.at(key).is_string()) throw Error(file, "key " + full_key, "expected a path");
      return confined_path(root, obs.at(key).get<std::string>(), file, full_key);
    };
    VideoReader rgb_video(resolve("rgb_path"));
    if (rgb_video.num_frames() < start + T)
      throw Error(rgb_video.path(), where, "video has " + std::to_string(rgb_video.num_frames()) + " frames, the episode needs " +
                                               std::to_string(start + T));
    cam.width = rgb_video.width();
    cam.height = rgb_video.height();
    std::vector<uint8_t> rgb;  // grows with the frames decoded, not with what the header declares
    for (int t = 0; t < T; ++t) {
      auto frame = rgb_video.frame(start + t);
      rgb.insert(rgb.end(), frame.begin(), frame.end());
    }
    // Depth: metres through the camera's mapping in CAMERAS.json; without one (the released data) the
    // 8-bit codes are kept as they are, mapping unknown, so training still has its depth.
    std::vector<float> depth;
    std::vector<uint8_t> codes;
    const std::optional<DepthMapping> mapping = calib != calibrations.end() ? calib->second.depth : std::nullopt;
    if (obs.contains("depth_path")) {
      VideoReader depth_video(resolve("depth_path"));
      if (depth_video.width() != cam.width || depth_video.height() != cam.height)
        throw Error(depth_video.path(), where, "depth video size differs from the RGB video's");
      if (depth_video.num_frames() < start + T)
        throw Error(depth_video.path(), where, "depth video has " + std::to_string(depth_video.num_frames()) + " frames, the episode needs " +
                                                   std::to_string(start + T));
      for (int t = 0; t < T; ++t) {
        auto frame = depth_video.frame(start + t);
        // Grey video: the red channel carries the 8-bit value.
        for (size_t i = 0; i < frame.size(); i += 3) {
          if (mapping)
            depth.push_back(mapping->to_metres(frame[i]));
          else
            codes.push_back(frame[i]);
        }
      }
      cam.has_depth = mapping.has_value();
      cam.depth_encoded = !mapping.has_value();
    }
    ep.cameras.push_back(cam);
    ep.rgb.push_back(std::move(rgb));
    ep.depth.push_back(std::move(depth));
    ep.depth_code.push_back(std::move(codes));
  }
  ep.validate(file);
  return ep;
}
}  // namespace

Episode read_xwam_episode(const std::string& root, const std::string& key, const CameraCalibrations& calibrations) {
  const std::string file =
      confined_path((fs::path(root) / "data").string(), key + ".json", (fs::path(root) / "metadata.json").string(),
                    quoted_value(key));
  const json j = read_json(file);
  if (!j.is_object()) throw Error(file, "expected a JSON object");
  // Type errors of the JSON library (a number where a string belongs) still name the file and episode.
  try {
    return episode_from_json(j, file, root, key, calibrations);
  } catch (const json::exception& e) {
    throw Error(file, "episode " + key, std::string("malformed entry: ") + e.what());
  }
}

// --------------------------------------------------------------------------------------- writing

void export_xwam_dataset(const std::vector<Episode>& episodes, const NormStats& stats, const std::string& root,
                         const XWamExportOptions& options, const ProgressFn& progress) {
  if (episodes.empty()) throw Error(root, "nothing to export");
  require_new_folder(root);
  json metadata = json::object();
  CameraCalibrations calibrations;
  std::map<std::string, bool> encoded_by_camera;  // one kind of depth per camera name: CAMERAS.json has one entry
  for (size_t i = 0; i < episodes.size(); ++i) {
    const Episode& ep = episodes[i];
    if (ep.rgb.size() != ep.cameras.size()) throw Error(root, "episode " + ep.name, "RGB frames were not read");
    const int T = ep.num_frames;
    const std::string chunk = chunk_name(static_cast<int>(i), options.episodes_per_chunk);
    const std::string name = episode_file_name(static_cast<int>(i));
    json j;
    j["num_frames"] = T;
    j["instructions"] = json::array({ep.instruction});
    j["observations"] = json::object();
    for (size_t c = 0; c < ep.cameras.size(); ++c) {
      const CameraInfo& cam = ep.cameras[c];
      // The name becomes a folder under video/ and depth/: no '..', no separators.
      check_file_name(cam.name, root, "episode " + ep.name + " camera name");
      // The released loader refuses a view without depth_path ("Missing rgb_path/depth_path").
      const bool metric = ep.depth_frame(static_cast<int>(c), 0) != nullptr;
      const bool encoded = ep.depth_code_frame(static_cast<int>(c), 0) != nullptr;
      if (!metric && !encoded)
        throw Error(root, "episode " + ep.name + " camera " + cam.name,
                    "has no depth; the released X-WAM loader needs depth for every camera (export with --cameras "
                    "naming cameras that have depth)");
      const auto kind = encoded_by_camera.emplace(cam.name, encoded).first;
      if (kind->second != encoded)
        throw Error(root, "episode " + ep.name + " camera " + cam.name,
                    "has " + std::string(encoded ? "encoded" : "metric") + " depth but an earlier episode has " +
                        (encoded ? "metric" : "encoded") + " depth for this camera; CAMERAS.json holds one mapping per camera");
      const std::string rgb_rel = "video/" + cam.name + "/" + chunk + "/" + name + ".mp4";
      const std::string depth_rel = "depth/" + cam.name + "/" + chunk + "/" + name + ".mp4";
      fs::create_directories((fs::path(root) / rgb_rel).parent_path());
      VideoOptions vo{ep.fps, options.video_quality, 12};
      {
        VideoWriter video((fs::path(root) / rgb_rel).string(), cam.width, cam.height, vo);
        for (int t = 0; t < T; ++t) video.add(ep.rgb_frame(static_cast<int>(c), t));
        video.finish();
      }
      CameraCalibration calib;
      calib.intrinsics = cam.intrinsics;
      calib.mount = cam.mount;
      calib.T_world_cam = cam.T_world_cam;
      calib.T_ee_cam = cam.T_ee_cam;
      calib.arm = cam.arm;
      fs::create_directories((fs::path(root) / depth_rel).parent_path());
      // Depth is data, not a picture: grey frames written losslessly (bit-exact where the codec allows).
      VideoOptions depth_options{ep.fps, 1.0, 12};
      depth_options.lossless_grey = true;
      std::vector<uint8_t> grey(static_cast<size_t>(cam.width) * cam.height * 3);
      if (encoded) {
        // Codes of unknown mapping go back as they came; CAMERAS.json gets no depth entry for them.
        VideoWriter video((fs::path(root) / depth_rel).string(), cam.width, cam.height, depth_options);
        for (int t = 0; t < T; ++t) {
          const uint8_t* code = ep.depth_code_frame(static_cast<int>(c), t);
          for (size_t p = 0; p < grey.size() / 3; ++p) grey[p * 3] = grey[p * 3 + 1] = grey[p * 3 + 2] = code[p];
          video.add(grey.data());
        }
        video.finish();
      } else {
        // One linear mapping per camera over the whole dataset so that files agree; 0 = invalid.
        auto known = calibrations.find(cam.name);
        DepthMapping m;
        if (known != calibrations.end() && known->second.depth) {
          m = *known->second.depth;
        } else {
          float lo = 1e9f, hi = 0.f;
          for (const auto& other : episodes) {
            const int oc = other.camera_index(cam.name);
            if (oc < 0 || other.depth[oc].empty()) continue;
            for (float d : other.depth[oc])
              if (d > 0) lo = std::min(lo, d), hi = std::max(hi, d);
          }
          m.near_m = lo;
          m.far_m = hi > lo ? hi : lo + 1e-3;
          m.zero_is_invalid = true;
        }
        calib.depth = m;
        VideoWriter video((fs::path(root) / depth_rel).string(), cam.width, cam.height, depth_options);
        for (int t = 0; t < T; ++t) {
          const float* d = ep.depth_frame(static_cast<int>(c), t);
          for (size_t p = 0; p < grey.size() / 3; ++p) grey[p * 3] = grey[p * 3 + 1] = grey[p * 3 + 2] = m.to_value(d[p]);
          video.add(grey.data());
        }
        video.finish();
      }
      calibrations[cam.name] = calib;
      const json obs = {{"type", cam.mount == CameraMount::Wrist ? "dynamic" : "static"}, {"rgb_path", rgb_rel},
                        {"depth_path", depth_rel}, {"start", 0}, {"end", T}, {"fps", ep.fps}};
      j["observations"][cam.name] = obs;
    }
    // Proprio per arm, and the commanded targets (state ⊕ action) as the released actions.
    json proprios = json::object(), acts = json::object();
    json raw = json::array();
    for (int arm = 0; arm < kArms; ++arm) {
      if (!ep.arm_present(arm)) continue;
      const std::string a = kArmNames[arm];
      json pos = json::array(), rot = json::array(), grip = json::array(), tpos = json::array(), trot = json::array();
      for (int t = 0; t < T; ++t) {
        const ArmPose p = arm_pose_from_state(ep.state(t) + arm * kStatePerArm);
        const ArmPose target = apply_action(p, ep.action(t) + arm * kActionPerArm);
        const Eigen::Matrix3d R = p.pose.rotation(), Rt = target.pose.rotation();
        pos.push_back({p.pose.translation().x(), p.pose.translation().y(), p.pose.translation().z()});
        rot.push_back({R(0, 0), R(0, 1), R(0, 2), R(1, 0), R(1, 1), R(1, 2), R(2, 0), R(2, 1), R(2, 2)});
        grip.push_back({p.gripper});
        tpos.push_back({target.pose.translation().x(), target.pose.translation().y(), target.pose.translation().z()});
        trot.push_back({Rt(0, 0), Rt(0, 1), Rt(0, 2), Rt(1, 0), Rt(1, 1), Rt(1, 2), Rt(2, 0), Rt(2, 1), Rt(2, 2)});
      }
      proprios[a + "_ee_pos"] = pos;
      proprios[a + "_ee_rotm"] = rot;
      proprios[a + "_gripper_pos"] = grip;
      acts[a + "_ee_pos"] = tpos;
      acts[a + "_ee_rotm"] = trot;
    }
    // raw_actions carry our exact actions (gripper negated, the released convention), so a
    // re-import is lossless; the released loader prefers them too.
    const int arms = ep.arm_present(1) ? 2 : 1;
    for (int t = 0; t < T; ++t) {
      json row = json::array();
      for (int arm = 0; arm < arms; ++arm)
        for (int d = 0; d < kActionPerArm; ++d) {
          const float v = ep.action(t)[arm * kActionPerArm + d];
          row.push_back(d == 6 ? -v : v);
        }
      raw.push_back(row);
    }
    acts["raw_actions"] = raw;
    j["proprios"] = proprios;
    j["actions"] = acts;
    write_text((fs::path(root) / "data" / chunk / (name + ".json")).string(), j.dump() + "\n");
    metadata[chunk + "/" + name] = T;
    if (progress) progress({"export", static_cast<long long>(i + 1), static_cast<long long>(episodes.size()), ep.name});
  }
  write_xwam_statistics((fs::path(root) / "statistics.yaml").string(), stats);
  write_camera_calibrations((fs::path(root) / "CAMERAS.json").string(), calibrations);
  write_text((fs::path(root) / "metadata.json").string(), metadata.dump(2) + "\n");
}

}  // namespace xwam::data
