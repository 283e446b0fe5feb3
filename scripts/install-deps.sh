#!/usr/bin/env bash
# Installs every Debian 12 package X-WAM Studio needs to build, test and run.
# Idempotent and non-interactive; needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ccache
  libtorch-dev libopenblas0-pthread libgloo-dev
  libeigen3-dev libopen3d-dev
  libhdf5-dev hdf5-tools
  nlohmann-json3-dev libyaml-cpp-dev libsentencepiece-dev zlib1g-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libzmq3-dev cppzmq-dev
  libgtest-dev
  clang libclang-rt-14-dev
  qt6-base-dev libvulkan-dev mesa-vulkan-drivers glslc libimgui-dev
  xvfb xauth
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-deps] all ${#packages[@]} packages present"
  exit 0
fi

echo "[install-deps] installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
