// kube/ uses the controller's one error convention (base/result.h).
#pragma once

#include "base/result.h"

namespace gearbox::kube {
using gearbox::Error;
using gearbox::Ok;
using gearbox::Result;
using gearbox::Status;
}  // namespace gearbox::kube
