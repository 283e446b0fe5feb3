// xwam_released_run_fixture DIR: writes the released-layout run of tests/model/ReleasedRun.h for the
// tests that drive whole programs (the `xwam` CLI, xwam-studio):
//   DIR/run/                              config.yaml + checkpoints/100.ckpt (umT5 text encoder)
//   DIR/wan/google/umt5-xxl/spiece.model  its tokenizer, in a Wan2.2 folder (as --wan-dir finds it)
// The tokenizer is a small SentencePiece model trained by xwam_spm_reference (libsentencepiece cannot
// share a process with LibTorch). Exit code 0 when everything was written.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/model/ReleasedRun.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: xwam_released_run_fixture DIR\n";
    return 2;
  }
  const fs::path dir = fs::absolute(argv[1]);
  const fs::path spm_dir = dir / "spm", wan_tokenizer = dir / "wan" / "google" / "umt5-xxl" / "spiece.model";
  fs::create_directories(spm_dir);
  fs::create_directories(wan_tokenizer.parent_path());
  // Its training log goes to a file, shown only when it fails.
  const std::string train_spm = std::string(XWAM_SPM_REFERENCE) + " " + spm_dir.string() + " > " +
                                (spm_dir / "log.txt").string() + " 2>&1";
  if (std::system(train_spm.c_str()) != 0) {
    std::cerr << "failed: " << train_spm << "\n" << std::ifstream(spm_dir / "log.txt").rdbuf();
    return 1;
  }
  fs::copy_file(spm_dir / "plain.model", wan_tokenizer, fs::copy_options::overwrite_existing);
  fs::remove_all(spm_dir);
  try {
    const xwam::model::XWamConfig c = xwam::test::released_umt5_config(wan_tokenizer.string());
    torch::manual_seed(7);
    xwam::test::write_released_run(dir / "run", c, xwam::model::make_networks(c));
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
