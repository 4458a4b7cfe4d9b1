// export_context()/import_context(): an app keeps the blob in secure storage and carries on
// with the same keys and sequence state, no new handshake.
#include "token_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

SecurityContext reimport(SecurityContext& ctx, Pair& pair) {
  auto blob = ctx.export_context();
  REQUIRE(blob);
  auto back = SecurityContext::import_context(*blob);
  REQUIRE(back);
  pair.attach(*back);
  return std::move(*back);
}

std::uint32_t sup_of(SecurityContext& to, const kerb::test::Bytes& token) {
  std::uint32_t sup = 0xDEAD;
  auto u = to.unwrap(token, &sup);
  REQUIRE(u);
  return sup;
}

// A valid blob to tamper with, and the offsets of its fields (see context.cpp).
struct Layout {
  kerb::test::Bytes blob;
  std::size_t key_len_at = 0;
};

Layout layout_of(crypto::EncType e) {
  Pair pair(e);
  auto blob = pair.initiator.export_context();
  REQUIRE(blob);
  return Layout{*blob, 7 + 1 + 1 + 1 + 4 + 8 + 4};
}

}  // namespace

TEST_CASE("export → import → continue, both sides, every enctype") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(crypto::find_enctype(e)->name.data());
    for (bool subkey : {false, true}) {
      PairOptions o;
      o.acceptor_subkey = subkey;
      Pair pair(e, o);
      const kerb::test::Bytes msg = bytes_of(33);
      // Some traffic first, including a gap the window must remember.
      auto a0 = pair.initiator.wrap(msg, true);
      auto a1 = pair.initiator.wrap(msg, true);
      auto a2 = pair.initiator.wrap(msg, true);
      auto b0 = pair.acceptor.wrap(msg, false);
      REQUIRE((a0 && a1 && a2 && b0));
      CHECK(sup_of(pair.acceptor, *a0) == 0);
      CHECK(sup_of(pair.acceptor, *a2) == supplementary::kGapToken);
      CHECK(sup_of(pair.initiator, *b0) == 0);

      SecurityContext acceptor2 = reimport(pair.acceptor, pair);
      SecurityContext initiator2 = reimport(pair.initiator, pair);
      CHECK(acceptor2.role() == Role::kAcceptor);
      CHECK(initiator2.role() == Role::kInitiator);
      CHECK(acceptor2.flags() == pair.acceptor.flags());
      CHECK(acceptor2.endtime() == kEndtime);
      CHECK(acceptor2.initiator() == pair.acceptor.initiator());
      CHECK(acceptor2.acceptor() == pair.acceptor.acceptor());
      CHECK(acceptor2.acceptor().raw_name_type() == pair.acceptor.acceptor().raw_name_type());

      // Replays across the export are detected; the remembered gap is still there.
      CHECK_FALSE(acceptor2.unwrap(*a0));
      CHECK_FALSE(acceptor2.unwrap(*a2));
      CHECK(sup_of(acceptor2, *a1) == supplementary::kUnseqToken);
      CHECK_FALSE(initiator2.unwrap(*b0));

      // The imported sender continues the sequence: the original peer sees no gap.
      auto a3 = initiator2.wrap(msg, true);
      REQUIRE(a3);
      CHECK(get64(*a3, 8) == get64(*a2, 8) + 1);
      CHECK(sup_of(pair.acceptor, *a3) == 0);
      auto a4 = pair.initiator.wrap(msg, false);  // the original goes on too
      REQUIRE(a4);
      CHECK(sup_of(acceptor2, *a3) == 0);
      CHECK_FALSE(acceptor2.unwrap(*a3));
      CHECK(get64(*a4, 8) == get64(*a3, 8));  // same state exported: same number

      // Imported pair talks both ways.
      auto mic = acceptor2.get_mic(msg);
      REQUIRE(mic);
      auto v = initiator2.verify_mic(msg, *mic);
      REQUIRE(v);
      CHECK(*v == 0);
      auto w = acceptor2.wrap(msg, true);
      REQUIRE(w);
      auto p = initiator2.unwrap(*w);
      REQUIRE(p);
      CHECK(*p == msg);

      // Export is a snapshot: exporting again gives the same bytes for the same state.
      auto x1 = initiator2.export_context();
      auto x2 = initiator2.export_context();
      REQUIRE((x1 && x2));
      CHECK(*x1 == *x2);
    }
  }
}

