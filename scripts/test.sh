#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is needed, builds, runs every test.
# Headless: GUI tests use Qt's offscreen platform or Xvfb, render tests Vulkan on lavapipe.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
