#include "engine/model/ModelConfig.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/Error.h"

namespace xwam::model {

int XWamConfig::video_tokens() const {
  return views * (latent_frames / dit.patch[0]) * (latent_height / dit.patch[1]) * (latent_width / dit.patch[2]);
}

int XWamConfig::condition_tokens() const {
  return views * (latent_height / dit.patch[1]) * (latent_width / dit.patch[2]);
}

XWamConfig XWamConfig::preset(const std::string& name) {
  XWamConfig c;
  c.name = name;
  if (name == "wan2.2-ti2v-5b") return c;  // the defaults are Wan2.2-TI2V-5B (wan22.md) + X-WAM (method.md)
  if (name == "demo") {
    c.dit.dim = 256;
    c.dit.ffn_dim = 1024;
    c.dit.num_heads = 4;
    c.dit.num_layers = 6;
    c.dit.in_dim = c.dit.out_dim = 16;
    c.dit.text_dim = 256;
    c.dit.text_len = 32;
    c.depth_layers = 2;
    c.latent_height = 6;
    c.latent_width = 8;
    return c;
  }
  if (name == "tiny") {
    c.dit.dim = 48;
    c.dit.ffn_dim = 96;
    c.dit.freq_dim = 32;
    c.dit.num_heads = 2;
    c.dit.num_layers = 3;
    c.dit.in_dim = c.dit.out_dim = 4;
    c.dit.text_dim = 16;
    c.dit.text_len = 8;
    c.depth_layers = 1;
    c.views = 2;
    c.latent_frames = 3;
    c.latent_height = 4;
    c.latent_width = 4;
    c.num_actions = 8;
    c.actions_per_frame = 1;
    c.num_states = 3;
    return c;
  }
  throw Error("unknown model config '" + name + "' (presets: tiny, demo, wan2.2-ti2v-5b, or a .json file)");
}

void XWamConfig::validate() const {
  auto require = [&](bool ok, const std::string& what) {
    if (!ok) throw Error("model config " + name, what);
  };
  require(dit.dim % dit.num_heads == 0, "dim must be a multiple of num_heads");
  require(dit.head_dim() % 2 == 0 && dit.head_dim() >= 8, "head_dim must be even and at least 8");
  require(depth_layers >= 0 && depth_layers <= dit.num_layers, "depth_layers must lie in [0, num_layers]");
  require(latent_frames % dit.patch[0] == 0 && latent_height % dit.patch[1] == 0 && latent_width % dit.patch[2] == 0,
          "latent grid must be divisible by the patch size");
  require(views >= 1 && num_actions >= 1 && num_states >= 1, "views, num_actions and num_states must be positive");
}

std::string XWamConfig::to_json() const {
  nlohmann::json j = {
      {"name", name},
      {"dit", {{"dim", dit.dim}, {"ffn_dim", dit.ffn_dim}, {"freq_dim", dit.freq_dim}, {"num_heads", dit.num_heads},
               {"num_layers", dit.num_layers}, {"in_dim", dit.in_dim}, {"out_dim", dit.out_dim}, {"patch", dit.patch},
               {"text_dim", dit.text_dim}, {"text_len", dit.text_len}, {"eps", dit.eps}}},
      {"depth_layers", depth_layers}, {"views", views}, {"latent_frames", latent_frames},
      {"latent_height", latent_height}, {"latent_width", latent_width}, {"temporal_compression", temporal_compression},
      {"num_actions", num_actions}, {"actions_per_frame", actions_per_frame}, {"num_states", num_states},
      {"state_dim", state_dim}, {"action_dim", action_dim}};
  return j.dump(2);
}

XWamConfig XWamConfig::from_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path, "cannot open model config");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(path, std::string("not valid JSON: ") + e.what());
  }
  XWamConfig c = preset(j.value("base", std::string("wan2.2-ti2v-5b")));
  auto take = [&](const nlohmann::json& src, const char* key, auto& out) {
    if (!src.contains(key)) return;
    try {
      out = src.at(key).get<std::decay_t<decltype(out)>>();
    } catch (const std::exception&) {
      throw Error(path, std::string("key ") + key, "has the wrong type");
    }
  };
  take(j, "name", c.name);
  if (j.contains("dit")) {
    const auto& d = j.at("dit");
    take(d, "dim", c.dit.dim);
    take(d, "ffn_dim", c.dit.ffn_dim);
    take(d, "freq_dim", c.dit.freq_dim);
    take(d, "num_heads", c.dit.num_heads);
    take(d, "num_layers", c.dit.num_layers);
    take(d, "in_dim", c.dit.in_dim);
    take(d, "out_dim", c.dit.out_dim);
    take(d, "patch", c.dit.patch);
    take(d, "text_dim", c.dit.text_dim);
    take(d, "text_len", c.dit.text_len);
    take(d, "eps", c.dit.eps);
  }
  take(j, "depth_layers", c.depth_layers);
  take(j, "views", c.views);
  take(j, "latent_frames", c.latent_frames);
  take(j, "latent_height", c.latent_height);
  take(j, "latent_width", c.latent_width);
  take(j, "temporal_compression", c.temporal_compression);
  take(j, "num_actions", c.num_actions);
  take(j, "actions_per_frame", c.actions_per_frame);
  take(j, "num_states", c.num_states);
  take(j, "state_dim", c.state_dim);
  take(j, "action_dim", c.action_dim);
  c.validate();
  return c;
}

}  // namespace xwam::model
