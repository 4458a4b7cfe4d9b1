// Reading inputs (bounded) and telling their formats apart by content.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/result.hpp>

#include "dump.hpp"

namespace krbdump {

// No input krbdump reads is larger; a bigger one is refused before it is read whole.
inline constexpr std::size_t kMaxInputSize = std::size_t{64} << 20;

// A file's bytes, or standard input's for "-".
kerb::Result<std::vector<std::uint8_t>> read_input(std::string_view path);

// "ccache", "keytab", "kirbi"/"krb-cred", "der", "gss", "spnego", "text", "pcap"; nullopt
// otherwise.
std::optional<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);

// The format the content looks like (never kAuto; kText for printable text; kDer for anything
// else that might be DER). nullopt when it is none krbdump knows.
std::optional<Format> detect(std::span<const std::uint8_t> bytes);

// Text forms: hex (spaces, colons, newlines and a 0x prefix allowed), base64 (standard or
// URL-safe, padding optional), and "Negotiate <base64>" with or without an HTTP header name
// ("Authorization:", "WWW-Authenticate:", "Proxy-Authorization:"), one token per line.
// Each decoded blob comes with what it was ("hex", "base64", "Negotiate header, line 3").
struct TextBlob {
  std::string form;
  std::vector<std::uint8_t> bytes;
};
// nullopt when the text is none of these forms; `why` says what did not fit, with an offset.
std::optional<std::vector<TextBlob>> decode_text(std::span<const std::uint8_t> text,
                                                 std::string* why = nullptr);

}  // namespace krbdump
