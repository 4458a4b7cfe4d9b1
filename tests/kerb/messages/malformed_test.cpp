// Malformed messages (DESIGN.md conventions 7, 12): each case edits a well-formed encoding
// (MIT's reference, or a hand-built one) and checks that the decoder fails with a kDer error
// that names the type, gives a distinctive reason and the exact offset of the fault.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include <kerb/constants.hpp>
#include <kerb/principal.hpp>

#include "../../heap_hooks.hpp"
#include "message_test_util.hpp"

using namespace kerb;
using kerb::test::ByteView;
using kerb::test::Codec;
using kerb::test::Node;

namespace {

// A path into a tree: a step >= 0 is a child index, F(n) is "the [n] field".
using Steps = std::vector<int>;
constexpr int F(int n) {
  return -1 - n;
}

Steps plus_steps(Steps a, std::initializer_list<int> b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::size_t> resolve(Node& root, const Steps& steps) {
  std::vector<std::size_t> path;
  Node* node = &root;
  for (int step : steps) {
    const std::size_t index = step >= 0 ? static_cast<std::size_t>(step)
                                        : node->index_of_ctx(static_cast<std::uint8_t>(-1 - step));
    path.push_back(index);
    node = &node->children.at(index);
  }
  return path;
}

Node& at(Node& root, const std::vector<std::size_t>& path) {
  Node* node = &root;
  for (std::size_t i : path)
    node = &node->children.at(i);
  return *node;
}

// Where the decoder must report the fault: the start of a node, its first content octet, or
// the end of its content.
enum class Where { kStart, kContent, kEnd };
struct Expect {
  std::vector<std::size_t> path;
  Where where = Where::kStart;
};

using Mutator = std::function<Expect(Node&)>;

std::vector<std::size_t> plus(std::vector<std::size_t> path, std::size_t i) {
  path.push_back(i);
  return path;
}

// [n] { INTEGER v } in the SEQUENCE at `seq`.
Mutator set_int(Steps seq, std::uint8_t n, std::int64_t v) {
  return [=](Node& root) {
    const auto path = resolve(root, seq);
    Node& s = at(root, path);
    const std::size_t i = s.index_of_ctx(n);
    s.children[i].children = {Node::integer(v)};
    return Expect{plus(path, i)};
  };
}

// Like set_int, for a range-checked value: the fault is at the content octets of the INTEGER
// inside [n], where the reader reports every value fault.
Mutator set_inner_int(Steps seq, std::uint8_t n, std::int64_t v) {
  return [=](Node& root) {
    Expect e = set_int(seq, n, v)(root);
    e.path.push_back(0);
    e.where = Where::kContent;
    return e;
  };
}

// Drops the required [n]: the decoder stops at whatever follows, or at the end.
Mutator remove(Steps seq, std::uint8_t n) {
  return [=](Node& root) {
    const auto path = resolve(root, seq);
    Node& s = at(root, path);
    const std::size_t i = s.index_of_ctx(n);
    s.children.erase(s.children.begin() + static_cast<std::ptrdiff_t>(i));
    if (i == s.children.size()) return Expect{path, Where::kEnd};
    return Expect{plus(path, i)};
  };
}

// Swaps [n] with the field after it. When [n] is required, its reader meets the other field
// first (fault at position i); when [n] is OPTIONAL, it is skipped as absent and is left over
// at the end (fault at position i + 1), so `fault_at` says which.
Mutator swap_next(Steps seq, std::uint8_t n, std::size_t fault_at = 0) {
  return [=](Node& root) {
    const auto path = resolve(root, seq);
    Node& s = at(root, path);
    const std::size_t i = s.index_of_ctx(n);
    std::swap(s.children.at(i), s.children.at(i + 1));
    return Expect{plus(path, i + fault_at)};
  };
}

// Appends a field [n] { INTEGER 0 } after the last one.
Mutator append(Steps seq, std::uint8_t n) {
  return [=](Node& root) {
    const auto path = resolve(root, seq);
    Node& s = at(root, path);
    s.children.push_back(Node::field(n, Node::integer(0)));
    return Expect{plus(path, s.children.size() - 1)};
  };
}

// Gives the PrincipalName in [n] nine components (PrincipalName::kMaxComponents is 8).
Mutator many_components(Steps seq, std::uint8_t n) {
  return [=](Node& root) {
    auto path = resolve(root, plus_steps(seq, {F(n), 0, F(1), 0}));
    Node& strings = at(root, path);
    while (strings.children.size() < 9)
      strings.children.push_back(Node::general_string("x"));
    return Expect{plus(path, 8)};
  };
}

Mutator retag(Steps node, std::uint8_t tag) {
  return [=](Node& root) {
    const auto path = resolve(root, node);
    at(root, path).tag = tag;
    return Expect{path};
  };
}

// Replaces a primitive's content octets; the fault is reported at the content.
Mutator set_content(Steps node, test::Bytes content) {
  return [=](Node& root) {
    const auto path = resolve(root, node);
    at(root, path).content = content;
    return Expect{path, Where::kContent};
  };
}

// Paths used below.
const Steps kApp = {0};                    // the SEQUENCE inside [APPLICATION n]
const Steps kRoot = {};                    // a plain SEQUENCE type
const Steps kReqBody = {0, F(4), 0};       // KDC-REQ req-body
const Steps kRepTicket = {0, F(5), 0, 0};  // KDC-REP ticket's SEQUENCE
const Steps kApTicket = {0, F(3), 0, 0};   // AP-REQ ticket's SEQUENCE
const Steps kSafeBody = {0, F(2), 0};      // KRB-SAFE safe-body
const Steps kCredInfo1 = {0, F(0), 0, 1};  // EncKrbCredPart's second KrbCredInfo

const test::Bytes kFlags40 = {0x00, 0xFE, 0xDC, 0xBA, 0x98, 0x00};
const test::Bytes kFlags24 = {0x00, 0xFE, 0xDC, 0xBA};

struct Case {
  const char* reference;  // MIT reference encoding to start from
  const char* label;
  Mutator mutate;
  const char* reason;  // a distinctive part of the fault's reason
};

constexpr const char* kUnexpectedTag = "unexpected tag";
constexpr const char* kEnd = "unexpected end of input";
constexpr const char* kTrailing = "trailing bytes";
constexpr const char* kPvno = "pvno must be 5";
constexpr const char* kMsgType = "msg-type does not match the application tag";
constexpr const char* kUsec = "Microseconds out of range";
constexpr const char* kRange = "INTEGER out of range";
constexpr const char* kComponents = "too many components";

const char* const kAsReq = "encode_krb5_as_req";
const char* const kTgsReq = "encode_krb5_tgs_req(optionals NULL except server)";
const char* const kBody = "encode_krb5_kdc_req_body(optionals NULL except server)";
const char* const kAsRep = "encode_krb5_as_rep";
const char* const kTgsRep = "encode_krb5_tgs_rep";
const char* const kEncRep = "encode_krb5_enc_kdc_rep_part";
const char* const kApReq = "encode_krb5_ap_req";
const char* const kAuth = "encode_krb5_authenticator";
const char* const kApRep = "encode_krb5_ap_rep";
const char* const kEncApRep = "encode_krb5_ap_rep_enc_part";
const char* const kSafe = "encode_krb5_safe";
const char* const kPriv = "encode_krb5_priv";
const char* const kEncPriv = "encode_krb5_enc_priv_part";
const char* const kCred = "encode_krb5_cred";
const char* const kEncCred = "encode_krb5_enc_cred_part(optionals NULL)";
const char* const kError = "encode_krb5_error";
const char* const kEncTs = "encode_krb5_pa_enc_ts";
const char* const kInfo = "encode_krb5_etype_info";
const char* const kInfo2 = "encode_krb5_etype_info2";
const char* const kPadata = "encode_krb5_padata_sequence";

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      // AS-REQ / TGS-REQ / KDC-REQ-BODY
      {kAsReq, "pvno 4", set_int(kApp, 1, 4), kPvno},
      {kAsReq, "msg-type 12 in an AS-REQ", set_int(kApp, 2, 12), kMsgType},
      {kAsReq, "missing req-body", remove(kApp, 4), kEnd},
      {kAsReq, "req-body before padata", swap_next(kApp, 3, 1), kTrailing},
      {kAsReq, "extra trailing field [5]", append(kApp, 5), kTrailing},
      {kAsReq, "body: missing realm", remove(kReqBody, 2), kUnexpectedTag},
      {kAsReq, "body: missing till", remove(kReqBody, 5), kUnexpectedTag},
      {kAsReq, "body: missing nonce", remove(kReqBody, 7), kUnexpectedTag},
      {kAsReq, "body: realm after sname", swap_next(kReqBody, 2), kUnexpectedTag},
      {kAsReq, "body: extra trailing field [12]", append(kReqBody, 12), kTrailing},
      {kAsReq, "body: nine cname components", many_components(kReqBody, 1), kComponents},
      {kAsReq, "body: negative nonce", set_inner_int(kReqBody, 7, -1), kRange},
      {kAsReq, "body: nonce 2^32", set_inner_int(kReqBody, 7, 4294967296), kRange},
      {kAsReq, "body: etype as a SET", retag(plus_steps(kReqBody, {F(8), 0}), 0x31),
       kUnexpectedTag},
      {kAsReq, "body: 40-bit kdc-options", set_content(plus_steps(kReqBody, {F(0), 0}), kFlags40),
       "longer than 32 bits"},
      {kAsReq, "body: 24-bit kdc-options", set_content(plus_steps(kReqBody, {F(0), 0}), kFlags24),
       "shorter than 32 bits"},
      {kAsReq, "body: realm as OCTET STRING", retag(plus_steps(kReqBody, {F(2), 0}), 0x04),
       kUnexpectedTag},
      {kTgsReq, "msg-type 10 in a TGS-REQ", set_int(kApp, 2, 10), kMsgType},
      {kTgsReq, "pvno 4", set_int(kApp, 1, 4), kPvno},
      {kBody, "missing etype", remove(kRoot, 8), kEnd},
      {kBody, "sname before realm", swap_next(kRoot, 2), kUnexpectedTag},
      {kBody, "till before sname", swap_next(kRoot, 3, 1), kUnexpectedTag},
      // AS-REP / TGS-REP / EncKDCRepPart
      {kAsRep, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kAsRep, "msg-type 13 in an AS-REP", set_int(kApp, 1, 13), kMsgType},
      {kAsRep, "missing crealm", remove(kApp, 3), kUnexpectedTag},
      {kAsRep, "missing enc-part", remove(kApp, 6), kEnd},
      {kAsRep, "cname before crealm", swap_next(kApp, 3), kUnexpectedTag},
      {kAsRep, "extra trailing field [7]", append(kApp, 7), kTrailing},
      {kAsRep, "nine cname components", many_components(kApp, 4), kComponents},
      {kAsRep, "ticket: tkt-vno 4", set_int(kRepTicket, 0, 4), "tkt-vno must be 5"},
      {kAsRep, "enc-part: kvno -1", set_inner_int({0, F(6), 0}, 1, -1), kRange},
      {kTgsRep, "msg-type 11 in a TGS-REP", set_int(kApp, 1, 11), kMsgType},
      {kTgsRep, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kEncRep, "missing nonce", remove(kApp, 2), kUnexpectedTag},
      {kEncRep, "missing sname", remove(kApp, 10), kUnexpectedTag},
      {kEncRep, "sname before srealm", swap_next(kApp, 9), kUnexpectedTag},
      {kEncRep, "extra trailing field [13]", append(kApp, 13), kTrailing},
      {kEncRep, "nonce 2^32", set_inner_int(kApp, 2, 4294967296), kRange},
      {kEncRep, "40-bit flags", set_content({0, F(4), 0}, kFlags40), "longer than 32 bits"},
      {kEncRep, "nine sname components", many_components(kApp, 10), kComponents},
      // AP-REQ / Authenticator / AP-REP / EncAPRepPart
      {kApReq, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kApReq, "msg-type 15 in an AP-REQ", set_int(kApp, 1, 15), kMsgType},
      {kApReq, "missing authenticator", remove(kApp, 4), kEnd},
      {kApReq, "missing ap-options", remove(kApp, 2), kUnexpectedTag},
      {kApReq, "authenticator before ticket", swap_next(kApp, 3), kUnexpectedTag},
      {kApReq, "extra trailing field [5]", append(kApp, 5), kTrailing},
      {kApReq, "ticket: tkt-vno 4", set_int(kApTicket, 0, 4), "tkt-vno must be 5"},
      {kApReq, "ticket: nine sname components", many_components(kApTicket, 2), kComponents},
      {kApReq, "24-bit ap-options", set_content({0, F(2), 0}, kFlags24), "shorter than 32 bits"},
      {kAuth, "authenticator-vno 4", set_int(kApp, 0, 4), "authenticator-vno must be 5"},
      {kAuth, "cusec 1000000", set_inner_int(kApp, 4, 1000000), kUsec},
      {kAuth, "cusec -1", set_inner_int(kApp, 4, -1), kUsec},
      {kAuth, "missing ctime", remove(kApp, 5), kUnexpectedTag},
      {kAuth, "missing cusec", remove(kApp, 4), kUnexpectedTag},
      {kAuth, "cname before crealm", swap_next(kApp, 1), kUnexpectedTag},
      {kAuth, "extra trailing field [9]", append(kApp, 9), kTrailing},
      {kAuth, "nine cname components", many_components(kApp, 2), kComponents},
      {kAuth, "negative seq-number", set_inner_int(kApp, 7, -1), kRange},
      {kApRep, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kApRep, "msg-type 14 in an AP-REP", set_int(kApp, 1, 14), kMsgType},
      {kApRep, "missing enc-part", remove(kApp, 2), kEnd},
      {kApRep, "extra trailing field [3]", append(kApp, 3), kTrailing},
      {kEncApRep, "cusec 1000000", set_inner_int(kApp, 1, 1000000), kUsec},
      {kEncApRep, "missing ctime", remove(kApp, 0), kUnexpectedTag},
      {kEncApRep, "cusec before ctime", swap_next(kApp, 0), kUnexpectedTag},
      {kEncApRep, "extra trailing field [4]", append(kApp, 4), kTrailing},
      // KRB-SAFE / KRB-PRIV / EncKrbPrivPart
      {kSafe, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kSafe, "msg-type 21 in a KRB-SAFE", set_int(kApp, 1, 21), kMsgType},
      {kSafe, "missing cksum", remove(kApp, 3), kEnd},
      {kSafe, "cksum before safe-body", swap_next(kApp, 2), kUnexpectedTag},
      {kSafe, "extra trailing field [4]", append(kApp, 4), kTrailing},
      {kSafe, "safe-body: usec 1000000", set_inner_int(kSafeBody, 2, 1000000), kUsec},
      {kSafe, "safe-body: missing s-address", remove(kSafeBody, 4), kUnexpectedTag},
      {kSafe, "safe-body: extra trailing field [6]", append(kSafeBody, 6), kTrailing},
      {kPriv, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kPriv, "msg-type 20 in a KRB-PRIV", set_int(kApp, 1, 20), kMsgType},
      {kPriv, "missing enc-part", remove(kApp, 3), kEnd},
      {kPriv, "enc-part tagged [2]", retag({0, F(3)}, 0xA2), kUnexpectedTag},
      {kPriv, "extra trailing field [4]", append(kApp, 4), kTrailing},
      {kEncPriv, "usec 1000000", set_inner_int(kApp, 2, 1000000), kUsec},
      {kEncPriv, "missing s-address", remove(kApp, 4), kUnexpectedTag},
      {kEncPriv, "missing user-data", remove(kApp, 0), kUnexpectedTag},
      {kEncPriv, "extra trailing field [6]", append(kApp, 6), kTrailing},
      // KRB-CRED / EncKrbCredPart
      {kCred, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kCred, "msg-type 21 in a KRB-CRED", set_int(kApp, 1, 21), kMsgType},
      {kCred, "missing tickets", remove(kApp, 2), kUnexpectedTag},
      {kCred, "enc-part before tickets", swap_next(kApp, 2), kUnexpectedTag},
      {kCred, "extra trailing field [4]", append(kApp, 4), kTrailing},
      {kCred, "second ticket: tkt-vno 4", set_int({0, F(2), 0, 1, 0}, 0, 4), "tkt-vno must be 5"},
      {kEncCred, "ticket-info: missing key", remove(kCredInfo1, 0), kUnexpectedTag},
      {kEncCred, "ticket-info: extra trailing field [11]", append(kCredInfo1, 11), kTrailing},
      {kEncCred, "ticket-info: nine pname components", many_components(kCredInfo1, 2), kComponents},
      {kEncCred, "ticket-info: 40-bit flags",
       set_content(plus_steps(kCredInfo1, {F(3), 0}), kFlags40), "longer than 32 bits"},
      {kEncCred, "extra trailing field [6]", append(kApp, 6), kTrailing},
      // KRB-ERROR
      {kError, "pvno 4", set_int(kApp, 0, 4), kPvno},
      {kError, "msg-type 22 in a KRB-ERROR", set_int(kApp, 1, 22), kMsgType},
      {kError, "cusec -1", set_inner_int(kApp, 3, -1), kUsec},
      {kError, "susec 1000000", set_inner_int(kApp, 5, 1000000), kUsec},
      {kError, "error-code 2^31", set_inner_int(kApp, 6, 2147483648), kRange},
      {kError, "missing stime", remove(kApp, 4), kUnexpectedTag},
      {kError, "missing error-code", remove(kApp, 6), kUnexpectedTag},
      {kError, "missing sname", remove(kApp, 10), kUnexpectedTag},
      {kError, "sname before realm", swap_next(kApp, 9), kUnexpectedTag},
      {kError, "extra trailing field [13]", append(kApp, 13), kTrailing},
      {kError, "nine sname components", many_components(kApp, 10), kComponents},
      {kError, "nine cname components", many_components(kApp, 8), kComponents},
      // PA-DATA values
      {kEncTs, "pausec 1000000", set_inner_int(kRoot, 1, 1000000), kUsec},
      {kEncTs, "missing patimestamp", remove(kRoot, 0), kUnexpectedTag},
      {kEncTs, "pausec before patimestamp", swap_next(kRoot, 0), kUnexpectedTag},
      {kEncTs, "extra trailing field [2]", append(kRoot, 2), kTrailing},
      {kInfo, "salt as GeneralString", retag({0, F(1), 0}, 0x1B), kUnexpectedTag},
      {kInfo, "entry: extra trailing field [2]", append({0}, 2), kTrailing},
      {kInfo2, "salt as OCTET STRING", retag({0, F(1), 0}, 0x04), kUnexpectedTag},
      {kInfo2, "entry: missing etype", remove({1}, 0), kUnexpectedTag},
      {kInfo2, "entry: extra trailing field [3]", append({2}, 3), kTrailing},
      {kPadata, "padata-type tagged [0]", retag({1, F(1)}, 0xA0), kUnexpectedTag},
      {kPadata, "entry: extra trailing field [3]", append({0}, 3), kTrailing},
  };
  return table;
}

