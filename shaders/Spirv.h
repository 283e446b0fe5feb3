// SPIR-V of the renderer's shaders, compiled from shaders/*.{vert,frag,comp} by glslc and embedded at build time.
//
//   xwam::shaders::Spirv vs = xwam::shaders::spirv("points.vert");   // {nullptr, 0} when unknown
#pragma once
#include <cstddef>
#include <cstdint>

namespace xwam::shaders {

struct Spirv {
  const uint32_t* words;
  size_t size_bytes;
};

// The module compiled from `name` (a file name in shaders/, e.g. "lines.frag").
Spirv spirv(const char* name);

}  // namespace xwam::shaders
