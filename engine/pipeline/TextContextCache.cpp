#include "engine/pipeline/TextContextCache.h"

#include <cstdio>
#include <filesystem>

#include "engine/core/AtomicFile.h"
#include "engine/core/OutputDir.h"
#include "engine/io/Safetensors.h"

namespace xwam::pipeline {
namespace fs = std::filesystem;
namespace {

uint64_t fnv1a64(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The weights file a checkpoint origin stands for: ours keep model.safetensors in their directory.
fs::path weights_file(const fs::path& origin) {
  if (fs::is_directory(origin) && fs::exists(origin / "model.safetensors")) return origin / "model.safetensors";
  return origin;
}

}  // namespace

TextContextCache::TextContextCache(const std::string& checkpoint_origin, const model::XWamConfig& c)
    : shape_{1, c.dit.text_len, c.text.dim} {
  const fs::path origin(checkpoint_origin);
  folder_ = ((fs::is_directory(origin) ? origin : origin.parent_path()) / "text-contexts").string();
  std::error_code ec;
  const fs::path weights = weights_file(origin);
  const auto size = fs::file_size(weights, ec);
  const auto time = fs::last_write_time(weights, ec).time_since_epoch().count();
  identity_ = c.text.kind + "|" + std::to_string(c.dit.text_len) + "|" + std::to_string(c.text.dim) + "|" +
              (c.text.keeps_padding_rows() ? "keep" : "zero") + "|" + c.text.tokenizer + "|" + weights.string() + "|" +
              std::to_string(ec ? 0 : size) + "|" + std::to_string(time);
}

std::string TextContextCache::path_for(const std::string& instruction) const {
  char key[17];
  std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(fnv1a64(identity_ + '\0' + instruction)));
  return (fs::path(folder_) / (std::string(key) + ".safetensors")).string();
}

std::optional<torch::Tensor> TextContextCache::load(const std::string& instruction) const {
  const std::string path = path_for(instruction);
  if (!fs::exists(path)) return std::nullopt;
  try {
    const io::TensorMap tensors = io::read_safetensors(path);
    auto it = tensors.find("context");
    if (it == tensors.end() || it->second.sizes() != at::IntArrayRef(shape_)) return std::nullopt;
    return it->second.to(torch::kFloat32).clone();  // off the mapping, which closes with `tensors`
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged entry is encoded anew and replaced
  }
}

void TextContextCache::store(const std::string& instruction, const torch::Tensor& context) const {
  try {
    if (!fs::exists(folder_)) {
      fs::create_directories(folder_);
      add_output_entry(fs::path(folder_).parent_path().string(), fs::path(folder_).filename().string());
    }
    AtomicFile out(path_for(instruction));
    io::write_safetensors(out.temp_path(), {{"context", context.detach().to(torch::kCPU).contiguous()}},
                          {{"instruction", instruction}});
    out.commit();
  } catch (const std::exception&) {
    // Read-only checkpoint folder or full disk: the context stays in memory for this session.
  }
}

}  // namespace xwam::pipeline
