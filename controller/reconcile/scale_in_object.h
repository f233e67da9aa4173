// Deployments, StatefulSets and ReplicaSets (apps/v1) carry what their /scale says in the object
// itself: their counts are read from the informer cache, which keeps only what a pass reads of
// them, and no GET of /scale is needed.
#pragma once

#include <cpprest/json.h>

#include <string>

namespace gearbox::reconcile {

// Whether the object of this kind carries what its /scale says (spec.replicas, status.replicas,
// spec.selector): Deployments, StatefulSets and ReplicaSets of apps/v1. Their counts are read from
// the object in the informer cache; no GET of /scale is needed on any pass.
bool ScaleIsInObject(const std::string& api_version, const std::string& kind);

// The Scale the API server would serve for such an object: {spec:{replicas}, status:{replicas,
// selector}}, the selector written as a string the way /scale writes it ("app=web,tier in (a,b)").
web::json::value ScaleFromObject(const web::json::value& object);

// What a cached target of such a kind keeps: its name, namespace, resourceVersion and generation,
// its spec but the pod template (spec.template, and a StatefulSet's volumeClaimTemplates; the
// rest is small, and a replicasField may name any of it), and of its status the counts a pass
// reads (observedGeneration, replicas, readyReplicas). Nothing here reads the rest (labels,
// annotations, owners, the conditions and their messages), which is most of it.
void TrimAppsTarget(web::json::value& object);

// A metav1.LabelSelector as a selector string; "" for none. Unknown operators are left out.
std::string LabelSelectorString(const web::json::value& selector);

}  // namespace gearbox::reconcile
