#version 450
// Compute-path resolve: the point that won a pixel in points_raster.comp gives the pixel its colour and
// its depth, so lines drawn after it are depth-tested against the points as in the hardware path.
// Pixels no point reached are left alone.

// render/PointRaster.cpp mirrors it (ResolvePush).
layout(push_constant) uniform Resolve {
  uint stride;  // target width
} pc;

// The 64-bit winners as (low, high) words: high = depth bits (all ones: no point), low = colour.
layout(set = 0, binding = 0) uniform usamplerBuffer winners;

layout(location = 0) out vec4 out_color;

void main() {
  const uvec2 px = uvec2(gl_FragCoord.xy);
  const uvec2 w = texelFetch(winners, int(px.y * pc.stride + px.x)).xy;
  if (w.y == 0xffffffffu) discard;
  out_color = unpackUnorm4x8(w.x);
  gl_FragDepth = uintBitsToFloat(w.y);
}
