// Must not compile: the renderer sees engine/core only (conversions live in app/bridge).
#include "engine/geometry/Rollout.h"
