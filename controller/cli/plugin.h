// `kubectl gearbox`: the kubectl plugin's subcommands — status (status_command.h), doctor
// (doctor.h), and convert and backtest, handed to gearbox-controller's own commands.
#pragma once

#include <istream>
#include <ostream>

namespace gearbox::cli {

// argv[0] is the binary. Returns the subcommand's exit code; 2 for an unknown one.
int PluginMain(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace gearbox::cli
