#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace flex::process_test {
namespace {

constexpr std::chrono::milliseconds poll_interval{10};

// Releases posix_spawn's attribute and file-action objects on every path.
struct SpawnSettings {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attributes{};
  SpawnSettings() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSettings() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
};

}  // namespace

std::string ExitStatus::describe() const {
  return kind == Kind::Exited ? "exited with status " + std::to_string(value)
                              : "killed by signal " + std::to_string(value) + " (" + strsignal(value) + ")";
}

ChildProcess::ChildProcess(const std::vector<std::string>& arguments, const std::filesystem::path& stdout_path,
                           const std::filesystem::path& stderr_path) {
  if (arguments.empty()) throw std::invalid_argument("ChildProcess: no program given");
  SpawnSettings settings;
  posix_spawn_file_actions_addopen(&settings.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&settings.actions, STDOUT_FILENO, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&settings.actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The child starts with no blocked signals and default dispositions, whatever the test
  // runner (Catch installs handlers; a test may ignore SIGPIPE) has set in this process.
  sigset_t no_signals, defaults;
  sigemptyset(&no_signals);
  sigemptyset(&defaults);
  for (int signal_number : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT}) sigaddset(&defaults, signal_number);
  posix_spawnattr_setsigmask(&settings.attributes, &no_signals);
  posix_spawnattr_setsigdefault(&settings.attributes, &defaults);
  posix_spawnattr_setflags(&settings.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  int error = posix_spawn(&pid_, arguments[0].c_str(), &settings.actions, &settings.attributes, argv.data(), environ);
  if (error != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot spawn " + arguments[0] + ": " + std::strerror(error));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || exit_status_) return;
  ::kill(pid_, SIGKILL);
  reap(0);
}

bool ChildProcess::reap(int options) {
  if (exit_status_) return true;
  int status = 0;
  pid_t result;
  do {
    result = ::waitpid(pid_, &status, options);
  } while (result < 0 && errno == EINTR);
  if (result != pid_) return false;
  if (WIFEXITED(status)) exit_status_ = ExitStatus{ExitStatus::Kind::Exited, WEXITSTATUS(status)};
  else exit_status_ = ExitStatus{ExitStatus::Kind::Signaled, WTERMSIG(status)};
  return true;
}

bool ChildProcess::running() { return !reap(WNOHANG); }

void ChildProcess::send_signal(int signal_number) {
  if (!exit_status_) ::kill(pid_, signal_number);
}

std::optional<ExitStatus> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(WNOHANG)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(poll_interval);
  }
  return exit_status_;
}

CompletedRun run_to_completion(const std::vector<std::string>& arguments, const std::filesystem::path& scratch_dir,
                               std::chrono::milliseconds timeout) {
  static std::atomic<int> run_counter{0};
  std::string stem = "run-" + std::to_string(run_counter++);
  auto stdout_path = scratch_dir / (stem + ".stdout");
  auto stderr_path = scratch_dir / (stem + ".stderr");
  CompletedRun run;
  {
    ChildProcess child(arguments, stdout_path, stderr_path);
    auto status = child.wait_for_exit(timeout);
    if (!status) {
      child.send_signal(SIGKILL);
      status = child.wait_for_exit(std::chrono::seconds(5));
    }
    run.status = status.value_or(ExitStatus{ExitStatus::Kind::Signaled, SIGKILL});
  }
  run.stdout_text = read_whole_file(stdout_path);
  run.stderr_text = read_whole_file(stderr_path);
  return run;
}

std::string describe_run(const CompletedRun& run) {
  constexpr std::size_t stderr_tail_bytes = 600;
  std::string stderr_tail = run.stderr_text.size() > stderr_tail_bytes
                                ? "..." + run.stderr_text.substr(run.stderr_text.size() - stderr_tail_bytes)
                                : run.stderr_text;
  return run.status.describe() + "\nstdout: " + run.stdout_text + "\nstderr: " + stderr_tail;
}

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

TemporaryDirectory::TemporaryDirectory() {
  static std::atomic<int> directory_counter{0};
  std::random_device device;
  std::ostringstream name;
  name << "flex-process-" << ::getpid() << "-" << directory_counter++ << "-" << std::hex << device() << device();
  path_ = std::filesystem::temp_directory_path() / name.str();
  std::filesystem::create_directories(path_);
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace flex::process_test
