// Placeholder bodies so kerb_bank_core links while the codec is written.
#include "protocol.hpp"

namespace bank {
namespace {
kerb::Error unfinished() {
  return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "bank protocol codec unfinished");
}
}  // namespace

Bytes encode(const ClientFrame&) {
  return {};
}
Bytes encode(const ServerFrame&) {
  return {};
}
Bytes encode(const Request&) {
  return {};
}
Bytes encode(const Reply&) {
  return {};
}
Bytes encode(const Transaction&) {
  return {};
}
Bytes encode(const Receipt&) {
  return {};
}
Bytes encode_transaction(const Transaction&) {
  return {};
}
kerb::Result<ClientFrame> decode_client_frame(std::span<const std::uint8_t>) {
  return unfinished();
}
kerb::Result<ServerFrame> decode_server_frame(std::span<const std::uint8_t>) {
  return unfinished();
}
kerb::Result<Request> decode_request(std::span<const std::uint8_t>) {
  return unfinished();
}
kerb::Result<Reply> decode_reply(std::span<const std::uint8_t>) {
  return unfinished();
}
kerb::Result<Transaction> decode_transaction(std::span<const std::uint8_t>) {
  return unfinished();
}
kerb::Result<Receipt> decode_receipt(std::span<const std::uint8_t>) {
  return unfinished();
}
}  // namespace bank
