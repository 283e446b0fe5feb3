// Must not compile: widgets see the engine's torch-free parts only.
#include "engine/pipeline/Rollout.h"
