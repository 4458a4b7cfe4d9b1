// DER codec of bank_protocol.asn1, on kerb::der in the style of kerb's RFC 4120 messages:
// every field is an EXPLICIT context tag around a universal type, fields appear in tag order,
// and a decoder reads exactly the module's type with its constraints or reports the first fault
// with its byte offset.
#include "protocol.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/types.hpp>

namespace bank {

namespace der = kerb::der;

namespace {

// --- constraints (shared by both directions; the Writer itself refuses non-IA5 text) -------

bool size_within(std::string_view text, std::size_t min, std::size_t max) {
  return text.size() >= min && text.size() <= max;
}

bool valid_payee(const Payee& payee) {
  if (const auto* account = std::get_if<AccountPayee>(&payee)) {
    return size_within(account->account, 1, kMaxAccountLength);
  }
  return size_within(std::get<PhonePayee>(payee).phone, 1, kMaxPhoneLength);
}

bool valid_payment(const Payment& payment) {
  return valid_payee(payment.payee) && payment.amount >= 1 && payment.amount <= kMaxAmount &&
         payment.currency.size() == kCurrencyLength;
}

bool valid_request(const Request& request) {
  if (const auto* payment = std::get_if<Payment>(&request.body)) return valid_payment(*payment);
  if (const auto* history = std::get_if<HistoryQuery>(&request.body)) {
    return !history->limit || (*history->limit >= 1 && *history->limit <= kMaxHistory);
  }
  return true;
}

bool valid_reply(const Reply& reply) {
  if (const auto* history = std::get_if<History>(&reply.body)) {
    return history->transactions.size() <= kMaxHistory;
  }
  return true;
}

// --- writing ----------------------------------------------------------------------------------

void put_octets(der::Writer& out, std::uint8_t tag, std::span<const std::uint8_t> octets) {
  out.context(tag, [&] { out.write_octet_string(octets); });
}

void put_ia5(der::Writer& out, std::uint8_t tag, std::string_view text) {
  out.context(tag, [&] { out.write_ia5_string(text); });
}

void put_utf8(der::Writer& out, std::uint8_t tag, std::string_view text) {
  out.context(tag, [&] { out.write_utf8_string(text); });
}

void put_integer(der::Writer& out, std::uint8_t tag, std::int64_t value) {
  out.context(tag, [&] { out.write_integer(value); });
}

void put_null(der::Writer& out, std::uint8_t tag) {
  out.context(tag, [&] { out.write_null(); });
}

void write(der::Writer& out, const Transaction& t) {
  out.sequence([&] {
    put_integer(out, 0, t.txid);
    out.context(1, [&] { out.write_kerberos_time(t.time); });
    put_ia5(out, 2, t.from_account);
    put_ia5(out, 3, t.to_account);
    put_integer(out, 4, t.amount);
    put_ia5(out, 5, t.currency);
    put_octets(out, 6, t.idempotency_key);
  });
}

void write(der::Writer& out, const Receipt& receipt) {
  out.sequence([&] {
    out.context(0, [&] { write(out, receipt.transaction); });
    put_octets(out, 1, receipt.mic);
  });
}

void write(der::Writer& out, const Payment& payment) {
  out.sequence([&] {
    out.context(0, [&] {
      if (const auto* account = std::get_if<AccountPayee>(&payment.payee)) {
        put_ia5(out, 0, account->account);
      } else {
        put_ia5(out, 1, std::get<PhonePayee>(payment.payee).phone);
      }
    });
    put_integer(out, 1, payment.amount);
    put_ia5(out, 2, payment.currency);
    put_octets(out, 3, payment.idempotency_key);
  });
}

void write(der::Writer& out, const ClientFrame& frame) {
  if (const auto* establish = std::get_if<Establish>(&frame.body)) {
    out.context(0, [&] {
      out.sequence([&] {
        put_octets(out, 0, establish->context_token);
        if (establish->request) put_octets(out, 1, *establish->request);
      });
    });
    return;
  }
  const auto& resume = std::get<Resume>(frame.body);
  out.context(1, [&] {
    out.sequence([&] {
      put_octets(out, 0, resume.context_id);
      put_octets(out, 1, resume.request);
    });
  });
}

void write(der::Writer& out, const ServerFrame& frame) {
  if (const auto* established = std::get_if<Established>(&frame.body)) {
    out.context(0, [&] {
      out.sequence([&] {
        put_octets(out, 0, established->context_id);
        put_octets(out, 1, established->reply_token);
        if (established->response) put_octets(out, 2, *established->response);
      });
    });
  } else if (const auto* response = std::get_if<Response>(&frame.body)) {
    put_octets(out, 1, response->token);
  } else {
    const auto& refused = std::get<Refused>(frame.body);
    out.context(2, [&] {
      out.sequence([&] {
        put_integer(out, 0, static_cast<std::int32_t>(refused.code));
        put_utf8(out, 1, refused.text);
        if (refused.error_token) put_octets(out, 2, *refused.error_token);
      });
    });
  }
}

void write(der::Writer& out, const Request& request) {
  out.sequence([&] {
    put_integer(out, 0, request.request_id);
    out.context(1, [&] {
      if (std::holds_alternative<BalanceQuery>(request.body)) {
        put_null(out, 0);
      } else if (const auto* payment = std::get_if<Payment>(&request.body)) {
        out.context(1, [&] { write(out, *payment); });
      } else if (const auto* history = std::get_if<HistoryQuery>(&request.body)) {
        out.context(2, [&] {
          out.sequence([&] {
            if (history->limit) put_integer(out, 0, *history->limit);
          });
        });
      } else {
        put_null(out, 3);
      }
    });
  });
}

void write(der::Writer& out, const Reply& reply) {
  out.sequence([&] {
    put_integer(out, 0, reply.request_id);
    out.context(1, [&] {
      if (const auto* balance = std::get_if<Balance>(&reply.body)) {
        out.context(0, [&] {
          out.sequence([&] {
            put_ia5(out, 0, balance->account);
            put_integer(out, 1, balance->amount);
            put_ia5(out, 2, balance->currency);
          });
        });
      } else if (const auto* receipt = std::get_if<Receipt>(&reply.body)) {
        out.context(1, [&] { write(out, *receipt); });
      } else if (const auto* history = std::get_if<History>(&reply.body)) {
        out.context(2, [&] {
          out.sequence([&] {
            for (const Transaction& t : history->transactions)
              write(out, t);
          });
        });
      } else if (std::holds_alternative<Bye>(reply.body)) {
        put_null(out, 3);
      } else {
        const auto& error = std::get<BankError>(reply.body);
        out.context(4, [&] {
          out.sequence([&] {
            put_integer(out, 0, static_cast<std::int32_t>(error.code));
            put_utf8(out, 1, error.text);
          });
        });
      }
    });
  });
}

// The DER of `value`, or nothing if a constraint fails or the encoding exceeds a frame.
template <class T>
Bytes encode_checked(const T& value, bool valid) {
  if (!valid) return {};
  der::Writer out;
  write(out, value);
  Bytes bytes = out.take();
  if (bytes.size() > kMaxFrame) return {};
  return bytes;
}

// --- reading ----------------------------------------------------------------------------------
// Each read_* consumes one field [tag] from `seq`; on failure the shared der::Error holds the
// first fault and its offset.

template <class Read>
bool field(der::Reader& seq, std::uint8_t tag, Read&& read) {
  der::Reader f;
  return seq.read_element(der::ctx(tag), f) && read(f) && f.finish();
}

bool read_octets(der::Reader& seq, std::uint8_t tag, Bytes& out) {
  return field(seq, tag, [&](der::Reader& f) {
    std::span<const std::uint8_t> c;
    if (!f.read_octet_string(c)) return false;
    out.assign(c.begin(), c.end());
    return true;
  });
}

bool read_optional_octets(der::Reader& seq, std::uint8_t tag, std::optional<Bytes>& out) {
  out.reset();
  if (!seq.peek(der::ctx(tag))) return seq.ok();
  return read_octets(seq, tag, out.emplace());
}

template <std::size_t N>
bool read_fixed_octets(der::Reader& seq, std::uint8_t tag, std::array<std::uint8_t, N>& out,
                       const char* size_fault) {
  return field(seq, tag, [&](der::Reader& f) {
    const std::size_t at = f.offset();
    std::span<const std::uint8_t> c;
    if (!f.read_octet_string(c)) return false;
    if (c.size() != N) return f.fault(at, size_fault);
    std::copy(c.begin(), c.end(), out.begin());
    return true;
  });
}

bool read_ia5(der::Reader& seq, std::uint8_t tag, std::string& out, std::size_t min = 0,
              std::size_t max = kMaxFrame, const char* size_fault = nullptr) {
  return field(seq, tag, [&](der::Reader& f) {
    const std::size_t at = f.offset();
    std::string_view text;
    if (!f.read_ia5_string(text)) return false;
    if (!size_within(text, min, max)) return f.fault(at, size_fault);
    out.assign(text);
    return true;
  });
}

bool read_utf8(der::Reader& seq, std::uint8_t tag, std::string& out) {
  return field(seq, tag, [&](der::Reader& f) {
    std::string_view text;
    if (!f.read_utf8_string(text)) return false;
    out.assign(text);
    return true;
  });
}

template <class Int>
bool read_int(der::Reader& seq, std::uint8_t tag, Int& out) {
  return field(seq, tag, [&](der::Reader& f) { return f.read_integer(out); });
}

bool read_int_within(der::Reader& seq, std::uint8_t tag, std::int64_t min, std::int64_t max,
                     std::int64_t& out, const char* range_fault) {
  return field(seq, tag, [&](der::Reader& f) {
    const std::size_t at = f.offset();
    if (!f.read_integer(out)) return false;
    return (out >= min && out <= max) || f.fault(at, range_fault);
  });
}

bool read_null(der::Reader& seq, std::uint8_t tag) {
  return field(seq, tag, [](der::Reader& f) { return f.read_null(); });
}

// A CHOICE of context-tagged alternatives: the tag number of the next element, if it is one of
// 0..last; otherwise records `fault`.
bool choose(der::Reader& in, std::uint8_t last, std::uint8_t& chosen, const char* fault) {
  const std::size_t at = in.offset();
  const std::optional<der::Tag> tag = in.peek_tag();
  if (!tag) {
    // Let read_any name what is wrong (end of input, bad identifier).
    der::Tag any = der::ctx(0);
    der::Reader ignored;
    return in.read_any(any, ignored) && in.fault(at, fault);
  }
  if (tag->tag_class() != der::TagClass::kContext || !tag->constructed() || tag->number() > last) {
    return in.fault(at, fault);
  }
  chosen = tag->number();
  return true;
}

bool read(der::Reader& in, Transaction& t) {
  der::Reader seq;
  return in.read_sequence(seq) && read_int(seq, 0, t.txid) &&
         field(seq, 1, [&](der::Reader& f) { return f.read_kerberos_time(t.time); }) &&
         read_ia5(seq, 2, t.from_account) && read_ia5(seq, 3, t.to_account) &&
         read_int(seq, 4, t.amount) && read_ia5(seq, 5, t.currency) &&
         read_fixed_octets(seq, 6, t.idempotency_key, "idempotency-key must be 16 octets") &&
         seq.finish();
}

bool read(der::Reader& in, Receipt& receipt) {
  der::Reader seq;
  return in.read_sequence(seq) &&
         field(seq, 0, [&](der::Reader& f) { return read(f, receipt.transaction); }) &&
         read_octets(seq, 1, receipt.mic) && seq.finish();
}

bool read(der::Reader& in, Payment& payment) {
  der::Reader seq;
  return in.read_sequence(seq) &&
         field(seq, 0,
               [&](der::Reader& f) {
                 std::uint8_t alternative = 0;
                 if (!choose(f, 1, alternative, "payee must be account [0] or phone [1]")) {
                   return false;
                 }
                 if (alternative == 0) {
                   return read_ia5(f, 0, payment.payee.emplace<AccountPayee>().account, 1,
                                   kMaxAccountLength, "account must be 1..34 characters");
                 }
                 return read_ia5(f, 1, payment.payee.emplace<PhonePayee>().phone, 1,
                                 kMaxPhoneLength, "phone must be 1..20 characters");
               }) &&
         read_int_within(seq, 1, 1, kMaxAmount, payment.amount,
                         "amount must be 1..1000000000000") &&
         read_ia5(seq, 2, payment.currency, kCurrencyLength, kCurrencyLength,
                  "currency must be 3 characters") &&
         read_fixed_octets(seq, 3, payment.idempotency_key, "idempotency-key must be 16 octets") &&
         seq.finish();
}

bool read(der::Reader& in, ClientFrame& frame) {
  std::uint8_t alternative = 0;
  if (!choose(in, 1, alternative, "ClientFrame must be establish [0] or resume [1]")) {
    return false;
  }
  return field(in, alternative, [&](der::Reader& f) {
    der::Reader seq;
    if (!f.read_sequence(seq)) return false;
    if (alternative == 0) {
      auto& establish = frame.body.emplace<Establish>();
      return read_octets(seq, 0, establish.context_token) &&
             read_optional_octets(seq, 1, establish.request) && seq.finish();
    }
    auto& resume = frame.body.emplace<Resume>();
    return read_fixed_octets(seq, 0, resume.context_id, "context-id must be 16 octets") &&
           read_octets(seq, 1, resume.request) && seq.finish();
  });
}

bool read(der::Reader& in, ServerFrame& frame) {
  std::uint8_t alternative = 0;
  if (!choose(in, 2, alternative,
              "ServerFrame must be established [0], response [1] or refused [2]")) {
    return false;
  }
  if (alternative == 1) return read_octets(in, 1, frame.body.emplace<Response>().token);
  return field(in, alternative, [&](der::Reader& f) {
    der::Reader seq;
    if (!f.read_sequence(seq)) return false;
    if (alternative == 0) {
      auto& established = frame.body.emplace<Established>();
      return read_fixed_octets(seq, 0, established.context_id, "context-id must be 16 octets") &&
             read_octets(seq, 1, established.reply_token) &&
             read_optional_octets(seq, 2, established.response) && seq.finish();
    }
    auto& refused = frame.body.emplace<Refused>();
    std::int32_t code = 0;
    if (!read_int(seq, 0, code)) return false;
    refused.code = static_cast<FrameRefusal>(code);
    return read_utf8(seq, 1, refused.text) && read_optional_octets(seq, 2, refused.error_token) &&
           seq.finish();
  });
}

bool read(der::Reader& in, Request& request) {
  der::Reader seq;
  return in.read_sequence(seq) && read_int(seq, 0, request.request_id) &&
         field(seq, 1,
               [&](der::Reader& body) {
                 std::uint8_t alternative = 0;
                 if (!choose(body, 3, alternative,
                             "Request body must be balance [0], pay [1], history [2] or "
                             "logout [3]")) {
                   return false;
                 }
                 switch (alternative) {
                   case 0:
                     request.body.emplace<BalanceQuery>();
                     return read_null(body, 0);
                   case 1:
                     return field(body, 1, [&](der::Reader& f) {
                       return read(f, request.body.emplace<Payment>());
                     });
                   case 2:
                     return field(body, 2, [&](der::Reader& f) {
                       auto& history = request.body.emplace<HistoryQuery>();
                       der::Reader q;
                       if (!f.read_sequence(q)) return false;
                       if (q.peek(der::ctx(0))) {
                         std::int64_t limit = 0;
                         if (!read_int_within(q, 0, 1, kMaxHistory, limit,
                                              "history limit must be 1..1000")) {
                           return false;
                         }
                         history.limit = static_cast<std::uint32_t>(limit);
                       }
                       return q.finish();
                     });
                   default:
                     request.body.emplace<Logout>();
                     return read_null(body, 3);
                 }
               }) &&
         seq.finish();
}

bool read_history(der::Reader& in, History& history) {
  der::Reader list;
  if (!in.read_sequence(list)) return false;
  while (!list.empty()) {
    if (history.transactions.size() == kMaxHistory) {
      return list.fault(list.offset(), "history holds more than 1000 transactions");
    }
    if (!read(list, history.transactions.emplace_back())) return false;
  }
  return true;
}

bool read(der::Reader& in, Reply& reply) {
  der::Reader seq;
  return in.read_sequence(seq) && read_int(seq, 0, reply.request_id) &&
         field(seq, 1,
               [&](der::Reader& body) {
                 std::uint8_t alternative = 0;
                 if (!choose(body, 4, alternative,
                             "Reply body must be balance [0], paid [1], history [2], bye [3] "
                             "or error [4]")) {
                   return false;
                 }
                 switch (alternative) {
                   case 0:
                     return field(body, 0, [&](der::Reader& f) {
                       auto& balance = reply.body.emplace<Balance>();
                       der::Reader b;
                       return f.read_sequence(b) && read_ia5(b, 0, balance.account) &&
                              read_int(b, 1, balance.amount) && read_ia5(b, 2, balance.currency) &&
                              b.finish();
                     });
                   case 1:
                     return field(body, 1, [&](der::Reader& f) {
                       return read(f, reply.body.emplace<Receipt>());
                     });
                   case 2:
                     return field(body, 2, [&](der::Reader& f) {
                       return read_history(f, reply.body.emplace<History>());
                     });
                   case 3:
                     reply.body.emplace<Bye>();
                     return read_null(body, 3);
                   default:
                     return field(body, 4, [&](der::Reader& f) {
                       auto& error = reply.body.emplace<BankError>();
                       der::Reader e;
                       std::int32_t code = 0;
                       if (!f.read_sequence(e) || !read_int(e, 0, code)) return false;
                       error.code = static_cast<BankErrorCode>(code);
                       return read_utf8(e, 1, error.text) && e.finish();
                     });
                 }
               }) &&
         seq.finish();
}

// Decodes exactly one T from `bytes`: "<what>: <reason> at offset <n>" otherwise.
template <class T>
kerb::Result<T> decode_whole(std::span<const std::uint8_t> bytes, const char* what) {
  if (bytes.size() > kMaxFrame) {
    return kerb::Error::format(kerb::ErrorCategory::kDer, 0,
                               "%s: longer than %zu bytes at offset %zu", what, kMaxFrame,
                               kMaxFrame);
  }
  der::Error fault;
  der::Reader in(bytes, fault);
  T out{};
  if (!read(in, out) || !in.finish()) return kerb::der_error(fault, what);
  return out;
}

}  // namespace

Bytes encode(const ClientFrame& frame) {
  return encode_checked(frame, true);
}
Bytes encode(const ServerFrame& frame) {
  return encode_checked(frame, true);
}
Bytes encode(const Request& request) {
  return encode_checked(request, valid_request(request));
}
Bytes encode(const Reply& reply) {
  return encode_checked(reply, valid_reply(reply));
}
Bytes encode(const Transaction& transaction) {
  return encode_checked(transaction, true);
}
Bytes encode(const Receipt& receipt) {
  return encode_checked(receipt, true);
}
Bytes encode_transaction(const Transaction& transaction) {
  return encode(transaction);
}

kerb::Result<ClientFrame> decode_client_frame(std::span<const std::uint8_t> der) {
  return decode_whole<ClientFrame>(der, "ClientFrame");
}
kerb::Result<ServerFrame> decode_server_frame(std::span<const std::uint8_t> der) {
  return decode_whole<ServerFrame>(der, "ServerFrame");
}
kerb::Result<Request> decode_request(std::span<const std::uint8_t> der) {
  return decode_whole<Request>(der, "Request");
}
kerb::Result<Reply> decode_reply(std::span<const std::uint8_t> der) {
  return decode_whole<Reply>(der, "Reply");
}
kerb::Result<Transaction> decode_transaction(std::span<const std::uint8_t> der) {
  return decode_whole<Transaction>(der, "Transaction");
}
kerb::Result<Receipt> decode_receipt(std::span<const std::uint8_t> der) {
  return decode_whole<Receipt>(der, "Receipt");
}

}  // namespace bank
