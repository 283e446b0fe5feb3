// The released X-WAM layout without CAMERAS.json (8-bit depth videos, no calibration): import keeps the
// depth, the episode file and the training loader carry it, and the export is what the released loader
// accepts and builds the same samples from. The released loader is data/robot_dataset.py of the X-WAM
// release (RobotDataset: _validate_dataset_dirs, _load_multiview_video, _read_video_frames,
// _normalize_depths_per_view, _build_proprio_tensor, _build_raw_action_tensor, _build_delta_action_tensor);
// its rules are applied here by `released_view_of`, without normalization (the same affine map on both sides).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"
#include "engine/data/Clip.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/VideoReader.h"
#include "engine/data/VideoWriter.h"
#include "engine/data/XWamDataset.h"

using namespace xwam::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kT = 12, kW = 64, kH = 48;

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("xwam_released_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

// What the released loader takes from one episode, before normalization.
struct ReleasedView {
  std::string type;
  double fps = 0;
  std::vector<std::vector<uint8_t>> rgb, depth;  // per frame: H·W·3 RGB, H·W grey (first channel)
};
struct ReleasedEpisode {
  int num_frames = 0;
  std::map<std::string, ReleasedView> views;  // sorted by name, as the loader iterates them
  std::vector<std::array<double, 16>> proprio;  // per arm: xyz, quaternion wxyz (w ≥ 0), gripper
  std::vector<std::array<double, 14>> actions;  // per arm: xyz, axis-angle, gripper
  bool gripper_action_last_frame = true;        // delta actions have no gripper action at the last frame
};

std::vector<double> flat(const json& j) {
  std::vector<double> out;
  std::function<void(const json&)> walk = [&](const json& v) {
    if (v.is_array())
      for (const auto& x : v) walk(x);
    else
      out.push_back(v.get<double>());
  };
  walk(j);
  return out;
}

Eigen::Matrix3d rotm_at(const std::vector<double>& r, int t) {
  Eigen::Matrix3d R;
  for (int i = 0; i < 9; ++i) R(i / 3, i % 3) = r[t * 9 + i];
  return R;
}

// The released loader's rules over a whole episode (frame_skip = action_skip = 1); throws std::runtime_error
// with the loader's own message where it would refuse.
ReleasedEpisode released_view_of(const fs::path& root, const std::string& key) {
  for (const char* dir : {"data", "video", "depth"})
    if (!fs::exists(root / dir)) throw std::runtime_error(std::string("Missing ") + dir + " directory");
  const json metadata = json::parse(std::ifstream(root / "metadata.json"));
  if (!metadata.is_object()) throw std::runtime_error("Invalid metadata format");
  const json ep = json::parse(std::ifstream(root / "data" / (key + ".json")));
  ReleasedEpisode out;
  out.num_frames = metadata.at(key).get<int>();
  if (ep.at("num_frames").get<int>() != out.num_frames) throw std::runtime_error("num_frames disagrees with metadata.json");
  const int T = out.num_frames;
  const json& observations = ep.at("observations");
  if (!observations.is_object() || observations.empty()) throw std::runtime_error("Episode observations are missing or empty.");
  for (const auto& [name, obs] : observations.items()) {
    if (!obs.contains("rgb_path") || !obs.contains("depth_path"))
      throw std::runtime_error("Missing rgb_path/depth_path in view " + name + ".");
    const int start = obs.value("start", 0), end = obs.value("end", start + T);
    if (start + T - 1 >= end) throw std::runtime_error("Requested frame index exceeds observation end for view " + name);
    if (!obs.contains("fps")) throw std::runtime_error("Missing fps in view " + name + ".");
    ReleasedView view;
    view.fps = obs.at("fps").get<double>();
    view.type = obs.value("type", std::string());
    if (view.type != "static" && view.type != "dynamic") throw std::runtime_error("Unknown camera type for view " + name);
    for (const char* k : {"rgb_path", "depth_path"}) {
      const fs::path media = root / obs.at(k).get<std::string>();
      if (!fs::exists(media)) throw std::runtime_error("Media file not found: " + media.string());
      VideoReader video(media.string());
      if (video.num_frames() < start + T) throw std::runtime_error("Failed to decode frames from " + media.string());
      for (int t = 0; t < T; ++t) {
        std::vector<uint8_t> frame = video.frame(start + t);
        if (std::string(k) == "rgb_path") {
          view.rgb.push_back(std::move(frame));
        } else {
          std::vector<uint8_t> grey(frame.size() / 3);
          for (size_t p = 0; p < grey.size(); ++p) grey[p] = frame[3 * p];
          view.depth.push_back(std::move(grey));
        }
      }
    }
    out.views[name] = std::move(view);
  }
  const double fps = out.views.begin()->second.fps;
  for (const auto& [name, v] : out.views)
    if (std::abs(v.fps - fps) > 1e-6) throw std::runtime_error("Inconsistent fps across views");

  // Proprio: xyz, rotm → canonical quaternion wxyz, gripper; missing parts are zero.
  const json proprios = ep.value("proprios", json::object()), acts = ep.value("actions", json::object());
  out.proprio.assign(T, {});
  out.actions.assign(T, {});
  const char* arms[2] = {"left", "right"};
  for (int a = 0; a < 2; ++a) {
    const std::string arm = arms[a];
    if (proprios.contains(arm + "_ee_pos")) {
      const auto p = flat(proprios.at(arm + "_ee_pos"));
      for (int t = 0; t < T; ++t)
        for (int d = 0; d < 3; ++d) out.proprio[t][a * 8 + d] = p[t * 3 + d];
    }
    if (proprios.contains(arm + "_ee_rotm")) {
      const auto r = flat(proprios.at(arm + "_ee_rotm"));
      for (int t = 0; t < T; ++t) {
        Eigen::Quaterniond q(rotm_at(r, t));
        if (q.w() < 0) q.coeffs() *= -1;
        out.proprio[t][a * 8 + 3] = q.w(), out.proprio[t][a * 8 + 4] = q.x(), out.proprio[t][a * 8 + 5] = q.y(),
        out.proprio[t][a * 8 + 6] = q.z();
      }
    }
    if (proprios.contains(arm + "_gripper_pos")) {
      const auto g = flat(proprios.at(arm + "_gripper_pos"));
      for (int t = 0; t < T; ++t) out.proprio[t][a * 8 + 7] = g[t];
    }
  }
  if (acts.contains("raw_actions")) {
    // raw_actions rows: 7 per arm (xyz, axis-angle, gripper), the gripper negated by the loader.
    const json& raw = acts.at("raw_actions");
    const int width = static_cast<int>(raw.at(0).size()), arms_avail = width / 7;
    const auto v = flat(raw);
    for (int t = 0; t < T; ++t)
      for (int a = 0; a < std::min(arms_avail, 2); ++a)
        for (int d = 0; d < 7; ++d) out.actions[t][a * 7 + d] = d == 6 ? -v[t * width + a * 7 + d] : v[t * width + a * 7 + d];
  } else {
    // Deltas: a_pos − p_pos, rotvec(R_a·R_pᵀ), p_grip(t + 1) − p_grip(t) (none at the last frame).
    out.gripper_action_last_frame = false;
    for (int a = 0; a < 2; ++a) {
      const std::string arm = arms[a];
      if (proprios.contains(arm + "_ee_pos") && acts.contains(arm + "_ee_pos")) {
        const auto p = flat(proprios.at(arm + "_ee_pos")), q = flat(acts.at(arm + "_ee_pos"));
        for (int t = 0; t < T; ++t)
          for (int d = 0; d < 3; ++d) out.actions[t][a * 7 + d] = q[t * 3 + d] - p[t * 3 + d];
      }
      if (proprios.contains(arm + "_ee_rotm") && acts.contains(arm + "_ee_rotm")) {
        const auto rp = flat(proprios.at(arm + "_ee_rotm")), ra = flat(acts.at(arm + "_ee_rotm"));
        for (int t = 0; t < T; ++t) {
          const Eigen::AngleAxisd aa(rotm_at(ra, t) * rotm_at(rp, t).transpose());
          const Eigen::Vector3d v = aa.angle() * aa.axis();
          for (int d = 0; d < 3; ++d) out.actions[t][a * 7 + 3 + d] = v[d];
        }
      }
      if (proprios.contains(arm + "_gripper_pos")) {
        const auto g = flat(proprios.at(arm + "_gripper_pos"));
        for (int t = 0; t + 1 < T; ++t) out.actions[t][a * 7 + 6] = g[t + 1] - g[t];
      }
    }
  }
  return out;
}

// One grey video as a released dataset has it: an ordinary lossy mp4.
void write_video(const fs::path& path, int frames, const std::function<uint8_t(int t, int x, int y, int c)>& value) {
  fs::create_directories(path.parent_path());
  VideoWriter video(path.string(), kW, kH, {10.0, 0.8, 12});
  std::vector<uint8_t> frame(static_cast<size_t>(kW) * kH * 3);
  for (int t = 0; t < frames; ++t) {
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x)
        for (int c = 0; c < 3; ++c) frame[(static_cast<size_t>(y) * kW + x) * 3 + c] = value(t, x, y, c);
    video.add(frame.data());
  }
  video.finish();
}

