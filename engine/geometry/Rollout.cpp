// Rollout directory reader/writer: manifest.json, rgb/<camera>/frame_KKK.png, depth/<camera>/frame_KKK.f32, CSVs.
#include "engine/geometry/Rollout.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/OutputDir.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/core/RegularFile.h"
#include "engine/geometry/ImageFiles.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xwam::geometry {

namespace {
void require_finite(const std::vector<float>& values, const std::string& file, const std::string& key) {
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) throw Error(file, key, "non-finite value at flat index " + std::to_string(i));
}
}  // namespace

int Rollout::view_index(const std::string& camera) const {
  for (size_t v = 0; v < views.size(); ++v)
    if (views[v].camera == camera) return static_cast<int>(v);
  return -1;
}

void Rollout::validate() const {
  const std::string where = dir.empty() ? "rollout" : (std::filesystem::path(dir) / "manifest.json").string();
  const size_t K = frame_indices.size();
  if (K == 0) throw Error(where, "key frame_indices", "no predicted frames");
  for (size_t k = 0; k < K; ++k)
    if (frame_indices[k] < 0 || (k > 0 && frame_indices[k] <= frame_indices[k - 1]))
      throw Error(where, "key frame_indices", "must be non-negative and increasing (entry " + std::to_string(k) + " is " +
                                                  std::to_string(frame_indices[k]) + ")");
  for (const auto& v : views) {
    check_file_name(v.camera, where, "cameras");
    const size_t pixels = static_cast<size_t>(v.width) * v.height;
    if (pixels == 0 || v.rgb.size() != K * pixels * 3)
      throw Error(where, "camera " + v.camera, "expected " + std::to_string(K) + " RGB frames of " + std::to_string(v.width) +
                                                   "x" + std::to_string(v.height));
    if (!v.depth.empty() && v.depth.size() != K * pixels)
      throw Error(where, "camera " + v.camera, "expected " + std::to_string(K) + " depth frames or none");
    require_finite(v.depth, where, "camera " + v.camera + " depth");
  }
  if (!states.empty() && states.size() != K * data::kStateDim)
    throw Error(where, "key states", "expected " + std::to_string(K) + "x16 values or none");
  if (actions.size() != action_frame_indices.size() * data::kActionDim)
    throw Error(where, "key actions", "expected one 14-value row per action frame index");
  require_finite(states, where, "key states");
  require_finite(actions, where, "key actions");
}

namespace {
std::string frame_name(int k, const char* extension) {
  char name[32];
  std::snprintf(name, sizeof(name), "frame_%03d.%s", k, extension);
  return name;
}

// CSV with a header row; each row is "frame_index,v0,...,v{dim-1}": a whole frame index and finite values.
// Cells are quoted in errors only shortened and escaped (the file may not be what it claims).
void read_csv(const std::string& path, size_t dim, std::vector<int>& indices, std::vector<float>& values) {
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open file");
  std::string line;
  std::getline(in, line);
  for (int row = 1; std::getline(in, line); ++row) {
    if (line.empty() || line == "\r") continue;
    const std::string where = "row " + std::to_string(row);
    std::istringstream cells(line);
    std::string cell;
    std::vector<double> parsed;
    size_t count = 0;
    while (std::getline(cells, cell, ',')) {
      if (++count > dim + 1) continue;  // surplus cells are counted, not parsed
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (end == cell.c_str()) throw Error(path, where, "not a number: " + quoted_value(cell, 32));
      const std::string column = parsed.empty() ? "frame_index" : "value " + std::to_string(parsed.size() - 1);
      if (!std::isfinite(v)) throw Error(path, where + " " + column, "is not a finite number");
      parsed.push_back(v);
    }
    if (count != dim + 1)
      throw Error(path, where,
                  "expected frame_index and " + std::to_string(dim) + " values, found " + std::to_string(count) + " cells");
    if (parsed[0] != std::floor(parsed[0]) || parsed[0] < 0 || parsed[0] > 1e9)
      throw Error(path, where + " frame_index", "expected a frame number in 0…1e9");
    indices.push_back(static_cast<int>(parsed[0]));
    values.insert(values.end(), parsed.begin() + 1, parsed.end());
  }
}

}  // namespace

std::vector<float> read_actions_csv(const std::string& path) {
  regular_file_size(path, "actions file");  // a FIFO would block the read
  std::vector<int> indices;
  std::vector<float> values;
  read_csv(path, data::kActionDim, indices, values);
  return values;
}

