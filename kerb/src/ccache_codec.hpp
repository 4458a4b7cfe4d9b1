// The ccache codec's entry point for callers that name the bytes' source in errors (the FILE
// cache passes "ccache <file name>").
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <kerb/ccache.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// CcacheContents::read with `label` starting every error message.
Result<CcacheContents> parse_ccache(std::span<const std::uint8_t> bytes, std::string_view label);

}  // namespace kerb::detail
