// See exec_credential.h.
#include "kube/exec_credential.h"

#include <cpprest/asyncrt_utils.h>
#include <cpprest/json.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "kube/json_fields.h"

extern char** environ;

namespace gearbox::kube {

namespace {

using Json = web::json::value;

constexpr const char* kV1 = "client.authentication.k8s.io/v1";
constexpr const char* kV1beta1 = "client.authentication.k8s.io/v1beta1";
constexpr size_t kMaxStdout = 1 << 20;  // an ExecCredential is a few kB; more is a broken plugin
constexpr size_t kMaxStderrLine = 200;

Error PluginError(const ExecConfig& config, const std::string& what) {
  return Error::Of(Error::Kind::kAuth, "exec plugin \"" + config.command + "\": " + what);
}

// The plugin's first stderr line, shortened: enough to say why without flooding the log.
std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > kMaxStderrLine) line = line.substr(0, kMaxStderrLine) + "...";
  return line;
}

// Our environment, with the kubeconfig's env entries added or replacing, then
// KUBERNETES_EXEC_INFO.
std::vector<std::string> PluginEnvironment(const ExecConfig& config) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : config.env) vars[name] = value;
  vars["KUBERNETES_EXEC_INFO"] = ExecInfoJson(config);
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Both ends of a pipe, closed on destruction.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      read_end = fds[0];
      write_end = fds[1];
    }
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (read_end >= 0) close(read_end);
    read_end = -1;
  }
  void CloseWrite() {
    if (write_end >= 0) close(write_end);
    write_end = -1;
  }
};

// A process group of its own (so a timeout can kill its children too), no signal blocked and
// SIGPIPE at its default, whatever the controller's threads had.
void InitSpawnAttributes(posix_spawnattr_t& attr) {
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
}

// Starts the plugin (see InitSpawnAttributes), stdin from /dev/null (nobody is there to type),
// stdout and stderr into the pipes.
Result<pid_t> StartPlugin(const ExecConfig& config, Pipe& out, Pipe& err) {
  if (out.read_end < 0 || err.read_end < 0) return PluginError(config, "cannot make pipes");
  std::vector<std::string> argv_strings{config.command};
  argv_strings.insert(argv_strings.end(), config.args.begin(), config.args.end());
  std::vector<std::string> env_strings = PluginEnvironment(config);
  std::vector<char*> argv = NullTerminated(argv_strings), envp = NullTerminated(env_strings);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_end, 2);
  posix_spawnattr_t attr;
  InitSpawnAttributes(attr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, config.command.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  out.CloseWrite();
  err.CloseWrite();
  if (rc == 0) return pid;
  std::string hint = config.install_hint.empty() ? "" : " (" + FirstLine(config.install_hint) + ")";
  return PluginError(config, std::string("cannot run: ") + std::strerror(rc) + hint);
}

// Moves what is readable from `fd` into `sink`; false at end of file (or a read error).
bool Drain(int fd, std::string& sink) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  if (sink.size() < kMaxStdout) sink.append(buf, static_cast<size_t>(n));
  return true;
}

// Reads stdout and stderr until both are closed or `deadline`; false when time ran out.
bool ReadOutputs(Pipe& out, Pipe& err, std::string& stdout_text, std::string& stderr_text,
                 std::chrono::steady_clock::time_point deadline) {
  while (out.read_end >= 0 || err.read_end >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) return false;
    if (fds[0].revents && !Drain(out.read_end, stdout_text)) out.CloseRead();
    if (fds[1].revents && !Drain(err.read_end, stderr_text)) err.CloseRead();
  }
  return true;
}

// Waits for the plugin's exit status, at most until `deadline`; none when it did not exit.
std::optional<int> WaitForExit(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    usleep(2000);
  }
}

Error ExitError(const ExecConfig& config, int status, const std::string& stderr_text) {
  std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                      : "was killed by signal " + std::to_string(WTERMSIG(status));
  std::string why = FirstLine(stderr_text);
  return PluginError(config, how + (why.empty() ? "" : ": " + why));
}

Result<Json> ParseJson(const std::string& text, const ExecConfig& config) {
  try {
    return Json::parse(text);
  } catch (const std::exception& e) {
    return PluginError(config, std::string("printed no JSON ExecCredential: ") + e.what());
  }
}

}  // namespace

