// kubectl-gearbox: the kubectl plugin binary (kubectl finds it on PATH as `kubectl gearbox`).
#include <iostream>

#include "cli/plugin.h"

int main(int argc, char** argv) {
  return gearbox::cli::PluginMain(argc, argv, std::cin, std::cout, std::cerr);
}