// A released-layout dataset: one arm turning and moving, the gripper closing, a static and a wrist view
// (the wrist view's frames start at 1 in its videos), depth as 8-bit grey video, no CAMERAS.json.
void write_released_dataset(const fs::path& root) {
  json p_pos = json::array(), p_rot = json::array(), grip = json::array(), a_pos = json::array(), a_rot = json::array();
  auto rotz = [](double a) { return std::vector<double>{std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1}; };
  for (int t = 0; t < kT; ++t) {
    p_pos.push_back({0.3 + 0.01 * t, -0.1, 0.4 - 0.005 * t});
    p_rot.push_back(rotz(0.05 * t));
    grip.push_back({t < 6 ? 0.08 : 0.02});
    a_pos.push_back({0.3 + 0.01 * (t + 1), -0.1, 0.4 - 0.005 * (t + 1)});
    a_rot.push_back(rotz(0.05 * (t + 1)));
  }
  const std::string key = "chunk-0000/episode_0000000";
  const json ep = {{"num_frames", kT},
                   {"instructions", {"put the cup on the shelf"}},
                   {"observations",
                    {{"front", {{"type", "static"}, {"rgb_path", "video/front/" + key + ".mp4"},
                                {"depth_path", "depth/front/" + key + ".mp4"}, {"start", 0}, {"end", kT}, {"fps", 10}}},
                     {"hand", {{"type", "dynamic"}, {"rgb_path", "video/hand/" + key + ".mp4"},
                               {"depth_path", "depth/hand/" + key + ".mp4"}, {"start", 1}, {"end", 1 + kT}, {"fps", 10}}}}},
                   {"proprios", {{"left_ee_pos", p_pos}, {"left_ee_rotm", p_rot}, {"left_gripper_pos", grip}}},
                   {"actions", {{"left_ee_pos", a_pos}, {"left_ee_rotm", a_rot}}}};
  fs::create_directories(root / "data/chunk-0000");
  std::ofstream(root / "data" / (key + ".json")) << ep.dump();
  std::ofstream(root / "metadata.json") << json({{key, kT}}).dump();
  auto rgb = [](int t, int x, int y, int c) { return static_cast<uint8_t>((x * 3 + y * 2 + t * 5 + c * 60) % 256); };
  // Depth: a slanted surface with a box in front, moving over time (smooth, as real depth videos are).
  auto depth = [](int t, int x, int y, int) {
    const bool box = x > 20 + t && x < 40 + t && y > 12 && y < 30;
    return static_cast<uint8_t>(box ? 60 + y : 120 + x + y);
  };
  write_video(root / "video/front" / (key + ".mp4"), kT, rgb);
  write_video(root / "depth/front" / (key + ".mp4"), kT, depth);
  write_video(root / "video/hand" / (key + ".mp4"), kT + 1, rgb);
  write_video(root / "depth/hand" / (key + ".mp4"), kT + 1,
              [&](int t, int x, int y, int c) { return static_cast<uint8_t>(255 - depth(t, x, y, c)); });
}

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double se = 0;
  for (size_t i = 0; i < a.size(); ++i) se += (a[i] - b[i]) * double(a[i] - b[i]);
  return 10 * std::log10(255.0 * 255.0 / (se / a.size() + 1e-12));
}

}  // namespace

