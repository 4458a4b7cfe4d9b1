// The banking sample's DER codec (samples/banking/protocol.hpp). Byte-exact vectors come from
// pyasn1's DER encoder (der_vectors.py beside this file); malformed inputs are built by hand
// with tlv() below and name the fault's reason and absolute byte offset.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hex_bytes.hpp"
#include "protocol.hpp"

using kerb::test::Bytes;
using kerb::test::hex;

namespace {

Bytes ascii(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// One DER element with a short- or long-form length: the tests' own encoder for hand-built
// inputs.
Bytes tlv(std::uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xFF) {
    out.insert(out.end(), {0x81, static_cast<std::uint8_t>(n)});
  } else if (n <= 0xFFFF) {
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x83, static_cast<std::uint8_t>(n >> 16),
                           static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes seq(std::initializer_list<Bytes> fields) {
  return tlv(0x30, cat(fields));
}
Bytes ctx(std::uint8_t n, const Bytes& inner) {
  return tlv(static_cast<std::uint8_t>(0xA0 | n), inner);
}
Bytes ia5(std::string_view s) {
  return tlv(0x16, ascii(s));
}
Bytes octets(const Bytes& b) {
  return tlv(0x04, b);
}
Bytes integer(std::initializer_list<std::uint8_t> content) {
  return tlv(0x02, Bytes(content));
}

bank::IdempotencyKey key(std::uint8_t first) {
  bank::IdempotencyKey k{};
  for (std::size_t i = 0; i < k.size(); ++i)
    k[i] = static_cast<std::uint8_t>(first + i);
  return k;
}
Bytes key_bytes(std::uint8_t first, std::size_t n = 16) {
  Bytes b;
  for (std::size_t i = 0; i < n; ++i)
    b.push_back(static_cast<std::uint8_t>(first + i));
  return b;
}

// The expected values of der_vectors.py.
const bank::Transaction kTransaction{42,       1714564800,  // 2024-05-01 12:00:00Z
                                     "DE0001", "DE0002",   1250, "EUR", key(0)};

bank::Payment phone_payment() {
  return bank::Payment{bank::PhonePayee{"+4915100000002"}, 1250, "EUR", key(0)};
}

// The error of a failed decode: category kDer, detail "<what>: <reason> at offset <n>".
template <class T>
void check_fault(const kerb::Result<T>& result, std::string_view reason, std::size_t offset) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().category() == kerb::ErrorCategory::kDer);
  const std::string detail(result.error().detail());
  INFO(detail);
  CHECK(detail.find(reason) != std::string::npos);
  const std::string suffix = " at offset " + std::to_string(offset);
  CHECK(detail.size() >= suffix.size());
  CHECK(detail.compare(detail.size() - suffix.size(), suffix.size(), suffix) == 0);
}

template <class T, class Decode>
void round_trip(const T& value, Decode decode) {
  const Bytes der = bank::encode(value);
  REQUIRE_FALSE(der.empty());
  auto back = decode(der);
  INFO((back.ok() ? std::string("ok") : std::string(back.error().detail())));
  REQUIRE(back.ok());
  CHECK(*back == value);
  CHECK(bank::encode(*back) == der);
}

}  // namespace

TEST_CASE("bank protocol: ClientFrame round trips", "[bank][protocol]") {
  round_trip(bank::ClientFrame{bank::Establish{{0x60, 0x01, 0x00}, std::nullopt}},
             bank::decode_client_frame);
  round_trip(bank::ClientFrame{bank::Establish{Bytes(300, 0x11), Bytes(200, 0x22)}},
             bank::decode_client_frame);
  round_trip(bank::ClientFrame{bank::Establish{{}, Bytes{}}}, bank::decode_client_frame);
  bank::ContextId id{};
  id.fill(0x5A);
  round_trip(bank::ClientFrame{bank::Resume{id, {0x05, 0x04, 0x06}}}, bank::decode_client_frame);
}

TEST_CASE("bank protocol: ServerFrame round trips", "[bank][protocol]") {
  bank::ContextId id{};
  id.fill(0xC3);
  round_trip(bank::ServerFrame{bank::Established{id, {0x6F, 0x00}, std::nullopt}},
             bank::decode_server_frame);
  round_trip(bank::ServerFrame{bank::Established{id, Bytes(1000, 0x01), Bytes(70000, 0x02)}},
             bank::decode_server_frame);
  round_trip(bank::ServerFrame{bank::Response{{0x05, 0x04}}}, bank::decode_server_frame);
  round_trip(
      bank::ServerFrame{bank::Refused{bank::FrameRefusal::kUnknownContext, "", std::nullopt}},
      bank::decode_server_frame);
  round_trip(bank::ServerFrame{bank::Refused{bank::FrameRefusal::kAuthenticationFailed,
                                             "Ticket expired \xE2\x80\x94 kinit again",
                                             Bytes{0x7E, 0x00}}},
             bank::decode_server_frame);
}

