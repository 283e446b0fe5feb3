// Weights files built to crash or exhaust a reader: self-referential and deeply nested pickles, zip
// entries declaring huge sizes, a local header at the end of the file, safetensors headers with huge
// nesting or wrapped sizes, FIFOs and /dev/zero. Each must be refused with an xwam::Error naming the
// file (and the entry or key), quickly.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"
#include "engine/io/Pickle.h"
#include "engine/io/Safetensors.h"
#include "engine/io/TorchCheckpoint.h"
#include "tests/io/TorchSaveWriter.h"

using namespace xwam;
using namespace xwam::test;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = fs::temp_directory_path() / ("xwam_malformed_" + std::to_string(::getpid()) + "_" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void spit(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string le(uint64_t v, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += static_cast<char>((v >> (8 * k)) & 0xff);
  return s;
}

// Runs `read`, expects an xwam::Error whose text holds the file and every one of `words`, within 5 s.
void expect_refused(const fs::path& file, const std::function<void()>& read, std::vector<std::string> words = {}) {
  const auto start = std::chrono::steady_clock::now();
  std::string text = "(no error)";
  try {
    read();
  } catch (const Error& e) {
    text = e.what();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(text.find(file.string()), std::string::npos) << text;
  for (const auto& w : words) EXPECT_NE(text.find(w), std::string::npos) << "missing '" << w << "' in: " << text;
  EXPECT_LT(seconds, 5.0) << text;
}

// A torch.save zip whose data.pkl is `pickle` (no storages).
void save_pickle(const fs::path& path, const std::string& pickle) {
  write_zip(path.string(), {{"archive/data.pkl", pickle}, {"archive/byteorder", "little"}});
}

}  // namespace

TEST(MalformedPickle, SelfReferentialListOfEightBytesIsRefused) {
  const auto path = temp_dir() / "self.pth";
  // PROTO 2, EMPTY_LIST, BINPUT 0, DUP, APPEND, STOP: l = []; l.append(l)
  const std::string pickle{'\x80', '\x02', ']', 'q', '\x00', '2', 'a', '.'};
  ASSERT_EQ(pickle.size(), 8u);
  save_pickle(path, pickle);
  expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"self-referential"});
}

TEST(MalformedPickle, CyclesThroughDupAndSetitemAreRefused) {
  const auto dir = temp_dir();
  // d = {}; d[d] = d through DUP.
  save_pickle(dir / "dict.pth", std::string{'\x80', '\x02', '}', '2', '2', 's', '.'});
  expect_refused(dir / "dict.pth", [&] { io::read_torch_checkpoint((dir / "dict.pth").string()); }, {"self-referential"});
  // a = []; b = [a]; a.append(b): a two-step cycle through the memo.
  save_pickle(dir / "pair.pth",
              std::string{'\x80', '\x02', ']', 'q', '\x00', ']', 'q', '\x01', 'h', '\x00', 'a', 'h', '\x01', 'a', '.'});
  expect_refused(dir / "pair.pth", [&] { io::read_torch_checkpoint((dir / "pair.pth").string()); }, {"self-referential"});
}

TEST(MalformedPickle, DeepNestingIsBoundedNotAStackOverflow) {
  const auto path = temp_dir() / "deep.pth";
  // EMPTY_TUPLE then 1,000,000 × TUPLE1: a million nested tuples from one megabyte.
  save_pickle(path, "\x80\x02)" + std::string(1000000, '\x85') + ".");
  expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"nest deeper"});
}

TEST(MalformedPickle, SharedSubtreesCannotExplodeTheFlattening) {
  const auto path = temp_dir() / "dag.pth";
  // x = (); 64 times: x = (x, x) — 2^64 leaves reachable from 200 bytes.
  std::string pickle = "\x80\x02)";
  for (int i = 0; i < 64; ++i) pickle += std::string{'q', '\x00', 'h', '\x00', '\x86'};
  save_pickle(path, pickle + ".");
  expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"entries"});
}

