#include "sim/cli/interrupt.h"

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <memory>
#include <unistd.h>

namespace paraspine::cli {

namespace {

// Set before the handlers are installed and never changed after, except the finished flags
// (lock-free atomics, which a handler may read): the handler only reads and calls write/unlink.
struct Outputs {
  std::vector<std::string> partial;   // removed on a signal
  std::vector<std::string> finished_name;  // "\n  NAME" per output, said when it is finished
  std::unique_ptr<std::atomic<bool>[]> finished;  // null: no output is ever kept
  std::string nothing_kept;           // "\ninterrupted: no ... written\n"
};
const Outputs* g_outputs = nullptr;

void say(const std::string& s) {
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, s.data(), s.size());
}

extern "C" void remove_partial_files_and_end(int sig) {
  if (const Outputs* o = g_outputs) {
    for (const std::string& f : o->partial) ::unlink(f.c_str());
    bool any = false;
    if (o->finished)
      for (size_t k = 0; k < o->partial.size(); ++k) any = any || o->finished[k].load();
    if (!any) {
      say(o->nothing_kept);
    } else {
      say("\ninterrupted: unfinished results files removed; complete and kept:");
      for (size_t k = 0; k < o->partial.size(); ++k)
        if (o->finished[k].load()) say(o->finished_name[k]);
      say("\n");
    }
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install(Outputs* o) {
  if (g_outputs) {  // one set per process: a verb writes its files once
    delete o;
    return;
  }
  g_outputs = o;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = remove_partial_files_and_end;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

std::string partial_file(const std::string& output) { return output + ".partial"; }

// "; the earlier F is kept, unchanged" for each final name that already exists: the results are
// written to F.partial and renamed at the end, so an interrupted run leaves an earlier F as it was
// (audit24e #11: "no results file written" beside an existing F read as if it had been lost).
static std::string earlier_files_kept(const std::vector<std::string>& partial_files) {
  std::string kept;
  const std::string suffix = partial_file("");
  for (const std::string& p : partial_files) {
    if (p.size() <= suffix.size() || p.compare(p.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string final_name = p.substr(0, p.size() - suffix.size());
    std::error_code ec;
    if (std::filesystem::exists(final_name, ec)) kept += "; the earlier " + final_name + " is kept, unchanged";
  }
  return kept;
}

void remove_on_interrupt(const std::vector<std::string>& partial_files, const std::string& what) {
  auto* o = new Outputs;
  o->partial = partial_files;
  o->nothing_kept = what.empty() ? "\ninterrupted\n" : "\ninterrupted: no " + what + " written" + earlier_files_kept(partial_files) + "\n";
  install(o);
}

void remove_unfinished_on_interrupt(const std::vector<std::string>& outputs) {
  auto* o = new Outputs;
  for (const std::string& f : outputs) {
    o->partial.push_back(partial_file(f));
    o->finished_name.push_back("\n  " + f);
  }
  o->finished = std::make_unique<std::atomic<bool>[]>(outputs.size());
  for (size_t k = 0; k < outputs.size(); ++k) o->finished[k] = false;
  o->nothing_kept = "\ninterrupted: no results file written\n";
  install(o);
}

void mark_output_finished(size_t index) {
  if (g_outputs && g_outputs->finished && index < g_outputs->partial.size()) g_outputs->finished[index] = true;
}

}  // namespace paraspine::cli
