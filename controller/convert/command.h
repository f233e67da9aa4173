// `gearbox-controller convert`: an HPA or a KEDA ScaledObject (YAML files, stdin, or the cluster)
// printed as the equivalent ScalingPolicy, with a comment on every line that is not carried over
// exactly. main.cpp hands it argv when argv[1] is "convert". docs/convert.md is the user's page.
#pragma once

#include <istream>
#include <ostream>

namespace gearbox::convert {

// argv[0] is "convert". Prints the policies to `out` (--- between them); to `err`, a line per
// skipped or refused document and per dropped trigger or field, and errors. Returns the exit
// code: 0 converted; 3 converted, but something was not carried over (0 with --allow-partial);
// 2 bad flags, or a document refused (the others are still printed); 1 the cluster could not
// be read.
int ConvertMain(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace gearbox::convert
