// One entry per fuzzed reader; each reads the whole input the way the engine does for a user's file.
#include "fuzz/FuzzTargets.h"

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/XWamDataset.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/PlyFile.h"
#include "engine/geometry/Rollout.h"
#include "engine/io/Pickle.h"
#include "engine/io/Safetensors.h"
#include "engine/io/TorchCheckpoint.h"
#include "engine/io/ZipArchive.h"
#include "engine/model/ModelConfig.h"
#include "engine/serve/PolicyRequest.h"

namespace xwam::fuzz {
namespace {
namespace fs = std::filesystem;

std::string put(const std::string& bytes, const fs::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw std::runtime_error("fuzz: cannot write " + path.string());
  return path.string();
}

void safetensors(const std::string& bytes, const std::string& dir) {
  const auto path = put(bytes, fs::path(dir) / "model.safetensors");
  io::safetensors_header(path);
  io::read_safetensors(path);
}

void zip(const std::string& bytes, const std::string& dir) {
  io::ZipArchive archive(put(bytes, fs::path(dir) / "archive.zip"));
  for (const auto& entry : archive.entries()) archive.read(entry);
}

// Storages come from a stand-in loader (no archive): the unpickler's own checks are what is fuzzed.
void pickle(const std::string& bytes, const std::string& dir) {
  const std::string origin = (fs::path(dir) / "data.pkl").string();
  auto load = [&](const io::pickle::Value& pid) {
    if (pid.kind != io::pickle::Value::Kind::Tuple || pid.items.size() < 5)
      throw Error(origin, "persistent id is not a storage tuple");
    auto storage = io::pickle::Value::make(io::pickle::Value::Kind::Storage);
    storage->tensor = torch::zeros({16});
    return storage;
  };
  io::pickle::unpickle(bytes.data(), bytes.size(), load, origin);
}

void torch_checkpoint(const std::string& bytes, const std::string& dir) {
  std::vector<std::string> warnings;
  io::read_torch_checkpoint(put(bytes, fs::path(dir) / "model.pt"), &warnings);
}

void ply(const std::string& bytes, const std::string& dir) { geometry::read_ply(put(bytes, fs::path(dir) / "cloud.ply")); }

void png(const std::string& bytes, const std::string& dir) { geometry::read_png(put(bytes, fs::path(dir) / "image.png")); }

// Every episode of the file, whole: opening checks the schema, reading every declared size.
void hdf5_episode(const std::string& bytes, const std::string& dir) {
  data::EpisodeFileReader reader(put(bytes, fs::path(dir) / "episodes.h5"));
  reader.stats();
  for (int i = 0; i < reader.num_episodes(); ++i) reader.read(i);
}

// First byte: which reader; the rest: its JSON file, alone in a folder of its own.
void manifest(const std::string& bytes, const std::string& dir) {
  if (bytes.empty()) return;
  const auto which = static_cast<Manifest>(static_cast<unsigned char>(bytes[0]) % static_cast<int>(Manifest::Count));
  const std::string json = bytes.substr(1);
  const fs::path root = fs::path(dir) / "manifest";
  fs::remove_all(root);
  fs::create_directories(root);
  switch (which) {
    case Manifest::Rollout: put(json, root / "manifest.json"); geometry::read_rollout(root.string()); break;
    case Manifest::CloudDirectory: put(json, root / "sequence.json"); geometry::read_cloud_directory(root.string()); break;
    case Manifest::DatasetMetadata: put(json, root / "metadata.json"); data::list_xwam_episodes(root.string()); break;
    case Manifest::Cameras: data::read_camera_calibrations(put(json, root / "CAMERAS.json")); break;
    case Manifest::ModelConfig: model::XWamConfig::from_json_file(put(json, root / "config.json")); break;
    case Manifest::Count: break;
  }
}

// A request of the released evaluation protocol arrives over ZeroMQ, not from a file: it is written
// where `xwam serve --record` would keep it, and the error (which names "request") is re-issued
// against that file, as the regression contract asks.
void policy_request(const std::string& bytes, const std::string& dir) {
  const auto path = put(bytes, fs::path(dir) / "request.pkl");
  try {
    serve::decode_request(bytes);
  } catch (const Error& e) {
    throw Error(path, e.what());
  }
}

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"safetensors", safetensors}, {"zip", zip}, {"pickle", pickle}, {"torch_checkpoint", torch_checkpoint},
      {"ply", ply}, {"png", png}, {"manifest", manifest}, {"hdf5_episode", hdf5_episode},
      {"policy_request", policy_request}};
  return all;
}

const Target* find_target(const std::string& name) {
  for (const auto& t : targets())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace xwam::fuzz