namespace {
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
  try {
    m = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(manifest_path, std::string("malformed rollout manifest: ") + e.what());
  }
  if (!m.is_object()) throw Error(manifest_path, "expected a JSON object");
  Rollout r;
  auto text = [&](const char* key) {
    if (!m.contains(key)) return std::string{};
    if (!m.at(key).is_string()) throw Error(manifest_path, std::string("key ") + key, "expected a string");
    return m.at(key).get<std::string>();
  };
  auto required = [&](const char* key) -> const json& {
    if (!m.contains(key)) throw Error(manifest_path, std::string("key ") + key, "missing");
    return m.at(key);
  };
  auto list = [&](const char* key) -> const json& {
    const json& v = required(key);
    if (!v.is_array()) throw Error(manifest_path, std::string("key ") + key, "expected a list");
    return v;
  };
  r.scene = text("scene");
  r.episode = m.contains("episode") ? json_fields::integer<int>(m.at("episode"), manifest_path, "episode", 0) : 0;
  r.episode_name = text("episode_name");
  r.mode = text("mode");
  r.start_frame = json_fields::integer<int>(required("start_frame"), manifest_path, "start_frame", 0);
  const json& indices = list("frame_indices");
  for (size_t k = 0; k < indices.size(); ++k)
    r.frame_indices.push_back(
        json_fields::integer<int>(indices[k], manifest_path, "frame_indices[" + std::to_string(k) + "]", 0));
  std::vector<std::string> cameras;
  for (const auto& c : list("cameras")) {
    if (!c.is_string()) throw Error(manifest_path, "key cameras", "expected a list of camera names");
    cameras.push_back(c.get<std::string>());
    check_file_name(cameras.back(), manifest_path, "cameras");
  }
  const std::string actions_csv = text("actions_csv"), states_csv = text("states_csv");
  if (r.frame_indices.empty()) throw Error(manifest_path, "key frame_indices", "no predicted frames");
  for (size_t k = 1; k < r.frame_indices.size(); ++k)
    if (r.frame_indices[k] <= r.frame_indices[k - 1])
      throw Error(manifest_path, "key frame_indices", "must increase (entry " + std::to_string(k) + " is " +
                                                          std::to_string(r.frame_indices[k]) + ")");
  if (cameras.empty()) throw Error(manifest_path, "key cameras", "no cameras");

  // Images: every camera needs RGB for every frame; depth is all-or-nothing per camera.
  const int K = r.num_frames();
  for (const auto& name : cameras) {
    RolloutView view;
    view.camera = name;
    // Frames are confined too: a symbolic link in rgb/ or depth/ may not lead out of the rollout.
    const bool has_depth = fs::exists(confined_path(dir, "depth/" + name, manifest_path, "cameras"));
    for (int k = 0; k < K; ++k) {
      const std::string rgb_path = confined_path(dir, "rgb/" + name + "/" + frame_name(k, "png"), manifest_path, "cameras");
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
        const std::string depth_path =
            confined_path(dir, "depth/" + name + "/" + frame_name(k, "f32"), manifest_path, "cameras");
        if (!fs::exists(depth_path))
          throw Error(depth_path, "camera " + name, "missing predicted depth frame " + std::to_string(k));
        const auto depth = read_depth_f32(depth_path, view.width, view.height);
        for (size_t i = 0; i < depth.size(); ++i)
          if (!std::isfinite(depth[i])) throw Error(depth_path, "camera " + name, "non-finite depth at pixel " + std::to_string(i));
        view.depth.insert(view.depth.end(), depth.begin(), depth.end());
      }
    }
    r.views.push_back(std::move(view));
  }

  if (!states_csv.empty()) {
    const std::string states_path = confined_path(dir, states_csv, manifest_path, "states_csv");
    std::vector<int> state_indices;
    read_csv(states_path, data::kStateDim, state_indices, r.states);
    // The manifest's frame_indices are the reference; a disagreement names both files.
    if (state_indices.size() != r.frame_indices.size())
      throw Error(states_path, "has " + std::to_string(state_indices.size()) + " state rows, " + manifest_path +
                                   " lists " + std::to_string(r.frame_indices.size()) + " frame_indices");
    for (size_t k = 0; k < state_indices.size(); ++k)
      if (state_indices[k] != r.frame_indices[k])
        throw Error(states_path, "row " + std::to_string(k + 1) + " frame_index",
                    std::to_string(state_indices[k]) + " differs from frame_indices[" + std::to_string(k) + "] = " +
                        std::to_string(r.frame_indices[k]) + " of " + manifest_path);
  }
  if (!actions_csv.empty())
    read_csv(confined_path(dir, actions_csv, manifest_path, "actions_csv"), data::kActionDim, r.action_frame_indices, r.actions);
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
