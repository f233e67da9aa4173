// See request_auth.h.
#include "metrics/request_auth.h"

namespace gearbox::metrics {

namespace {

class SigV4 final : public RequestAuth {
 public:
  SigV4(std::shared_ptr<AwsCredentialSource> credentials, SigV4Scope scope,
        const kube::Clock& clock)
      : credentials_(std::move(credentials)), scope_(std::move(scope)), clock_(clock) {}

  Status Apply(HttpTarget& target) override {
    ASSIGN_OR_RETURN(AwsCredentials keys, credentials_->Get());
    const size_t q = target.target.find('?');
    SigV4Request request{target.method,
                         target.target.substr(0, q),
                         q == std::string::npos ? "" : target.target.substr(q + 1),
                         {{"Host", HostHeader(target)}},
                         target.body};
    // The Host signed is the one sent: set explicitly, so the two cannot differ.
    target.headers.emplace_back("Host", request.headers.front().second);
    for (auto& header : SignV4(request, keys, scope_, clock_.WallNow()))
      target.headers.push_back(std::move(header));
    return OkStatus();
  }

 private:
  const std::shared_ptr<AwsCredentialSource> credentials_;
  const SigV4Scope scope_;
  const kube::Clock& clock_;
};

class Bearer final : public RequestAuth {
 public:
  explicit Bearer(std::shared_ptr<TokenSource> tokens) : tokens_(std::move(tokens)) {}
  Status Apply(HttpTarget& target) override {
    ASSIGN_OR_RETURN(std::string token, tokens_->Token());
    target.headers.emplace_back("Authorization", "Bearer " + token);
    return OkStatus();
  }

 private:
  const std::shared_ptr<TokenSource> tokens_;
};

}  // namespace

std::shared_ptr<RequestAuth> SigV4Auth(std::shared_ptr<AwsCredentialSource> credentials,
                                       SigV4Scope scope, const kube::Clock& clock) {
  return std::make_shared<SigV4>(std::move(credentials), std::move(scope), clock);
}

std::shared_ptr<RequestAuth> BearerTokenAuth(std::shared_ptr<TokenSource> tokens) {
  return std::make_shared<Bearer>(std::move(tokens));
}

}  // namespace gearbox::metrics
