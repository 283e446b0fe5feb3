#include "engine/io/ZipArchive.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"

namespace xwam::io {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
// Deflate's best ratio is 1032:1; torch.save stores its entries uncompressed, so a deflated entry is
// small metadata at most, and inflating more than kMaxInflatedBytes is refused.
constexpr uint64_t kMaxDeflateRatio = 1032, kMaxInflatedBytes = 4ull << 30, kInflateStep = 64u << 20;

// Little-endian field reads at a position already checked to lie inside the buffer.
uint16_t u16(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(b[0] | (b[1] << 8));
}
uint32_t u32(const char* p) { return static_cast<uint32_t>(u16(p)) | (static_cast<uint32_t>(u16(p + 2)) << 16); }
uint64_t u64(const char* p) { return static_cast<uint64_t>(u32(p)) | (static_cast<uint64_t>(u32(p + 4)) << 32); }

// crc32 over more than 4 GB: zlib takes uInt lengths.
uint32_t crc_of(const char* data, uint64_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const uInt chunk = static_cast<uInt>(std::min<uint64_t>(size, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

bool ZipArchive::looks_like_zip(const std::string& path) {
  int fd = -1;
  try {
    fd = open_regular_file(path, "zip archive");
  } catch (const Error&) {
    return false;  // missing, a FIFO or a device: no zip (and never block on it)
  }
  char magic[4] = {};
  const bool ok = ::read(fd, magic, 4) == 4 && u32(magic) == kLocalSig;
  ::close(fd);
  return ok;
}

ZipArchive::ZipArchive(const std::string& path) : file_(MappedFile::open(path)) {
  const char* base = file_->data();
  const uint64_t size = file_->size();
  auto fail = [&](const std::string& what) { throw Error(path, "corrupt or truncated zip archive: " + what); };
  auto inside = [&](uint64_t offset, uint64_t length) { return offset <= size && length <= size - offset; };

  // End-of-central-directory record: the last 22+ bytes (a comment of up to 64 KiB may follow it).
  if (size < 22) fail("too short (" + std::to_string(size) + " bytes)");
  uint64_t end = std::numeric_limits<uint64_t>::max();
  const uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  for (uint64_t pos = size - 22 + 1; pos-- > lowest;) {
    if (u32(base + pos) == kEndSig && pos + 22 + u16(base + pos + 20) == size) {
      end = pos;
      break;
    }
  }
  if (end == std::numeric_limits<uint64_t>::max()) fail("no end-of-central-directory record");
  uint64_t count = u16(base + end + 10);
  uint64_t dir_size = u32(base + end + 12);
  uint64_t dir_offset = u32(base + end + 16);
  // zip64: a locator right before the record points at the 64-bit end record.
  if (end >= 20 && u32(base + end - 20) == kZip64LocatorSig) {
    const uint64_t rec = u64(base + end - 20 + 8);
    if (!inside(rec, 56) || u32(base + rec) != kZip64EndSig) fail("zip64 end record outside the file or malformed");
    count = u64(base + rec + 32);
    dir_size = u64(base + rec + 40);
    dir_offset = u64(base + rec + 48);
  }
  if (!inside(dir_offset, dir_size)) fail("central directory outside the file");

  uint64_t pos = dir_offset;
  const uint64_t dir_end = dir_offset + dir_size;
  entries_.reserve(static_cast<size_t>(std::min<uint64_t>(count, 1u << 20)));
  for (uint64_t i = 0; i < count; ++i) {
    if (pos + 46 > dir_end || u32(base + pos) != kCentralSig) fail("central directory entry " + std::to_string(i) + " malformed");
    ZipEntry e;
    const uint16_t flags = u16(base + pos + 8);
    e.method = u16(base + pos + 10);
    e.crc32 = u32(base + pos + 16);
    e.compressed_size = u32(base + pos + 20);
    e.size = u32(base + pos + 24);
    const uint16_t name_len = u16(base + pos + 28), extra_len = u16(base + pos + 30), comment_len = u16(base + pos + 32);
    uint64_t local = u32(base + pos + 42);
    if (pos + 46 + name_len + extra_len + comment_len > dir_end) fail("central directory entry " + std::to_string(i) + " overruns the directory");
    e.name.assign(base + pos + 46, name_len);
    if (flags & 1) throw Error(path, "zip entry " + e.name, "is encrypted");
    // zip64 extra field: the 64-bit values of whichever 32-bit fields are saturated, in this order.
    for (uint64_t x = pos + 46 + name_len; x + 4 <= pos + 46 + name_len + extra_len;) {
      const uint16_t id = u16(base + x), len = u16(base + x + 2);
      const uint64_t field_end = x + 4 + len;
      if (field_end > pos + 46 + name_len + extra_len) fail("extra field of " + e.name + " overruns its entry");
      if (id == 0x0001) {
        uint64_t at = x + 4;
        auto take = [&](uint64_t& v) {
          if (v != 0xFFFFFFFFu) return;
          if (at + 8 > field_end) fail("zip64 field of " + e.name + " too short");
          v = u64(base + at);
          at += 8;
        };
        take(e.size);
        take(e.compressed_size);
        take(local);
      }
      x = field_end;
    }
    pos += 46 + name_len + extra_len + comment_len;
    if (!inside(local, 30) || u32(base + local) != kLocalSig) fail("local header of " + e.name + " missing (bad offset)");
    const uint16_t local_name = u16(base + local + 26), local_extra = u16(base + local + 28);
    if (local_name != name_len || !inside(local + 30, name_len) ||
        std::memcmp(base + local + 30, e.name.data(), name_len) != 0)
      fail("local header of " + e.name + " names another entry");
    e.data_offset = local + 30 + local_name + local_extra;
    if (!inside(e.data_offset, e.compressed_size))
      fail("data of " + e.name + " (" + std::to_string(e.compressed_size) + " bytes at " + std::to_string(e.data_offset) +
           ") outside the file of " + std::to_string(size) + " bytes");
    if (e.method == 0 && e.compressed_size != e.size) fail("stored entry " + e.name + " has differing sizes");
    // Deflate expands at most 1032:1: a larger declared size is a lie, refused before any allocation.
    if (e.method == 8 && (e.size / kMaxDeflateRatio > e.compressed_size || e.size > kMaxInflatedBytes))
      throw Error(path, "zip entry " + e.name,
                  "declares " + std::to_string(e.size) + " bytes from " + std::to_string(e.compressed_size) +
                      " compressed (deflate gives at most 1032× and this reader at most " +
                      std::to_string(kMaxInflatedBytes) + " bytes): refused");
    entries_.push_back(std::move(e));
  }
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

ZipBytes ZipArchive::read(const ZipEntry& e) const {
  const char* src = file_->data() + e.data_offset;
  ZipBytes out;
  if (e.method == 0) {
    out = {src, static_cast<size_t>(e.size), file_};
  } else if (e.method == 8) {
    // Inflated in steps into a buffer that grows with the output, never past the declared size
    // (already bounded by the compressed size): a lying header cannot make us allocate up front.
    auto buffer = std::make_shared<std::vector<char>>();
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw Error(path(), "zip entry " + e.name, "cannot start zlib");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(src));
    uint64_t in_left = e.compressed_size;
    int rc = Z_OK;
    while (rc == Z_OK) {
      // One spare byte past the declared size: inflate needs output room to reach the end of the stream.
      const uint64_t room = std::min<uint64_t>(e.size + 1 - buffer->size(), kInflateStep);
      const size_t produced = buffer->size();
      buffer->resize(produced + room);
      z.next_out = reinterpret_cast<Bytef*>(buffer->data() + produced);
      const uInt in_chunk = static_cast<uInt>(std::min<uint64_t>(in_left, 1u << 30));
      z.avail_in = in_chunk;
      z.avail_out = static_cast<uInt>(room);
      rc = inflate(&z, Z_NO_FLUSH);
      in_left -= in_chunk - z.avail_in;
      buffer->resize(buffer->size() - z.avail_out);
      if (rc == Z_OK && z.avail_in == in_chunk && z.avail_out == room) rc = Z_DATA_ERROR;  // no progress
      if (rc == Z_OK && buffer->size() > e.size) rc = Z_DATA_ERROR;                       // more than declared
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || buffer->size() != e.size)
      throw Error(path(), "zip entry " + e.name, "deflate data corrupt or sizes wrong");
    buffer->shrink_to_fit();
    out = {buffer->data(), buffer->size(), buffer};
  } else {
    throw Error(path(), "zip entry " + e.name, "unsupported compression method " + std::to_string(e.method));
  }
  const uint32_t crc = crc_of(out.data, out.size);
  if (crc != e.crc32)
    throw Error(path(), "zip entry " + e.name, "CRC-32 mismatch (file corrupt): stored " + std::to_string(e.crc32) +
                                                  ", computed " + std::to_string(crc));
  return out;
}

}  // namespace xwam::io
