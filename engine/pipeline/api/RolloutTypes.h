// What a rollout is asked and what it gives back, without LibTorch: the fronts (CLI, studio) include
// this and Engine.h only. Names on the command line and in files go through parse_* / *_name.
// Header-only, so a studio built without the pipeline part still speaks these types.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/core/Error.h"
#include "engine/geometry/Rollout.h"

namespace xwam::pipeline {

enum class Mode {
  XWam,               // action-first asynchronous denoising (the method)
  Sync,               // every modality on the video schedule: the slow baseline
  FastWam,            // actions only, on the clean context (no future video)
  ActionConditioned,  // the actions are given; video, depth and states are imagined
};
enum class Solver { UniPC, Euler };

inline const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::XWam: return "xwam";
    case Mode::Sync: return "sync";
    case Mode::FastWam: return "fastwam";
    case Mode::ActionConditioned: return "action-conditioned";
  }
  return "";
}

// "xwam" | "sync" | "fastwam" | "action-conditioned"; throws xwam::Error naming `option` otherwise.
inline Mode parse_mode(const std::string& name, const std::string& option = "--mode") {
  for (Mode m : {Mode::XWam, Mode::Sync, Mode::FastWam, Mode::ActionConditioned})
    if (name == mode_name(m)) return m;
  throw Error("option " + option + ": unknown mode '" + name + "' (expected xwam, sync, fastwam or action-conditioned)");
}

inline const char* solver_name(Solver solver) { return solver == Solver::Euler ? "euler" : "unipc"; }

// "unipc" | "euler"; throws xwam::Error naming `option` otherwise.
inline Solver parse_solver(const std::string& name, const std::string& option = "--solver") {
  if (name == "unipc") return Solver::UniPC;
  if (name == "euler") return Solver::Euler;
  throw Error("option " + option + ": unknown solver '" + name + "' (expected unipc or euler)");
}

// The weights' precision. Default: bfloat16 on CUDA, float32 on the CPU (docs/model.md).
enum class DType { Default, BFloat16, Float16, Float32 };

inline const char* dtype_label(DType dtype) {  // "" for Default
  switch (dtype) {
    case DType::Default: return "";
    case DType::BFloat16: return "bfloat16";
    case DType::Float16: return "float16";
    case DType::Float32: return "float32";
  }
  return "";
}

// "" (Default) | "bfloat16" | "float16" | "float32"; throws xwam::Error naming `option` otherwise.
inline DType dtype_from_name(const std::string& name, const std::string& option = "--dtype") {
  for (DType d : {DType::Default, DType::BFloat16, DType::Float16, DType::Float32})
    if (name == dtype_label(d)) return d;
  throw Error("option " + option + ": unknown precision '" + name + "' (expected bfloat16, float16 or float32)");
}

struct Device {
  enum class Kind { Cpu, Cuda };
  Kind kind = Kind::Cpu;
  int index = 0;
  std::string name() const { return kind == Kind::Cuda ? "cuda:" + std::to_string(index) : "cpu"; }
  bool operator==(const Device& o) const { return kind == o.kind && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
};

// "cpu" | "cuda" | "cuda:N" by its spelling only (Engine.h's device_from_name also checks the machine).
inline Device device_named(const std::string& name, const std::string& option = "--device") {
  if (name == "cpu") return {};
  if (name == "cuda") return {Device::Kind::Cuda, 0};
  if (name.rfind("cuda:", 0) == 0 && name.size() > 5 && name.size() < 9 &&
      name.find_first_not_of("0123456789", 5) == std::string::npos)
    return {Device::Kind::Cuda, std::stoi(name.substr(5))};
  throw Error("option " + option + ": unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
}

struct RolloutRequest {
  Mode mode = Mode::XWam;
  int steps_action = 10, steps_video = 50;
  Solver solver = Solver::UniPC;
  double guidance_scale = 1.0;   // 1 = classifier-free guidance off
  uint64_t seed = 0;
  std::string instruction;       // empty: the episode's own
  int start_frame = 0;           // episode frame of the observation O_0 / state s_0
  // action-conditioned: K × 14 un-normalized actions to imagine the consequence of (row-major).
  std::vector<float> given_actions;
  // A policy call: stop once the action chunk is final (no further video steps, no decoding).
  bool action_only = false;
};

// The action chunk, un-normalized, the moment it is final.
struct ActionChunk {
  std::vector<float> actions;        // K × 14
  std::vector<float> states;         // H × 16 predicted future states
  std::vector<int> action_frames;    // episode step of each action
  std::vector<int> state_frames;     // episode frame of each state
  double latency_ms = 0;             // since the run started (after encoding the conditions)
};

// The future frames of one latent frame, every view, the moment the VAE has decoded them. Appended in
// order they make the rollout's views (the same bytes as the finished rollout's).
struct DecodedFrames {
  int latent_frame = 0, latent_frames = 0;  // this is future latent frame `latent_frame` (1-based) of them
  int first = 0, count = 0;                 // rollout frames [first, first + count) of `frames`
  int frames = 0;
  std::vector<int> frame_indices;            // the episode frame of each of these `count` frames
  std::vector<geometry::RolloutView> views;  // every view: camera, size, rgb and depth of these frames only
};

struct RolloutEvents {
  std::function<void(const std::string& stage)> on_stage;  // "encode", "denoise", "decode"
  std::function<void(const ActionChunk& chunk)> on_action_ready;
  std::function<void(int step, int steps, double elapsed_ms)> on_video_step;
  std::function<void(const DecodedFrames& frames)> on_frames_decoded;
};

struct RolloutTimings {
  double encode_ms = 0, action_ms = -1, video_ms = 0, decode_ms = 0, total_ms = 0;
  int network_calls = 0;
};

struct RolloutResult {
  geometry::Rollout rollout;  // predicted frames (views empty in fastwam), states, actions
  ActionChunk chunk;
  RolloutTimings timings;
};

}  // namespace xwam::pipeline
