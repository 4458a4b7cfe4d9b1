// The timing harness of the side-by-side benchmarks (kerb_bench_crypto, kerb_bench_gss): batch
// calibration, alternating batches, the fastest (or median) batch, and the kerb-vs-MIT table.
//
// Each cell first doubles a batch size until one batch takes ~1/30 of the cell (the warm-up),
// then alternates the operations' batches until each has had --cell-seconds, so a change in
// machine load or clock speed during the cell falls on all of them alike. Noise from other
// processes only ever adds time, so the fastest batch is the default figure; --median prints
// the median batch instead. See bench/README.md.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kerb::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- options ------------------------------------------------------------------------------

inline double g_cell_seconds = 0.3;
inline bool g_use_median = false;

// --cell-seconds=S, --quick, --median: true when `arg` was one of them. A bad --cell-seconds
// value sets `*bad` (the caller reports it).
inline bool parse_timing_option(std::string_view arg, bool* bad) {
  if (arg.rfind("--cell-seconds=", 0) == 0) {
    g_cell_seconds = std::atof(std::string(arg.substr(15)).c_str());
    if (g_cell_seconds <= 0) *bad = true;
    return true;
  }
  if (arg == "--median") {
    g_use_median = true;
    return true;
  }
  if (arg == "--quick") {
    g_cell_seconds = 0.05;
    return true;
  }
  return false;
}

// ---- measurement ----------------------------------------------------------------------------

struct Sample {
  double ns_per_op = 0;
  std::uint64_t ops = 0;
};

// Warm-up doubles the batch until one batch takes ~1/30 of the cell (which also pulls code,
// keys and caches in); returns that batch size.
template <class Op>
std::uint64_t calibrate(Op& op) {
  const double target_batch = std::max(g_cell_seconds / 30, 0.001);
  std::uint64_t batch = 1;
  for (;;) {
    const auto t = Clock::now();
    for (std::uint64_t i = 0; i < batch; ++i)
      op();
    const double dt = seconds_since(t);
    if (dt >= target_batch || dt >= g_cell_seconds / 4) return batch;
    batch *= 2;
  }
}

template <class Op>
double run_batch(Op& op, std::uint64_t batch) {
  const auto t = Clock::now();
  for (std::uint64_t i = 0; i < batch; ++i)
    op();
  return seconds_since(t) * 1e9 / static_cast<double>(batch);
}

// The fastest batch by default (interference from other processes only adds time), or the
// median batch with --median.
inline double summarize(std::vector<double>& v) {
  if (!g_use_median) return *std::min_element(v.begin(), v.end());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Several operations on the same work (kerb, MIT, a baseline): their batches alternate until
// each has had the cell's time, so a change in machine load or clock speed during the cell
// falls on all of them alike. summarize() turns each one's batches into a time per operation.
template <class... Ops>
std::array<Sample, sizeof...(Ops)> measure_group(Ops&&... ops) {
  constexpr std::size_t kCount = sizeof...(Ops);
  const std::array<std::uint64_t, kCount> batch{calibrate(ops)...};
  std::array<std::vector<double>, kCount> per_op;
  std::array<Sample, kCount> s{};
  const auto start = Clock::now();
  do {
    std::size_t i = 0;
    ((per_op[i].push_back(run_batch(ops, batch[i])), s[i].ops += batch[i], ++i), ...);
  } while ((seconds_since(start) < static_cast<double>(kCount) * g_cell_seconds ||
            per_op[0].size() < 3) &&
           per_op[0].size() < 10000);
  for (std::size_t i = 0; i < kCount; ++i)
    s[i].ns_per_op = summarize(per_op[i]);
  return s;
}

template <class A, class B>
std::pair<Sample, Sample> measure_pair(A&& a, B&& b) {
  const auto s = measure_group(a, b);
  return {s[0], s[1]};
}

// ---- the table ------------------------------------------------------------------------------

struct Row {
  std::string enctype;
  std::string op;
  std::size_t size = 0;  // payload bytes per operation (0: not a throughput row)
  Sample kerb;
  Sample mit;
};

inline std::string format_time(double ns) {
  char buf[32];
  if (ns >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  } else if (ns >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  }
  return buf;
}

inline std::string format_rate(std::size_t size, double ns) {
  if (size == 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MB/s", static_cast<double>(size) * 1e3 / ns);
  return buf;
}

inline std::string format_size(std::size_t size) {
  if (size == 0) return "-";
  if (size % 1024 == 0) return std::to_string(size / 1024) + " KiB";
  return std::to_string(size) + " B";
}

// Columns: time per operation and throughput for kerb and MIT, then MIT/kerb (above 1: kerb is
// faster).
inline void print_row(const Row& r) {
  std::printf("| %-26s | %-22s | %6s | %10s | %9s | %10s | %9s | %7.2fx |\n", r.enctype.c_str(),
              r.op.c_str(), format_size(r.size).c_str(), format_time(r.kerb.ns_per_op).c_str(),
              format_rate(r.size, r.kerb.ns_per_op).c_str(), format_time(r.mit.ns_per_op).c_str(),
              format_rate(r.size, r.mit.ns_per_op).c_str(), r.mit.ns_per_op / r.kerb.ns_per_op);
  std::fflush(stdout);
}

inline void print_header() {
  std::printf("| %-26s | %-22s | %6s | %10s | %9s | %10s | %9s | %8s |\n", "enctype", "operation",
              "size", "kerb/op", "kerb", "MIT/op", "MIT", "MIT/kerb");
  std::printf(
      "|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(28, '-').c_str(), std::string(24, '-').c_str(),
      std::string(8, '-').c_str(), std::string(12, '-').c_str(), std::string(11, '-').c_str(),
      std::string(12, '-').c_str(), std::string(11, '-').c_str(), std::string(10, '-').c_str());
}

// ---- the machine ----------------------------------------------------------------------------

inline std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

// Numbers from an unoptimised or instrumented build mean nothing; say so in the output. (The
// macros are those of the program's translation unit, which includes this header.)
inline void print_build_warnings() {
#if !defined(__OPTIMIZE__)
  std::printf("WARNING: built without optimisation; kerb's numbers mean nothing here\n");
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  std::printf("WARNING: built with a sanitizer; kerb's numbers mean nothing here\n");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer) || __has_feature(undefined_behavior_sanitizer)
  std::printf("WARNING: built with a sanitizer; kerb's numbers mean nothing here\n");
#endif
#endif
}

}  // namespace kerb::bench
