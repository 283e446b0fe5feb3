#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is needed, builds, runs every test, then
# fuzzes every reader for XWAM_FUZZ_SECONDS each (default 60; 0 skips it; docs/fuzzing.md).
# Headless: GUI tests use Qt's offscreen platform or Xvfb, render tests Vulkan on lavapipe.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
status=0
ctest --test-dir build --output-on-failure -j "$(nproc)" -LE display "$@" || status=$?
# Tests labelled display draw into a real window: under Xvfb, on lavapipe (software Vulkan presents to any
# X server); XWAM_REQUIRE_DISPLAY=1 makes them fail rather than skip when no window can be drawn.
lavapipe=$(ls /usr/share/vulkan/icd.d/lvp_icd.*.json 2>/dev/null | head -n 1 || true)
xvfb-run -a env QT_QPA_PLATFORM=xcb XWAM_REQUIRE_DISPLAY=1 ${lavapipe:+VK_ICD_FILENAMES="$lavapipe"} \
  ctest --test-dir build --output-on-failure -L display "$@" || status=$?
# Then every file reader is fuzzed (docs/fuzzing.md).
fuzz_seconds=${XWAM_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then
  XWAM_FUZZ_JOBS=${XWAM_FUZZ_JOBS:-$(nproc)} bash scripts/fuzz.sh "$fuzz_seconds" || status=$?
fi
exit "$status"
