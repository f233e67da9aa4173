// See watch_decoder.h.
#include "kube/watch_decoder.h"

namespace gearbox::kube {

std::string WatchEvent::ResourceVersion() const {
  if (object.is_object() && object.has_object_field("metadata") &&
      object.at("metadata").has_string_field("resourceVersion")) {
    return object.at("metadata").at("resourceVersion").as_string();
  }
  return "";
}

Error WatchEvent::AsError() const {
  int code = 0;
  std::string reason = "Unknown", message = "watch ERROR event";
  if (object.is_object()) {
    if (object.has_integer_field("code")) code = object.at("code").as_integer();
    if (object.has_string_field("reason")) reason = object.at("reason").as_string();
    if (object.has_string_field("message")) message = object.at("message").as_string();
  }
  return Error::Api(code, reason, "watch: " + std::to_string(code) + " " + reason + ": " + message);
}

Result<WatchEvent> DecodeWatchLine(std::string_view line) {
  Json v;
  try {
    v = Json::parse(std::string(line));
  } catch (const std::exception& e) {
    return Error::Of(Error::Kind::kDecode, "watch line is not JSON (" + std::string(e.what()) +
                                               "): " + std::string(line.substr(0, 120)));
  }
  if (!v.is_object() || !v.has_string_field("type") || !v.has_field("object")) {
    return Error::Of(Error::Kind::kDecode,
                     "watch line is not an event: " + std::string(line.substr(0, 120)));
  }
  const std::string& type = v.at("type").as_string();
  WatchEvent e;
  if (type == "ADDED") {
    e.type = WatchEvent::Type::kAdded;
  } else if (type == "MODIFIED") {
    e.type = WatchEvent::Type::kModified;
  } else if (type == "DELETED") {
    e.type = WatchEvent::Type::kDeleted;
  } else if (type == "BOOKMARK") {
    e.type = WatchEvent::Type::kBookmark;
  } else if (type == "ERROR") {
    e.type = WatchEvent::Type::kError;
  } else {
    return Error::Of(Error::Kind::kDecode, "watch event of unknown type \"" + type + "\"");
  }
  e.object = v.at("object");
  return e;
}

std::vector<Result<WatchEvent>> WatchDecoder::Feed(std::string_view chunk) {
  std::vector<Result<WatchEvent>> out;
  pending_.append(chunk);
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(pending_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    out.push_back(DecodeWatchLine(line));
  }
  pending_.erase(0, start);
  return out;
}

}  // namespace gearbox::kube