TEST_CASE("bank protocol: Request round trips", "[bank][protocol]") {
  round_trip(bank::Request{0, bank::BalanceQuery{}}, bank::decode_request);
  round_trip(bank::Request{4294967295u, bank::Logout{}}, bank::decode_request);
  round_trip(bank::Request{1, bank::HistoryQuery{}}, bank::decode_request);
  round_trip(bank::Request{2, bank::HistoryQuery{1}}, bank::decode_request);
  round_trip(bank::Request{3, bank::HistoryQuery{1000}}, bank::decode_request);
  round_trip(bank::Request{4, phone_payment()}, bank::decode_request);
  round_trip(bank::Request{5, bank::Payment{bank::AccountPayee{std::string(34, 'X')},
                                            bank::kMaxAmount, "EUR", key(9)}},
             bank::decode_request);
  round_trip(bank::Request{6, bank::Payment{bank::AccountPayee{"D"}, 1, "USD", key(0xF0)}},
             bank::decode_request);
}

TEST_CASE("bank protocol: Reply, Transaction and Receipt round trips", "[bank][protocol]") {
  round_trip(kTransaction, bank::decode_transaction);
  bank::Transaction negative = kTransaction;
  negative.txid = -1;
  negative.amount = INT64_MIN;
  negative.time = 0;
  round_trip(negative, bank::decode_transaction);
  const bank::Receipt receipt{kTransaction, Bytes(16, 0xAB)};
  round_trip(receipt, bank::decode_receipt);

  round_trip(bank::Reply{1, bank::Balance{"DE0001", 100000, "EUR"}}, bank::decode_reply);
  round_trip(bank::Reply{2, receipt}, bank::decode_reply);
  round_trip(bank::Reply{3, bank::History{}}, bank::decode_reply);
  bank::History full;
  for (std::int64_t i = 0; i < 1000; ++i) {
    bank::Transaction t = kTransaction;
    t.txid = i;
    full.transactions.push_back(t);
  }
  round_trip(bank::Reply{4, full}, bank::decode_reply);
  round_trip(bank::Reply{5, bank::Bye{}}, bank::decode_reply);
  round_trip(
      bank::Reply{6, bank::BankError{bank::BankErrorCode::kSameAccount, "cannot pay yourself"}},
      bank::decode_reply);
  // A code this sample does not know still travels.
  round_trip(bank::Reply{7, bank::BankError{static_cast<bank::BankErrorCode>(-3), ""}},
             bank::decode_reply);
}

