// The "no crash, no hang" proof over a corpus of damaged files: good files of every reader (torch.save
// .pt, safetensors, checkpoint directories, model/training configs, PLY, PNG, HDF5 episode files,
// X-WAM dataset episodes and their videos) are truncated at many offsets, bit-flipped, given huge
// declared sizes, deep nesting and cycles, or replaced by FIFOs, /dev/zero and directories. Each is
// read in a child process under a memory limit and a time bound: it must be refused with an
// xwam::Error naming the file, or (a harmless flip) read; a signal, a timeout, another exception or
// an error without the file fails the test.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/core/Error.h"
#include "engine/data/EpisodeFile.h"
#include "engine/data/NormStats.h"
#include "engine/data/VideoReader.h"
#include "engine/data/XWamDataset.h"
#include "engine/data/synthetic/SceneGenerator.h"
#include "engine/geometry/ImageFiles.h"
#include "engine/geometry/PlyFile.h"
#include "engine/io/Safetensors.h"
#include "engine/io/TorchCheckpoint.h"
#include "engine/model/Checkpoint.h"
#include "engine/model/ReleasedCheckpoint.h"
#include "engine/train/TrainConfig.h"
#include "tests/io/TorchSaveWriter.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

constexpr int kSecondsPerFile = 10;
constexpr uint64_t kExtraMemoryBytes = 4ull << 30;  // beyond what the test process already maps

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// One damaged file (or directory) and the read that must survive it; `named` must appear in the error.
struct Case {
  std::string kind, named;
  std::function<void()> read;
};

enum Outcome { kAccepted = 0, kRefused = 1, kUnnamed = 3, kOtherException = 4 };

uint64_t mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Runs the read in a child: a crash or hang there is observed, not suffered.
struct Result {
  int status = 0;
  double seconds = 0;
  std::string describe() const {
    if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGALRM ? "hang (timed out)" : "crash (signal " + std::to_string(WTERMSIG(status)) + ")";
    switch (WEXITSTATUS(status)) {
      case kAccepted: return "accepted";
      case kRefused: return "refused";
      case kUnnamed: return "xwam::Error without the file";
      case kOtherException: return "exception other than xwam::Error";
      default: return "exit " + std::to_string(WEXITSTATUS(status));
    }
  }
  bool ok() const { return WIFEXITED(status) && (WEXITSTATUS(status) == kAccepted || WEXITSTATUS(status) == kRefused); }
};

