#include <kerb/der/time.hpp>

namespace kerb::der {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

bool is_leap(std::int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 in the proleptic Gregorian calendar: the days before March 1 of the
// year are counted in 400-year eras of 146097 days, with March as the first month so that
// the leap day falls at the end of the counting year.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

bool digits(std::span<const std::uint8_t> text, std::size_t at, std::size_t n, int& value) {
  value = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

void put_digits(std::span<std::uint8_t> out, std::size_t at, std::size_t n, std::int64_t value) {
  for (std::size_t i = at + n; i-- > at;) {
    out[i] = static_cast<std::uint8_t>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

bool parse_kerberos_time(std::span<const std::uint8_t> text, std::int64_t& seconds) {
  if (text.size() != kKerberosTimeLength || text[14] != 'Z') return false;
  int year, month, day, hour, minute, second;
  if (!digits(text, 0, 4, year) || !digits(text, 4, 2, month) || !digits(text, 6, 2, day) ||
      !digits(text, 8, 2, hour) || !digits(text, 10, 2, minute) || !digits(text, 12, 2, second)) {
    return false;
  }
  // No leap second: RFC 4120 times are POSIX seconds, where 60 has no unique value.
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  seconds = days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  return true;
}

bool format_kerberos_time(std::int64_t seconds, std::span<std::uint8_t, kKerberosTimeLength> out) {
  if (seconds < kMinKerberosTime || seconds > kMaxKerberosTime) return false;
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t rest = seconds % kSecondsPerDay;
  if (rest < 0) rest += kSecondsPerDay, --days;
  std::int64_t year;
  int month, day;
  civil_from_days(days, year, month, day);
  put_digits(out, 0, 4, year);
  put_digits(out, 4, 2, month);
  put_digits(out, 6, 2, day);
  put_digits(out, 8, 2, rest / 3600);
  put_digits(out, 10, 2, rest / 60 % 60);
  put_digits(out, 12, 2, rest % 60);
  out[14] = 'Z';
  return true;
}

}  // namespace kerb::der
