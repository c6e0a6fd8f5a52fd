#pragma once
// Animations of a results file: the picture of picture.h drawn at evenly spaced instants, with the
// time stamp in its title, piped as raw frames to ffmpeg (Debian's), which encodes MP4 (H.264) or
// GIF (one palette for the whole clip). Frame count: floor((end − start) · fps / speed) + 1, each
// frame showing the stored frame nearest to start + k · speed / fps.
#include <string>

#include "sim/render/picture.h"

namespace paraspine {

struct AnimationOptions {
  double fps = 25;    // video frames per second
  double speed = 1;   // seconds of the run per second of video
  double start = 0, end = 0;  // s of the run
};

long animation_frame_count(const AnimationOptions& a);

// Writes the video (format from the extension: .mp4 or .gif) under a temporary name and renames it
// when ffmpeg succeeds; returns the number of frames. Throws InputError for a bad path or format,
// std::runtime_error when ffmpeg is missing or fails.
long write_animation(ResultsPicture& p, const PictureOptions& o, const AnimationOptions& a, const std::string& out,
                     int width, int height);

}  // namespace paraspine