Status ValidateExecConfig(const ExecConfig& config) {
  if (config.command.empty()) return Error::Of(Error::Kind::kConfig, "exec has no command");
  if (config.api_version != kV1 && config.api_version != kV1beta1) {
    return PluginError(
        config, "apiVersion \"" + config.api_version + "\" is not " + kV1 + " or " + kV1beta1);
  }
  if (config.interactive_mode == "Always") {
    return PluginError(config,
                       "interactiveMode is Always, but gearbox runs without a terminal; log in "
                       "first (the plugin's own login command) or use a plugin mode that needs no "
                       "prompt");
  }
  if (config.interactive_mode != "Never" && config.interactive_mode != "IfAvailable") {
    return PluginError(config, "interactiveMode \"" + config.interactive_mode +
                                   "\" is not Never, IfAvailable or Always");
  }
  return Ok{};
}

std::string ExecInfoJson(const ExecConfig& config) {
  Json spec = Json::object();
  spec["interactive"] = Json::boolean(false);  // never a terminal to prompt on
  if (config.cluster) {
    Json cluster = Json::object();
    cluster["server"] = Json::string(config.cluster->server);
    if (!config.cluster->ca_pem.empty()) {
      std::vector<unsigned char> ca(config.cluster->ca_pem.begin(), config.cluster->ca_pem.end());
      cluster["certificate-authority-data"] = Json::string(utility::conversions::to_base64(ca));
    }
    if (config.cluster->insecure_skip_tls_verify)
      cluster["insecure-skip-tls-verify"] = Json::boolean(true);
    spec["cluster"] = cluster;
  }
  Json info = Json::object();
  info["apiVersion"] = Json::string(config.api_version);
  info["kind"] = Json::string("ExecCredential");
  info["spec"] = spec;
  return info.serialize();
}

Result<ExecCredential> ParseExecCredential(const std::string& text, const ExecConfig& config) {
  ASSIGN_OR_RETURN(Json doc, ParseJson(text, config));
  if (!doc.is_object() || StringAt(doc, {"kind"}) != "ExecCredential")
    return PluginError(config, "printed something other than an ExecCredential");
  if (StringAt(doc, {"apiVersion"}) != config.api_version) {
    return PluginError(
        config, "printed an ExecCredential of apiVersion \"" + StringAt(doc, {"apiVersion"}) +
                    "\", but the kubeconfig asks for \"" + config.api_version + "\"");
  }
  if (!doc.has_object_field("status")) return PluginError(config, "printed no status");
  const Json& status = doc.at("status");
  ExecCredential c{StringAt(status, {"token"}), StringAt(status, {"clientCertificateData"}),
                   StringAt(status, {"clientKeyData"}), std::nullopt};
  if (c.client_cert_pem.empty() != c.client_key_pem.empty())
    return PluginError(config, "gave a client certificate without a key, or a key without one");
  if (c.token.empty() && c.client_cert_pem.empty())
    return PluginError(config, "gave neither a token nor a client certificate");
  if (std::string at = StringAt(status, {"expirationTimestamp"}); !at.empty()) {
    c.expiry = ParseRfc3339(at);
    if (!c.expiry) return PluginError(config, "expirationTimestamp \"" + at + "\" is not RFC 3339");
  }
  return c;
}

Result<std::string> RunExecPlugin(const ExecConfig& config) {
  Pipe out, err;
  ASSIGN_OR_RETURN(pid_t pid, StartPlugin(config, out, err));
  auto deadline = std::chrono::steady_clock::now() + config.timeout;
  std::string stdout_text, stderr_text;
  bool finished = ReadOutputs(out, err, stdout_text, stderr_text, deadline);
  std::optional<int> status = finished ? WaitForExit(pid, deadline) : std::nullopt;
  if (!status) {
    kill(-pid, SIGKILL);  // the whole group: a shell's children hold the pipes too
    waitpid(pid, nullptr, 0);
    std::string why = FirstLine(stderr_text);
    return Error::Of(Error::Kind::kTimeout, "exec plugin \"" + config.command +
                                                "\" gave no credential within " +
                                                std::to_string(config.timeout.count()) + " ms" +
                                                (why.empty() ? "" : "; its stderr: " + why));
  }
  if (*status != 0) return ExitError(config, *status, stderr_text);
  return stdout_text;
}

ExecCredentialSource::ExecCredentialSource(ExecConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

bool ExecCredentialSource::Expired(const ExecCredential& credential) const {
  return credential.expiry && clock_.WallNow() >= *credential.expiry;
}

Result<ExecCredential> ExecCredentialSource::Current() {
  MutexLock lock(mu_);
  if (cached_ && !Expired(*cached_)) return *cached_;
  ASSIGN_OR_RETURN(std::string output, RunExecPlugin(config_));
  ASSIGN_OR_RETURN(cached_, ParseExecCredential(output, config_));
  return *cached_;
}

void ExecCredentialSource::Forget(const ExecCredential& refused) {
  MutexLock lock(mu_);
  if (cached_ && cached_->SameSecretAs(refused)) cached_.reset();
}

}  // namespace gearbox::kube
