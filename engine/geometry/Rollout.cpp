// Rollout directory reader/writer: manifest.json, rgb/<camera>/frame_KKK.png, depth/<camera>/frame_KKK.f32, CSVs.
#include "engine/geometry/Rollout.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/OutputDir.h"
#include "engine/core/Error.h"
#include "engine/geometry/ImageFiles.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xwam::geometry {

int Rollout::view_index(const std::string& camera) const {
  for (size_t v = 0; v < views.size(); ++v)
    if (views[v].camera == camera) return static_cast<int>(v);
  return -1;
}

void Rollout::validate() const {
  const std::string where = dir.empty() ? "rollout" : (std::filesystem::path(dir) / "manifest.json").string();
  const size_t K = frame_indices.size();
  if (K == 0) throw Error(where, "key frame_indices", "no predicted frames");
  for (const auto& v : views) {
    const size_t pixels = static_cast<size_t>(v.width) * v.height;
    if (pixels == 0 || v.rgb.size() != K * pixels * 3)
      throw Error(where, "camera " + v.camera, "expected " + std::to_string(K) + " RGB frames of " + std::to_string(v.width) +
                                                   "x" + std::to_string(v.height));
    if (!v.depth.empty() && v.depth.size() != K * pixels)
      throw Error(where, "camera " + v.camera, "expected " + std::to_string(K) + " depth frames or none");
  }
  if (!states.empty() && states.size() != K * data::kStateDim)
    throw Error(where, "key states", "expected " + std::to_string(K) + "x16 values or none");
  if (actions.size() != action_frame_indices.size() * data::kActionDim)
    throw Error(where, "key actions", "expected one 14-value row per action frame index");
}

namespace {
std::string frame_name(int k, const char* extension) {
  char name[32];
  std::snprintf(name, sizeof(name), "frame_%03d.%s", k, extension);
  return name;
}

// CSV with a header row; each row is "frame_index,v0,...,v{dim-1}".
void read_csv(const std::string& path, size_t dim, std::vector<int>& indices, std::vector<float>& values) {
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open file");
  std::string line;
  std::getline(in, line);
  for (int row = 1; std::getline(in, line); ++row) {
    if (line.empty() || line == "\r") continue;
    std::istringstream cells(line);
    std::string cell;
    std::vector<double> parsed;
    while (std::getline(cells, cell, ',')) {
      char* end = nullptr;
      parsed.push_back(std::strtod(cell.c_str(), &end));
      if (end == cell.c_str()) throw Error(path, "row " + std::to_string(row), "not a number: '" + cell + "'");
    }
    if (parsed.size() != dim + 1)
      throw Error(path, "row " + std::to_string(row),
                  "expected frame_index and " + std::to_string(dim) + " values, found " + std::to_string(parsed.size()) +
                      " cells");
    indices.push_back(static_cast<int>(parsed[0]));
    values.insert(values.end(), parsed.begin() + 1, parsed.end());
  }
}

void write_csv(const std::string& path, const char* prefix, size_t dim, const std::vector<int>& indices,
               const std::vector<float>& values) {
  std::ofstream out(path);
  out << "frame_index";
  for (size_t d = 0; d < dim; ++d) out << ',' << prefix << d;
  out << '\n';
  out.precision(9);
  for (size_t r = 0; r < indices.size(); ++r) {
    out << indices[r];
    for (size_t d = 0; d < dim; ++d) out << ',' << values[r * dim + d];
    out << '\n';
  }
  if (!out) throw Error(path, "cannot write CSV");
}
}  // namespace

