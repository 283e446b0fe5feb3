#!/usr/bin/env bash
# The main job of the README: installs what is needed, builds, and runs X-WAM Studio's pipeline on
# the shipped default scene in assets/. Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
scene=assets/scenes/default.h5
out=out/demo
mkdir -p "$out"

echo "[demo] 1/2 the shipped default scene"
build/bin/xwam inspect "$scene"

echo "[demo] 2/2 fuse episode 0's recorded RGB-D views into a 4D point cloud"
build/bin/xwam fuse --scene "$scene:0" --out "$out/recorded_cloud"
echo "[demo] outputs in $out/"
