// See self_signed.h.
#include "server/self_signed.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace gearbox::server {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Error Failed(const std::string& what) {
  return Error::Of(Error::Kind::kTls, "self-signed certificate: " + what);
}

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// Serial, validity, names and the DNS name; signed by `key` itself.
bool Fill(X509* cert, EVP_PKEY* key, const std::string& name) {
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return false;
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  ok = ok && X509_set_version(cert, 2) && X509_gmtime_adj(X509_getm_notBefore(cert), -300) &&
       X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 24 * 3600) && X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  ok = ok &&
       X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  ok = ok && X509_set_issuer_name(cert, subject);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, ("DNS:" + name).c_str());
  ok = ok && san && X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  return ok && X509_sign(cert, key, EVP_sha256()) > 0;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Of(Error::Kind::kConfig, "cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Result<TlsIdentity> SelfSignedIdentity(const std::string& common_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Failed("cannot make a key");
  CertPtr cert(X509_new());
  if (!cert || !Fill(cert.get(), key.get(), common_name)) return Failed("cannot sign");
  BioPtr cert_bio(BIO_new(BIO_s_mem())), key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1)
    return Failed("cannot encode");
  return TlsIdentity{Drain(cert_bio.get()), Drain(key_bio.get())};
}

Result<TlsIdentity> IdentityFromDir(const std::string& dir) {
  TlsIdentity out;
  ASSIGN_OR_RETURN(out.cert_pem, ReadFile(dir + "/tls.crt"));
  ASSIGN_OR_RETURN(out.key_pem, ReadFile(dir + "/tls.key"));
  return out;
}

}  // namespace gearbox::server