const Codec& codec_for(const std::string& reference_name) {
  return test::codecs_by_reference().at(
      reference_name.substr(0, reference_name.find_first_of(" (")));
}

// The fault must be a kDer error naming the type, with the reason and the offset.
void check_fault(const Error& e, const std::string& what, std::string_view reason,
                 std::size_t offset) {
  INFO(e.detail());
  CHECK(e.category() == ErrorCategory::kDer);
  CHECK(e.detail().substr(0, what.size() + 2) == what + ": ");
  CHECK(e.detail().find(reason) != std::string_view::npos);
  CHECK(test::offset_of(e.detail()) == offset);
}

template <class T>
void check_fault(const Result<T>& r, const std::string& what, std::string_view reason,
                 std::size_t offset) {
  REQUIRE(!r.ok());
  check_fault(r.error(), what, reason, offset);
}

}  // namespace

TEST_CASE("malformed messages fail at the right place, table") {
  for (const Case& c : cases()) {
    INFO(c.reference << ": " << c.label);
    Node root = test::parse_tree(test::reference(c.reference));
    const Expect expect = c.mutate(root);
    const test::Bytes input = test::serialize(root);
    const Node& node = at(root, expect.path);
    const std::size_t offset = expect.where == Where::kStart     ? node.offset
                               : expect.where == Where::kContent ? node.content_offset
                                                                 : node.end;
    const Codec& codec = codec_for(c.reference);
    const Result<test::Bytes> r = codec.roundtrip(input);
    check_fault(r, codec.what, c.reason, offset);
  }
}

