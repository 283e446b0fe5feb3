// Must compile: what the studio may include (the control for the probes that must not).
#include "app/bridge/CloudConversion.h"
#include "app/session/Session.h"
#include "engine/pipeline/api/Engine.h"
#include "render/SceneData.h"
#include "widgets/TimeModel.h"
