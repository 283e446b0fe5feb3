#!/usr/bin/env bash
# Configures and builds X-WAM Studio with CUDA (-DXWAM_CUDA=ON) into build-cuda/, against LibTorch 2.x
# from PyTorch's CUDA wheel (pip-installed into build-cuda/venv, not system-wide) and the machine's
# CUDA toolkit (nvcc). Extra arguments go to CMake's configure step, e.g.
#   scripts/build-cuda.sh -DXWAM_GUI=OFF -DXWAM_ENGINE_PARTS="core;io;model;sampling"
# Environment: XWAM_TORCH_PYTHON  a python whose torch to build against instead of the venv
#              XWAM_TORCH_SPEC    what pip installs into the venv (default torch==2.11.0, a CUDA 13.0 wheel)
#              XWAM_BUILD_DIR     build directory (default build-cuda)
#              XWAM_BUILD_JOBS    parallel compile jobs (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${XWAM_BUILD_DIR:-build-cuda}
python=${XWAM_TORCH_PYTHON:-}

# The CUDA compiler: the one on PATH, else the usual toolkit prefix.
nvcc=${CUDACXX:-$(command -v nvcc || true)}
[ -n "$nvcc" ] || nvcc=$(ls -d /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc 2>/dev/null | head -1 || true)
if [ -z "$nvcc" ] || [ ! -x "$nvcc" ]; then
  echo "[build-cuda] no nvcc found: put the CUDA toolkit's bin/ on PATH or set CUDACXX" >&2
  exit 1
fi
nvcc_cuda=$("$nvcc" --version | sed -n 's/.*release \([0-9][0-9.]*\).*/\1/p')

if [ -z "$python" ]; then
  python=$build_dir/venv/bin/python
  [ -x "$python" ] || python3 -m venv "$build_dir/venv"
  "$python" -m pip install -q --no-compile "${XWAM_TORCH_SPEC:-torch==2.11.0}"
fi
read -r torch_version torch_cuda torch_prefix < <("$python" -W ignore -c \
  'import torch; print(torch.__version__, torch.version.cuda, torch.utils.cmake_prefix_path)' 2>/dev/null) || true
if [ -z "${torch_prefix:-}" ]; then
  echo "[build-cuda] $python cannot import torch" >&2
  exit 1
fi
echo "[build-cuda] torch $torch_version (CUDA $torch_cuda) from $python; nvcc $nvcc_cuda at $nvcc"
# The wheel's CUDA libraries (libcudart.so.N, ...) and the toolkit must share a major version to link.
if [ "${torch_cuda%%.*}" != "${nvcc_cuda%%.*}" ]; then
  echo "[build-cuda] torch was built for CUDA $torch_cuda but nvcc is $nvcc_cuda: pick a wheel for CUDA" \
       "${nvcc_cuda%%.*} (XWAM_TORCH_SPEC) or another toolkit (CUDACXX)" >&2
  exit 1
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# Reconfigure only when asked for new options, so repeated runs do no needless work.
if [ ! -f "$build_dir/CMakeCache.txt" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DXWAM_CUDA=ON \
    -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_PREFIX_PATH="$torch_prefix" "$@"
fi
cmake --build "$build_dir" -j "${XWAM_BUILD_JOBS:-$(nproc)}"
echo "[build-cuda] programs in $build_dir/bin: $(ls "$build_dir/bin" | tr '\n' ' ')"
