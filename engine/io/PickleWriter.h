// Writes the pickles the policy server answers with: a dict of string keys whose values are strings
// or float64 numpy arrays, at protocol 2, byte for byte what Python's pickle.dumps(obj, protocol=2)
// writes for the same dict under numpy 1.x (numpy.core.multiarray._reconstruct, which numpy 2 reads
// too). Python's pickle.loads turns it back into the dict of numpy arrays. No LibTorch, no Python.
//
//   std::string bytes = pickle_dict({{"actions", PickleArray{{32, 14}, values}}, {"note", std::string("ok")}});
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xwam::io::pickle {

// A float64 numpy array in C order; values.size() must be the product of shape.
struct PickleArray {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

using PickleItem = std::variant<std::string, PickleArray>;

// The protocol-2 pickle of a dict with these items, in this order. Throws xwam::Error when an array's
// values do not match its shape.
std::string pickle_dict(const std::vector<std::pair<std::string, PickleItem>>& items);

}  // namespace xwam::io::pickle
