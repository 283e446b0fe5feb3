#!/usr/bin/env bash
# The main job of the README: installs what is needed, builds, and runs X-WAM Studio's pipeline on
# the shipped default scene with the shipped demo checkpoint (assets/). Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
scene=assets/scenes/default.h5
checkpoint=assets/checkpoints/demo
out=out/demo
mkdir -p "$out"

echo "[demo] 1/5 the shipped default scene"
build/bin/xwam inspect "$scene"

echo "[demo] 2/5 action-first rollout (10 action steps, 50 video steps) from frame 8 of episode 0"
build/bin/xwam rollout --checkpoint "$checkpoint" --scene "$scene:0" --start-frame 8 \
  --out "$out/rollout" --video "$out/predicted_vs_recorded.mp4"

echo "[demo] 3/5 metrics against the recording (and the repeat-last-frame baseline)"
build/bin/xwam eval --rollout "$out/rollout" --scene "$scene:0"

echo "[demo] 4/5 fuse predicted and recorded depth into 4D point clouds"
build/bin/xwam fuse --scene "$scene:0" --source "$out/rollout" --out "$out/predicted_cloud"
build/bin/xwam fuse --scene "$scene:0" --out "$out/recorded_cloud"

echo "[demo] 5/5 render the predicted cloud next to the recorded one (Vulkan; lavapipe without a GPU)"
if build/bin/xwam render --cloud "$out/predicted_cloud" "$out/recorded_cloud" --frame 0 \
     --side-by-side --png "$out/clouds.png"; then
  echo "[demo] wrote $out/clouds.png"
else
  echo "[demo] rendering skipped (no Vulkan device)"
fi
echo "[demo] outputs in $out/"
