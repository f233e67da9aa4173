// `kubectl gearbox status NAME [-n NS]`: reads the ScalingPolicy (and nothing else) through the
// user's kubeconfig and prints it as status_view.h does.
#pragma once

#include <ostream>

namespace gearbox::cli {

// argv[0] is "status". Returns the exit code: 0 printed; 1 the cluster could not be read or the
// policy does not exist; 2 bad flags.
int StatusMain(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace gearbox::cli
