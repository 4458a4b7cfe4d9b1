// Protocol constants of RFC 4120 §7.5 and the IANA "Kerberos Parameters" registries: this header
// includes the one header per registry (DESIGN.md convention 9), named as the RFCs name them.
// Encryption and checksum types are kerb::crypto::EncType / CksumType (RFC 3961 §8).
#pragma once

#include <kerb/ad_types.hpp>
#include <kerb/address_types.hpp>
#include <kerb/error_codes.hpp>
#include <kerb/flags.hpp>
#include <kerb/key_usage.hpp>
#include <kerb/last_req_types.hpp>
#include <kerb/message_types.hpp>
#include <kerb/name_types.hpp>
#include <kerb/pa_types.hpp>
#include <kerb/transited_types.hpp>