TEST(MalformedPickle, DeepValueChainsAreFreedWithoutRecursion) {
  // Built by hand (the unpickler refuses such depth): destruction must not overflow the stack.
  auto root = io::pickle::Value::make(io::pickle::Value::Kind::List);
  auto* tail = root.get();
  for (int i = 0; i < 1000000; ++i) {
    auto next = io::pickle::Value::make(io::pickle::Value::Kind::List);
    tail->items.push_back(next);
    tail = next.get();
  }
  root.reset();
  SUCCEED();
}

TEST(MalformedPickle, TensorSizesThatOverflowAreRefused) {
  const auto path = temp_dir() / "overflow.pt";
  auto base = tensor(torch::ones({8}));
  // (2^62 + 1) × stride 4 wraps int64 to a small "last element".
  torch_save(path.string(), dict({{"a", view(base, 0, {(int64_t(1) << 62) + 1, 2}, {4, 1})}}));
  expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"storage of 8"});
}

TEST(MalformedZip, DeclaredSizeBeyondTheDeflateLimitIsRefusedBeforeAllocating) {
  const auto dir = temp_dir();
  for (uint64_t declared : {uint64_t(4300000000ull), uint64_t(1) << 40}) {
    const auto path = dir / ("big" + std::to_string(declared) + ".pth");
    // One deflated entry of ~200 bytes that claims `declared` bytes (zip64 sizes).
    const std::string raw(1000, 'x'), data = raw_deflate(raw), name = "archive/data.pkl";
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(raw.data()), raw.size()));
    std::string zip = le(0x04034b50, 4) + le(20, 2) + le(0, 2) + le(8, 2) + le(0, 4) + le(crc, 4) +
                      le(data.size(), 4) + le(0xFFFFFFFFu, 4) + le(name.size(), 2) + le(0, 2) + name + data;
    const std::string extra = le(1, 2) + le(8, 2) + le(declared, 8);
    const std::string central = le(0x02014b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(8, 2) + le(0, 4) +
                                le(crc, 4) + le(data.size(), 4) + le(0xFFFFFFFFu, 4) + le(name.size(), 2) +
                                le(extra.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) + name + extra;
    const uint64_t dir_offset = zip.size();
    zip += central + le(0x06054b50, 4) + le(0, 4) + le(1, 2) + le(1, 2) + le(central.size(), 4) + le(dir_offset, 4) + le(0, 2);
    spit(path, zip);
    expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"archive/data.pkl", "declares"});
  }
}

TEST(MalformedZip, LocalHeaderInTheLastBytesIsNotReadPastTheEnd) {
  const auto path = temp_dir() / "tail.pth";
  // The central entry names 20 bytes, and its local header sits in the end record's comment, 30
  // bytes before the end of the file: its name would lie past the end.
  const std::string name = "archive/data.pkl.xyz";
  const std::string central = le(0x02014b50, 4) + le(20, 2) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) +
                              le(0, 4) + le(0, 4) + le(name.size(), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 2) +
                              le(0, 4);
  const std::string local_in_comment = le(0x04034b50, 4) + le(20, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0, 4) +
                                       le(0, 4) + le(0, 4) + le(name.size(), 2) + le(0, 2);
  ASSERT_EQ(local_in_comment.size(), 30u);
  // Padded so the file fills whole pages: a read past its end leaves the mapping (SIGBUS or SIGSEGV).
  const size_t tail = central.size() + 4 + name.size() + 22 + local_in_comment.size();
  std::string zip = le(0x04034b50, 4);  // looks like a zip from its first bytes
  zip.append(4096 - zip.size() - tail, '\0');
  const uint64_t dir_offset = zip.size();
  const uint64_t local = dir_offset + central.size() + 4 + name.size() + 22;  // where the comment starts
  zip += central + le(local, 4) + name;
  zip += le(0x06054b50, 4) + le(0, 4) + le(1, 2) + le(1, 2) + le(central.size() + 4 + name.size(), 4) + le(dir_offset, 4) +
         le(local_in_comment.size(), 2) + local_in_comment;
  ASSERT_EQ(zip.size(), 4096u);
  spit(path, zip);
  expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"local header"});
}