TEST_CASE("every truncation of every reference encoding fails") {
  for (const test::Reference& ref : test::load_references()) {
    const Codec& codec = codec_for(ref.name);
    for (std::size_t n = 0; n < ref.bytes.size(); ++n) {
      INFO(ref.name << " cut to " << n << " bytes");
      const Result<test::Bytes> r = codec.roundtrip(ByteView(ref.bytes.data(), n));
      REQUIRE(!r.ok());
      CHECK(r.error().category() == ErrorCategory::kDer);
      CHECK(r.error().detail().substr(0, codec.what.size() + 2) == codec.what + ": ");
      CHECK(test::offset_of(r.error().detail()) <= n);
    }
  }
}

TEST_CASE("a wrong outer tag fails at offset 0, trailing bytes at the end") {
  for (const test::Reference& ref : test::load_references()) {
    INFO(ref.name);
    const Codec& codec = codec_for(ref.name);
    test::Bytes wrong = ref.bytes;
    // e.g. AS-REQ [APPLICATION 10] -> [APPLICATION 11], SEQUENCE -> SET; KRB-ERROR's 30 -> 28
    // (30 ^ 1 would be the high-tag-number form, a different fault).
    wrong[0] = static_cast<std::uint8_t>(wrong[0] ^ ((wrong[0] & 0x1F) == 30 ? 0x02 : 0x01));
    check_fault(codec.roundtrip(wrong), codec.what, kUnexpectedTag, 0);

    test::Bytes longer = ref.bytes;
    longer.push_back(0x05);
    longer.push_back(0x00);
    check_fault(codec.roundtrip(longer), codec.what, kTrailing, ref.bytes.size());
  }
}

