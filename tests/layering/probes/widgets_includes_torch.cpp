// Must not compile: widgets never see LibTorch.
#include <torch/torch.h>
