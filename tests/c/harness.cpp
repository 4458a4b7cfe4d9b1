// The acceptor side and fixed-key contexts for the C tests, through kerb's C++ API.
#include "harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <kerb/crypto/key.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/keytab.hpp>
#include <kerb/principal.hpp>

namespace {

bool to_buffer(const std::vector<std::uint8_t>& bytes, kerb_buffer* out) {
  out->data = static_cast<std::uint8_t*>(std::malloc(bytes.size()));
  if (out->data == nullptr) return false;
  std::memcpy(out->data, bytes.data(), bytes.size());
  out->length = bytes.size();
  return true;
}

int report(const kerb::Error& e, const char* what) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(e.detail().size()), e.detail().data());
  return 1;
}

}  // namespace

extern "C" int harness_context_pair(uint32_t flags, kerb_buffer* initiator_blob,
                                    kerb_buffer* acceptor_blob) {
  std::uint8_t key_bytes[32];
  for (std::size_t i = 0; i < sizeof key_bytes; ++i)
    key_bytes[i] = static_cast<std::uint8_t>(i * 7 + 1);
  using kerb::gss::SecurityContext;
  SecurityContext::Params p[2];
  for (int side = 0; side < 2; ++side) {
    auto key =
        kerb::crypto::Key::from_bytes(kerb::crypto::EncType::kAes256CtsHmacSha1_96, key_bytes);
    if (!key) return report(key.error(), "Key::from_bytes");
    p[side].role = side == 0 ? SecurityContext::Role::kInitiator : SecurityContext::Role::kAcceptor;
    p[side].key = std::move(*key);
    p[side].send_seq = side == 0 ? 1000 : 2000;
    p[side].recv_seq = side == 0 ? 2000 : 1000;
    p[side].flags = flags;
    p[side].endtime = 4102444800;  // 2100-01-01
    p[side].initiator = *kerb::Principal::parse("alice@KERB.TEST");
    p[side].acceptor = *kerb::Principal::parse("bank/bank.test@KERB.TEST");
  }
  kerb_buffer* out[2] = {initiator_blob, acceptor_blob};
  for (int side = 0; side < 2; ++side) {
    auto context = SecurityContext::make(std::move(p[side]));
    if (!context) return report(context.error(), "SecurityContext::make");
    auto blob = context->export_context();
    if (!blob) return report(blob.error(), "export_context");
    if (!to_buffer(*blob, out[side])) return 1;
  }
  return 0;
}

extern "C" int harness_accept(const char* keytab_path, const uint8_t* token, size_t length,
                              kerb_buffer* reply, kerb_buffer* acceptor_blob) {
  auto keytab = kerb::Keytab::open(keytab_path);
  if (!keytab) return report(keytab.error(), "Keytab::open");
  kerb::gss::AcceptorOptions options;
  options.require_mutual = true;
  auto accepted = kerb::gss::accept(std::span(token, length), *keytab, options);
  if (!accepted) return report(accepted.error(), "accept");
  auto blob = accepted->context.export_context();
  if (!blob) return report(blob.error(), "export_context");
  if (!to_buffer(accepted->output_token, reply) || !to_buffer(*blob, acceptor_blob)) return 1;
  return 0;
}
