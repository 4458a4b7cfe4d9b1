// Config's loads in a build without krb5.conf reading (KERB_WITH_KRB5_CONF=OFF): the same
// functions, so code written for both kinds of build links, each failing with kConfig. An app
// of such a build configures kerb in code (ClientOptions, PosixKdcTransport::set_kdcs).
#include <kerb/config.hpp>

namespace kerb {

namespace {

Error not_built() {
  return Error(ErrorCategory::kConfig,
               "krb5.conf is not read by this kerb (KERB_WITH_KRB5_CONF=OFF)");
}

}  // namespace

Result<Config> Config::parse(std::string_view, std::string_view, const ConfigLimits&) {
  return not_built();
}
Result<Config> Config::load_files(std::span<const std::string_view>, const ConfigLimits&) {
  return not_built();
}
Result<Config> Config::load_path_list(std::string_view, const ConfigLimits&) {
  return not_built();
}
Result<Config> Config::load_from_env(const ConfigLimits&) {
  return not_built();
}

}  // namespace kerb
