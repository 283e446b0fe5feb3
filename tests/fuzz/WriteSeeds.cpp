// xwam_fuzz_seeds FOLDER: writes the seed corpus of every fuzz target (fuzz/corpus/<target>/) with the
// engine's own writers, so each fuzzer starts from files the readers accept. A few KB per target.
//   build/tests/xwam_fuzz_seeds fuzz/corpus
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/XWamDataset.h"
#include "engine/geometry/CloudDirectory.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/PlyFile.h"
#include "engine/geometry/Rollout.h"
#include "engine/geometry/SequenceFusion.h"
#include "engine/io/Safetensors.h"
#include "engine/io/ZipArchive.h"
#include "engine/model/ModelConfig.h"
#include "fuzz/FuzzTargets.h"
#include "tests/geometry/RolloutBuilder.h"
#include "tests/geometry/TestScene.h"
#include "tests/io/TorchSaveWriter.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string manifest(fuzz::Manifest which, const std::string& json) { return std::string(1, static_cast<char>(which)) + json; }

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 2) {
    std::cerr << "usage: xwam_fuzz_seeds FOLDER (e.g. fuzz/corpus)\n";
    return 2;
  }
  const fs::path out = argv[1];
  const fs::path work = fs::temp_directory_path() / ("xwam_fuzz_seeds_" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);

  // Weights: safetensors; a torch.save archive stored and deflated (zip, checkpoint) and its data.pkl.
  io::TensorMap tensors{{"blocks.0.weight", torch::arange(6, torch::kFloat32).reshape({2, 3})},
                        {"blocks.0.ids", torch::arange(4, torch::kInt64)},
                        {"head.bias", torch::ones({3}, torch::kBFloat16)}};
  io::write_safetensors((work / "a.safetensors").string(), tensors, {{"format", "pt"}});
  spit(out / "safetensors" / "seed_small", slurp(work / "a.safetensors"));
  using namespace xwam::test;
  const auto state = dict({{"model", dict({{"w", tensor(torch::arange(6, torch::kFloat32).reshape({2, 3}))},
                                           {"b", tensor(torch::ones({3}, torch::kFloat16))}},
                                          true)},
                           {"step", integer(7)},
                           {"side", object("lightning.callbacks", "Checkpoint", dict({{"k", str("v")}}))}});
  torch_save((work / "stored.pt").string(), state, "archive");
  torch_save((work / "deflated.pt").string(), state, "archive", {false, true});
  for (const auto* dir : {"zip", "torch_checkpoint"}) {
    spit(out / dir / "seed_stored", slurp(work / "stored.pt"));
    spit(out / dir / "seed_deflated", slurp(work / "deflated.pt"));
  }
  io::ZipArchive archive((work / "stored.pt").string());
  const auto pkl = archive.read(*archive.find("archive/data.pkl"));
  spit(out / "pickle" / "seed_state_dict", std::string(pkl.data, pkl.size));

  // Clouds and images.
  geometry::CloudFrame cloud;
  cloud.xyz = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  cloud.rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9};
  cloud.view = {0, 1, 0, 1};
  cloud.error = {0.f, 0.5f, 1.f, 2.f};
  geometry::write_ply((work / "c.ply").string(), cloud, true);
  spit(out / "ply" / "seed_with_error_view", slurp(work / "c.ply"));
  std::vector<uint8_t> rgb(5 * 4 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 13);
  geometry::write_png((work / "i.png").string(), rgb.data(), 5, 4);
  spit(out / "png" / "seed_rgb_5x4", slurp(work / "i.png"));

  // An episode file of the tabletop (3 frames of 8×6 per camera).
  const data::Episode episode = make_tabletop(3, 8, 6);
  {
    data::EpisodeFileWriter writer((work / "e.h5").string());
    writer.add(episode);
    writer.commit();
  }
  spit(out / "hdf5_episode" / "seed_tabletop", slurp(work / "e.h5"));

  // JSON manifests, one seed per reader of the manifest target.
  geometry::write_rollout((work / "rollout").string(), rollout_from_episode(episode, 0, 1, 2));
  spit(out / "manifest" / "seed_rollout", manifest(fuzz::Manifest::Rollout, slurp(work / "rollout" / "manifest.json")));
  geometry::write_cloud_directory((work / "clouds").string(), geometry::fuse_recorded(episode, {0, 1}, {}));
  spit(out / "manifest" / "seed_clouds", manifest(fuzz::Manifest::CloudDirectory, slurp(work / "clouds" / "sequence.json")));
  spit(out / "manifest" / "seed_metadata",
       manifest(fuzz::Manifest::DatasetMetadata, R"({"chunk-000/episode_000000": 3, "chunk-000/episode_000001": 5})"));
  data::CameraCalibrations cameras;
  cameras["front"].intrinsics = data::PinholeIntrinsics{50, 50, 4, 3};
  cameras["front"].T_world_cam = Eigen::Matrix4d::Identity();
  cameras["front"].depth = data::DepthMapping{};
  cameras["wrist"].mount = data::CameraMount::Wrist;
  cameras["wrist"].T_ee_cam = Eigen::Matrix4d::Identity();
  data::write_camera_calibrations((work / "CAMERAS.json").string(), cameras);
  spit(out / "manifest" / "seed_cameras", manifest(fuzz::Manifest::Cameras, slurp(work / "CAMERAS.json")));
  spit(out / "manifest" / "seed_config", manifest(fuzz::Manifest::ModelConfig, model::XWamConfig::preset("tiny").to_json()));

  fs::remove_all(work);
  std::cout << "seeds written under " << out.string() << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "xwam_fuzz_seeds: " << e.what() << "\n";
  return 1;
}
