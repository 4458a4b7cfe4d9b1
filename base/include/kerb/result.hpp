// kerb::Result<T>: a value or a kerb::Error, for code built without exceptions.
#pragma once

#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

#include <kerb/error.hpp>

namespace kerb {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : ok_(true) { new (&value_) T(value); }
  Result(T&& value) : ok_(true) { new (&value_) T(std::move(value)); }
  Result(Error error) : ok_(false) { new (&error_) Error(error); }

  Result(const Result& other) : ok_(other.ok_) {
    if (ok_)
      new (&value_) T(other.value_);
    else
      new (&error_) Error(other.error_);
  }
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(other.ok_) {
    if (ok_)
      new (&value_) T(std::move(other.value_));
    else
      new (&error_) Error(other.error_);
  }
  Result& operator=(Result other) {
    this->~Result();
    new (this) Result(std::move(other));
    return *this;
  }
  ~Result() {
    if (ok_) value_.~T();
  }

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  // Accessing the wrong alternative is a programming error: abort rather than read garbage.
  // The checks are inlined: after the usual `if (!r) return r.error();` the compiler drops them.
  T& value() & { return check_value(), value_; }
  const T& value() const& { return check_value(), value_; }
  T&& value() && { return check_value(), std::move(value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[gnu::always_inline]] const Error& error() const {
    if (ok_) std::abort();
    return error_;
  }

 private:
  [[gnu::always_inline]] void check_value() const {
    if (!ok_) std::abort();
  }

  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

template <>
class [[nodiscard]] Result<void> {
 public:
  // The error exists only on failure: a success writes one flag, not a cleared Error.
  Result() noexcept {}
  Result(Error error) : ok_(false), error_(error) {}

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  [[gnu::always_inline]] const Error& error() const {
    if (ok_) std::abort();
    return error_;
  }

 private:
  bool ok_ = true;
  union {
    Error error_;
  };
};

// Result<void>'s success value, for symmetry: `return kerb::ok();`.
inline Result<void> ok() {
  return {};
}

}  // namespace kerb

// Propagate an error: KERB_TRY(x, expr) declares x from expr's value or returns its error.
#define KERB_CONCAT_INNER(a, b) a##b
#define KERB_CONCAT(a, b) KERB_CONCAT_INNER(a, b)
#define KERB_TRY(decl, expr)                                                              \
  auto KERB_CONCAT(kerb_try_, __LINE__) = (expr);                                         \
  if (!KERB_CONCAT(kerb_try_, __LINE__)) return KERB_CONCAT(kerb_try_, __LINE__).error(); \
  decl = std::move(KERB_CONCAT(kerb_try_, __LINE__)).value()
#define KERB_TRY_VOID(expr)                       \
  do {                                            \
    auto kerb_try_v_ = (expr);                    \
    if (!kerb_try_v_) return kerb_try_v_.error(); \
  } while (0)