TEST(MalformedSafetensors, HugeNestingAndSizesAreRefused) {
  const auto dir = temp_dir();
  auto write = [&](const std::string& file, const std::string& header, const std::string& data = "") {
    spit(dir / file, le(header.size(), 8) + header + data);
    return dir / file;
  };
  const auto nested = write("nested.safetensors", std::string(20 << 20, '['));
  expect_refused(nested, [&] { io::read_safetensors(nested.string()); }, {"nests deeper"});
  const auto dtype = write("dtype.safetensors", R"({"w": {"dtype": 7, "shape": [1], "data_offsets": [0, 4]}})", "abcd");
  expect_refused(dtype, [&] { io::read_safetensors(dtype.string()); }, {"tensor w", "dtype"});
  // 2^62 × 4 elements wrap to 0: must not become a view over zero bytes.
  const auto wrapped = write("wrapped.safetensors",
                             R"({"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}})");
  expect_refused(wrapped, [&] { io::read_safetensors(wrapped.string()); }, {"tensor w", "2^62"});
  const auto offsets = write("offsets.safetensors", R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": "x"}})");
  expect_refused(offsets, [&] { io::read_safetensors(offsets.string()); }, {"tensor w", "data_offsets"});
  const auto entry = write("entry.safetensors", R"({"w": 3})");
  expect_refused(entry, [&] { io::safetensors_header(entry.string()); }, {"tensor w"});
  const auto length = dir / "length.safetensors";
  spit(length, le(uint64_t(1) << 40, 8) + "{}");
  expect_refused(length, [&] { io::read_safetensors(length.string()); }, {"header length"});
}

TEST(MalformedStorage, DeclaredElementsBeyondTheEntryAreRefused) {
  const auto path = temp_dir() / "numel.pt";
  Pickler p;
  p.dump(dict({{"w", tensor(torch::ones({4}))}}));
  // The persistent id ends with the storage's numel, BININT1 4, right after 'cpu' and its memo put.
  const size_t cpu = p.out.find("cpu");
  ASSERT_NE(cpu, std::string::npos);
  const size_t numel = p.out.find(std::string("K\x04", 2), cpu);
  ASSERT_NE(numel, std::string::npos);
  p.out.replace(numel, 2, "\x8a\x08" + le(uint64_t(1) << 61, 8));  // LONG1 of 8 bytes: 2^61 elements
  std::vector<std::pair<std::string, std::string>> files = {{"archive/data.pkl", p.out}};
  for (const auto& [key, t] : p.storages)
    files.emplace_back("archive/data/" + key, std::string(static_cast<const char*>(t.data_ptr()), t.nbytes()));
  write_zip(path.string(), files);
  expect_refused(path, [&] { io::read_torch_checkpoint(path.string()); }, {"storage 0", "do not fit"});
}

TEST(SpecialFiles, FifosDevicesAndDirectoriesAreRefusedWithoutBlocking) {
  const auto dir = temp_dir();
  const auto fifo = dir / "weights.safetensors";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_refused(fifo, [&] { io::read_safetensors(fifo.string()); }, {"FIFO"});
  expect_refused(fifo, [&] { io::read_torch_checkpoint(fifo.string()); }, {"FIFO"});
  EXPECT_FALSE(io::is_torch_checkpoint(fifo.string()));
  const auto zero = dir / "zero.pth";
  fs::create_symlink("/dev/zero", zero);
  expect_refused(zero, [&] { io::read_torch_checkpoint(zero.string()); }, {"character device"});
  expect_refused(zero, [&] { read_regular_file(zero.string(), 1 << 20); }, {"character device"});
  expect_refused(dir, [&] { io::read_safetensors(dir.string()); }, {"directory"});
  const auto big = dir / "big.json";
  spit(big, std::string(2048, ' '));
  expect_refused(big, [&] { read_regular_file(big.string(), 1024, "config"); }, {"exceeds the limit"});
}
