#include "engine/data/EpisodeFile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <filesystem>
#include <set>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/data/Hdf5.h"

namespace xwam::data {
namespace {

constexpr const char* kFormatName = "xwam-episodes";

std::string episode_key(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "ep_%06d", index);
  return buf;
}

std::vector<double> matrix_to_row_major(const Eigen::Matrix4d& m) {
  std::vector<double> out(16);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) out[r * 4 + c] = m(r, c);
  return out;
}

Eigen::Matrix4d matrix_from_row_major(const std::vector<double>& v, const h5::Group& g, const std::string& key) {
  if (v.size() != 16) throw Error(g.file(), g.path(), "attribute '" + key + "' must hold 16 numbers");
  Eigen::Matrix4d m;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) m(r, c) = v[r * 4 + c];
  return m;
}

template <size_t N>
std::vector<double> mask_to_doubles(const std::array<uint8_t, N>& mask) {
  return std::vector<double>(mask.begin(), mask.end());
}

template <size_t N>
std::array<uint8_t, N> mask_from_group(const h5::Group& g, const std::string& key) {
  auto values = g.attr_doubles(key);
  if (values.size() != N) throw Error(g.file(), g.path(), "attribute '" + key + "' must hold " + std::to_string(N) + " values");
  std::array<uint8_t, N> mask{};
  for (size_t i = 0; i < N; ++i) mask[i] = values[i] != 0 ? 1 : 0;
  return mask;
}

// An integer attribute that must fit an int in [lo, hi] (a cast would wrap a corrupt value silently).
int attr_int_in(const h5::Group& g, const std::string& key, int lo, int hi) {
  const int64_t v = g.attr_int(key);
  if (v < lo || v > hi)
    throw Error(g.file(), g.path(), "attribute '" + key + "' = " + std::to_string(v) + " is outside " + std::to_string(lo) +
                                        "…" + std::to_string(hi));
  return static_cast<int>(v);
}

CameraInfo read_camera(const h5::Group& g, const std::string& name, int64_t schema_version) {
  CameraInfo cam;
  cam.name = name;
  cam.width = attr_int_in(g, "width", 1, 1 << 16);
  cam.height = attr_int_in(g, "height", 1, 1 << 16);
  const std::string mount = g.attr_string("mount");
  if (mount != "fixed" && mount != "wrist")
    throw Error(g.file(), g.path(), "attribute 'mount' is '" + mount + "', expected fixed or wrist");
  cam.mount = camera_mount_from_string(mount);
  cam.arm = attr_int_in(g, "arm", 0, kArms - 1);
  cam.has_depth = g.attr_int("has_depth") != 0;
  cam.depth_encoded = g.has_attr("depth_encoded") && g.attr_int("depth_encoded") != 0;
  if (cam.has_depth && cam.depth_encoded)
    throw Error(g.file(), g.path(), "attributes 'has_depth' and 'depth_encoded' are both set");
  if (g.has_attr("intrinsics")) {
    auto k = g.attr_doubles("intrinsics");
    if (k.size() != 4) throw Error(g.file(), g.path(), "attribute 'intrinsics' must hold fx, fy, cx, cy");
    // Schema 1 put pixel centres at +0.5; the OpenCV convention since schema 2 puts them at integers.
    cam.intrinsics = schema_version < 2 ? PinholeIntrinsics::from_half_pixel_centres(k[0], k[1], k[2], k[3])
                                        : PinholeIntrinsics{k[0], k[1], k[2], k[3]};
  }
  if (g.has_attr("T_world_cam")) cam.T_world_cam = matrix_from_row_major(g.attr_doubles("T_world_cam"), g, "T_world_cam");
  if (g.has_attr("T_ee_cam")) cam.T_ee_cam = matrix_from_row_major(g.attr_doubles("T_ee_cam"), g, "T_ee_cam");
  if (cam.width <= 0 || cam.height <= 0) throw Error(g.file(), g.path(), "camera has no valid image size");
  return cam;
}

// Cameras are stored as named groups; their original order is kept in an "index" attribute.
std::vector<std::pair<int64_t, std::string>> camera_order(const h5::Group& cams) {
  std::vector<std::pair<int64_t, std::string>> order;
  for (const auto& name : cams.children()) order.emplace_back(cams.group(name).attr_int("index"), name);
  std::sort(order.begin(), order.end());
  return order;
}

