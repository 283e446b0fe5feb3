// MD5 (RFC 1321): the released policy server derives its sampling seeds from an MD5 digest. Not for
// security.
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace xwam::serve {

std::array<uint8_t, 16> md5(const std::string& message);

}  // namespace xwam::serve