TEST_CASE("each top-level decoder takes only its own message") {
  const test::Bytes as_rep = test::reference(kAsRep);
  const test::Bytes tgs_rep = test::reference(kTgsRep);
  const test::Bytes as_req = test::reference(kAsReq);
  const test::Bytes tgs_req = test::reference(kTgsReq);
  const test::Bytes error = test::reference(kError);
  check_fault(decode_tgs_rep(as_rep), "TGS-REP", kUnexpectedTag, 0);
  check_fault(decode_as_rep(tgs_rep), "AS-REP", kUnexpectedTag, 0);
  check_fault(decode_as_rep(error), "AS-REP", kUnexpectedTag, 0);
  check_fault(decode_krb_error(as_rep), "KRB-ERROR", kUnexpectedTag, 0);
  check_fault(decode_tgs_req(as_req), "TGS-REQ", kUnexpectedTag, 0);
  check_fault(decode_as_req(tgs_req), "AS-REQ", kUnexpectedTag, 0);
  check_fault(decode_ap_req(as_req), "AP-REQ", kUnexpectedTag, 0);
  check_fault(decode_enc_kdc_rep_part(test::reference(kEncApRep)), "EncKDCRepPart", kUnexpectedTag,
              0);
  check_fault(decode_authenticator(test::reference("encode_krb5_ticket")), "Authenticator",
              kUnexpectedTag, 0);
}

