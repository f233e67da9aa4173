// kube::WatchDecoder on an arbitrary stream: every line is an event or an Error, never a crash;
// cutting the stream into chunks anywhere decodes the same events as feeding it whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "kube/watch_decoder.h"

namespace {

using gearbox::kube::WatchDecoder;
using gearbox::kube::WatchEvent;
using Decoded = std::vector<gearbox::kube::Result<WatchEvent>>;

Decoded InChunks(std::string_view stream, size_t chunk) {
  WatchDecoder decoder;
  Decoded all;
  for (size_t at = 0; at < stream.size(); at += chunk) {
    for (auto& e : decoder.Feed(stream.substr(at, chunk))) all.push_back(std::move(e));
  }
  return all;
}

void Use(const Decoded& events) {
  for (const auto& e : events) {
    if (!e) continue;
    (void)e->ResourceVersion();
    if (e->type == WatchEvent::Type::kError) (void)e->AsError();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  WatchDecoder whole;
  Decoded at_once = whole.Feed(stream);
  Use(at_once);
  Decoded chunked = InChunks(stream, 1 + size % 7);
  if (chunked.size() != at_once.size()) std::abort();
  for (size_t i = 0; i < chunked.size(); ++i) {
    if (chunked[i].ok() != at_once[i].ok()) std::abort();
    if (chunked[i] && chunked[i]->type != at_once[i]->type) std::abort();
  }
  return 0;
}
