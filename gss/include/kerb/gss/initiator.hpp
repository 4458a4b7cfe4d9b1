// The krb5 GSS initiator (RFC 4121 §4.1): an AP-REQ for a service ticket, carrying the
// 0x8003 authenticator checksum (channel bindings hash, flags, optional delegation), wrapped
// in an InitialContextToken; then, with mutual authentication, the AP-REP token.
//
//   auto init = Initiator::start(bank_ticket, {}, context);
//   send(init->token());
//   if (init->step(receive()) ...)            // only with mutual authentication
//   SecurityContext ctx = init->take_context();
//
// prot_ready (RFC 2743 §1.2.7): the first request can travel with the AP-REQ, saving a round
// trip. wrap() and get_mic() work right after start(), under the initiator's authenticator
// subkey (RFC 4121 §2, AcceptorSubkey flag clear) with sequence numbers from the
// authenticator's; after the AP-REP they use the acceptor's subkey, and the context that
// take_context() hands over goes on with the same send sequence.
//
//   auto init = Initiator::start(bank_ticket, {}, context);
//   auto request = init->wrap(transfer, true);
//   send(init->token(), *request);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/credentials.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/result.hpp>

namespace kerb::gss {

// gss_channel_bindings_struct (RFC 2744 §3.11); the checksum carries the MD5 of its encoding
// (RFC 4121 §4.1.1.2).
struct ChannelBindings {
  std::uint32_t initiator_addrtype = 0;
  Bytes initiator_address;
  std::uint32_t acceptor_addrtype = 0;
  Bytes acceptor_address;
  Bytes application_data;
};

struct InitiatorOptions {
  std::uint32_t flags = context_flags::kMutual | context_flags::kReplay | context_flags::kSequence |
                        context_flags::kConf | context_flags::kInteg;
  std::optional<ChannelBindings> channel_bindings;
  // Delegation (kDeleg): a forwardable TGT the acceptor may use on the client's behalf, sent
  // as KRB-CRED under the session key (RFC 4121 §4.1.1.1).
  const Credentials* delegated_tgt = nullptr;
  // The mech OID to frame tokens with (krb5; SPNEGO passes the same).
  Bytes mech = kKrb5MechOid;
};

class Initiator {
 public:
  enum class Step { kDone, kContinue };

  // `context`'s clock and random must outlive the Initiator and the context it hands over.
  static Result<Initiator> start(const Credentials& service_ticket, InitiatorOptions options,
                                 ApContext context);

  // The InitialContextToken (TOK_ID 01 00) to send.
  std::span<const std::uint8_t> token() const noexcept;
  // Consumes the acceptor's token: an AP-REP (02 00) completes mutual authentication; a
  // KRB-ERROR (03 00) becomes a kKdc-style error carrying its Kerberos error code.
  Result<Step> step(Bytes acceptor_token);
  bool established() const noexcept;
  // True while the Initiator can protect messages: from start(), whose AP-REQ always carries
  // a subkey, until take_context() or a failed step().
  bool prot_ready() const noexcept;
  // SecurityContext::wrap and get_mic on the context being established (before or after
  // step()); the tokens count in the sequence the taken context continues.
  Result<std::vector<std::uint8_t>> wrap(Bytes message, bool conf);
  Result<std::vector<std::uint8_t>> get_mic(Bytes message);
  // The caller-memory forms (SecurityContext's), sized by wrap_size() and mic_size().
  Result<std::size_t> wrap(Bytes message, bool conf, std::span<std::uint8_t> token);
  Result<std::size_t> get_mic(Bytes message, std::span<std::uint8_t> token);
  Result<std::size_t> wrap_size(std::size_t message_size, bool conf);
  // SecurityContext::mic_size of that context: known without making a token (which would
  // spend a sequence number).
  Result<std::size_t> mic_size();
  // The established context (after step(), or right away without kMutual).
  Result<SecurityContext> take_context();

 private:
  struct State;
  Initiator() = default;
  // The context wrap(), get_mic() and take_context() use, made at the first need.
  Result<SecurityContext*> protecting_context();
  std::shared_ptr<State> state_;
};

}  // namespace kerb::gss
