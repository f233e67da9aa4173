// gearbox-controller: flags -> build objects -> run. Nothing else lives here.
#include <cpprest/version.h>
#include <hiredis/hiredis.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include <boost/program_options.hpp>
#include <boost/version.hpp>
#include <iostream>
#include <string>

#include "gearbox/version.h"

namespace po = boost::program_options;

namespace {

void PrintVersion(std::ostream& out) {
  out << "gearbox-controller " << gearbox::kVersion << "\n"
      << "  cpprestsdk " << CPPREST_VERSION_MAJOR << "." << CPPREST_VERSION_MINOR << "."
      << CPPREST_VERSION_REVISION << "\n"
      << "  boost " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "\n"
      << "  " << OpenSSL_version(OPENSSL_VERSION) << "\n"
      << "  hiredis " << HIREDIS_MAJOR << "." << HIREDIS_MINOR << "." << HIREDIS_PATCH << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description flags(
      "gearbox-controller: autoscales a whole application stack from "
      "ScalingPolicy resources\n\nFlags");
  flags.add_options()("help,h", "print this help and exit")("version",
                                                            "print the version and exit")(
      "kubeconfig", po::value<std::string>(),
      "path to a kubeconfig; default: in-cluster configuration, then $KUBECONFIG");

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gearbox-controller: " << e.what() << "\n\n" << flags << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << flags << "\n";
    return 0;
  }
  if (vm.count("version")) {
    PrintVersion(std::cout);
    return 0;
  }
  std::cerr
      << "gearbox-controller: the reconcile loop is not built yet (see issue 6); try --help\n";
  return 1;
}
