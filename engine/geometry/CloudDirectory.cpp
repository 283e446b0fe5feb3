// sequence.json + frame_NNNNNN.ply writer and reader.
#include "engine/geometry/CloudDirectory.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/AtomicFile.h"
#include "engine/core/OutputDir.h"
#include "engine/core/ConfinedPath.h"
#include "engine/core/Error.h"
#include "engine/core/JsonFields.h"
#include "engine/geometry/PlyFile.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xwam::geometry {

namespace {
json matrix_json(const Eigen::Matrix4d& m) {
  json row_major = json::array();
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) row_major.push_back(m(r, c));
  return row_major;
}

Eigen::Matrix4d matrix_from_json(const json& j, const std::string& file, const std::string& key) {
  if (!j.is_array() || j.size() != 16) throw Error(file, "key " + key, "expected 16 numbers (row-major 4x4)");
  Eigen::Matrix4d m;
  for (int i = 0; i < 16; ++i) m(i / 4, i % 4) = json_fields::finite_number(j[i], file, key + "[" + std::to_string(i) + "]");
  return m;
}

std::string frame_file(size_t k) {
  char name[32];
  std::snprintf(name, sizeof(name), "frame_%06zu.ply", k);
  return name;
}
}  // namespace

void write_cloud_directory(const std::string& dir, const CloudSequence& sequence) {
  require_new_folder(dir);
  json manifest;
  manifest["format"] = "xwam-clouds";
  manifest["version"] = kCloudDirectoryVersion;
  manifest["frames"] = sequence.frames.size();
  manifest["files"] = json::array();
  for (size_t k = 0; k < sequence.frames.size(); ++k) {
    write_ply((fs::path(dir) / frame_file(k)).string(), sequence.frames[k]);
    manifest["files"].push_back(frame_file(k));
  }
  manifest["frame_indices"] = sequence.frame_indices;
  manifest["fps"] = sequence.fps;
  manifest["source"] = sequence.source;
  manifest["cameras"] = json::array();
  for (const auto& cam : sequence.cameras)
    manifest["cameras"].push_back({{"name", cam.name},
                                   {"K", {cam.fx, cam.fy, cam.cx, cam.cy}},
                                   {"width", cam.width},
                                   {"height", cam.height},
                                   {"T_world_cam", matrix_json(cam.T_world_cam)}});
  manifest["camera_poses"] = json::array();
  for (const auto& poses : sequence.camera_poses) {
    json frame = json::array();
    for (const auto& T : poses) frame.push_back(matrix_json(T));
    manifest["camera_poses"].push_back(frame);
  }
  manifest["trajectory"] = json::array();
  for (const auto& p : sequence.trajectory) manifest["trajectory"].push_back({p.x(), p.y(), p.z()});

  AtomicFile out((fs::path(dir) / "sequence.json").string());
  {
    std::ofstream file(out.temp_path());
    file << manifest.dump(1) << "\n";
    if (!file) throw Error(out.final_path(), "cannot write manifest");
  }
  out.commit();
}

CloudSequence read_cloud_directory(const std::string& dir) {
  const std::string path = (fs::path(dir) / "sequence.json").string();
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open cloud manifest");
  json manifest;
  try {
    manifest = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path, std::string("malformed JSON: ") + e.what());
  }
  if (!manifest.is_object()) throw Error(path, "expected a JSON object");
  CloudSequence seq;
  try {
    const int version =
        manifest.contains("version") ? json_fields::integer<int>(manifest.at("version"), path, "version", 1) : 1;
    if (version > kCloudDirectoryVersion)
      throw Error(path, "key version", std::to_string(version) + " is newer than this program reads (" +
                                           std::to_string(kCloudDirectoryVersion) + ")");
    const auto& files = manifest.at("files");
    if (!files.is_array()) throw Error(path, "key files", "expected a list of PLY file names");
    const size_t frames = json_fields::integer<size_t>(manifest.at("frames"), path, "frames");
    if (files.size() != frames) throw Error(path, "key files", "lists " + std::to_string(files.size()) + " files for " +
                                                                   std::to_string(frames) + " frames");
    for (size_t k = 0; k < files.size(); ++k) {
      const std::string key = "files[" + std::to_string(k) + "]";
      if (!files[k].is_string()) throw Error(path, "key " + key, "expected a file name");
      seq.frames.push_back(read_ply(confined_path(dir, files[k].get<std::string>(), path, key)));
    }
    for (const auto& f : manifest.value("frame_indices", json::array()))
      seq.frame_indices.push_back(json_fields::integer<int>(f, path, "frame_indices"));
    if (manifest.contains("fps")) seq.fps = json_fields::finite_number(manifest.at("fps"), path, "fps");
    seq.source = manifest.value("source", std::string{});
    for (const auto& c : manifest.value("cameras", json::array())) {
      CameraModel cam;
      cam.name = c.at("name").get<std::string>();
      const std::string key = "cameras[" + cam.name + "]";
      const auto K = json_fields::finite_numbers<double>(c.at("K"), path, key + ".K");
      if (K.size() != 4) throw Error(path, "key " + key + ".K", "expected [fx, fy, cx, cy]");
      // Version 1 put pixel centres at +0.5; the OpenCV convention of version 2 puts them at integers.
      const double shift = version < 2 ? 0.5 : 0.0;
      cam.fx = K[0], cam.fy = K[1], cam.cx = K[2] - shift, cam.cy = K[3] - shift;
      cam.width = json_fields::integer<int>(c.at("width"), path, key + ".width", 0);
      cam.height = json_fields::integer<int>(c.at("height"), path, key + ".height", 0);
      cam.T_world_cam = matrix_from_json(c.at("T_world_cam"), path, key + ".T_world_cam");
      seq.cameras.push_back(cam);
    }
    for (const auto& frame : manifest.value("camera_poses", json::array())) {
      std::vector<Eigen::Matrix4d> poses;
      const std::string key = "camera_poses[" + std::to_string(seq.camera_poses.size()) + "]";
      for (const auto& T : frame) poses.push_back(matrix_from_json(T, path, key + "[" + std::to_string(poses.size()) + "]"));
      seq.camera_poses.push_back(poses);
    }
    for (const auto& p : manifest.value("trajectory", json::array())) {
      const std::string key = "trajectory[" + std::to_string(seq.trajectory.size()) + "]";
      const auto v = json_fields::finite_numbers<double>(p, path, key);
      if (v.size() != 3) throw Error(path, "key " + key, "expected [x, y, z] per frame");
      seq.trajectory.emplace_back(v[0], v[1], v[2]);
    }
  } catch (const json::exception& e) {
    throw Error(path, std::string("malformed manifest: ") + e.what());
  }
  return seq;
}

}  // namespace xwam::geometry
