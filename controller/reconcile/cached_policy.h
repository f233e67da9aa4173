// The ScalingPolicy as the controller's cache keeps it (the policy informer's transform), and the
// ways back. A pass reads a policy's metadata (its generation, the pause annotation), its status
// only in part (CompactStatus) and its spec only when the generation changes; and cpprestsdk
// holds a JSON tree in five to eight times the size of its text. So the cache keeps the metadata
// as it came, and the spec and the compact status as their JSON text: some 2.5 KiB a policy
// instead of 13. Whatever reads a cached policy's spec or status goes through WithSpec or
// CachedStatus, which also take an object that was never compacted, as it is.
#pragma once

#include <cpprest/json.h>

namespace gearbox::reconcile {

// The informer's transform: the spec and the compact status, each as its JSON text.
void CompactCachedPolicy(web::json::value& policy);

// The status a pass reads: the compact one of a cached policy (an empty object for none).
web::json::value CachedStatus(const web::json::value& policy);

// The policy with its spec as a tree again, for ParsePolicy, the target index and the Secrets it
// names; its status stays compact.
web::json::value WithSpec(const web::json::value& policy);

// The body of a status write (PUT of /status): the object's identity (apiVersion, kind, metadata
// with its resourceVersion) and `status`. The API server keeps the spec it has whatever a status
// write holds, so the spec is left out.
web::json::value StatusWriteBody(const web::json::value& policy, const web::json::value& status);

}  // namespace gearbox::reconcile
