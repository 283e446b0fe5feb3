// Writes the pickles of the policy protocol: a dict of string keys whose values are numpy arrays
// (float64, float32, uint8), strings, ints, floats or lists of strings, at protocol 2, byte for byte
// what Python's pickle.dumps(obj, protocol=2) writes for the same dict under numpy 1.x
// (numpy.core.multiarray._reconstruct, which numpy 2 reads too). Python's pickle.loads turns it back
// into the dict of numpy arrays. No LibTorch, no Python.
//
//   std::string bytes = pickle_dict({{"actions", PickleArray::f8({32, 14}, values)}, {"note", std::string("ok")}});
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xwam::io::pickle {

// A numpy array in C order: its type code ("f8", "f4", "u1") and little-endian bytes.
struct PickleArray {
  std::vector<int64_t> shape;
  std::string code = "f8";
  std::string raw;

  static PickleArray f8(std::vector<int64_t> shape, const std::vector<double>& values);
  static PickleArray f4(std::vector<int64_t> shape, const std::vector<float>& values);
  static PickleArray u1(std::vector<int64_t> shape, const std::vector<uint8_t>& values);
};

using PickleStrings = std::vector<std::string>;
using PickleItem = std::variant<std::string, PickleArray, int64_t, double, PickleStrings>;

// The protocol-2 pickle of a dict with these items, in this order. Throws xwam::Error when an array's
// bytes do not match its shape and type.
std::string pickle_dict(const std::vector<std::pair<std::string, PickleItem>>& items);

}  // namespace xwam::io::pickle