TEST(XWamReleasedRoundTrip, DepthWithoutSidecarSurvivesImportTrainingAndExport) {
  const fs::path original = fresh_dir("original"), exported = fresh_dir("exported");
  const fs::path episodes_file = fresh_dir("episodes").string() + ".h5";
  write_released_dataset(original);
  const std::string key = "chunk-0000/episode_0000000";
  const ReleasedEpisode want = released_view_of(original, key);

  // Import without CAMERAS.json: every camera keeps its depth as 8-bit codes, and they go through the
  // episode file as they came.
  ASSERT_FALSE(fs::exists(original / "CAMERAS.json"));
  const Episode imported = read_xwam_episode(original.string(), key, {});
  {
    EpisodeFileWriter writer(episodes_file.string());
    writer.add(imported);
    writer.commit();
  }
  const Episode ep = EpisodeFileReader(episodes_file.string()).read(0);
  for (size_t c = 0; c < ep.cameras.size(); ++c) {
    const auto& cam = ep.cameras[c];
    EXPECT_TRUE(cam.depth_encoded) << cam.name;
    EXPECT_FALSE(cam.has_depth) << cam.name;
    for (int t = 0; t < kT; ++t)
      ASSERT_TRUE(std::equal(want.views.at(cam.name).depth[t].begin(), want.views.at(cam.name).depth[t].end(),
                             ep.depth_code_frame(static_cast<int>(c), t)))
          << cam.name << " frame " << t << ": the codes differ from what the released loader decodes";
  }

  // Training data: depth as the released loader feeds it (v/127.5 − 1, min–max per view over the clip).
  ClipSpec spec;
  spec.future_frames = 4;
  spec.frame_skip = 2;
  spec.cameras = {"front", "hand"};
  const Clip clip = make_clip(ep, 1, spec, NormStats{});
  ASSERT_EQ(clip.depth_code.size(), static_cast<size_t>(2) * 5 * kW * kH);
  EXPECT_TRUE(clip.depth.empty());
  for (int v = 0; v < 2; ++v) {
    const auto& frames = want.views.at(spec.cameras[v]).depth;
    double lo = 1e9, hi = -1e9;
    for (int f = 0; f < 5; ++f)
      for (uint8_t d : frames[1 + 2 * f]) lo = std::min(lo, d / 127.5 - 1), hi = std::max(hi, d / 127.5 - 1);
    for (int f = 0; f < 5; ++f)
      for (int p = 0; p < kW * kH; p += 37) {
        const double expected = 2 * (frames[1 + 2 * f][p] / 127.5 - 1 - lo) / (hi - lo) - 1;
        ASSERT_NEAR(clip.depth_code[(static_cast<size_t>(v) * 5 + f) * kW * kH + p], expected, 1e-5)
            << spec.cameras[v] << " frame " << f << " pixel " << p;
      }
  }

  // Export, then what the released loader builds from it equals what it builds from the original.
  export_xwam_dataset({ep}, NormStats{}, exported.string());
  const auto keys = list_xwam_episodes(exported.string());
  ASSERT_EQ(keys.size(), 1u);
  const json exported_json = json::parse(std::ifstream(exported / "data" / (keys[0] + ".json")));
  for (const auto& [name, obs] : exported_json.at("observations").items()) {
    EXPECT_TRUE(obs.contains("rgb_path")) << name;
    EXPECT_TRUE(obs.contains("depth_path")) << name;
  }
  const ReleasedEpisode got = released_view_of(exported, keys[0]);  // throws where the released loader refuses
  EXPECT_EQ(got.num_frames, want.num_frames);
  ASSERT_EQ(got.views.size(), want.views.size());
  size_t depth_pixels = 0, depth_exact = 0, depth_within_step = 0;
  for (const auto& [name, w] : want.views) {
    ASSERT_TRUE(got.views.count(name)) << name;
    const ReleasedView& g = got.views.at(name);
    EXPECT_EQ(g.type, w.type) << name;
    EXPECT_DOUBLE_EQ(g.fps, w.fps) << name;
    for (int t = 0; t < kT; ++t) {
      EXPECT_GT(psnr(g.rgb[t], w.rgb[t]), 35.0) << name << " frame " << t;  // RGB re-encoded at quality 0.95
      for (size_t p = 0; p < w.depth[t].size(); ++p) {
        const int diff = std::abs(int(g.depth[t][p]) - int(w.depth[t][p]));
        ++depth_pixels;
        depth_exact += diff == 0;
        depth_within_step += diff <= 1;
      }
    }
  }
  std::printf("[released round trip] depth: %zu pixels, %.4f%% exact, %.4f%% within one 8-bit step\n", depth_pixels,
              100.0 * depth_exact / depth_pixels, 100.0 * depth_within_step / depth_pixels);
  EXPECT_GE(static_cast<double>(depth_within_step) / depth_pixels, 0.99);
  // H.264 lossless in full range gives the codes back bit for bit.
  EXPECT_EQ(depth_exact, depth_pixels);
  for (int t = 0; t < kT; ++t) {
    for (int d = 0; d < 16; ++d) EXPECT_NEAR(got.proprio[t][d], want.proprio[t][d], 1e-6) << "proprio " << d << " frame " << t;
    for (int d = 0; d < 14; ++d) {
      if (d % 7 == 6 && t == kT - 1) continue;  // the original's delta actions have no last gripper action
      EXPECT_NEAR(got.actions[t][d], want.actions[t][d], 1e-6) << "action " << d << " frame " << t;
    }
  }
  fs::remove_all(original);
  fs::remove_all(exported);
  fs::remove(episodes_file);
}

// A camera without any depth cannot feed the released loader: export refuses, naming it.
TEST(XWamReleasedRoundTrip, ExportRefusesACameraWithoutDepth) {
  Episode ep;
  ep.name = "rgb_only";
  ep.num_frames = ep.total_frames = 2;
  CameraInfo cam;
  cam.name = "top";
  cam.width = 16, cam.height = 16;
  ep.cameras = {cam};
  ep.rgb = {std::vector<uint8_t>(2 * 16 * 16 * 3, 50)};
  ep.depth = {{}};
  ep.states.assign(2 * kStateDim, 0.f);
  ep.actions.assign(2 * kActionDim, 0.f);
  const fs::path root = fresh_dir("nodepth");
  try {
    export_xwam_dataset({ep}, NormStats{}, root.string());
    FAIL() << "exported a camera without depth";
  } catch (const xwam::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("camera top"), std::string::npos) << msg;
    EXPECT_NE(msg.find("depth"), std::string::npos) << msg;
  }
  fs::remove_all(root);
}
