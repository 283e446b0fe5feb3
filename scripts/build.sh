#!/usr/bin/env bash
# Configures and builds X-WAM Studio into build/ (one build directory for every script).
# Extra arguments go to CMake's configure step, e.g. scripts/build.sh -DXWAM_GUI=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# Reconfigure only when asked for new options, so repeated runs do no needless work.
if [ ! -f build/CMakeCache.txt ] || [ $# -gt 0 ]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
fi
jobs=${XWAM_BUILD_JOBS:-$(nproc)}
cmake --build build -j "$jobs"
echo "[build] programs in build/bin: $(ls build/bin | tr '\n' ' ')"
