#!/usr/bin/env bash
# The main job of the README: installs what is needed, builds, and runs X-WAM Studio's pipeline on
# the shipped default scene in assets/. Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
scene=assets/scenes/default.h5
mkdir -p out/demo
echo "[demo] the shipped default scene"
build/bin/xwam inspect "$scene"
