// The progress-line parser on lines captured from a real `xwam train` (steps, evaluations, checkpoints),
// and on what is not a report (text, other JSON, wrong types, hostile nesting), which must never throw.
#include "engine/jobs/TrainEvent.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/jobs/LineBuffer.h"
#include "tests/jobs/TempDir.h"

using namespace xwam;
using Kind = jobs::TrainEvent::Kind;
namespace fs = std::filesystem;

TEST(TrainEvent, ParsesTheLinesOfARealRun) {
  std::ifstream in(XWAM_SOURCE_DIR "/tests/jobs/data/xwam-train-stdout.jsonl");
  ASSERT_TRUE(in);
  std::vector<jobs::TrainEvent> events;
  for (std::string line; std::getline(in, line);) events.push_back(jobs::parse_train_line(line));
  ASSERT_EQ(events.size(), 8u);
  std::string kinds;
  for (const auto& e : events) kinds += "SECT"[static_cast<int>(e.kind)];
  EXPECT_EQ(kinds, "SSECSSCE");
  for (const auto& e : events) EXPECT_EQ(e.total_steps, 4);

  const jobs::TrainEvent& first = events[0];
  EXPECT_EQ(first.step, 1);
  EXPECT_DOUBLE_EQ(first.loss, 1.8689342737197876);
  EXPECT_DOUBLE_EQ(first.lr, 0.0001);
  EXPECT_DOUBLE_EQ(first.grad_norm, 2.851317882537842);
  EXPECT_DOUBLE_EQ(first.samples_per_s, 24.179260978780835);
  EXPECT_DOUBLE_EQ(first.eta_s, 0.12407327100000001);
  EXPECT_EQ(first.loss_parts.size(), 4u);
  EXPECT_DOUBLE_EQ(first.loss_parts.at("video"), 1.4184000492095947);
  EXPECT_DOUBLE_EQ(first.loss_parts.at("depth"), 0.45053425431251526);
  EXPECT_TRUE(first.text.empty());

  EXPECT_EQ(events[2].step, 2);
  EXPECT_DOUBLE_EQ(events[2].eval_loss, 3.037669751793146);
  EXPECT_EQ(events[3].checkpoint, "run/checkpoints/step_00000002");
  EXPECT_EQ(events[5].step, 4);
  EXPECT_DOUBLE_EQ(events[5].eta_s, 0.0);
  EXPECT_EQ(events[6].checkpoint, "run/checkpoints/step_00000004");
}

TEST(TrainEvent, WhatIsNotAReportIsText) {
  for (const std::string line : {"", "[train] warning: depth loss off", "{\"step\": ", "[1, 2]", "{\"loss\": 1}",
                                 "{\"step\": \"3\", \"loss\": 1}", "{\"step\": 1.5, \"loss\": 1}", "{\"step\": 3}",
                                 "null", "\xff\xfe"}) {
    const jobs::TrainEvent e = jobs::parse_train_line(line);
    EXPECT_EQ(e.kind, Kind::Text) << line;
    EXPECT_EQ(e.text, line);
  }
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(jobs::parse_train_line(deep).kind, Kind::Text);
}

TEST(TrainEvent, FieldsOfTheWrongTypeKeepTheirDefaults) {
  const jobs::TrainEvent e = jobs::parse_train_line(R"({"step": 7, "loss": null, "eta_s": "soon", "loss_video": [1]})");
  EXPECT_EQ(e.kind, Kind::Step);
  EXPECT_EQ(e.step, 7);
  EXPECT_EQ(e.total_steps, 0);
  EXPECT_EQ(e.loss, 0);      // a non-finite loss is printed as null
  EXPECT_EQ(e.eta_s, -1);    // unknown
  EXPECT_TRUE(e.loss_parts.empty());
}

TEST(TrainEvent, ModelCheckpointIsTheWeightsFolderWhenPresent) {
  xwam::testing::TempDir tmp;
  fs::create_directories(tmp.path / "ckpt/step_2/weights");
  fs::create_directories(tmp.path / "plain");
  EXPECT_EQ(jobs::model_checkpoint_dir(tmp / "ckpt/step_2"), tmp / "ckpt/step_2/weights");
  EXPECT_EQ(jobs::model_checkpoint_dir(tmp / "plain"), tmp / "plain");
}

TEST(LineBuffer, CompleteLinesOnlyAndTheRestAtTheEnd) {
  jobs::LineBuffer lines;
  EXPECT_TRUE(lines.append("{\"step\": 1").empty());
  EXPECT_EQ(lines.append(", \"loss\": 2}\r\nnext\npart"), (std::vector<std::string>{"{\"step\": 1, \"loss\": 2}", "next"}));
  EXPECT_EQ(lines.flush(), (std::vector<std::string>{"part"}));
  EXPECT_TRUE(lines.flush().empty());
}
