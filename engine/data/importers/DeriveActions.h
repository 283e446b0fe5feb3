// Actions of a recording that stores only poses: action t takes state t to state t + 1 (the released
// X-WAM encoding with the commanded target taken as the next recorded pose); the last frame holds.
#pragma once
#include "engine/data/Episode.h"

namespace xwam::data {

// Fills ep.actions (T·14) and ep.action_mask from ep.states and ep.state_mask.
void derive_actions(Episode& ep);

}  // namespace xwam::data