TEST_CASE("empty ETYPE-INFO2 and TYPED-DATA are rejected (SIZE (1..MAX))") {
  const test::Bytes empty = {0x30, 0x00};
  check_fault(decode_etype_info2(empty), "ETYPE-INFO2", "must not be empty", 0);
  check_fault(decode_typed_data(empty), "TYPED-DATA", "must not be empty", 0);
  CHECK(decode_etype_info(empty).ok());
  CHECK(decode_method_data(empty).ok());
}

TEST_CASE("TYPED-DATA and KERB-PA-PAC-REQUEST, malformed") {
  // SEQUENCE { SEQUENCE { [0] INTEGER 107, [1] OCTET STRING 01 } }
  const test::Bytes typed = test::hex("30 0C 30 0A A0 03 02 01 6B A1 03 04 01 01");
  REQUIRE(decode_typed_data(typed).ok());
  Node root = test::parse_tree(typed);
  root.children[0].children[0].tag = 0xA1;  // data-type tagged [1]
  test::Bytes bad = test::serialize(root);
  check_fault(decode_typed_data(bad), "TYPED-DATA", kUnexpectedTag, 4);

  const test::Bytes pac = test::hex("30 05 A0 03 01 01 FF");
  REQUIRE(decode_pa_pac_request(pac).ok());
  check_fault(decode_pa_pac_request(test::hex("30 05 A0 03 01 01 01")), "KERB-PA-PAC-REQUEST",
              "BOOLEAN other than 00 or FF", 6);
  check_fault(decode_pa_pac_request(test::hex("30 00")), "KERB-PA-PAC-REQUEST", kEnd, 2);
  check_fault(decode_pa_pac_request(test::hex("30 0A A0 03 01 01 FF A1 03 02 01 00")),
              "KERB-PA-PAC-REQUEST", kTrailing, 7);
  check_fault(decode_pa_pac_request(test::hex("30 05 A0 03 02 01 01")), "KERB-PA-PAC-REQUEST",
              kUnexpectedTag, 4);
}

