#include "sim/cli/interrupt.h"

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace paraspine::cli {

namespace {

// Set before the handlers are installed and never changed after: the handler only reads it.
const std::vector<std::string>* g_partial_files = nullptr;

extern "C" void remove_partial_files_and_end(int sig) {
  if (g_partial_files)
    for (const std::string& f : *g_partial_files) ::unlink(f.c_str());
  static const char msg[] = "\ninterrupted: no results file written\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

std::string partial_file(const std::string& output) { return output + ".partial"; }

void remove_on_interrupt(const std::vector<std::string>& partial_files) {
  if (g_partial_files) return;  // one set per process: a verb writes its files once
  g_partial_files = new std::vector<std::string>(partial_files);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = remove_partial_files_and_end;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace paraspine::cli
