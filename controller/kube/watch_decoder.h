// Decodes a watch response: one JSON event per line ({"type": ..., "object": ...}), arriving in
// chunks that need not end at a line. ERROR events carry a Status (410 Gone when the
// resourceVersion was compacted away); anything that is not an event is reported, not skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kube/client.h"
#include "kube/result.h"

namespace gearbox::kube {

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  Json object;

  // The resourceVersion of the object (bookmarks carry only that).
  std::string ResourceVersion() const;
  // For kError: the Status as an Error (code, reason, message).
  Error AsError() const;
};

// One line of a watch stream.
Result<WatchEvent> DecodeWatchLine(std::string_view line);

class WatchDecoder {
 public:
  // Appends a chunk and returns every event completed by it, in order.
  std::vector<Result<WatchEvent>> Feed(std::string_view chunk);
  // What is left without a line end (an event cut off when the stream ended).
  const std::string& pending() const { return pending_; }

 private:
  std::string pending_;
};

}  // namespace gearbox::kube
