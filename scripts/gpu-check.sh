#!/usr/bin/env bash
# The GPU machine's check in one run from the repository root (a few minutes on 16 cores): builds the
# engine with CUDA (no GUI; parts core, io, model, sampling) into build-gpu/ against that machine's
# PyTorch, runs the unit tests (the CUDA ones included) and the latency benchmark on the GPU.
#   scripts/gpu-check.sh --prepare   where apt works: the Debian packages the build needs and the GPU
#                                    machine lacks, unpacked into .gpudeps/ (carry that folder there)
#   scripts/gpu-check.sh             on the GPU machine
# Writes logs, test results and benchmark JSON to $OUT when set (the device tool's), else build-gpu/out/;
# docs/gpu.md describes them. Environment: XWAM_TORCH_PYTHON, the python whose torch to build against
# (default python3).
set -uo pipefail
cd "$(dirname "$0")/.."

deps=$PWD/.gpudeps/root

if [ "${1:-}" = "--prepare" ]; then
  set -e
  # Header-only JSON, yaml-cpp (the released checkpoints' config.yaml), GoogleTest, zlib (torch.save
  # archives) and sentencepiece (the tokenizer tests' reference), with their runtime libraries.
  packages=(nlohmann-json3-dev libyaml-cpp-dev libyaml-cpp0.7 libgtest-dev zlib1g-dev
            libsentencepiece-dev libsentencepiece0)
  rm -rf .gpudeps
  mkdir -p .gpudeps/debs
  (cd .gpudeps/debs && apt-get download "${packages[@]}")
  for deb in .gpudeps/debs/*.deb; do dpkg -x "$deb" "$deps"; done
  # zlib's libz.so points at /lib/... outside the folder: drop it so the build links the static libz.a.
  rm -rf .gpudeps/debs "$deps/usr/share/doc" "$deps/usr/share/man" "$deps/usr/lib/x86_64-linux-gnu/libz.so"
  echo "[gpu-check] $(du -sh .gpudeps | cut -f1) in .gpudeps/ from: ${packages[*]}"
  exit 0
fi

mkdir -p "${OUT:-build-gpu/out}"
out=$(cd "${OUT:-build-gpu/out}" && pwd)
python=${XWAM_TORCH_PYTHON:-python3}
failed=()
step() { echo "[gpu-check] $*" | tee -a "$out/summary.txt"; }

if [ ! -d "$deps" ]; then
  echo "[gpu-check] no .gpudeps/: run 'scripts/gpu-check.sh --prepare' where apt works and bring the folder" >&2
  exit 1
fi

# What ran where, for the record.
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || echo "no nvidia-smi"
  "$python" -W ignore -c 'import sys, torch; print("python", sys.version.split()[0], sys.executable, "| torch", torch.__version__, "cuda", torch.version.cuda, "| GPU", torch.cuda.is_available())' 2>&1
  command -v nvcc >/dev/null && nvcc --version | tail -1
  cmake --version | head -1
  "${CXX:-c++}" --version | head -1
} > "$out/machine.txt"
cat "$out/machine.txt"

# Configure and build. The unpacked packages come first on CMake's search path (the environment
# variable adds to the torch prefix build-cuda.sh passes); CMAKE_POLICY_VERSION_MINIMUM lets a CMake 4
# read the older Debian package configurations.
SECONDS=0
export CMAKE_PREFIX_PATH=$deps/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}
XWAM_TORCH_PYTHON=$python XWAM_BUILD_DIR=build-gpu bash scripts/build-cuda.sh \
  -DXWAM_GUI=OFF -DXWAM_ENGINE_PARTS="core;io;model;sampling" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
  >"$out/build.log" 2>&1
build_rc=$?
step "build: exit $build_rc after ${SECONDS}s (log: build.log)"
if [ $build_rc -ne 0 ]; then
  tail -60 "$out/build.log"
  exit 1
fi

# PyTorch's wheels export copies of libstdc++'s std::filesystem functions (pytorch/pytorch#133437);
# where the linker lists libtorch before libstdc++ (seen with Ubuntu's g++ 13), our calls bind to those
# copies and crash. Loading libstdc++ first binds them to libstdc++'s own, for the tests and benchmarks.
export LD_PRELOAD="$("${CXX:-c++}" -print-file-name=libstdc++.so.6)${LD_PRELOAD:+:$LD_PRELOAD}"

# Unit tests of everything built; the CUDA tests skip themselves without a GPU, so list them apart.
SECONDS=0
ctest --test-dir build-gpu -L unit -j "$(nproc)" --timeout 300 --output-on-failure \
  --output-junit "$out/tests.xml" >"$out/tests.log" 2>&1 || failed+=(tests)
step "tests: $(grep -E 'tests passed|tests failed' "$out/tests.log" | tail -1) after ${SECONDS}s (log: tests.log)"
ctest --test-dir build-gpu -R Cuda -V >"$out/cuda-tests.log" 2>&1 || failed+=(cuda-tests)
step "CUDA tests: $(grep -E 'tests passed|tests failed' "$out/cuda-tests.log" | tail -1), $(grep -c '\*\*\*Skipped' "$out/cuda-tests.log") of them skipped (log: cuda-tests.log)"

# Latency to the action chunk and the video per sampling mode: the 5B model in bfloat16, the small
# presets in float32. Each prints its JSON here and keeps it in NAME.json.
if "$python" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  bench() {
    local name=$1 limit_s=$2
    shift 2
    SECONDS=0
    if timeout "$limit_s" build-gpu/bin/xwam bench latency --device cuda --json "$@" >"$out/$name.json" 2>"$out/$name.log"; then
      step "bench $name: ${SECONDS}s"
      cat "$out/$name.json"
    else
      failed+=("$name")
      step "bench $name: FAILED (exit $?, ${SECONDS}s; log: $name.log)"
      tail -5 "$out/$name.log"
    fi
  }
  bench latency-5b-bf16 240 --config wan2.2-ti2v-5b --dtype bfloat16 --repeats 2
  bench latency-demo-f32 90 --config demo --dtype float32
  bench latency-tiny-f32 60 --config tiny --dtype float32
else
  failed+=(no-gpu)
  step "no CUDA device: benchmarks skipped"
fi

step "done; failed: ${failed[*]:-nothing}"
[ ${#failed[@]} -eq 0 ]
