// Must not compile: the studio runs the engine through its façade (engine/pipeline/api/Engine.h).
#include <torch/torch.h>
