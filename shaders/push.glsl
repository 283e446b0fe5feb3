// The push-constant block of the graphics pipelines (points, lines); render/PushConstants.h mirrors it.

layout(push_constant) uniform Push {
  mat4 view_proj;  // world → clip (Vulkan: y down, depth 0..1)
  vec4 depth_row;  // third row of world → camera: camera z-depth = dot(depth_row, vec4(p, 1))
  vec4 size;       // x: point size px, y: point size m (> 0 wins), z: focal length px, w: colour mode
  vec4 range;      // x, y: colormap range (depth or height, m), z: error at the top of the scale (m)
  vec4 tint;       // rgb: tint colour, a: how much of it replaces the point's colour
} pc;