void write_stats(const h5::Group& root, const NormStats& s) {
  auto g = root.create_group("stats");
  g.set_attr("state_q01", std::vector<double>(s.state_q01.begin(), s.state_q01.end()));
  g.set_attr("state_q99", std::vector<double>(s.state_q99.begin(), s.state_q99.end()));
  g.set_attr("action_q01", std::vector<double>(s.action_q01.begin(), s.action_q01.end()));
  g.set_attr("action_q99", std::vector<double>(s.action_q99.begin(), s.action_q99.end()));
  g.set_attr("num_samples", static_cast<int64_t>(s.num_samples));
}

template <size_t N>
void read_quantiles(const h5::Group& g, const std::string& key, std::array<float, N>& out) {
  auto v = g.attr_doubles(key);
  if (v.size() != N) throw Error(g.file(), g.path(), "attribute '" + key + "' must hold " + std::to_string(N) + " values");
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<float>(v[i]);
}

}  // namespace

// ---------------------------------------------------------------------------------------------- reader

struct EpisodeFileReader::Impl {
  std::string path;
  h5::Group root;
  std::vector<std::string> keys;  // ep_000000, ep_000001, ... in index order
  int64_t schema_version = kEpisodeSchemaVersion;
};

EpisodeFileReader::EpisodeFileReader(const std::string& path) {
  auto guard = h5::lock();
  h5::Group root = h5::open_file(path);
  if (!root.has_attr("format") || root.attr_string("format") != kFormatName)
    throw Error(path, "not an X-WAM Studio episode file (no format=xwam-episodes attribute; use `xwam import` for "
                      "robomimic/RoboCasa/RoboTwin files)");
  int64_t version = root.attr_int("schema_version");
  if (version > kEpisodeSchemaVersion)
    throw Error(path, "schema version " + std::to_string(version) + " is newer than this program reads (" +
                          std::to_string(kEpisodeSchemaVersion) + ")");
  auto episodes = root.group("episodes");
  int64_t n = root.attr_int("num_episodes");
  std::vector<std::string> keys;
  for (int64_t i = 0; i < n; ++i) {
    std::string key = episode_key(static_cast<int>(i));
    if (!episodes.has_group(key)) throw Error(path, "/episodes/" + key, "episode listed but missing (truncated file?)");
    keys.push_back(key);
  }
  impl_.reset(new Impl{path, std::move(root), std::move(keys), version});
}

EpisodeFileReader::~EpisodeFileReader() {
  auto guard = h5::lock();
  impl_.reset();
}
EpisodeFileReader::EpisodeFileReader(EpisodeFileReader&&) noexcept = default;
EpisodeFileReader& EpisodeFileReader::operator=(EpisodeFileReader&&) noexcept = default;

const std::string& EpisodeFileReader::path() const { return impl_->path; }
int EpisodeFileReader::num_episodes() const { return static_cast<int>(impl_->keys.size()); }

EpisodeSummary EpisodeFileReader::summary(int index) const {
  auto guard = h5::lock();
  if (index < 0 || index >= num_episodes())
    throw Error(impl_->path, "episode index " + std::to_string(index) + " out of range (file has " +
                                 std::to_string(num_episodes()) + " episodes)");
  auto g = impl_->root.group("episodes").group(impl_->keys[index]);
  EpisodeSummary s;
  s.name = g.attr_string("name");
  s.instruction = g.attr_string("instruction");
  s.task = g.attr_string("task");
  s.fps = g.attr_double("fps");
  if (!std::isfinite(s.fps) || s.fps <= 0) throw Error(impl_->path, g.path(), "attribute 'fps' must be a positive number");
  s.num_frames = attr_int_in(g, "num_frames", 1, 1 << 30);
  int64_t success = g.attr_int("success");
  if (success >= 0) s.success = success != 0;
  s.state_mask = mask_from_group<kStateDim>(g, "state_mask");
  s.action_mask = mask_from_group<kActionDim>(g, "action_mask");
  auto cams = g.group("cameras");
  for (const auto& [order, name] : camera_order(cams)) s.cameras.push_back(read_camera(cams.group(name), name, impl_->schema_version));
  if (g.has_group("source")) s.source_keys = g.group("source").children();
  return s;
}