TEST_CASE("bank protocol: encodings match pyasn1's DER byte for byte", "[bank][protocol]") {
  struct Vector {
    const char* name;
    Bytes encoded;
    Bytes expected;
  };
  const bank::Receipt receipt{kTransaction, Bytes(12, 0xAA)};
  const Vector vectors[] = {
      {"request_pay_phone", bank::encode(bank::Request{7, phone_payment()}),
       hex("3040a003020107a139a1373035a012a110160e2b34393135313030303030303032a104020204e2a2051603"
           "455552a3120410000102030405060708090a0b0c0d0e0f")},
      {"request_history", bank::encode(bank::Request{4294967295u, bank::HistoryQuery{1000}}),
       hex("3015a007020500ffffffffa10aa2083006a004020203e8")},
      {"request_balance", bank::encode(bank::Request{0, bank::BalanceQuery{}}),
       hex("300ba003020100a104a0020500")},
      {"transaction", bank::encode_transaction(kTransaction),
       hex("304da00302012aa111180f32303234303530313132303030305aa2081606444530303031a30816064445"
           "30303032a404020204e2a5051603455552a6120410000102030405060708090a0b0c0d0e0f")},
      {"reply_paid", bank::encode(bank::Reply{7, receipt}),
       hex("306ca003020107a165a1633061a04f304da00302012aa111180f32303234303530313132303030305aa2"
           "081606444530303031a3081606444530303032a404020204e2a5051603455552a6120410000102030405"
           "060708090a0b0c0d0e0fa10e040caaaaaaaaaaaaaaaaaaaaaaaa")},
      {"server_refused",
       bank::encode(bank::ServerFrame{bank::Refused{bank::FrameRefusal::kAuthenticationFailed,
                                                    "ticket expired", Bytes{1, 2, 3}}}),
       hex("a220301ea003020102a1100c0e7469636b65742065787069726564a2050403010203")},
      {"client_resume",
       bank::encode(bank::ClientFrame{bank::Resume{[] {
                                                     bank::ContextId id{};
                                                     for (std::size_t i = 0; i < id.size(); ++i)
                                                       id[i] = static_cast<std::uint8_t>(0x10 + i);
                                                     return id;
                                                   }(),
                                                   {0x60, 0x03, 0x01, 0x02, 0x03}}}),
       hex("a11f301da0120410101112131415161718191a1b1c1d1e1fa10704056003010203")},
  };
  for (const Vector& v : vectors) {
    INFO(v.name);
    CHECK(v.encoded == v.expected);
  }

  // And the vectors decode to the values they were made from.
  auto pay = bank::decode_request(vectors[0].expected);
  REQUIRE(pay.ok());
  CHECK(*pay == bank::Request{7, phone_payment()});
  auto paid = bank::decode_reply(vectors[4].expected);
  REQUIRE(paid.ok());
  CHECK(*paid == bank::Reply{7, receipt});
  auto refused = bank::decode_server_frame(vectors[5].expected);
  REQUIRE(refused.ok());
  const auto* r = std::get_if<bank::Refused>(&refused->body);
  REQUIRE(r != nullptr);
  CHECK(r->code == bank::FrameRefusal::kAuthenticationFailed);
  CHECK(r->text == "ticket expired");
  CHECK(r->error_token == Bytes{1, 2, 3});
}

// Request { 0, balance } = 30 0b | a0 03 02 01 00 | a1 04 a0 02 05 00 (13 bytes).
TEST_CASE("bank protocol: malformed DER is refused with the fault's offset", "[bank][protocol]") {
  const Bytes balance = hex("300ba003020100a104a0020500");
  REQUIRE(bank::decode_request(balance).ok());

  check_fault(bank::decode_request({}), "unexpected end of input", 0);
  // Truncated: the outer length (11) runs past the 10 bytes left.
  check_fault(bank::decode_request(Bytes(balance.begin(), balance.end() - 1)),
              "length beyond the input", 1);
  // Wrong tag: a SET where the SEQUENCE belongs.
  Bytes set = balance;
  set[0] = 0x31;
  check_fault(bank::decode_request(set), "unexpected tag", 0);
  // Long-form length for 11.
  check_fault(bank::decode_request(hex("30810ba003020100a104a0020500")), "non-minimal length", 1);
  // A non-minimal INTEGER request-id (00 00) at content offset 6.
  check_fault(bank::decode_request(hex("300ca00402020000a104a0020500")), "non-minimal INTEGER", 6);
  // Trailing bytes after the value, and an extra field [2] inside the SEQUENCE.
  check_fault(bank::decode_request(cat({balance, Bytes{0x00}})), "trailing bytes", 13);
  check_fault(bank::decode_request(hex("300fa003020100a104a0020500a2020500")), "trailing bytes",
              13);
  // An alternative the CHOICE does not have: [5] at offset 9.
  check_fault(bank::decode_request(hex("300ba003020100a104a5020500")), "Request body must be", 9);
  // NULL with content.
  check_fault(bank::decode_request(hex("300ca003020100a105a003050100")), "NULL with content", 13);
  // request-id 2^32 (content 01 00 00 00 00 at offset 6).
  check_fault(bank::decode_request(hex("300fa00702050100000000a104a0020500")),
              "INTEGER out of range", 6);
  // A primitive [2] where ServerFrame's alternatives are constructed.
  check_fault(bank::decode_server_frame(hex("820100")), "ServerFrame must be", 0);
  check_fault(bank::decode_client_frame(hex("a2020500")), "ClientFrame must be", 0);
  // A Request where a ServerFrame is expected.
  check_fault(bank::decode_server_frame(balance), "ServerFrame must be", 0);
}

// Payment inside Request { 7, pay ... }: the payee's IA5String sits at offset 17 and the amount's
// INTEGER at 35 while every length stays in short form (as in der_vectors.py's request_pay_phone).
Bytes pay_request(const Bytes& payee_choice, const Bytes& amount, const Bytes& currency,
                  const Bytes& key) {
  return seq(
      {ctx(0, integer({7})),
       ctx(1, ctx(1, seq({ctx(0, payee_choice), ctx(1, amount), ctx(2, currency), ctx(3, key)})))});
}

