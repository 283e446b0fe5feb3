#include "engine/model/BlockCheckpoint.h"

namespace xwam::model {
namespace {

// The function travels to the backward pass inside the autograd context.
struct FnHolder : torch::CustomClassHolder {
  explicit FnHolder(TensorFn f) : fn(std::move(f)) {}
  TensorFn fn;
};

struct Recompute : torch::autograd::Function<Recompute> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, c10::intrusive_ptr<FnHolder> holder,
                                                at::TensorList inputs) {
    ctx->saved_data["fn"] = c10::IValue::make_capsule(holder);
    const std::vector<torch::Tensor> list(inputs.begin(), inputs.end());
    ctx->save_for_backward(list);
    torch::NoGradGuard no_grad;
    return holder->fn(list);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto holder = c10::static_intrusive_pointer_cast<FnHolder>(ctx->saved_data["fn"].toCapsule());
    std::vector<torch::Tensor> inputs;
    for (const auto& t : ctx->get_saved_variables()) {
      auto detached = t.defined() ? t.detach() : t;
      if (detached.defined() && t.requires_grad()) detached.set_requires_grad(true);
      inputs.push_back(detached);
    }
    std::vector<torch::Tensor> outputs, grads;
    {
      torch::AutoGradMode enable(true);
      const auto recomputed = holder->fn(inputs);
      for (size_t i = 0; i < recomputed.size(); ++i)
        if (recomputed[i].requires_grad() && grad_outputs[i].defined()) {
          outputs.push_back(recomputed[i]);
          grads.push_back(grad_outputs[i]);
        }
    }
    // Parameters accumulate their .grad here, inputs hand theirs back.
    if (!outputs.empty()) torch::autograd::backward(outputs, grads);
    // One gradient per forward argument, the tensors of the list flattened: none for the holder.
    torch::autograd::variable_list input_grads{torch::Tensor()};
    for (const auto& t : inputs) input_grads.push_back(t.defined() && t.requires_grad() ? t.grad() : torch::Tensor());
    return input_grads;
  }
};

}  // namespace

std::vector<torch::Tensor> checkpointed(const TensorFn& fn, const std::vector<torch::Tensor>& inputs) {
  if (!torch::GradMode::is_enabled()) return fn(inputs);
  return Recompute::apply(c10::make_intrusive<FnHolder>(fn), at::TensorList(inputs));
}

}  // namespace xwam::model