Episode EpisodeFileReader::read(int index, const ReadOptions& options) const {
  auto guard = h5::lock();
  EpisodeSummary s = summary(index);
  auto g = impl_->root.group("episodes").group(impl_->keys[index]);
  const std::string where = "episode " + s.name;
  int first = options.first_frame;
  int count = options.num_frames < 0 ? s.num_frames - first : options.num_frames;
  if (first < 0 || count <= 0 || first + count > s.num_frames)
    throw Error(impl_->path, where,
                "frame range [" + std::to_string(first) + ", " + std::to_string(first + count) + ") outside the episode's " +
                    std::to_string(s.num_frames) + " frames");

  Episode ep;
  ep.name = s.name;
  ep.instruction = s.instruction;
  ep.task = s.task;
  ep.fps = s.fps;
  ep.success = s.success;
  ep.num_frames = count;
  ep.first_frame = first;
  ep.total_frames = s.num_frames;
  ep.cameras = s.cameras;
  ep.state_mask = s.state_mask;
  ep.action_mask = s.action_mask;

  auto check_rows = [&](const std::string& key, const std::vector<int64_t>& expected) {
    auto shape = g.shape(key);
    if (shape != expected) {
      auto fmt = [](const std::vector<int64_t>& v) {
        std::string out = "[";
        for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
        return out + "]";
      };
      throw Error(impl_->path, where + " key " + key, "shape " + fmt(shape) + " disagrees with expected " + fmt(expected));
    }
  };
  check_rows("states", {s.num_frames, kStateDim});
  check_rows("actions", {s.num_frames, kActionDim});
  ep.states = g.read_rows<float>("states", first, count);
  ep.actions = g.read_rows<float>("actions", first, count);

  auto cams = g.group("cameras");
  ep.rgb.resize(ep.cameras.size());
  ep.depth.resize(ep.cameras.size());
  ep.depth_code.resize(ep.cameras.size());
  for (size_t c = 0; c < ep.cameras.size(); ++c) {
    const auto& cam = ep.cameras[c];
    auto cg = cams.group(cam.name);
    if (options.rgb) {
      if (!cg.has_dataset("rgb")) throw Error(impl_->path, where + " camera " + cam.name, "missing dataset rgb");
      auto shape = cg.shape("rgb");
      if (shape != std::vector<int64_t>{s.num_frames, cam.height, cam.width, 3})
        throw Error(impl_->path, where + " camera " + cam.name + " key rgb", "shape disagrees with the camera size and frame count");
      ep.rgb[c] = cg.read_rows<uint8_t>("rgb", first, count);
    }
    if (options.depth && cam.has_depth) {
      auto shape = cg.shape("depth");
      if (shape != std::vector<int64_t>{s.num_frames, cam.height, cam.width})
        throw Error(impl_->path, where + " camera " + cam.name + " key depth", "shape disagrees with the camera size and frame count");
      ep.depth[c] = cg.read_rows<float>("depth", first, count);
    }
    if (options.depth && cam.depth_encoded) {
      if (!cg.has_dataset("depth_code") || cg.shape("depth_code") != std::vector<int64_t>{s.num_frames, cam.height, cam.width})
        throw Error(impl_->path, where + " camera " + cam.name + " key depth_code",
                    "missing, or its shape disagrees with the camera size and frame count");
      ep.depth_code[c] = cg.read_rows<uint8_t>("depth_code", first, count);
    }
  }
  if (options.source && g.has_group("source")) {
    auto src = g.group("source");
    for (const auto& key : src.children()) {
      SourceArray arr;
      arr.shape = src.shape(key);
      arr.values = src.read<double>(key);
      ep.source[key] = std::move(arr);
    }
  }
  ep.validate(impl_->path);
  return ep;
}

std::optional<NormStats> EpisodeFileReader::stats() const {
  auto guard = h5::lock();
  if (!impl_->root.has_group("stats")) return std::nullopt;
  auto g = impl_->root.group("stats");
  NormStats s;
  read_quantiles(g, "state_q01", s.state_q01);
  read_quantiles(g, "state_q99", s.state_q99);
  read_quantiles(g, "action_q01", s.action_q01);
  read_quantiles(g, "action_q99", s.action_q99);
  s.num_samples = g.attr_int("num_samples");
  s.check_finite(impl_->path);
  return s;
}

Episode read_episode(const std::string& path, int index, const ReadOptions& options) {
  return EpisodeFileReader(path).read(index, options);
}

// ---------------------------------------------------------------------------------------------- writer

struct EpisodeFileWriter::Impl {
  std::string path;
  AtomicFile out;
  std::optional<h5::Group> root;
  std::optional<h5::Group> episodes;
  std::set<std::string> names;
  int count = 0;
  bool stats_written = false;
  explicit Impl(const std::string& p) : path(p), out(p) {}
};

EpisodeFileWriter::EpisodeFileWriter(const std::string& path) : impl_(new Impl(path)) {
  auto guard = h5::lock();
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent))
    throw Error(path, "directory " + parent.string() + " does not exist");
  impl_->root.emplace(h5::create_file(impl_->out.temp_path()));
  impl_->root->set_attr("format", std::string(kFormatName));
  impl_->root->set_attr("schema_version", static_cast<int64_t>(kEpisodeSchemaVersion));
  impl_->episodes.emplace(impl_->root->create_group("episodes"));
}