TEST_CASE("single-bit flips of every reference encoding fail cleanly or round-trip exactly") {
  // DER is canonical: whatever still decodes must re-encode to the very bytes it came from.
  std::size_t decoded = 0;
  for (const test::Reference& ref : test::load_references()) {
    const Codec& codec = codec_for(ref.name);
    for (std::size_t i = 0; i < ref.bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        test::Bytes flipped = ref.bytes;
        flipped[i] = static_cast<std::uint8_t>(flipped[i] ^ (1u << bit));
        const Result<test::Bytes> r = codec.roundtrip(flipped);
        if (!r.ok()) {
          if (r.error().category() != ErrorCategory::kDer) FAIL(ref.name << " byte " << i);
          continue;
        }
        ++decoded;
        if (*r != flipped)
          FAIL(ref.name << " byte " << i << " bit " << bit << " re-encodes differently");
      }
    }
  }
  CHECK(decoded > 0);  // flips inside strings and cipher text still decode
}

// Bytes allocated through operator new while an AllocationCount is alive (this binary's
// operator new counts; the tests run on one thread).
namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::size_t> g_allocated{0};

class AllocationCount {
 public:
  AllocationCount() {
    g_allocated = 0;
    g_counting = true;
  }
  ~AllocationCount() { g_counting = false; }
  std::size_t bytes() const { return g_allocated; }
};
}  // namespace

