// A shard index may only name shards beside it: absolute paths and '..' are refused by tensor key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/io/Safetensors.h"

using namespace xwam;
namespace fs = std::filesystem;

TEST(ShardIndexConfinement, ShardNamesStayBesideTheIndex) {
  const fs::path dir = fs::temp_directory_path() / ("xwam_shards_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "run");
  io::write_safetensors((dir / "outside.safetensors").string(), {{"a", torch::ones({2})}});
  io::write_safetensors((dir / "run" / "inside.safetensors").string(), {{"a", torch::ones({2})}});
  const std::string index = (dir / "run" / "model.safetensors.index.json").string();

  for (const std::string& bad : {std::string("../outside.safetensors"), (dir / "outside.safetensors").string()}) {
    std::ofstream(index) << R"({"weight_map": {"a": ")" << bad << R"("}})";
    try {
      io::read_sharded_safetensors(index);
      FAIL() << bad << " read";
    } catch (const Error& e) {
      EXPECT_EQ(e.file(), index);
      EXPECT_EQ(e.context(), "key weight_map.a");
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  std::ofstream(index) << R"({"weight_map": {"a": "inside.safetensors"}})";
  EXPECT_EQ(io::read_sharded_safetensors(index).at("a").numel(), 2);
  fs::remove_all(dir);
}
