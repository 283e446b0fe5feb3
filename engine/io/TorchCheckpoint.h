// PyTorch's torch.save zip format read natively (no Python): <archive>/data.pkl through the restricted
// unpickler of Pickle.h, <archive>/data/<key> storages as views of the memory-mapped file (no copy, so
// a 20 GB checkpoint needs no 20 GB of RAM), <archive>/byteorder checked. Reads DeepSpeed model
// states (mp_rank_00_model_states.pt) and plain state dicts (Wan2.2's .pth files) alike.
//
//   std::vector<std::string> warnings;
//   auto module = io::read_torch_checkpoint("mp_rank_00_model_states.pt", &warnings, "module");
//   // {"model.blocks.0.self_attn.q.weight": bf16 tensor, ...}
#pragma once
#include <string>
#include <vector>

#include "engine/io/Safetensors.h"

namespace xwam::io {

// Every tensor of the checkpoint, nested dicts (and lists) flattened with '.' ({"module": {"a.b": T}}
// gives "module.a.b"). `root` (dot-separated keys, "" for all) picks a sub-dict first; its prefix is
// not part of the names. Entries that are no tensors (ints, strings, shapes) are ignored; an
// instance of an unknown class is skipped, never executed, with a warning naming its key and class.
// Tensors keep their dtype (bf16/fp16/fp32/fp64/int/bool) and are views of the mapped file.
// Throws xwam::Error naming the file: not a zip / not torch.save, corrupt zip (offsets, CRC),
// forbidden global (os.system, builtins.eval, ...), tensor outside its storage, missing `root`.
TensorMap read_torch_checkpoint(const std::string& path, std::vector<std::string>* warnings = nullptr,
                                const std::string& root = "");

// True when `path` is a zip whose entries include <archive>/data.pkl (a torch.save file).
bool is_torch_checkpoint(const std::string& path);

}  // namespace xwam::io
