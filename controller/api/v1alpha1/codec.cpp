// See codec.h and schema.h: the field table's templates instantiated once, here.
#include "api/v1alpha1/codec.h"

#include "api/v1alpha1/fields.h"

namespace gearbox::api::v1alpha1 {

namespace {

template <typename T>
Result<T> DecodeAt(const web::json::value& json, const std::string& path) {
  T out{};
  RETURN_IF_ERROR(reflect::Codec<T>::Decode(json, path, out));
  return out;
}

}  // namespace

Result<ScalingPolicySpec> DecodeSpec(const web::json::value& spec) {
  return DecodeAt<ScalingPolicySpec>(spec, "spec");
}

web::json::value EncodeSpec(const ScalingPolicySpec& spec) {
  return reflect::Codec<ScalingPolicySpec>::Encode(spec);
}

Result<ScalingPolicyStatus> DecodeStatus(const web::json::value& status) {
  return DecodeAt<ScalingPolicyStatus>(status, "status");
}

web::json::value EncodeStatus(const ScalingPolicyStatus& status) {
  return reflect::Codec<ScalingPolicyStatus>::Encode(status);
}

const Schema& SpecSchema() { return reflect::Codec<ScalingPolicySpec>::Describe(); }

const Schema& StatusSchema() { return reflect::Codec<ScalingPolicyStatus>::Describe(); }

}  // namespace gearbox::api::v1alpha1