TEST_CASE("bank protocol: SIZE and range constraints are enforced", "[bank][protocol]") {
  const Bytes phone = ctx(1, ia5("+4915100000002"));
  const Bytes amount = integer({0x04, 0xE2});
  const Bytes eur = ia5("EUR");
  const Bytes good_key = octets(key_bytes(0));
  REQUIRE(pay_request(phone, amount, eur, good_key) ==
          bank::encode(bank::Request{7, phone_payment()}));

  check_fault(
      bank::decode_request(pay_request(ctx(1, ia5(std::string(21, '1'))), amount, eur, good_key)),
      "phone must be 1..20 characters", 17);
  REQUIRE(
      bank::decode_request(pay_request(ctx(1, ia5(std::string(20, '1'))), amount, eur, good_key))
          .ok());
  check_fault(bank::decode_request(pay_request(ctx(0, ia5("")), amount, eur, good_key)),
              "account must be 1..34 characters", 17);
  check_fault(
      bank::decode_request(pay_request(ctx(0, ia5(std::string(35, 'A'))), amount, eur, good_key)),
      "account must be 1..34 characters", 17);
  REQUIRE(
      bank::decode_request(pay_request(ctx(0, ia5(std::string(34, 'A'))), amount, eur, good_key))
          .ok());
  check_fault(bank::decode_request(pay_request(ctx(2, ia5("x")), amount, eur, good_key)),
              "payee must be account [0] or phone [1]", 15);  // the alternative's tag
  // A non-ASCII octet in the account, at offset 17 + 2 (header) + 3.
  check_fault(bank::decode_request(pay_request(ctx(0, ia5("DE0\xC3\xA9")), amount, eur, good_key)),
              "non-ASCII octet in IA5String", 22);

  // amount (at offset 35 with the 14-character phone): 0, 1e12 + 1 (00 E8 D4 A5 10 01), negative.
  check_fault(bank::decode_request(pay_request(phone, integer({0x00}), eur, good_key)),
              "amount must be 1..1000000000000", 35);
  check_fault(bank::decode_request(
                  pay_request(phone, integer({0x00, 0xE8, 0xD4, 0xA5, 0x10, 0x01}), eur, good_key)),
              "amount must be 1..1000000000000", 35);
  REQUIRE(bank::decode_request(
              pay_request(phone, integer({0x00, 0xE8, 0xD4, 0xA5, 0x10, 0x00}), eur, good_key))
              .ok());
  check_fault(bank::decode_request(pay_request(phone, integer({0xFF}), eur, good_key)),
              "amount must be 1..1000000000000", 35);
  // currency: [2] at 39 (amount 04 E2 takes 33..38), its IA5String at 41; the key's [3] at 46
  // (currency takes 39..45), its OCTET STRING at 48.
  check_fault(bank::decode_request(pay_request(phone, amount, ia5("EURO"), good_key)),
              "currency must be 3 characters", 41);
  check_fault(bank::decode_request(pay_request(phone, amount, eur, octets(key_bytes(0, 15)))),
              "idempotency-key must be 16 octets", 48);
  check_fault(bank::decode_request(pay_request(phone, amount, eur, octets(key_bytes(0, 17)))),
              "idempotency-key must be 16 octets", 48);

  // history limit: Request { 1, history { limit n } } puts the INTEGER at offset 15
  // (30 .. a0 03 02 01 01 a1 .. a2 .. 30 .. a0 .. 02).
  auto history = [](const Bytes& limit) {
    return seq({ctx(0, integer({1})), ctx(1, ctx(2, seq({ctx(0, limit)})))});
  };
  REQUIRE(bank::decode_request(history(integer({0x03, 0xE8}))).ok());
  check_fault(bank::decode_request(history(integer({0x00}))), "history limit must be 1..1000", 15);
  check_fault(bank::decode_request(history(integer({0x03, 0xE9}))), "history limit must be 1..1000",
              15);

  // context-id of 15 octets: ClientFrame resume { [0] 04 0f ... } puts the OCTET STRING at 6.
  check_fault(bank::decode_client_frame(
                  ctx(1, seq({ctx(0, octets(key_bytes(0, 15))), ctx(1, octets({0x01}))}))),
              "context-id must be 16 octets", 6);
  check_fault(bank::decode_server_frame(
                  ctx(0, seq({ctx(0, octets(key_bytes(0, 17))), ctx(1, octets({0x01}))}))),
              "context-id must be 16 octets", 6);
  // Refused text that is not UTF-8: "ok" then a lone continuation octet, at offset 15
  // (a2 .. 30 .. a0 03 02 01 01 a1 .. 0c 03 'o' 'k' 80).
  check_fault(bank::decode_server_frame(
                  ctx(2, seq({ctx(0, integer({1})), ctx(1, tlv(0x0C, Bytes{'o', 'k', 0x80}))}))),
              "invalid UTF-8 in UTF8String", 15);
}