void heap_hook_allocated(std::size_t size) noexcept {
  if (g_counting) g_allocated += size;
}
void heap_hook_freeing(void*) noexcept {}

TEST_CASE("Principal::parse refuses a megabyte of '/' without allocating for it") {
  // Each '/' starts a component (a 32-byte std::string): counted only at the end, a 1 MiB
  // run took some 64 MB before the error.
  const std::string text = std::string(std::size_t{1} << 20, '/') + "@KERB.TEST";
  std::size_t allocated = 0;
  {
    AllocationCount count;
    const Result<Principal> p = Principal::parse(text);
    allocated = count.bytes();
    REQUIRE_FALSE(p.ok());
    CHECK(std::string(p.error().detail()) == "principal has too many components");
  }
  INFO(allocated << " bytes allocated");
  CHECK(allocated < 4096);
  // Eight components are still a principal; nine are not.
  CHECK(Principal::parse("a/b/c/d/e/f/g/h@KERB.TEST").ok());
  CHECK_FALSE(Principal::parse("a/b/c/d/e/f/g/h/i@KERB.TEST").ok());
  CHECK_FALSE(Principal::parse("a/b/c/d/e/f/g/h/i", "KERB.TEST").ok());
}

TEST_CASE("a ticket's AuthorizationData and a KRB-CRED's HostAddresses decode without a heap") {
  // SequenceOf keeps the DER and decodes on iteration: 100000 elements (11 bytes each, the
  // smallest encoding) cost no allocation, so decoding is never a memory amplifier.
  constexpr std::size_t kCount = 100000;
  const test::Bytes element = test::hex("30 09 A0 03 02 01 01 A1 02 04 00");
  const std::size_t content = kCount * element.size();
  test::Bytes der = {0x30, 0x83, static_cast<std::uint8_t>(content >> 16),
                     static_cast<std::uint8_t>(content >> 8), static_cast<std::uint8_t>(content)};
  for (std::size_t i = 0; i < kCount; ++i)
    der.insert(der.end(), element.begin(), element.end());
  std::size_t allocated = 0;
  std::size_t seen = 0;
  {
    AllocationCount count;
    const Result<AuthorizationData> ad = decode_der<AuthorizationData>(der, "AuthorizationData");
    const Result<HostAddresses> addresses = decode_der<HostAddresses>(der, "HostAddresses");
    REQUIRE(ad.ok());
    REQUIRE(addresses.ok());
    for (const AuthorizationDataEntry& e : *ad)
      seen += e.ad_type == 1 ? 1 : 0;
    for (const HostAddress& a : *addresses)
      seen += a.address.empty() ? 1 : 0;
    allocated = count.bytes();
  }
  CHECK(seen == 2 * kCount);
  CHECK(allocated == 0);
}
