#include "engine/pipeline/api/Engine.h"

#include "engine/core/Error.h"
#include "engine/model/MemoryPlan.h"
#include "engine/pipeline/ComputeDevice.h"
#include "engine/pipeline/Rollout.h"

namespace xwam::pipeline {
namespace {
torch::Device torch_device(const Device& d) {
  return d.kind == Device::Kind::Cuda ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index))
                                      : torch::Device(torch::kCPU);
}

Device from_torch(const torch::Device& d) {
  return d.is_cuda() ? Device{Device::Kind::Cuda, d.has_index() ? d.index() : 0} : Device{};
}

DType from_scalar(torch::ScalarType t) {
  return t == torch::kBFloat16 ? DType::BFloat16 : t == torch::kFloat16 ? DType::Float16 : DType::Float32;
}
}  // namespace

Device device_from_name(const std::string& name, const std::string& option) {
  return from_torch(parse_device(name, option));
}

std::vector<Device> usable_devices() {
  std::vector<Device> out;
  for (const auto& name : available_devices()) out.push_back(from_torch(torch::Device(name)));
  return out;
}

struct Engine::Impl {
  EngineOptions options;
  Predictor predictor;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

Engine Engine::load(const EngineOptions& options) try {
  const torch::Device device = torch_device(options.device);
  // parse_dtype checks the pair (no float16 on the CPU) and resolves Default.
  const torch::ScalarType dtype = parse_dtype(dtype_label(options.dtype), device, "precision");
  Predictor predictor = Predictor::load(options.checkpoint, device, options.wan_dir, dtype);
  return Engine(std::unique_ptr<Impl>(new Impl{options, std::move(predictor)}));
} catch (const c10::Error& e) {
  throw Error(options.checkpoint, std::string("cannot load: ") + e.what_without_backtrace());
}

void Engine::check(const data::Episode& episode, const RolloutRequest& request) const {
  impl_->predictor.check(episode, request);
}

RolloutResult Engine::run(const data::Episode& episode, const RolloutRequest& request, const RolloutEvents& events,
                          const CancelToken* cancel) {
  return impl_->predictor.run(episode, request, events, cancel);
}

const EngineOptions& Engine::options() const { return impl_->options; }
const std::string& Engine::origin() const { return impl_->predictor.origin(); }
DType Engine::dtype() const { return from_scalar(impl_->predictor.dtype()); }

ModelInputs Engine::inputs() const {
  const auto& p = impl_->predictor;
  ModelInputs in;
  in.views = p.config().views;
  in.width = p.config().image_width();
  in.height = p.config().image_height();
  in.cameras = p.meta().cameras;
  in.num_actions = p.config().num_actions;
  in.future_frames = p.config().video_frames() - 1;
  in.stats = p.meta().stats;
  return in;
}

RolloutProvenance Engine::provenance(const data::Episode& episode, const RolloutRequest& request) const {
  RolloutProvenance p;
  p.checkpoint = origin();
  p.episode_name = episode.name;
  p.instruction = request.instruction.empty() ? episode.instruction : request.instruction;
  p.device = impl_->predictor.device().str();
  p.dtype = model::dtype_name(impl_->predictor.dtype());
  p.threads = compute_threads();
  return p;
}

}  // namespace xwam::pipeline
