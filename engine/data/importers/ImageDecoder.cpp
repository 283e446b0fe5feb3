#include "engine/data/importers/ImageDecoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
}

#include <memory>

#include "engine/core/Error.h"

namespace xwam::data {
namespace {

using FramePtr = std::unique_ptr<AVFrame, void (*)(AVFrame*)>;

FramePtr decode_frame(const std::string& bytes, const std::string& what) {
  // The format shows in the first bytes: PNG's signature or JPEG's SOI marker.
  AVCodecID id;
  if (bytes.size() > 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
    id = AV_CODEC_ID_PNG;
  } else if (bytes.size() > 2 && static_cast<uint8_t>(bytes[0]) == 0xFF && static_cast<uint8_t>(bytes[1]) == 0xD8) {
    id = AV_CODEC_ID_MJPEG;
  } else {
    throw Error(what, "encoded image is neither PNG nor JPEG");
  }
  const AVCodec* codec = avcodec_find_decoder(id);
  if (!codec) throw Error(what, "FFmpeg lacks the image decoder");
  std::unique_ptr<AVCodecContext, void (*)(AVCodecContext*)> ctx(avcodec_alloc_context3(codec),
                                                                 [](AVCodecContext* c) { avcodec_free_context(&c); });
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) throw Error(what, "cannot open the image decoder");
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> packet(av_packet_alloc(), [](AVPacket* p) { av_packet_free(&p); });
  FramePtr frame(av_frame_alloc(), [](AVFrame* f) { av_frame_free(&f); });
  if (av_new_packet(packet.get(), static_cast<int>(bytes.size())) < 0) throw Error(what, "out of memory");
  std::copy(bytes.begin(), bytes.end(), packet->data);
  // One packet, then end of stream, so the decoder hands out its single frame.
  if (avcodec_send_packet(ctx.get(), packet.get()) < 0) throw Error(what, "corrupt encoded image");
  avcodec_send_packet(ctx.get(), nullptr);
  if (avcodec_receive_frame(ctx.get(), frame.get()) < 0) throw Error(what, "corrupt encoded image");
  return frame;
}

// Converts a decoded frame into a tightly packed buffer of `format` with `bytes_per_pixel`.
void convert(const AVFrame& frame, AVPixelFormat format, int bytes_per_pixel, uint8_t* out, const std::string& what) {
  SwsContext* sws = sws_getContext(frame.width, frame.height, static_cast<AVPixelFormat>(frame.format), frame.width,
                                   frame.height, format, SWS_POINT, nullptr, nullptr, nullptr);
  if (!sws) throw Error(what, "unsupported pixel format of the encoded image");
  uint8_t* dst[1] = {out};
  const int stride[1] = {frame.width * bytes_per_pixel};
  sws_scale(sws, frame.data, frame.linesize, 0, frame.height, dst, stride);
  sws_freeContext(sws);
}

}  // namespace

DecodedImage decode_image(const std::string& bytes, const std::string& what) {
  FramePtr frame = decode_frame(bytes, what);
  DecodedImage out;
  out.width = frame->width;
  out.height = frame->height;
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  convert(*frame, AV_PIX_FMT_RGB24, 3, out.rgb.data(), what);
  return out;
}

DecodedDepth decode_depth_image(const std::string& bytes, const std::string& what) {
  FramePtr frame = decode_frame(bytes, what);
  if (frame->format != AV_PIX_FMT_GRAY16BE && frame->format != AV_PIX_FMT_GRAY16LE)
    throw Error(what, "encoded depth is not a 16-bit grayscale image");
  DecodedDepth out;
  out.width = frame->width;
  out.height = frame->height;
  out.values.resize(static_cast<size_t>(out.width) * out.height);
  convert(*frame, AV_PIX_FMT_GRAY16, 2, reinterpret_cast<uint8_t*>(out.values.data()), what);
  return out;
}

}  // namespace xwam::data