TEST_CASE("bank protocol: history and frame size bounds", "[bank][protocol]") {
  const Bytes transaction = bank::encode_transaction(kTransaction);
  REQUIRE(transaction.size() == 79);
  auto history_reply = [&](std::size_t n) {
    Bytes items;
    for (std::size_t i = 0; i < n; ++i)
      items.insert(items.end(), transaction.begin(), transaction.end());
    return seq({ctx(0, integer({7})), ctx(1, ctx(2, tlv(0x30, items)))});
  };
  auto thousand = bank::decode_reply(history_reply(1000));
  REQUIRE(thousand.ok());
  CHECK(std::get<bank::History>(thousand->body).transactions.size() == 1000);
  // 1001 entries: the headers take 5 (30 83 ..) + 5 ([0] INTEGER 7) + 5 + 5 + 5 (the 3-byte
  // lengths of [1], [2] and the SEQUENCE OF), then 1000 entries of 79 bytes.
  check_fault(bank::decode_reply(history_reply(1001)), "more than 1000 transactions",
              25 + 1000 * 79);

  // A frame over 1 MiB is refused before it is parsed.
  // response [1] OCTET STRING: a1 83 xx xx xx 04 83 xx xx xx, then the content.
  const Bytes big = tlv(0xA1, octets(Bytes(bank::kMaxFrame - 9, 0x00)));
  REQUIRE(big.size() == bank::kMaxFrame + 1);
  check_fault(bank::decode_server_frame(big), "longer than 1048576 bytes", bank::kMaxFrame);
  const Bytes fits =
      bank::encode(bank::ServerFrame{bank::Response{Bytes(bank::kMaxFrame - 10, 0x00)}});
  REQUIRE(fits.size() == bank::kMaxFrame);
  CHECK(bank::decode_server_frame(fits).ok());
}

TEST_CASE("bank protocol: encode refuses values outside the module's constraints",
          "[bank][protocol]") {
  auto pay = [](bank::Payment p) { return bank::encode(bank::Request{1, p}); };
  CHECK(pay(bank::Payment{bank::AccountPayee{""}, 1, "EUR", key(0)}).empty());
  CHECK(pay(bank::Payment{bank::AccountPayee{std::string(35, 'A')}, 1, "EUR", key(0)}).empty());
  CHECK(pay(bank::Payment{bank::PhonePayee{std::string(21, '1')}, 1, "EUR", key(0)}).empty());
  CHECK(pay(bank::Payment{bank::AccountPayee{"DE\xC3\xA9"}, 1, "EUR", key(0)}).empty());
  CHECK(pay(bank::Payment{bank::AccountPayee{"DE0002"}, 0, "EUR", key(0)}).empty());
  CHECK(pay(bank::Payment{bank::AccountPayee{"DE0002"}, bank::kMaxAmount + 1, "EUR", key(0)})
            .empty());
  CHECK(pay(bank::Payment{bank::AccountPayee{"DE0002"}, 1, "EURO", key(0)}).empty());
  CHECK_FALSE(pay(bank::Payment{bank::AccountPayee{"DE0002"}, 1, "EUR", key(0)}).empty());
  CHECK(bank::encode(bank::Request{1, bank::HistoryQuery{0}}).empty());
  CHECK(bank::encode(bank::Request{1, bank::HistoryQuery{1001}}).empty());
  bank::History over;
  over.transactions.assign(1001, kTransaction);
  CHECK(bank::encode(bank::Reply{1, over}).empty());
  CHECK(bank::encode(bank::ServerFrame{bank::Refused{bank::FrameRefusal::kMalformed, "\xFF", {}}})
            .empty());
  CHECK(bank::encode(bank::ServerFrame{bank::Response{Bytes(bank::kMaxFrame, 0)}}).empty());
}
