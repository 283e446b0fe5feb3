#include "engine/data/VideoReader.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
}

#include <cmath>

#include "engine/core/Error.h"
#include "engine/core/RegularFile.h"

namespace xwam::data {

struct VideoReader::Impl {
  std::string path;
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  int stream = -1;
  double fps = 0;
  int num_frames = 0;
  int64_t start_pts = 0;
  int last_index = -1;  // index of the frame currently in `frame` (-1: none)
  bool at_end = false;
  int64_t decoded = 0;

  ~Impl() {
    if (sws) sws_freeContext(sws);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&codec);
    if (format) avformat_close_input(&format);
  }

  [[noreturn]] void fail(const std::string& what, int err = 0) const {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    if (err < 0) av_strerror(err, buf, sizeof buf);
    throw Error(path, err < 0 ? what + " (" + buf + ")" : what);
  }

  int index_of(int64_t pts) const {
    const AVRational tb = format->streams[stream]->time_base;
    return static_cast<int>(std::llround(static_cast<double>(pts - start_pts) * tb.num / tb.den * fps));
  }

  int64_t pts_of(int index) const {
    const AVRational tb = format->streams[stream]->time_base;
    return start_pts + static_cast<int64_t>(std::llround(index / fps * tb.den / tb.num));
  }

  // Decodes the next frame into `frame`; false at the end of the stream.
  bool decode_next() {
    while (true) {
      int r = avcodec_receive_frame(codec, frame);
      if (r == 0) {
        ++decoded;
        const int64_t pts = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts;
        last_index = pts == AV_NOPTS_VALUE ? last_index + 1 : index_of(pts);
        return true;
      }
      if (r == AVERROR_EOF) {
        at_end = true;
        return false;
      }
      if (r != AVERROR(EAGAIN)) fail("cannot decode video", r);
      r = av_read_frame(format, packet);
      if (r == AVERROR_EOF) {
        avcodec_send_packet(codec, nullptr);  // drain the decoder
        continue;
      }
      if (r < 0) fail("cannot read video data (truncated file?)", r);
      if (packet->stream_index == stream) {
        r = avcodec_send_packet(codec, packet);
        av_packet_unref(packet);
        if (r < 0 && r != AVERROR(EAGAIN)) fail("corrupt video data", r);
      } else {
        av_packet_unref(packet);
      }
    }
  }

  void seek_before(int index) {
    int r = av_seek_frame(format, stream, pts_of(index), AVSEEK_FLAG_BACKWARD);
    if (r < 0) fail("cannot seek to frame " + std::to_string(index), r);
    avcodec_flush_buffers(codec);
    last_index = -1;
    at_end = false;
  }
};

VideoReader::VideoReader(const std::string& path) : impl_(new Impl) {
  av_log_set_level(AV_LOG_ERROR);
  auto& m = *impl_;
  m.path = path;
  regular_file_size(path, "video file");  // FFmpeg would block on a FIFO and read a device forever
  int r = avformat_open_input(&m.format, path.c_str(), nullptr, nullptr);
  if (r < 0) m.fail("cannot open video", r);
  r = avformat_find_stream_info(m.format, nullptr);
  if (r < 0) m.fail("cannot read video stream information", r);
  const AVCodec* decoder = nullptr;
  m.stream = av_find_best_stream(m.format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (m.stream < 0 || !decoder) m.fail("no decodable video stream");
  AVStream* st = m.format->streams[m.stream];
  m.codec = avcodec_alloc_context3(decoder);
  avcodec_parameters_to_context(m.codec, st->codecpar);
  m.codec->thread_count = 1;  // frame threading would delay frames and blur the seek accounting
  r = avcodec_open2(m.codec, decoder, nullptr);
  if (r < 0) m.fail("cannot open the video decoder", r);
  const AVRational rate = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
  if (!rate.num || !rate.den) m.fail("video has no frame rate");
  m.fps = av_q2d(rate);
  m.start_pts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
  m.frame = av_frame_alloc();
  m.packet = av_packet_alloc();
  if (st->nb_frames > 0) {
    m.num_frames = static_cast<int>(st->nb_frames);
  } else {
    // The container does not say: count once, then rewind.
    while (m.decode_next()) ++m.num_frames;
    m.seek_before(0);
    m.decoded = 0;
  }
  m.sws = sws_getContext(m.codec->width, m.codec->height, m.codec->pix_fmt, m.codec->width, m.codec->height,
                         AV_PIX_FMT_RGB24, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!m.sws) m.fail("unsupported pixel format");
}

VideoReader::~VideoReader() = default;

int VideoReader::width() const { return impl_->codec->width; }
int VideoReader::height() const { return impl_->codec->height; }
double VideoReader::fps() const { return impl_->fps; }
int VideoReader::num_frames() const { return impl_->num_frames; }
const std::string& VideoReader::path() const { return impl_->path; }
int64_t VideoReader::frames_decoded() const { return impl_->decoded; }

std::vector<uint8_t> VideoReader::frame(int index) {
  auto& m = *impl_;
  if (index < 0 || index >= m.num_frames)
    m.fail("frame " + std::to_string(index) + " requested but the video has " + std::to_string(m.num_frames));
  // Decoding forward beats a seek when the target is close ahead; otherwise jump to a key frame.
  constexpr int kForwardWindow = 16;
  if (!(m.last_index >= 0 && index >= m.last_index && index - m.last_index <= kForwardWindow)) m.seek_before(index);
  while (m.last_index < index) {
    if (!m.decode_next())
      m.fail("video ended before frame " + std::to_string(index) + " (file shorter than it claims)");
  }
  if (m.last_index != index) m.fail("frame " + std::to_string(index) + " is missing from the video stream");
  std::vector<uint8_t> rgb(static_cast<size_t>(width()) * height() * 3);
  uint8_t* dst[1] = {rgb.data()};
  const int stride[1] = {width() * 3};
  sws_scale(m.sws, m.frame->data, m.frame->linesize, 0, height(), dst, stride);
  return rgb;
}

}  // namespace xwam::data
