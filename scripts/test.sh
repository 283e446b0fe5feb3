#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is needed, builds, runs every test, then
# fuzzes every reader for XWAM_FUZZ_SECONDS each (default 60; 0 skips it; docs/fuzzing.md).
# Headless: GUI tests use Qt's offscreen platform or Xvfb, render tests Vulkan on lavapipe.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
fuzz_seconds=${XWAM_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then
  XWAM_FUZZ_JOBS=${XWAM_FUZZ_JOBS:-$(nproc)} bash scripts/fuzz.sh "$fuzz_seconds"
fi
