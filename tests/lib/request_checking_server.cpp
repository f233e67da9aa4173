// See request_checking_server.h.
#include "request_checking_server.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "metrics/digest.h"

namespace gearbox::testing {

namespace http = boost::beast::http;

RequestCheckingServer::RequestCheckingServer(Handler handler)
    : handler_(std::move(handler)), server_([this](boost::asio::ip::tcp::socket& socket) {
        boost::beast::flat_buffer buffer;
        FakeRequest request;
        boost::system::error_code ec;
        http::read(socket, buffer, request, ec);
        if (ec) return;
        {
          std::lock_guard lock(mu_);
          seen_.push_back(request);
        }
        FakeAnswer answer = handler_(request);
        http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
        response.set(http::field::content_type, answer.content_type);
        response.body() = answer.body;
        response.prepare_payload();
        http::write(socket, response, ec);
      }) {}

int RequestCheckingServer::requests() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(seen_.size());
}

FakeRequest RequestCheckingServer::last() const {
  std::lock_guard lock(mu_);
  return seen_.empty() ? FakeRequest{} : seen_.back();
}

std::map<std::string, std::string> FormFields(const std::string& body) {
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = std::min(body.find('&', start), body.size());
    std::string part = body.substr(start, end - start);
    size_t eq = part.find('=');
    fields[metrics::PercentDecode(part.substr(0, eq))] =
        eq == std::string::npos ? "" : metrics::PercentDecode(part.substr(eq + 1));
    start = end + 1;
  }
  return fields;
}

}  // namespace gearbox::testing
