#include "sim/render/animate.h"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <poll.h>
#include <cerrno>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "sim/common/error.h"

extern char** environ;

namespace paraspine {

long animation_frame_count(const AnimationOptions& a) {
  if (!(a.fps > 0) || !(a.speed > 0) || !(a.end >= a.start)) return 0;
  return static_cast<long>(std::floor((a.end - a.start) * a.fps / a.speed + 1e-9)) + 1;
}

long write_animation(ResultsPicture& p, const PictureOptions& o, const AnimationOptions& a, const std::string& out,
                     int width, int height) {
  namespace fs = std::filesystem;
  const std::string ext = fs::path(out).extension().string();
  if (ext != ".mp4" && ext != ".gif") throw InputError(out, 0, "", "unknown video format '" + ext + "' (use .mp4 or .gif)");
  const fs::path dir = fs::path(out).parent_path();
  if (!dir.empty() && !fs::is_directory(dir)) throw InputError(out, 0, "", "the folder does not exist");
  if (width < 200 || height < 150 || width > 8000 || height > 8000)
    throw std::invalid_argument(fmt::format("video size {} × {} is outside 200 × 150 … 8000 × 8000", width, height));
  width += width % 2, height += height % 2;  // H.264 in yuv420p needs even sizes
  const long n = animation_frame_count(a);
  if (n <= 0) throw std::invalid_argument("--start must not be after --end");
  if (n > 100000) throw std::invalid_argument(fmt::format("{} frames is too many: raise --speed or lower --fps", n));

  const std::string tmp = out + ".partial";
  const std::string size = fmt::format("{}x{}", width, height), rate = fmt::format("{:g}", a.fps);
  std::vector<std::string> args = {"ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgra",
                                   "-s", size, "-r", rate, "-i", "-"};
  if (ext == ".mp4") {
    for (const char* s : {"-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"})
      args.push_back(s);
  } else {
    // One palette for the whole clip keeps colours steady from frame to frame.
    for (const char* s : {"-filter_complex", "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=sierra2_4a", "-f", "gif"})
      args.push_back(s);
  }
  args.push_back(tmp);
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  int pipefd[2], errfd[2];
  if (pipe(pipefd) != 0) throw std::runtime_error("cannot create a pipe to ffmpeg");
  // ffmpeg's messages come back to us: it exits 0 after "Error writing trailer" on a full disk, so its
  // exit status alone let a truncated video be renamed into place (audit25i #3). At -loglevel error,
  // anything it says is a failure.
  if (pipe(errfd) != 0) {
    close(pipefd[0]), close(pipefd[1]);
    throw std::runtime_error("cannot create a pipe from ffmpeg");
  }
  fcntl(errfd[0], F_SETFL, fcntl(errfd[0], F_GETFL) | O_NONBLOCK);
  fcntl(pipefd[1], F_SETFL, fcntl(pipefd[1], F_GETFL) | O_NONBLOCK);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errfd[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipefd[1]);
  posix_spawn_file_actions_addclose(&actions, pipefd[0]);
  posix_spawn_file_actions_addclose(&actions, errfd[0]);
  posix_spawn_file_actions_addclose(&actions, errfd[1]);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, "ffmpeg", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[0]);
  close(errfd[1]);
  std::string said;  // what ffmpeg wrote to its stderr
  auto drain = [&] {
    char buf[4096];
    for (ssize_t got; (got = read(errfd[0], buf, sizeof buf)) > 0;)
      if (said.size() < 8192) said.append(buf, static_cast<size_t>(got));  // enough to say what went wrong
  };
  if (err != 0) {
    close(pipefd[1]);
    close(errfd[0]);
    throw std::runtime_error("ffmpeg was not found: animations need it (Debian: apt-get install ffmpeg)");
  }
  // A dead ffmpeg must surface as an error, not kill us with SIGPIPE.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);

  PictureOptions fixed = o;
  fixed.fixed_frame = true;  // the camera holds still while the body moves
  fixed.timeline = true;
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
  const int stride = cairo_image_surface_get_stride(surface);
  bool ok = true;
  std::string failure;
  static const std::string kStopped = "ffmpeg stopped reading frames";
  try {
    for (long k = 0; k < n && ok; ++k) {
      const double t = a.start + k * a.speed / a.fps;
      const FrameValues v = p.values(p.results().frame_at(t));
      const Scene s = p.scene(v);
      cairo_t* cr = cairo_create(surface);
      FrameValues shown = v;
      shown.time = t;  // the time stamp is the video's instant; the drawing is the nearest stored frame
      p.draw(cr, width, height, shown, s, fixed);
      cairo_destroy(cr);
      cairo_surface_flush(surface);
      const unsigned char* data = cairo_image_surface_get_data(surface);
      for (int row = 0; row < height && ok; ++row) {
        const unsigned char* line = data + static_cast<size_t>(row) * stride;
        size_t left = static_cast<size_t>(width) * 4;
        while (left > 0) {
          const ssize_t w = write(pipefd[1], line, left);
          if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // ffmpeg's input is full: wait until it takes more or says something, reading what it
            // says, so neither side blocks on the other's full pipe (review25 B1: a talkative
            // ffmpeg hung the render).
            pollfd fds[2] = {{pipefd[1], POLLOUT, 0}, {errfd[0], POLLIN, 0}};
            poll(fds, 2, -1);
            if (fds[1].revents & (POLLIN | POLLHUP)) drain();
            continue;
          }
          if (w <= 0) {
            ok = false;
            failure = kStopped;
            break;
          }
          line += w, left -= static_cast<size_t>(w);
        }
      }
      drain();
    }
  } catch (const std::exception& e) {
    ok = false;
    failure = e.what();
  }
  cairo_surface_destroy(surface);
  close(pipefd[1]);
  // Read what ffmpeg says to its end (it closes its stderr when it exits), then reap it: waiting
  // first would hang on an ffmpeg blocked writing to a full pipe.
  fcntl(errfd[0], F_SETFL, fcntl(errfd[0], F_GETFL) & ~O_NONBLOCK);
  drain();
  close(errfd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  sigaction(SIGPIPE, &old, nullptr);
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
  std::error_code ec;
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(tmp) || !said.empty()) {
    fs::remove(tmp, ec);
    if (said.empty() && !failure.empty() && failure != kStopped) throw std::runtime_error(failure);  // drawing failed, not the output
    const std::string why = said.empty() ? failure : "ffmpeg: " + said;
    if (!why.empty()) throw InputError(out, 0, "output", "cannot write the video (" + why + "); nothing was written");
    throw InputError(out, 0, "output",
                     fmt::format("cannot write the video: ffmpeg failed (exit status {}); nothing was written", WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  fs::rename(tmp, out, ec);
  if (ec) {
    const std::string why = ec.message();  // before remove() reuses ec
    fs::remove(tmp, ec);
    throw InputError(out, 0, "", "cannot write the video: " + why);
  }
  return n;
}

}  // namespace paraspine
