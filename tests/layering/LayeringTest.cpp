// The dependency direction of docs/ARCHITECTURE.md, as a list of allowed edges between the folders of
// the tree, checked against every #include of every source file: app → widgets → render, engine;
// render and engine never include Qt; widgets, the studio and the torch-free engine parts never
// include LibTorch. The build enforces the same through per-folder include roots (probes/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Folders that are parts, longest first so engine/pipeline/api wins over engine/pipeline.
const std::vector<std::string> kParts = {
    "engine/pipeline/api", "engine/core", "engine/data", "engine/io", "engine/model", "engine/sampling",
    "engine/train", "engine/geometry", "engine/pipeline", "engine/serve", "engine/jobs", "render", "shaders", "widgets",
    "app/bridge", "app/session", "app/studio", "app/cli", "bench"};

const std::set<std::string> kEngineTorchFree = {"engine/core", "engine/data", "engine/geometry", "engine/jobs",
                                                 "engine/pipeline/api"};

// part → the parts it may include (besides itself).
const std::map<std::string, std::set<std::string>> kAllowed = {
    {"engine/core", {}},
    {"engine/data", {"engine/core"}},
    {"engine/io", {"engine/core"}},
    {"engine/model", {"engine/core", "engine/io"}},
    {"engine/sampling", {"engine/core", "engine/model"}},
    {"engine/train", {"engine/core", "engine/data"}},
    {"engine/geometry", {"engine/core", "engine/data"}},
    {"engine/jobs", {"engine/core"}},
    {"engine/pipeline/api", {"engine/core", "engine/data", "engine/geometry"}},
    {"engine/pipeline", {"engine/core", "engine/data", "engine/io", "engine/model", "engine/sampling", "engine/train",
                         "engine/geometry", "engine/pipeline/api"}},
    {"engine/serve", {"engine/core", "engine/data", "engine/io", "engine/pipeline/api"}},
    {"shaders", {}},
    {"render", {"engine/core", "shaders"}},
    {"widgets", {"engine/core", "engine/data", "engine/geometry", "engine/jobs", "render"}},
    {"app/bridge", {"engine/core", "engine/data", "engine/geometry", "render"}},
    {"app/session", {"engine/core", "engine/data", "engine/geometry"}},
    {"app/studio", {"engine/core", "engine/data", "engine/geometry", "engine/jobs", "engine/pipeline/api", "render",
                    "widgets", "app/bridge", "app/session"}},
    {"app/cli", {"engine/core", "engine/data", "engine/io", "engine/model", "engine/sampling", "engine/train",
                 "engine/geometry", "engine/jobs", "engine/pipeline", "engine/pipeline/api", "engine/serve", "render",
                 "app/bridge", "app/session", "bench"}},
    {"bench", {"engine/core", "engine/data", "engine/io", "engine/model", "engine/sampling", "engine/train",
               "engine/geometry", "engine/pipeline", "engine/pipeline/api", "engine/serve", "render", "app/cli",
               "app/bridge"}},
};

std::string part_of(const std::string& path) {
  for (const auto& p : kParts)
    if (path.rfind(p + "/", 0) == 0) return p;
  return "";
}

struct Include {
  std::string file, header;
  bool quoted;
};

std::vector<Include> includes_under(const fs::path& root) {
  std::vector<Include> out;
  static const std::regex directive(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"])");
  for (const auto& folder : {"engine", "render", "shaders", "widgets", "app", "bench"}) {
    if (!fs::exists(root / folder)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".h" && ext != ".cpp" && ext != ".cu") continue;
      std::ifstream in(entry.path());
      std::string line;
      std::smatch m;
      while (std::getline(in, line))
        if (std::regex_search(line, m, directive))
          out.push_back({fs::relative(entry.path(), root).string(), m[2].str(), m[1].str() == "\""});
    }
  }
  return out;
}

const std::vector<Include>& tree() {
  static const std::vector<Include> all = includes_under(XWAM_SOURCE_DIR);
  return all;
}

}  // namespace

TEST(Layering, EveryPartHasItsAllowedEdges) {
  for (const auto& p : kParts) EXPECT_TRUE(kAllowed.count(p)) << p;
  ASSERT_GT(tree().size(), 500u);  // the scan sees the tree
}

TEST(Layering, IncludesFollowTheAllowedEdges) {
  int checked = 0;
  for (const auto& inc : tree()) {
    if (!inc.quoted) continue;
    const std::string from = part_of(inc.file), to = part_of(inc.header);
    if (from.empty() || to.empty() || from == to) continue;
    ++checked;
    EXPECT_TRUE(kAllowed.at(from).count(to)) << inc.file << " includes " << inc.header << " (" << from << " → " << to
                                             << " is not an allowed edge)";
  }
  EXPECT_GT(checked, 200);
}

TEST(Layering, QtStaysInWidgetsAndTheStudio) {
  for (const auto& inc : tree()) {
    if (inc.quoted || inc.header.empty() || inc.header[0] != 'Q') continue;
    const std::string from = part_of(inc.file);
    EXPECT_TRUE(from == "widgets" || from == "app/studio") << inc.file << " includes <" << inc.header << ">";
  }
}

TEST(Layering, LibTorchStaysInTheTorchParts) {
  int torch_includes = 0;
  for (const auto& inc : tree()) {
    if (inc.quoted) continue;
    const bool torch = inc.header.rfind("torch/", 0) == 0 || inc.header.rfind("ATen/", 0) == 0 ||
                       inc.header.rfind("c10/", 0) == 0;
    if (!torch) continue;
    ++torch_includes;
    const std::string from = part_of(inc.file);
    EXPECT_FALSE(from == "widgets" || from == "render" || from == "app/studio" || from == "app/session" ||
                 from == "app/bridge" || kEngineTorchFree.count(from))
        << inc.file << " includes <" << inc.header << ">";
  }
  EXPECT_GT(torch_includes, 10);  // the engine's torch parts are seen
}
