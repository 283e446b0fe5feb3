// Building X-WAM from Wan2.2-TI2V-5B weights the way the paper does: the DiT loads as is (our
// parameter names are Wan2.2's), the depth branch starts as copies of the last M blocks, and the new
// parts (view embeddings, state/action MLPs, the depth head) are initialized as the released code does.
#pragma once
#include <string>
#include <vector>

#include "engine/io/Safetensors.h"
#include "engine/model/XWamModel.h"

namespace xwam::model {

// True for parameters X-WAM adds to the Wan2.2 DiT (not found in Wan2.2 files).
bool is_xwam_addition(const std::string& name);

// The released code's initialization of the parts Wan2.2 lacks: view embedding, state/action MLP
// weights N(0, 0.02) with zero biases; the depth head's linear likewise, its modulation randn / √dim.
void init_new_parts(XWamModel& model);

// Loads `wan` (DiT tensors with Wan2.2 names) into `model` and seeds the depth branch. All or nothing:
// a missing, unexpected or mis-shaped tensor throws xwam::Error naming it (origin = the file).
// Returns the names of the parameters not taken from `wan` (the new parts, freshly initialized).
std::vector<std::string> init_from_wan(XWamModel& model, const io::TensorMap& wan, const std::string& origin);

}  // namespace xwam::model
