// Credentials from a kubeconfig's exec plugin (users[].user.exec: `aws eks get-token`,
// `gke-gcloud-auth-plugin`, `kubelogin`), as kubectl runs them: the command with its args, the
// kubeconfig's env on top of ours and KUBERNETES_EXEC_INFO; its stdout is an ExecCredential
// (client.authentication.k8s.io/v1 or v1beta1) holding a bearer token or a client certificate and
// key, kept until its expirationTimestamp. The controller never has a terminal: a plugin that
// insists on one (interactiveMode: Always) is refused with a clear error.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/mutex.h"
#include "base/time_format.h"
#include "kube/clock.h"
#include "kube/config.h"
#include "kube/result.h"

namespace gearbox::kube {

struct ExecCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<WallTime> expiry;  // none: good until the server refuses it

  bool SameSecretAs(const ExecCredential& other) const {
    return token == other.token && client_cert_pem == other.client_cert_pem &&
           client_key_pem == other.client_key_pem;
  }
};

// Checks the fields of a kubeconfig's exec section that can be wrong before anything is run.
Status ValidateExecConfig(const ExecConfig& config);

// The KUBERNETES_EXEC_INFO the plugin gets: an ExecCredential with only its spec.
std::string ExecInfoJson(const ExecConfig& config);

// Parses a plugin's stdout, which must be of the apiVersion `config` asked for.
Result<ExecCredential> ParseExecCredential(const std::string& json, const ExecConfig& config);

// Runs the plugin: its stdout, or an Error naming the command and the first line of its stderr.
Result<std::string> RunExecPlugin(const ExecConfig& config);

// One plugin's credential, shared by every request of a client: run when there is none yet, when
// it expired, and after the server refused it. Concurrent callers wait for one run.
class ExecCredentialSource {
 public:
  explicit ExecCredentialSource(ExecConfig config, const Clock& clock = RealClock::Instance());

  // The cached credential, or a fresh one from the plugin.
  Result<ExecCredential> Current() EXCLUDES(mu_);
  // The server answered 401 to `refused`: the next Current() runs the plugin again, unless
  // another request has already replaced that credential.
  void Forget(const ExecCredential& refused) EXCLUDES(mu_);

  const ExecConfig& config() const { return config_; }

 private:
  bool Expired(const ExecCredential& credential) const;

  const ExecConfig config_;
  const Clock& clock_;
  Mutex mu_;  // also held while the plugin runs, so concurrent requests do not each run it
  std::optional<ExecCredential> cached_ GUARDED_BY(mu_);
};

}  // namespace gearbox::kube
