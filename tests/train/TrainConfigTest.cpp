// Training configs: every field in its range (zero or negative counts, NaN rates), wrong types and
// FIFOs refused with an xwam::Error naming the file and the key.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/train/TrainConfig.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {
std::string error_of(const std::string& text) {
  try {
    train::TrainConfig::from_json_text(text, "train.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST(TrainConfig, FieldsOutOfRangeAreRefusedByKey) {
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"batch_size": 0})", "key batch_size"},
           {R"({"grad_accumulation": 0})", "key grad_accumulation"},
           {R"({"steps": -5})", "key steps"},
           {R"({"lr": 0})", "key lr"},
           {R"({"log_every": -1})", "key log_every"},
           {R"({"beta2": 1.5})", "key beta2"},
           {R"({"batch_size": 100000000})", "key batch_size"},
           {R"({"train": {"ema_decay": 2}})", "key ema_decay"},
           {R"({"eps": "tiny"})", "key eps"},
       }) {
    const std::string e = error_of(text);
    EXPECT_NE(e.find("train.json: " + key), std::string::npos) << text << ": " << e;
  }
  EXPECT_EQ(error_of(R"({"steps": 10, "batch_size": 2})"), "(no error)");
}

TEST(TrainConfig, FifoIsRefusedWithoutBlocking) {
  const auto fifo = fs::temp_directory_path() / ("xwam_train_fifo_" + std::to_string(::getpid()));
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    train::TrainConfig::from_json_file(fifo.string());
    ADD_FAILURE() << "a FIFO was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fifo.string() + ": training config expected, but this is a FIFO"),
              std::string::npos)
        << e.what();
  }
  fs::remove(fifo);
}