Rollout read_rollout(const std::string& dir) {
  const fs::path root(dir);
  const std::string manifest_path = (root / "manifest.json").string();
  std::ifstream in(manifest_path);
  if (!in) throw Error(manifest_path, "cannot open rollout manifest");
  json m;
  Rollout r;
  std::vector<std::string> cameras;
  std::string actions_csv, states_csv;
  try {
    m = json::parse(in);
    r.scene = m.value("scene", std::string{});
    r.episode = m.value("episode", 0);
    r.episode_name = m.value("episode_name", std::string{});
    r.mode = m.value("mode", std::string{});
    r.start_frame = m.at("start_frame").get<int>();
    r.frame_indices = m.at("frame_indices").get<std::vector<int>>();
    cameras = m.at("cameras").get<std::vector<std::string>>();
    actions_csv = m.value("actions_csv", std::string{});
    states_csv = m.value("states_csv", std::string{});
  } catch (const json::exception& e) {
    throw Error(manifest_path, std::string("malformed rollout manifest: ") + e.what());
  }
  if (r.frame_indices.empty()) throw Error(manifest_path, "key frame_indices", "no predicted frames");
  if (cameras.empty()) throw Error(manifest_path, "key cameras", "no cameras");

  // Images: every camera needs RGB for every frame; depth is all-or-nothing per camera.
  const int K = r.num_frames();
  for (const auto& name : cameras) {
    RolloutView view;
    view.camera = name;
    const fs::path depth_dir = root / "depth" / name;
    const bool has_depth = fs::exists(depth_dir);
    for (int k = 0; k < K; ++k) {
      const std::string rgb_path = (root / "rgb" / name / frame_name(k, "png")).string();
      if (!fs::exists(rgb_path)) throw Error(rgb_path, "camera " + name, "missing predicted RGB frame " + std::to_string(k));
      RgbImage image = read_png(rgb_path);
      if (k == 0) {
        view.width = image.width;
        view.height = image.height;
        view.rgb.reserve(static_cast<size_t>(K) * image.pixels.size());
      } else if (image.width != view.width || image.height != view.height) {
        throw Error(rgb_path, "camera " + name, "frame size differs from frame 0");
      }
      view.rgb.insert(view.rgb.end(), image.pixels.begin(), image.pixels.end());
      if (has_depth) {
        const std::string depth_path = (depth_dir / frame_name(k, "f32")).string();
        if (!fs::exists(depth_path))
          throw Error(depth_path, "camera " + name, "missing predicted depth frame " + std::to_string(k));
        const auto depth = read_depth_f32(depth_path, view.width, view.height);
        view.depth.insert(view.depth.end(), depth.begin(), depth.end());
      }
    }
    r.views.push_back(std::move(view));
  }

  if (!states_csv.empty()) {
    std::vector<int> state_indices;
    read_csv((root / states_csv).string(), data::kStateDim, state_indices, r.states);
    if (state_indices != r.frame_indices)
      throw Error((root / states_csv).string(), "one state row per predicted frame expected, frame_index as in the manifest");
  }
  if (!actions_csv.empty()) read_csv((root / actions_csv).string(), data::kActionDim, r.action_frame_indices, r.actions);
  r.dir = dir;
  r.validate();
  return r;
}

void write_rollout(const std::string& dir, const Rollout& r) {
  r.validate();
  require_new_folder(dir);
  const fs::path root(dir);
  const int K = r.num_frames();
  for (const auto& view : r.views) {
    fs::create_directories(root / "rgb" / view.camera);
    if (!view.depth.empty()) fs::create_directories(root / "depth" / view.camera);
    for (int k = 0; k < K; ++k) {
      write_png((root / "rgb" / view.camera / frame_name(k, "png")).string(), view.rgb_frame(k), view.width, view.height);
      if (!view.depth.empty())
        write_depth_f32((root / "depth" / view.camera / frame_name(k, "f32")).string(), view.depth_frame(k), view.width,
                        view.height);
    }
  }
  json m;
  m["format"] = "xwam-rollout";
  m["version"] = 1;
  m["scene"] = r.scene;
  m["episode"] = r.episode;
  m["episode_name"] = r.episode_name;
  m["mode"] = r.mode;
  m["start_frame"] = r.start_frame;
  m["frame_indices"] = r.frame_indices;
  m["cameras"] = json::array();
  for (const auto& view : r.views) m["cameras"].push_back(view.camera);
  if (!r.states.empty()) {
    write_csv((root / "states.csv").string(), "s", data::kStateDim, r.frame_indices, r.states);
    m["states_csv"] = "states.csv";
  }
  if (!r.actions.empty()) {
    write_csv((root / "actions.csv").string(), "a", data::kActionDim, r.action_frame_indices, r.actions);
    m["actions_csv"] = "actions.csv";
  }
  AtomicFile out((root / "manifest.json").string());
  {
    std::ofstream file(out.temp_path());
    file << m.dump(1) << "\n";
    if (!file) throw Error(out.final_path(), "cannot write rollout manifest");
  }
  out.commit();
}

}  // namespace xwam::geometry
