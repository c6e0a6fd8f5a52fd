// Replays fuzz corpora without libFuzzer, in the ordinary release build: every file under the folders
// given goes through the target's LLVMFuzzerTestOneInput, so the inputs the campaigns kept
// (fuzz/corpus/*.tar.xz, minimized with -merge=1) stay regression tests in `make test`.
// docs/fuzzing.md.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::string g_current;  // the input being replayed, named when it brings the process down

void name_the_input() {
  const std::string line = "\nreplay: failing input " + g_current + "\n";
  (void)!write(2, line.data(), line.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate([] {
    name_the_input();
    if (const auto e = std::current_exception()) try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::fprintf(stderr, "replay: uncaught %s\n", x.what());
      } catch (...) {
      }
    std::_Exit(1);
  });
  for (const int sig : {SIGABRT, SIGSEGV, SIGFPE, SIGBUS})
    std::signal(sig, [](int s) {
      name_the_input();
      std::_Exit(128 + s);
    });
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i)
    for (const auto& e : std::filesystem::recursive_directory_iterator(argv[i]))
      if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "replay: no inputs under the folders given\n";
    return 1;
  }
  for (const auto& path : files) {
    g_current = path.string();
    std::ifstream f(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << files.size() << " inputs replayed, every one parsed or refused with an InputError\n";
  return 0;
}
