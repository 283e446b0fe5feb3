// The protocol pieces against fixtures written by tests/serve/serve_golden.py from Python's pickle,
// numpy 1 and 2, and the released policy_server.py: requests at protocols 2–5 decode to their values,
// results encode to Python's exact bytes, seeds and preprocessing match, bad requests are refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/core/Error.h"
#include "engine/io/Pickle.h"
#include "engine/io/PickleWriter.h"
#include "engine/serve/Md5.h"
#include "engine/serve/PolicyRequest.h"
#include "engine/serve/PolicyResult.h"
#include "engine/serve/PolicySeed.h"
#include "engine/serve/PolicyService.h"
#include "engine/serve/ViewPreprocess.h"

using namespace xwam;

namespace {

const std::string kFixtures = std::string(XWAM_SOURCE_DIR) + "/tests/serve/fixtures/";

std::string read(const std::string& name) {
  std::ifstream in(kFixtures + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const nlohmann::json& golden() {
  static const nlohmann::json g = nlohmann::json::parse(read("serve_golden.json"));
  return g;
}

std::string refusal(const std::string& bytes, const serve::RequestLimits& limits = {}) {
  try {
    serve::decode_request(bytes, limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ServeProtocol, Md5OfKnownMessages) {
  auto hex = [](const std::string& m) {
    std::string s;
    for (uint8_t b : serve::md5(m)) s += "0123456789abcdef"[b >> 4], s += "0123456789abcdef"[b & 15];
    return s;
  };
  EXPECT_EQ(hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(hex(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");  // a padding block of its own
}

TEST(ServeProtocol, SeedsMatchTheReleasedServer) {
  ASSERT_GE(golden()["seeds"].size(), 4u);
  for (const auto& s : golden()["seeds"])
    EXPECT_EQ(serve::policy_seed(s["env_rank"], s["rollout_id"], s["step_id"]), s["seed"].get<uint32_t>()) << s.dump();
}

TEST(ServeProtocol, RequestsOfEveryProtocolAndNumpyDecode) {
  const auto& g = golden()["request"];
  const auto shape = g["shape"].get<std::vector<int>>();
  const auto pixels = g["pixels"].get<std::vector<int>>();
  const auto proprios = g["proprios"].get<std::vector<double>>();
  for (const std::string name : {"request_p2.pkl", "request_p3.pkl", "request_p4.pkl", "request_p5.pkl",
                                 "request_np2_p2.pkl", "request_np2_p5.pkl", "request_u8_p4.pkl"}) {
    SCOPED_TRACE(name);
    const serve::PolicyRequest r = serve::decode_request(read(name));
    EXPECT_EQ(r.env_rank, 1);
    EXPECT_EQ(r.rollout_id, 2);
    EXPECT_EQ(r.step_id, 3);
    EXPECT_EQ(r.seed(), serve::policy_seed(1, 2, 3));
    EXPECT_EQ(r.prompt, g["prompt"].get<std::string>());
    EXPECT_EQ(r.cfg, 0.0);
    ASSERT_EQ((std::vector<int>{r.views, r.height, r.width, 3}), shape);
    ASSERT_EQ(r.video.size(), pixels.size());
    const bool bytes = name.find("u8") != std::string::npos;
    for (size_t i = 0; i < pixels.size(); ++i) {
      // the clients compute float32(pixel) / 127.5 − 1 in float32; uint8 is mapped the same way here
      const float expected = bytes ? static_cast<float>(pixels[i] / 127.5 - 1.0) : static_cast<float>(pixels[i]) / 127.5f - 1.f;
      ASSERT_FLOAT_EQ(r.video[i], expected) << i;
    }
    for (int d = 0; d < 16; ++d) EXPECT_DOUBLE_EQ(r.proprios[d], proprios[d]);
  }
}

TEST(ServeProtocol, ResultsArePythonsOwnBytes) {
  const auto& g = golden()["result"];
  const auto proprios_shape = g["proprios_shape"].get<std::vector<int64_t>>(), actions_shape = g["actions_shape"].get<std::vector<int64_t>>();
  const auto proprios = g["proprios"].get<std::vector<double>>(), actions = g["actions"].get<std::vector<double>>();
  EXPECT_EQ(io::pickle::pickle_dict({{"proprios", io::pickle::PickleArray::f8(proprios_shape, proprios)},
                                     {"actions", io::pickle::PickleArray::f8(actions_shape, actions)}}),
            read("result_p2.pkl"));
  serve::PolicyResult r;
  r.frames = static_cast<int>(proprios_shape[0]);
  r.proprios = proprios;
  r.actions = static_cast<int>(actions_shape[0]);
  r.action_dim = static_cast<int>(actions_shape[1]);
  r.chunk = actions;
  EXPECT_EQ(serve::encode_result(r), read("result_p2.pkl"));
  EXPECT_EQ(serve::encode_error(golden()["error"].get<std::string>()), read("error_p2.pkl"));
}

TEST(ServeProtocol, RequestsWrittenHereArePythonsOwnBytes) {
  // The writer also makes requests (the benchmark's client): the golden request, byte for byte.
  const auto& g = golden()["request"];
  const auto shape = g["shape"].get<std::vector<int64_t>>();
  const auto pixels = g["pixels"].get<std::vector<int>>();
  std::vector<float> video(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) video[i] = static_cast<float>(pixels[i]) / 127.5f - 1.f;
  const std::string bytes = io::pickle::pickle_dict({{"env_rank", int64_t{1}},
                                                     {"rollout_id", int64_t{2}},
                                                     {"step_id", int64_t{3}},
                                                     {"video", io::pickle::PickleArray::f4(shape, video)},
                                                     {"proprios", io::pickle::PickleArray::f8({16}, g["proprios"].get<std::vector<double>>())},
                                                     {"prompt", io::pickle::PickleStrings{g["prompt"].get<std::string>()}},
                                                     {"cfg", 0.0}});
  EXPECT_EQ(bytes, read("request_p2.pkl"));
}

TEST(ServeProtocol, ResultsReadBackAsArrays) {
  serve::PolicyResult r;
  r.frames = 300;  // memo indices past 255 and shapes past one byte
  r.proprios.assign(300 * 16, 0.5);
  r.actions = 1;
  r.action_dim = 7;
  r.chunk = {1, 2, 3, 4, 5, 6, -7};
  const std::string bytes = serve::encode_result(r);
  const auto root = io::pickle::unpickle(bytes.data(), bytes.size(), nullptr, "result", &io::pickle::numpy_array_globals());
  ASSERT_EQ(root->kind, io::pickle::Value::Kind::Dict);
  ASSERT_EQ(root->dict.size(), 2u);
  const auto& actions = *root->dict[1].second;
  EXPECT_EQ(actions.dtype, "<f8");
  EXPECT_EQ(actions.shape, (std::vector<int64_t>{1, 7}));
  double last;
  std::memcpy(&last, actions.text.data() + 6 * 8, 8);
  EXPECT_EQ(last, -7.0);
  EXPECT_EQ(root->dict[0].second->shape, (std::vector<int64_t>{300, 16}));
  // An error quoting bytes that are not UTF-8 still reads as a Python str.
  const std::string error = serve::encode_error("bad global os.\xff\xfe" "system");
  EXPECT_NE(error.find("os.??system"), std::string::npos);
}

TEST(ServeProtocol, PreprocessingMatchesTheReleasedFunction) {
  const auto& g = golden();
  ASSERT_TRUE(g.contains("preprocess")) << "serve_golden.py ran without torch";
  const auto shape = g["request"]["shape"].get<std::vector<int>>();
  const auto pixels = g["request"]["pixels"].get<std::vector<int>>();
  std::vector<float> video(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) video[i] = static_cast<float>(pixels[i]) / 127.5f - 1.f;
  const auto size = g["preprocess"]["video_size"].get<std::vector<int>>();
  const auto expected = g["preprocess"]["values"].get<std::vector<float>>();
  const auto got = serve::preprocess_views(video, shape[0], shape[1], shape[2], size[0], size[1], g["preprocess"]["crop_ratio"]);
  ASSERT_EQ(got.size(), expected.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(got[i]) - expected[i]));
  EXPECT_LT(worst, 1e-5);
  // The crop matters: without it the views would be plain resizes.
  const auto plain = serve::preprocess_views(video, shape[0], shape[1], shape[2], size[0], size[1], 1.0);
  double moved = 0;
  for (size_t i = 0; i < got.size(); ++i) moved = std::max(moved, std::abs(static_cast<double>(plain[i]) - expected[i]));
  EXPECT_GT(moved, 0.01);
}

TEST(ServeProtocol, BadRequestsAreRefusedByName) {
  EXPECT_NE(refusal("hello").find("not a pickle"), std::string::npos);
  const std::string good = read("request_p4.pkl");
  EXPECT_NE(refusal(good.substr(0, good.size() / 2)).find("truncated"), std::string::npos) << refusal(good.substr(0, good.size() / 2));
  serve::RequestLimits small;
  small.max_bytes = 1000;
  EXPECT_NE(refusal(good, small).find("over the limit"), std::string::npos);
  EXPECT_NE(refusal(read("bad_rgba.pkl")).find("not views × H × W × 3"), std::string::npos) << refusal(read("bad_rgba.pkl"));
  EXPECT_NE(refusal(read("bad_nan.pkl")).find("'proprios'"), std::string::npos);
  EXPECT_NE(refusal(read("bad_nan.pkl")).find("not a finite number"), std::string::npos);
  EXPECT_NE(refusal(read("bad_objects.pkl")).find("numpy"), std::string::npos) << refusal(read("bad_objects.pkl"));
  EXPECT_NE(refusal(read("bad_scalar.pkl")).find("numpy.core.multiarray.scalar"), std::string::npos) << refusal(read("bad_scalar.pkl"));
  EXPECT_NE(refusal(read("bad_exploit.pkl")).find("forbidden global posix.system"), std::string::npos) << refusal(read("bad_exploit.pkl"));
  EXPECT_NE(refusal(read("bad_nostep.pkl")).find("no key 'step_id'"), std::string::npos);
  serve::RequestLimits one_view;
  one_view.max_views = 2;
  EXPECT_NE(refusal(read("bad_views3.pkl"), one_view).find("3 views"), std::string::npos);
}

TEST(ServeProtocol, OnlyTheAllowListReadsNumpy) {
  const std::string bytes = read("request_p4.pkl");
  // The weight readers pass no allow-list: a numpy array stays an unknown class, never rebuilt.
  const auto weights_view = io::pickle::unpickle(bytes.data(), bytes.size(), nullptr, "x.pt");
  bool saw_video = false;
  for (const auto& [k, v] : weights_view->dict)
    if (k->text == "video") {
      saw_video = true;
      EXPECT_EQ(v->kind, io::pickle::Value::Kind::Opaque);
      EXPECT_TRUE(v->text.empty() || v->text.find("numpy") != std::string::npos) << v->text;
    }
  EXPECT_TRUE(saw_video);
  // With the allow-list, a global that is not on it is refused, even one the weight readers rebuild.
  const std::string ordered_dict = std::string("\x80\x02", 2) + "ccollections\nOrderedDict\n)R.";
  try {
    io::pickle::unpickle(ordered_dict.data(), ordered_dict.size(), nullptr, "request", &io::pickle::numpy_array_globals());
    FAIL() << "collections.OrderedDict passed the numpy allow-list";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("collections.OrderedDict"), std::string::npos) << e.what();
  }
  EXPECT_EQ(io::pickle::unpickle(ordered_dict.data(), ordered_dict.size(), nullptr, "x.pt")->kind, io::pickle::Value::Kind::Dict);
}

TEST(ServeProtocol, SingleArmStatistics) {
  data::NormStats released_single;  // the released reader leaves absent keys at −1…1
  released_single.state_q01.fill(-1.f);
  released_single.state_q99.fill(1.f);
  released_single.state_q01[0] = 0.2f;
  EXPECT_TRUE(serve::single_arm_statistics(released_single));
  data::NormStats constant_right{};  // our statistics over one-arm data: the right arm constant at 0
  constant_right.state_q99[0] = 1.f;
  EXPECT_TRUE(serve::single_arm_statistics(constant_right));
  data::NormStats dual = released_single;
  dual.state_q01[9] = -0.4f;
  dual.state_q99[9] = 0.3f;
  EXPECT_FALSE(serve::single_arm_statistics(dual));
}
