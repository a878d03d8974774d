// Child processes for process tests: started with posix_spawn, stdout and stderr sent to
// files, and SIGKILLed and reaped by the destructor if still running, so a failed
// assertion never leaves a node behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace flex::process_test {

// How a child ended: its exit code, or the signal that killed it.
struct ExitStatus {
  enum class Kind { Exited, Signaled };
  Kind kind = Kind::Exited;
  int value = 0;

  bool exited_with(int code) const { return kind == Kind::Exited && value == code; }
  bool killed_by(int signal_number) const { return kind == Kind::Signaled && value == signal_number; }
  std::string describe() const;
};

class ChildProcess {
 public:
  // arguments[0] is the program path. Throws std::runtime_error if the spawn fails.
  ChildProcess(const std::vector<std::string>& arguments, const std::filesystem::path& stdout_path,
               const std::filesystem::path& stderr_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True until the child has exited (reaps it when it has).
  bool running();
  // Sends a signal unless the child has already been reaped (its pid may be reused then).
  void send_signal(int signal_number);
  // The exit status, or nullopt if the child is still running after `timeout`.
  std::optional<ExitStatus> wait_for_exit(std::chrono::milliseconds timeout);

 private:
  bool reap(int options);

  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_status_;
};

struct CompletedRun {
  ExitStatus status;
  std::string stdout_text;
  std::string stderr_text;
};

// Runs a program to completion, writing its output under `scratch_dir`. A program still
// running after `timeout` is killed and reported as killed by SIGKILL.
CompletedRun run_to_completion(const std::vector<std::string>& arguments, const std::filesystem::path& scratch_dir,
                               std::chrono::milliseconds timeout);

// The exit status, stdout, and the end of stderr (flexctl verify draws progress there).
std::string describe_run(const CompletedRun& run);

std::string read_whole_file(const std::filesystem::path& path);

// A fresh directory under the system temporary directory, removed with its contents on
// destruction.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace flex::process_test