Result run_isolated(const Case& c) {
  const uint64_t limit = mapped_bytes() + kExtraMemoryBytes;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const rlimit as{limit, limit};
    ::setrlimit(RLIMIT_AS, &as);
    ::alarm(kSecondsPerFile);
    int code = kAccepted;
    try {
      c.read();
    } catch (const Error& e) {
      code = std::string(e.what()).find(c.named) != std::string::npos ? kRefused : kUnnamed;
      if (code == kUnnamed) std::fprintf(stderr, "  unnamed: %s\n", e.what());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "  other exception: %s\n", e.what());
      code = kOtherException;
    }
    std::fflush(stderr);
    ::_exit(code);
  }
  Result r;
  ::waitpid(pid, &r.status, 0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

// Offsets spread over the file, with both ends dense (headers live there).
std::vector<size_t> cut_points(size_t size, int count) {
  std::vector<size_t> at = {0, 1, 7, 8, 9, 30, size / 2, size > 30 ? size - 30 : 0, size > 1 ? size - 1 : 0};
  for (int i = 1; i <= count; ++i) at.push_back(size * i / (count + 1));
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  at.erase(std::remove_if(at.begin(), at.end(), [&](size_t a) { return a >= size; }), at.end());
  return at;
}

class Corpus {
 public:
  explicit Corpus(fs::path dir) : dir_(std::move(dir)) {}

  // Truncations and bit flips of `good`, each read by `read(path)`.
  void damage(const std::string& kind, const fs::path& good, int cuts, int flips,
              const std::function<void(const std::string&)>& read) {
    const std::string bytes = slurp(good);
    for (size_t at : cut_points(bytes.size(), cuts)) add_bytes(kind + " truncated at " + std::to_string(at), good, bytes.substr(0, at), read);
    std::mt19937 rng(static_cast<unsigned>(bytes.size()));
    for (int i = 0; i < flips; ++i) {
      std::string flipped = bytes;
      // Half of the flips hit the first 512 bytes, where the headers are.
      const size_t span = i % 2 ? flipped.size() : std::min<size_t>(512, flipped.size());
      const size_t at = rng() % span;
      flipped[at] = static_cast<char>(flipped[at] ^ (1 << (rng() % 8)));
      add_bytes(kind + " bit " + std::to_string(at), good, flipped, read);
    }
  }
  void add_bytes(const std::string& kind, const fs::path& like, const std::string& bytes,
                 const std::function<void(const std::string&)>& read) {
    const fs::path path = dir_ / (std::to_string(cases_.size()) + like.extension().string());
    spit(path, bytes);
    add_file(kind, path, read);
  }
  void add_file(const std::string& kind, const fs::path& path, const std::function<void(const std::string&)>& read) {
    const std::string p = path.string();
    cases_.push_back({kind, p, [read, p] { read(p); }});
  }
  // FIFO, /dev/zero and a directory where `read` expects a file with `extension`.
  void special(const std::string& kind, const std::string& extension, const std::function<void(const std::string&)>& read) {
    const fs::path fifo = dir_ / (std::to_string(cases_.size()) + "-fifo" + extension);
    ::mkfifo(fifo.c_str(), 0600);
    add_file(kind + " FIFO", fifo, read);
    const fs::path zero = dir_ / (std::to_string(cases_.size()) + "-zero" + extension);
    fs::create_symlink("/dev/zero", zero);
    add_file(kind + " /dev/zero", zero, read);
    const fs::path folder = dir_ / (std::to_string(cases_.size()) + "-dir" + extension);
    fs::create_directories(folder);
    add_file(kind + " directory", folder, read);
  }
  const fs::path& dir() const { return dir_; }
  std::vector<Case>& cases() { return cases_; }

 private:
  fs::path dir_;
  std::vector<Case> cases_;
};

std::string le(uint64_t v, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += static_cast<char>((v >> (8 * k)) & 0xff);
  return s;
}

}  // namespace