EpisodeFileWriter::~EpisodeFileWriter() {
  // Close every handle before AtomicFile removes the temporary.
  auto guard = h5::lock();
  if (impl_) {
    impl_->episodes.reset();
    impl_->root.reset();
  }
}

int EpisodeFileWriter::num_episodes() const { return impl_->count; }

void EpisodeFileWriter::add(const Episode& ep) {
  auto guard = h5::lock();
  ep.validate(impl_->path);
  if (!impl_->names.insert(ep.name).second)
    throw Error(impl_->path, "episode " + ep.name, "duplicate episode name in one file");
  const int64_t T = ep.num_frames;
  auto g = impl_->episodes->create_group(episode_key(impl_->count));
  g.set_attr("name", ep.name);
  g.set_attr("instruction", ep.instruction);
  g.set_attr("task", ep.task);
  g.set_attr("fps", ep.fps);
  g.set_attr("num_frames", T);
  g.set_attr("success", static_cast<int64_t>(ep.success ? (*ep.success ? 1 : 0) : -1));
  g.set_attr("state_mask", mask_to_doubles(ep.state_mask));
  g.set_attr("action_mask", mask_to_doubles(ep.action_mask));
  g.write<float>("states", {T, kStateDim}, ep.states.data(), 256);
  g.write<float>("actions", {T, kActionDim}, ep.actions.data(), 256);

  auto cams = g.create_group("cameras");
  for (size_t c = 0; c < ep.cameras.size(); ++c) {
    const auto& cam = ep.cameras[c];
    if (ep.rgb[c].empty()) throw Error(impl_->path, "episode " + ep.name + " camera " + cam.name, "no RGB frames to write");
    auto cg = cams.create_group(cam.name);
    cg.set_attr("index", static_cast<int64_t>(c));
    cg.set_attr("width", static_cast<int64_t>(cam.width));
    cg.set_attr("height", static_cast<int64_t>(cam.height));
    cg.set_attr("mount", std::string(to_string(cam.mount)));
    cg.set_attr("arm", static_cast<int64_t>(cam.arm));
    const bool write_depth = cam.has_depth && c < ep.depth.size() && !ep.depth[c].empty();
    cg.set_attr("has_depth", static_cast<int64_t>(write_depth ? 1 : 0));
    if (cam.intrinsics)
      cg.set_attr("intrinsics", std::vector<double>{cam.intrinsics->fx, cam.intrinsics->fy, cam.intrinsics->cx, cam.intrinsics->cy});
    if (cam.T_world_cam) cg.set_attr("T_world_cam", matrix_to_row_major(*cam.T_world_cam));
    if (cam.T_ee_cam) cg.set_attr("T_ee_cam", matrix_to_row_major(*cam.T_ee_cam));
    // One chunk per frame: a frame range reads exactly its frames.
    cg.write<uint8_t>("rgb", {T, cam.height, cam.width, 3}, ep.rgb[c].data(), 1, 3);
    if (write_depth) cg.write<float>("depth", {T, cam.height, cam.width}, ep.depth[c].data(), 1, 3);
    const bool write_code = cam.depth_encoded && c < ep.depth_code.size() && !ep.depth_code[c].empty();
    cg.set_attr("depth_encoded", static_cast<int64_t>(write_code ? 1 : 0));
    if (write_code) cg.write<uint8_t>("depth_code", {T, cam.height, cam.width}, ep.depth_code[c].data(), 1, 3);
  }
  if (!ep.source.empty()) {
    auto src = g.create_group("source");
    for (const auto& [key, arr] : ep.source) {
      // HDF5 link names cannot contain '/'; keep the source key readable.
      std::string name = key;
      std::replace(name.begin(), name.end(), '/', '.');
      src.write<double>(name, arr.shape, arr.values.data());
    }
  }
  ++impl_->count;
}

void EpisodeFileWriter::set_stats(const NormStats& stats) {
  auto guard = h5::lock();
  if (impl_->stats_written) throw Error(impl_->path, "statistics already written");
  stats.check_finite(impl_->path);
  write_stats(*impl_->root, stats);
  impl_->stats_written = true;
}

void EpisodeFileWriter::commit() {
  auto guard = h5::lock();
  if (impl_->count == 0) throw Error(impl_->path, "refusing to write an episode file with no episodes");
  impl_->root->set_attr("num_episodes", static_cast<int64_t>(impl_->count));
  impl_->episodes.reset();
  impl_->root.reset();  // last handle: HDF5 flushes and closes the file here
  impl_->out.commit();
}

}  // namespace xwam::data