TEST_CASE("export keeps principals with their name types, and empty ones") {
  const crypto::Key key = test_key(crypto::EncType::kAes128CtsHmacSha1_96);
  SecurityContext::Params p;
  p.role = Role::kAcceptor;
  p.key = key;
  p.endtime = kEndtime;
  PrincipalName host(NameType::kSrvHst, {"host", "a/b@c\\d"});
  p.acceptor = Principal("EXAMPLE.COM", host);
  auto ctx = SecurityContext::make(std::move(p));
  REQUIRE(ctx);
  auto blob = ctx->export_context();
  REQUIRE(blob);
  auto back = SecurityContext::import_context(*blob);
  REQUIRE(back);
  CHECK(back->acceptor() == ctx->acceptor());
  CHECK(back->acceptor().raw_name_type() == static_cast<std::int32_t>(NameType::kSrvHst));
  CHECK(back->acceptor().components()[1] == "a/b@c\\d");
  CHECK(back->initiator().realm().empty());
  CHECK(back->initiator().components().empty());
}

TEST_CASE("import_context rejects every truncation and trailing bytes") {
  for (crypto::EncType e : kAllEnctypes) {
    const Layout l = layout_of(e);
    for (std::size_t len = 0; len < l.blob.size(); ++len) {
      CAPTURE(len);
      auto r = SecurityContext::import_context(ByteView(l.blob).first(len));
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == major_status::kDefectiveToken);
    }
    kerb::test::Bytes longer = l.blob;
    longer.push_back(0);
    auto r = SecurityContext::import_context(longer);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == major_status::kDefectiveToken);
    CHECK(SecurityContext::import_context(l.blob));
  }
}

TEST_CASE("import_context rejects tampered blobs") {
  const Layout l = layout_of(crypto::EncType::kAes256CtsHmacSha1_96);
  const std::size_t k = l.key_len_at;
  REQUIRE(l.blob[k] == 32);
  struct Edit {
    const char* what;
    std::size_t at;
    std::uint8_t value;
  } edits[] = {
      {"magic", 0, 'k'},
      {"magic end", 6, 'X'},
      {"version 0", 7, 0},
      {"version 3", 7, 3},
      {"version 1 followed by version 2's initiator subkey", 7, 1},
      {"role 2", 8, 2},
      {"acceptor_subkey 2", 9, 2},
      {"enctype 99", k - 1, 99},
      {"enctype rc4", k - 1, 23},
      {"enctype des", k - 1, 1},
      {"enctype aes128 with a 32-octet key", k - 1, 17},
      {"key length 16", k, 16},
      {"key length 0", k, 0},
      {"key length 255", k, 255},
      // initiator name: type(4) len(2) "alice@EXAMPLE.COM"
      {"initiator text length +1", k + 1 + 32 + 24 + 4 + 1, 18},
      {"initiator text length -1", k + 1 + 32 + 24 + 4 + 1, 16},
      {"initiator text with two realms", k + 1 + 32 + 24 + 6 + 1, '@'},
      {"initiator text ending in a backslash", k + 1 + 32 + 24 + 6 + 16, '\\'},
  };
  for (const Edit& ed : edits) {
    CAPTURE(ed.what);
    REQUIRE(ed.at < l.blob.size());
    kerb::test::Bytes b = l.blob;
    REQUIRE(b[ed.at] != ed.value);
    b[ed.at] = ed.value;
    auto r = SecurityContext::import_context(b);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == major_status::kDefectiveToken);
    CHECK(std::string(r.error().detail()).find("offset") != std::string::npos);
  }
  auto empty = SecurityContext::import_context({});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code() == major_status::kDefectiveToken);
}
