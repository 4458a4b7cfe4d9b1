#include <kerb/https/kdc_proxy_transport.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <kerb/kkdcp.hpp>

namespace kerb::https {

using namespace std::string_view_literals;

namespace {

struct RealmProxies {
  std::string name;
  std::vector<std::string> urls;
  HttpsAnchors anchors;
};

// Where a reply body goes: the caller's buffer, or a vector grown only by bytes that arrived.
struct Sink {
  std::span<std::uint8_t> fixed;
  std::vector<std::uint8_t>* grown = nullptr;
  std::size_t limit = 0;  // options.max_reply_size
  std::size_t size = 0;
  bool over_limit = false;
  bool over_buffer = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  Sink& sink = *static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (n > sink.limit - sink.size) {
    sink.over_limit = true;
    return 0;  // libcurl stops the transfer (CURLE_WRITE_ERROR)
  }
  if (sink.grown != nullptr) {
    sink.grown->insert(sink.grown->end(), data, data + n);
  } else {
    // Past the buffer's end the rest is counted, not kept: a body that then ends within the
    // limit did not fit (kBufferTooSmall); one that runs past it is the proxy's fault (kIo,
    // the next URL), as a TCP length above the limit is a KDC's.
    if (sink.over_buffer || n > sink.fixed.size() - sink.size) {
      sink.over_buffer = true;
    } else {
      std::memcpy(sink.fixed.data() + sink.size, data, n);
    }
  }
  sink.size += n;
  return n;
}

// Proxy URLs must be https: anything else would carry the exchange in clear text.
bool is_https_url(std::string_view url) {
  return url.size() > 8 && url.substr(0, 8) == "https://"sv && url[8] != '/' && url[8] != ':';
}

const char* getenv_secure(const char* name) {
  return ::secure_getenv(name);  // ignored in setuid programs, as krb5.conf's ENV: is by MIT
}

}  // namespace

// --- HttpsAnchors ---------------------------------------------------------------------------

Result<HttpsAnchors> HttpsAnchors::parse(std::span<const std::string_view> values) {
  HttpsAnchors out;
  for (std::string_view value : values) {
    std::string resolved;
    if (value.substr(0, 4) == "ENV:"sv) {
      const std::string name(value.substr(4));
      const char* v = name.empty() ? nullptr : getenv_secure(name.c_str());
      if (v == nullptr) {
        return Error::format(ErrorCategory::kConfig, 0, "http_anchors: %.*s is not set",
                             static_cast<int>(value.size()), value.data());
      }
      resolved = v;
      value = resolved;
    }
    std::string* slot = value.substr(0, 5) == "FILE:"sv  ? &out.ca_file
                        : value.substr(0, 4) == "DIR:"sv ? &out.ca_dir
                                                         : nullptr;
    if (slot == nullptr) {
      return Error::format(ErrorCategory::kConfig, 0,
                           "http_anchors: '%.*s' is not FILE:, DIR: or ENV:",
                           static_cast<int>(value.size()), value.data());
    }
    const std::string_view path = value.substr(slot == &out.ca_file ? 5 : 4);
    if (path.empty()) return Error(ErrorCategory::kConfig, "http_anchors: an empty path");
    // libcurl takes one CA file and one CA directory.
    if (!slot->empty()) {
      return Error(ErrorCategory::kConfig,
                   "http_anchors: more than one FILE: (or DIR:) value is not supported");
    }
    *slot = std::string(path);
  }
  return out;
}

// --- HttpsKdcTransport ----------------------------------------------------------------------

struct HttpsKdcTransport::State {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  std::vector<RealmProxies> realms;
  char curl_error[CURL_ERROR_SIZE] = {};

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    curl_slist_free_all(headers);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  const RealmProxies* find(std::string_view realm) const noexcept {
    for (const RealmProxies& r : realms) {
      if (r.name == realm) return &r;
    }
    return nullptr;
  }
};

HttpsKdcTransport::HttpsKdcTransport(std::unique_ptr<State> state, HttpsTransportOptions options)
    : state_(std::move(state)), options_(options) {}
HttpsKdcTransport::~HttpsKdcTransport() = default;
HttpsKdcTransport::HttpsKdcTransport(HttpsKdcTransport&&) noexcept = default;
HttpsKdcTransport& HttpsKdcTransport::operator=(HttpsKdcTransport&&) noexcept = default;

Result<HttpsKdcTransport> HttpsKdcTransport::create(HttpsTransportOptions options) {
  auto state = std::make_unique<State>();
  state->curl = curl_easy_init();
  if (state->curl == nullptr) return Error(ErrorCategory::kIo, "libcurl: curl_easy_init failed");
  // MS-KKDCP §2.1 and MIT send application/kerberos. An empty "Expect:" keeps libcurl from
  // waiting for a "100 Continue" before the body.
  for (const char* h : {"Content-Type: application/kerberos", "Expect:"}) {
    curl_slist* next = curl_slist_append(state->headers, h);
    if (next == nullptr) return Error(ErrorCategory::kIo, "libcurl: out of memory");
    state->headers = next;
  }
  return HttpsKdcTransport(std::move(state), options);
}

Result<HttpsKdcTransport> HttpsKdcTransport::from_config(const Config& config,
                                                         HttpsTransportOptions options,
                                                         ProxyService service) {
  KERB_TRY(HttpsKdcTransport transport, create(options));
  for (std::string_view realm : config.realms()) {
    KERB_TRY(std::vector<std::string_view> urls, service == ProxyService::kKpasswd
                                                     ? config.kpasswd_proxies(realm)
                                                     : config.kdc_proxies(realm));
    if (urls.empty()) continue;
    const std::vector<std::string_view> anchor_values = config.http_anchors(realm);
    KERB_TRY(HttpsAnchors anchors, HttpsAnchors::parse(anchor_values));
    KERB_TRY_VOID(transport.set_proxies(realm, {urls.begin(), urls.end()}, std::move(anchors)));
  }
  return transport;
}

Result<void> HttpsKdcTransport::set_proxies(std::string_view realm, std::vector<std::string> urls,
                                            HttpsAnchors anchors) {
  for (const std::string& url : urls) {
    if (!is_https_url(url)) {
      return Error::format(ErrorCategory::kInvalidArgument, 0, "not an https:// URL: '%s'",
                           url.c_str());
    }
  }
  std::vector<RealmProxies>& realms = state_->realms;
  auto it = std::find_if(realms.begin(), realms.end(),
                         [realm](const RealmProxies& r) { return r.name == realm; });
  if (it == realms.end())
    it = realms.insert(realms.end(), RealmProxies{std::string(realm), {}, {}});
  it->urls = std::move(urls);
  it->anchors = std::move(anchors);
  return {};
}

bool HttpsKdcTransport::has_proxies(std::string_view realm) const noexcept {
  const RealmProxies* r = state_->find(realm);
  return r != nullptr && !r->urls.empty();
}

Result<std::vector<std::uint8_t>> HttpsKdcTransport::exchange(
    std::string_view realm, std::span<const std::uint8_t> request) {
  std::vector<std::uint8_t> body;
  KERB_TRY(const std::span<const std::uint8_t> message, run(realm, request, {}, &body));
  // The message sits inside the body: keep only it.
  const auto offset = static_cast<std::ptrdiff_t>(message.data() - body.data());
  const auto size = static_cast<std::ptrdiff_t>(message.size());
  body.erase(body.begin() + offset + size, body.end());
  body.erase(body.begin(), body.begin() + offset);
  return body;
}

Result<std::span<const std::uint8_t>> HttpsKdcTransport::exchange_into(
    std::string_view realm, std::span<const std::uint8_t> request,
    std::span<std::uint8_t> reply_buffer) {
  KERB_TRY(const std::span<const std::uint8_t> message, run(realm, request, reply_buffer, nullptr));
  std::memmove(reply_buffer.data(), message.data(), message.size());
  return std::span<const std::uint8_t>(reply_buffer.first(message.size()));
}

Result<std::span<const std::uint8_t>> HttpsKdcTransport::run(std::string_view realm,
                                                             std::span<const std::uint8_t> request,
                                                             std::span<std::uint8_t> fixed,
                                                             std::vector<std::uint8_t>* grown) {
  const RealmProxies* proxies = state_->find(realm);
  if (proxies == nullptr || proxies->urls.empty()) {
    return Error::format(ErrorCategory::kConfig, 0, "no KDC proxy for realm %.*s",
                         static_cast<int>(realm.size()), realm.data());
  }
  KERB_TRY(const std::vector<std::uint8_t> body, encode_kdc_proxy_request(request, realm));

  CURL* curl = state_->curl;
  std::size_t failed = 0;
  Error last;
  for (const std::string& url : proxies->urls) {
    Sink sink;
    sink.fixed = fixed;
    sink.grown = grown;
    sink.limit = options_.max_reply_size;
    if (grown != nullptr) grown->clear();

    // A reset keeps the handle's live connections and TLS session cache, so the next request
    // to the same proxy reuses its connection; every option is set again below.
    curl_easy_reset(curl);
    state_->curl_error[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!proxies->anchors.ca_file.empty() || !proxies->anchors.ca_dir.empty()) {
      // Only the configured anchors: an unset one is disabled, not left at the system's.
      const HttpsAnchors& a = proxies->anchors;
      curl_easy_setopt(curl, CURLOPT_CAINFO, a.ca_file.empty() ? nullptr : a.ca_file.c_str());
      curl_easy_setopt(curl, CURLOPT_CAPATH, a.ca_dir.empty() ? nullptr : a.ca_dir.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, state_->headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    // A Content-Length above the limit ends the transfer before any of the body is read.
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(options_.max_reply_size));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &write_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, state_->curl_error);

    ++counters_.round_trips;
    const CURLcode rc = curl_easy_perform(curl);
    long connects = 0;
    long status = 0;
    long request_size = 0;
    long header_size = 0;
    char* content_type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(curl, CURLINFO_HEADER_SIZE, &header_size);
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
    curl_off_t uploaded = 0;
    curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    counters_.connections += static_cast<std::size_t>(std::max(connects, 0L));
    counters_.body_bytes_sent += static_cast<std::size_t>(std::max<curl_off_t>(uploaded, 0));
    counters_.body_bytes_received += sink.size;
    // CURLINFO_REQUEST_SIZE counts the request line, headers and the POSTFIELDS body.
    const std::size_t request_bytes = static_cast<std::size_t>(std::max(request_size, 0L));
    const std::size_t sent_body = static_cast<std::size_t>(std::max<curl_off_t>(uploaded, 0));
    counters_.header_bytes_sent += request_bytes - std::min(request_bytes, sent_body);
    counters_.header_bytes_received += static_cast<std::size_t>(std::max(header_size, 0L));

    ++failed;
    if (sink.over_limit || rc == CURLE_FILESIZE_EXCEEDED) {
      last = Error::format(ErrorCategory::kIo, 0, "%s: reply longer than %zu bytes", url.c_str(),
                           options_.max_reply_size);
      continue;
    }
    if (rc != CURLE_OK) {
      last = Error::format(
          ErrorCategory::kIo, 0, "%s: %s", url.c_str(),
          state_->curl_error[0] != '\0' ? state_->curl_error : curl_easy_strerror(rc));
      continue;
    }
    if (status != 200) {
      last = Error::format(ErrorCategory::kIo, 0, "%s: HTTP status %ld", url.c_str(), status);
      continue;
    }
    // A whole 200 reply within the limit that did not fit: every proxy would send the same.
    if (sink.over_buffer) {
      return Error::format(ErrorCategory::kBufferTooSmall, 0,
                           "the reply buffer holds %zu bytes; %s sent %zu", fixed.size(),
                           url.c_str(), sink.size);
    }
    const std::span<const std::uint8_t> received =
        grown != nullptr ? std::span<const std::uint8_t>(*grown)
                         : std::span<const std::uint8_t>(fixed.first(sink.size));
    Result<Bytes> message = decode_kdc_proxy_reply(received);
    if (!message) {
      last = Error::format(ErrorCategory::kIo, 0, "%s: not a KDC-PROXY-MESSAGE (%s): %.*s",
                           url.c_str(), content_type != nullptr ? content_type : "no type",
                           static_cast<int>(message.error().detail().size()),
                           message.error().detail().data());
      continue;
    }
    return *message;
  }
  if (failed > 1) {
    return Error::format(ErrorCategory::kIo, 0, "%zu KDC proxies of %.*s failed; last: %.*s",
                         failed, static_cast<int>(realm.size()), realm.data(),
                         static_cast<int>(last.detail().size()), last.detail().data());
  }
  return last;
}

}  // namespace kerb::https
