// kerb.h as a C++ binding sees it: C linkage, noexcept, standard layout.
#include <kerb/kerb.h>

#include <type_traits>

static_assert(noexcept(kerb_version()));
static_assert(noexcept(kerb_login_password(nullptr, nullptr, nullptr, nullptr, nullptr)));
static_assert(noexcept(kerb_buffer_free(nullptr)));
static_assert(noexcept(kerb_gss_wrap_into(nullptr, 0, nullptr, 0, nullptr, nullptr, nullptr)));
static_assert(std::is_standard_layout_v<kerb_error> && std::is_trivial_v<kerb_error>);
static_assert(std::is_standard_layout_v<kerb_buffer> && std::is_trivial_v<kerb_buffer>);
static_assert(std::is_same_v<kerb_status, int32_t>);
// C linkage: the names are unmangled, so a C translation unit links to the same symbols
// (c_api_test.c calls them).
extern "C" kerb_status kerb_ctx_new(const char*, kerb_ctx**, kerb_error*) noexcept;
