#version 450
// Lines (grid, trajectory, camera frustums): per-vertex position and colour, per-instance model matrix.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "push.glsl"

layout(location = 0) in vec3 in_position;
layout(location = 1) in vec4 in_color;
layout(location = 2) in mat4 in_model;  // locations 2..5, one per instance
layout(location = 6) in vec4 in_instance_color;

layout(location = 0) out vec4 out_color;

void main() {
  gl_Position = pc.view_proj * (in_model * vec4(in_position, 1.0));
  out_color = in_color * in_instance_color;
}
