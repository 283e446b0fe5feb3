#include "engine/data/VideoWriter.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace xwam::data {

struct VideoWriter::Impl {
  std::string path;
  AtomicFile out;
  int width = 0, height = 0;
  std::string codec_name;
  AVPixelFormat pix_fmt = AV_PIX_FMT_YUV420P;
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  int64_t next_pts = 0;
  bool finished = false;

  explicit Impl(const std::string& p) : path(p), out(p) {}
  ~Impl() {
    if (sws) sws_freeContext(sws);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (format) {
      if (format->pb) avio_closep(&format->pb);
      avformat_free_context(format);
    }
  }

  void fail(const std::string& what, int err = 0) const {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    if (err < 0) av_strerror(err, buf, sizeof buf);
    throw Error(path, err < 0 ? what + " (" + buf + ")" : what);
  }

  void drain(bool flushing) {
    while (true) {
      int r = avcodec_receive_packet(codec, packet);
      if (r == AVERROR(EAGAIN) || (flushing && r == AVERROR_EOF)) return;
      if (r < 0) fail("encoding failed", r);
      av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
      packet->stream_index = stream->index;
      r = av_interleaved_write_frame(format, packet);
      if (r < 0) fail("cannot write video data (disk full?)", r);
    }
  }
};

VideoWriter::VideoWriter(const std::string& path, int width, int height, const VideoOptions& options)
    : impl_(new Impl(path)) {
  av_log_set_level(AV_LOG_ERROR);  // encoder statistics are noise on a terminal
  auto& m = *impl_;
  if (width <= 0 || height <= 0 || width % 2 || height % 2)
    m.fail("video size " + std::to_string(width) + "x" + std::to_string(height) + " must be positive and even");
  if (!(options.fps > 0)) m.fail("frame rate must be positive");
  m.width = width;
  m.height = height;
  // The temporary has no .mp4 extension, so name the container explicitly.
  int r = avformat_alloc_output_context2(&m.format, nullptr, "mp4", m.out.temp_path().c_str());
  if (r < 0 || !m.format) m.fail("cannot create an mp4 container", r);

  const AVCodec* encoder = avcodec_find_encoder_by_name("libx264");
  m.codec_name = "h264";
  if (!encoder) {
    encoder = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    m.codec_name = "mpeg4";
  }
  if (!encoder) m.fail("FFmpeg has neither an H.264 nor an MPEG-4 encoder");
  m.codec = avcodec_alloc_context3(encoder);
  m.codec->width = width;
  m.codec->height = height;
  // Full range for lossless grey: limited range would squeeze 256 values into 220 levels.
  const bool lossless = options.lossless_grey && m.codec_name == "h264";
  m.pix_fmt = lossless ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P;
  m.codec->pix_fmt = m.pix_fmt;
  if (lossless) m.codec->color_range = AVCOL_RANGE_JPEG;
  // Millisecond-free rational frame rate: fps given with up to 3 decimals.
  const int fps_den = 1000, fps_num = static_cast<int>(std::lround(options.fps * fps_den));
  m.codec->time_base = AVRational{fps_den, fps_num};
  m.codec->framerate = AVRational{fps_num, fps_den};
  m.codec->gop_size = std::max(1, options.keyframe_interval);
  m.codec->max_b_frames = 0;  // frame index = decode order: simple, exact seeking
  const double q = options.lossless_grey ? 1.0 : std::clamp(options.quality, 0.0, 1.0);
  if (lossless) {
    av_opt_set(m.codec->priv_data, "preset", "veryfast", 0);
    av_opt_set_int(m.codec->priv_data, "qp", 0, 0);
  } else if (m.codec_name == "h264") {
    av_opt_set(m.codec->priv_data, "preset", "veryfast", 0);
    av_opt_set_double(m.codec->priv_data, "crf", 40.0 - 38.0 * q, 0);
  } else {
    m.codec->flags |= AV_CODEC_FLAG_QSCALE;
    m.codec->global_quality = static_cast<int>(FF_QP2LAMBDA * (31.0 - 29.0 * q));
  }
  if (m.format->oformat->flags & AVFMT_GLOBALHEADER) m.codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  r = avcodec_open2(m.codec, encoder, nullptr);
  if (r < 0) m.fail("cannot open the " + m.codec_name + " encoder", r);

  m.stream = avformat_new_stream(m.format, nullptr);
  avcodec_parameters_from_context(m.stream->codecpar, m.codec);
  m.stream->time_base = m.codec->time_base;
  m.stream->avg_frame_rate = m.codec->framerate;
  r = avio_open(&m.format->pb, m.out.temp_path().c_str(), AVIO_FLAG_WRITE);
  if (r < 0) m.fail("cannot open for writing", r);
  r = avformat_write_header(m.format, nullptr);
  if (r < 0) m.fail("cannot write the mp4 header", r);

  m.frame = av_frame_alloc();
  m.frame->format = m.pix_fmt;
  m.frame->width = width;
  m.frame->height = height;
  if (av_frame_get_buffer(m.frame, 0) < 0) m.fail("out of memory");
  m.packet = av_packet_alloc();
  m.sws = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, m.pix_fmt, SWS_BICUBIC, nullptr, nullptr,
                         nullptr);
}

VideoWriter::~VideoWriter() = default;

void VideoWriter::add(const uint8_t* rgb) {
  auto& m = *impl_;
  if (m.finished) m.fail("frame added after finish()");
  if (av_frame_make_writable(m.frame) < 0) m.fail("out of memory");
  const uint8_t* src[1] = {rgb};
  const int stride[1] = {m.width * 3};
  sws_scale(m.sws, src, stride, 0, m.height, m.frame->data, m.frame->linesize);
  m.frame->pts = m.next_pts++;
  int r = avcodec_send_frame(m.codec, m.frame);
  if (r < 0) m.fail("encoding failed", r);
  m.drain(false);
}

void VideoWriter::finish() {
  auto& m = *impl_;
  if (m.finished) return;
  if (m.next_pts == 0) m.fail("refusing to write a video with no frames");
  avcodec_send_frame(m.codec, nullptr);
  m.drain(true);
  int r = av_write_trailer(m.format);
  if (r < 0) m.fail("cannot finish the mp4 file", r);
  avio_closep(&m.format->pb);
  m.finished = true;
  m.out.commit();
}

const std::string& VideoWriter::codec() const { return impl_->codec_name; }
int VideoWriter::frames_written() const { return static_cast<int>(impl_->next_pts); }

}  // namespace xwam::data