TEST(DamagedCorpus, EveryReaderRefusesDamagedFilesWithoutCrashOrHang) {
  torch::set_num_threads(1);  // no thread pool across fork()
  const fs::path dir = fs::temp_directory_path() / ("xwam_damaged_corpus_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Corpus corpus(dir / "cases");
  fs::create_directories(corpus.dir());
  const fs::path good = dir / "good";
  fs::create_directories(good);

  // --- weights: torch.save zips and safetensors
  auto read_pt = [](const std::string& p) { io::read_torch_checkpoint(p); };
  auto read_st = [](const std::string& p) { io::read_safetensors(p); };
  torch::manual_seed(1);
  test::torch_save((good / "model.pt").string(),
                   test::dict({{"module", test::dict({{"a", test::tensor(torch::randn({4, 6}))},
                                                      {"b", test::tensor(torch::randn({3}).to(torch::kBFloat16))}},
                                                     true)},
                               {"steps", test::integer(7)}}));
  corpus.damage("torch.save", good / "model.pt", 24, 12, read_pt);
  auto pickle_zip = [&](const std::string& kind, const std::string& pickle) {
    const fs::path p = corpus.dir() / (std::to_string(corpus.cases().size()) + ".pth");
    test::write_zip(p.string(), {{"archive/data.pkl", pickle}});
    corpus.add_file(kind, p, read_pt);
  };
  pickle_zip("pickle self-list", std::string{'\x80', '\x02', ']', 'q', '\x00', '2', 'a', '.'});
  pickle_zip("pickle self-dict", std::string{'\x80', '\x02', '}', '2', '2', 's', '.'});
  pickle_zip("pickle deep tuples", "\x80\x02)" + std::string(1000000, '\x85') + ".");
  pickle_zip("pickle deep marks", std::string(1000000, '(') + ".");
  std::string dag = "\x80\x02)";
  for (int i = 0; i < 64; ++i) dag += std::string{'q', '\x00', 'h', '\x00', '\x86'};
  pickle_zip("pickle shared 2^64 leaves", dag + ".");
  {
    test::Pickler p;
    p.dump(test::dict({{"w", test::tensor(torch::ones({4}))}}));
    const size_t numel = p.out.find(std::string("K\x04", 2), p.out.find("cpu"));
    p.out.replace(numel, 2, "\x8a\x08" + le(uint64_t(1) << 61, 8));
    std::vector<std::pair<std::string, std::string>> files = {{"archive/data.pkl", p.out}};
    for (const auto& [key, t] : p.storages)
      files.emplace_back("archive/data/" + key, std::string(static_cast<const char*>(t.data_ptr()), t.nbytes()));
    const fs::path path = corpus.dir() / (std::to_string(corpus.cases().size()) + ".pt");
    test::write_zip(path.string(), files);
    corpus.add_file("storage numel 2^61", path, read_pt);
  }
  {
    // A deflated entry of a few hundred bytes declaring 2^40 bytes (zip64 size).
    const std::string raw(1000, 'x'), data = test::raw_deflate(raw), name = "archive/data.pkl";
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(raw.data()), raw.size()));
    std::string zip = le(0x04034b50, 4) + le(20, 2) + le(0, 2) + le(8, 2) + le(0, 4) + le(crc, 4) + le(data.size(), 4) +
                      le(0xFFFFFFFFu, 4) + le(name.size(), 2) + le(0, 2) + name + data;
    const std::string extra = le(1, 2) + le(8, 2) + le(uint64_t(1) << 40, 8);
    const std::string central = le(0x02014b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(8, 2) + le(0, 4) + le(crc, 4) +
                                le(data.size(), 4) + le(0xFFFFFFFFu, 4) + le(name.size(), 2) + le(extra.size(), 2) +
                                le(0, 6) + le(0, 4) + le(0, 4) + name + extra;
    const uint64_t at = zip.size();
    zip += central + le(0x06054b50, 4) + le(0, 4) + le(1, 2) + le(1, 2) + le(central.size(), 4) + le(at, 4) + le(0, 2);
    corpus.add_bytes("zip entry declaring 2^40 bytes", good / "model.pt", zip, read_pt);
  }
  corpus.special("torch.save", ".pt", read_pt);


  // --- checkpoint directories: config.json and model.safetensors, read and loaded into networks
  const model::XWamConfig tiny = model::XWamConfig::preset("tiny");
  const fs::path ckpt = good / "ckpt";
  model::write_checkpoint(ckpt.string(), tiny, model::make_networks(tiny).state());
  corpus.damage("safetensors", ckpt / "model.safetensors", 16, 10, read_st);
  auto st_header = [&](const std::string& kind, const std::string& header) {
    corpus.add_bytes(kind, ckpt / "model.safetensors", le(header.size(), 8) + header, read_st);
  };
  st_header("safetensors nesting", std::string(1 << 20, '['));
  st_header("safetensors wrapped shape", R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}})");
  st_header("safetensors dtype type", R"({"w": {"dtype": [], "shape": [1], "data_offsets": [0, 4]}})");
  corpus.add_bytes("safetensors header length 2^40", ckpt / "model.safetensors", le(uint64_t(1) << 40, 8) + "{}", read_st);
  corpus.special("safetensors", ".safetensors", read_st);

  auto load_dir = [](const std::string& p) { model::load_networks(model::read_checkpoint(p)); };
  const std::string config_text = slurp(ckpt / "config.json");
  auto ckpt_with_config = [&](const std::string& kind, const std::string& config) {
    const fs::path d = corpus.dir() / (std::to_string(corpus.cases().size()) + "-ckpt");
    fs::create_directories(d);
    fs::copy_file(ckpt / "model.safetensors", d / "model.safetensors");
    spit(d / "config.json", config);
    corpus.add_file(kind, d, load_dir);
  };
  auto patched = [&](const std::string& patch) {
    nlohmann::json j = nlohmann::json::parse(config_text);
    j["model"].merge_patch(nlohmann::json::parse(patch));
    return j.dump();
  };
  ckpt_with_config("config dit.num_heads 0", patched(R"({"dit": {"num_heads": 0}})"));
  ckpt_with_config("config text.num_heads 0", patched(R"({"text": {"num_heads": 0}})"));
  ckpt_with_config("config dit.patch 0", patched(R"({"dit": {"patch": [0, 2, 2]}})"));
  ckpt_with_config("config vae.patch 0", patched(R"({"vae": {"patch": 0}})"));
  ckpt_with_config("config num_layers 100000", patched(R"({"dit": {"num_layers": 100000}})"));
  ckpt_with_config("config num_layers beyond the weights", patched(R"({"dit": {"num_layers": 400}})"));
  ckpt_with_config("config text layers beyond the weights", patched(R"({"text": {"num_layers": 400}})"));
  ckpt_with_config("config wrong type", patched(R"({"dit": {"dim": "wide"}})"));
  ckpt_with_config("config nesting", std::string(100000, '[') + std::string(100000, ']'));
  for (size_t at : {size_t{0}, size_t{1}, config_text.size() / 3, config_text.size() / 2, config_text.size() - 2})
    ckpt_with_config("config truncated at " + std::to_string(at), config_text.substr(0, at));

  // --- model and training configs as files
  auto read_model_config = [](const std::string& p) { model::XWamConfig::from_json_file(p); };
  auto read_train_config = [](const std::string& p) { train::TrainConfig::from_json_file(p); };
  const fs::path model_json = good / "model.json", train_json = good / "train.json";
  spit(model_json, tiny.to_json());
  spit(train_json, train::TrainConfig{}.to_json());
  corpus.damage("model config", model_json, 6, 4, read_model_config);
  corpus.damage("train config", train_json, 4, 4, read_train_config);
  corpus.add_bytes("train batch_size 0", train_json, R"({"batch_size": 0})", read_train_config);
  corpus.add_bytes("train lr negative", train_json, R"({"lr": -1})", read_train_config);
  corpus.add_bytes("train nesting", train_json, std::string(1 << 20, '{'), read_train_config);
  corpus.special("model config", ".json", read_model_config);
  corpus.special("train config", ".json", read_train_config);
  auto read_yaml = [&](const std::string& p) { model::config_from_released_yaml(p, tiny); };
  corpus.add_bytes("yaml vae_stride 0", good / "config.yaml", "vae_stride: (0, 16, 16)\nframe_num: 9\n", read_yaml);
  corpus.add_bytes("yaml huge number", good / "config.yaml", "vae_stride: (99999999999, 16, 16)\n", read_yaml);
  corpus.special("config.yaml", ".yaml", read_yaml);

  // --- clouds and images
  auto read_ply = [](const std::string& p) { geometry::read_ply(p); };
  auto read_png = [](const std::string& p) { geometry::read_png(p); };
  geometry::CloudFrame cloud;
  for (int i = 0; i < 50; ++i) {
    cloud.xyz.insert(cloud.xyz.end(), {0.01f * i, 0.02f * i, 1.0f});
    cloud.rgb.insert(cloud.rgb.end(), {uint8_t(i), uint8_t(2 * i), 7});
    cloud.view.push_back(uint8_t(i % 3));
  }
  geometry::write_ply((good / "cloud.ply").string(), cloud);
  corpus.damage("PLY", good / "cloud.ply", 10, 6, read_ply);
  corpus.add_bytes("PLY 10^8 vertices", good / "cloud.ply",
                   "ply\nformat binary_little_endian 1.0\nelement vertex 100000000\nproperty float x\nproperty float y\n"
                   "property float z\nend_header\n" + std::string(120, '\0'), read_ply);
  corpus.add_bytes("PLY endless header", good / "cloud.ply", "ply\n" + std::string(1 << 20, 'x'), read_ply);
  corpus.special("PLY", ".ply", read_ply);
  std::vector<uint8_t> pixels(16 * 12 * 3);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
  geometry::write_png((good / "image.png").string(), pixels.data(), 16, 12);
  corpus.damage("PNG", good / "image.png", 10, 6, read_png);
  {
    std::string png = slurp(good / "image.png");
    // IHDR width and height (bytes 16..23) → 30000 × 30000; its CRC no longer matches, which we do not check.
    for (int k : {16, 20}) png.replace(k, 4, std::string{0, 0, '\x75', '\x30'});
    corpus.add_bytes("PNG 30000x30000", good / "image.png", png, read_png);
  }
  corpus.special("PNG", ".png", read_png);

  // --- episodes: our HDF5 file, the X-WAM dataset layout and its videos
  data::synthetic::GeneratorOptions o;
  o.width = o.height = 16;
  o.frames = 16;
  std::vector<data::Episode> episodes = {data::synthetic::generate_episode(o, 3)};
  {
    data::EpisodeFileWriter w((good / "scene.h5").string());
    w.add(episodes[0]);
    w.commit();
  }
  auto read_h5 = [](const std::string& p) { data::read_episode(p, 0); };
  corpus.damage("HDF5 episode file", good / "scene.h5", 16, 12, read_h5);
  corpus.special("HDF5 episode file", ".h5", read_h5);

  const fs::path dataset = good / "dataset";
  data::export_xwam_dataset(episodes, data::NormStats::compute(episodes), dataset.string());
  const std::string key = data::list_xwam_episodes(dataset.string()).at(0);
  const fs::path episode_json = dataset / "data" / (key + ".json");
  const std::string episode_text = slurp(episode_json);
  auto dataset_with = [&](const std::string& kind, const fs::path& relative, const std::string& bytes) {
    const fs::path root = corpus.dir() / (std::to_string(corpus.cases().size()) + "-dataset");
    fs::copy(dataset, root, fs::copy_options::recursive);
    spit(root / relative, bytes);
    const std::string r = root.string();
    corpus.cases().push_back({kind, (root / relative).string(), [r, key] { data::read_xwam_episode(r, key, {}); }});
  };
  const fs::path json_rel = fs::path("data") / (key + ".json");
  nlohmann::json ep = nlohmann::json::parse(episode_text);
  ep["num_frames"] = 20000000;
  dataset_with("dataset num_frames 2e7", json_rel, ep.dump());
  dataset_with("dataset nesting", json_rel, std::string(1 << 20, '['));
  for (size_t at : {size_t{0}, episode_text.size() / 4, episode_text.size() / 2, episode_text.size() - 1})
    dataset_with("dataset episode truncated at " + std::to_string(at), json_rel, episode_text.substr(0, at));
  std::string video_rel;
  for (const auto& [name, obs] : ep.at("observations").items()) video_rel = obs.at("rgb_path").get<std::string>();
  const std::string video = slurp(dataset / video_rel);
  for (size_t at : cut_points(video.size(), 6)) dataset_with("video truncated at " + std::to_string(at), video_rel, video.substr(0, at));
  auto read_video = [](const std::string& p) { data::VideoReader(p).frame(0); };
  corpus.special("video", ".mp4", read_video);

  // --- run every case in its own process
  int accepted = 0, refused = 0;
  double slowest = 0;
  std::string slowest_kind;
  for (const Case& c : corpus.cases()) {
    const Result r = run_isolated(c);
    EXPECT_TRUE(r.ok()) << c.kind << " (" << c.named << "): " << r.describe();
    EXPECT_LT(r.seconds, kSecondsPerFile) << c.kind;
    if (r.ok()) (WEXITSTATUS(r.status) == kRefused ? refused : accepted)++;
    if (r.seconds > slowest) {
      slowest = r.seconds;
      slowest_kind = c.kind;
    }
  }
  EXPECT_GE(corpus.cases().size(), 100u);
  std::printf("[corpus] %zu damaged files: %d refused with the file named, %d read (harmless damage), "
              "%zu crashes/hangs/unnamed errors; slowest %.2f s (%s)\n",
              corpus.cases().size(), refused, accepted, corpus.cases().size() - refused - accepted, slowest,
              slowest_kind.c_str());
  if (!HasFailure()) fs::remove_all(dir);
}
