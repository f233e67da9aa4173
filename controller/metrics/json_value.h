// A number picked out of a JSON document by a path, as KEDA's metrics-api scaler's valueLocation
// (GJSON's dotted form): "components.worker.tasks", "items.0.count" (a number segment indexes an
// array), "a\.b" (a dot inside a field's name). The value is a JSON number, or a string holding
// one (a Kubernetes quantity too: "250m", "2Ki"), as KEDA reads it. Errors name the path and what
// was found there (an object, a string that is not a number), never the document's text.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace gearbox::metrics {

// The path's segments ("a\.b.c" -> {"a.b", "c"}); an Error (kConfig) for an empty segment.
Result<std::vector<std::string>> SplitValuePath(const std::string& path);

// The finite number at `path` in `doc`: kNoData when a segment is missing, kNotANumber for a value
// that is not a finite number (NaN, an object, an array, a boolean, a string of letters).
Result<double> NumberAt(const web::json::value& doc, const std::string& path,
                        const std::string& what);

}  // namespace gearbox::metrics
