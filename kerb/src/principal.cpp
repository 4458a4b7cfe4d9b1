#include <kerb/principal.hpp>

namespace kerb {

PrincipalName::PrincipalName(NameType type,
                             std::initializer_list<std::string_view> components) noexcept
    : name_type_(static_cast<std::int32_t>(type)) {
  for (std::string_view c : components) {
    if (!push_back(c)) break;
  }
}

bool PrincipalName::push_back(std::string_view component) noexcept {
  if (count_ == kMaxComponents) return false;
  parts_[count_++] = component;
  return true;
}

bool operator==(const PrincipalName& a, const PrincipalName& b) noexcept {
  if (a.count_ != b.count_) return false;
  for (std::size_t i = 0; i < a.count_; ++i) {
    if (a.parts_[i] != b.parts_[i]) return false;
  }
  return true;
}

Principal::Principal(std::string_view realm, const PrincipalName& name)
    : name_type_(name.raw_name_type()), realm_(realm) {
  components_.reserve(name.size());
  for (std::string_view c : name.components())
    components_.emplace_back(c);
}

PrincipalName Principal::name() const noexcept {
  PrincipalName n;
  n.set_name_type(name_type_);
  for (const std::string& c : components_)
    (void)n.push_back(c);
  return n;
}

Result<Principal> Principal::parse(std::string_view text, std::string_view default_realm) {
  auto too_many_components = [] {
    return Error(ErrorCategory::kInvalidArgument, "principal has too many components");
  };
  Principal p;
  std::string current;
  bool in_realm = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (++i == text.size()) {
        return Error(ErrorCategory::kInvalidArgument, "principal name ends in a backslash");
      }
      switch (text[i]) {
        case 'n':
          c = '\n';
          break;
        case 't':
          c = '\t';
          break;
        case 'b':
          c = '\b';
          break;
        case '0':
          c = '\0';
          break;
        default:
          c = text[i];
          break;  // \/ \@ \\ and any other character stand for themselves
      }
      current.push_back(c);
      continue;
    }
    if (c == '/' && !in_realm) {
      // Checked before growing, so a long run of '/' costs no memory.
      if (p.components_.size() == PrincipalName::kMaxComponents) return too_many_components();
      p.components_.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (c == '@' && !in_realm) {
      if (p.components_.size() == PrincipalName::kMaxComponents) return too_many_components();
      p.components_.push_back(std::move(current));
      current.clear();
      in_realm = true;
      continue;
    }
    if (c == '@') return Error(ErrorCategory::kInvalidArgument, "principal has two realms");
    current.push_back(c);
  }
  if (in_realm) {
    if (current.empty())
      return Error(ErrorCategory::kInvalidArgument, "principal has an empty realm");
    p.realm_ = std::move(current);
  } else {
    p.components_.push_back(std::move(current));
    if (default_realm.empty()) {
      return Error(ErrorCategory::kInvalidArgument,
                   "principal has no realm and none is configured");
    }
    p.realm_ = std::string(default_realm);  // constructed: no string assignment from a view to link
  }
  if (p.components_.size() > PrincipalName::kMaxComponents) return too_many_components();
  for (const std::string& c : p.components_) {
    if (c.empty() && p.components_.size() > 1) {
      return Error(ErrorCategory::kInvalidArgument, "principal has an empty component");
    }
  }
  p.name_type_ = static_cast<std::int32_t>(p.components_.size() == 2 && p.components_[0] == kTgsName
                                               ? NameType::kSrvInst
                                               : NameType::kPrincipal);
  return p;
}

// MIT's escapes (krb5_unparse_name): '/' only inside a component, '@' and '\\' everywhere.
std::size_t Principal::to_chars(std::span<char> out) const noexcept {
  std::size_t n = 0;
  auto put = [&out, &n](char c) {
    if (n < out.size()) out[n] = c;
    ++n;
  };
  auto escaped = [&put](char c) {
    put('\\');
    put(c);
  };
  auto put_escaped = [&put, &escaped](std::string_view s, bool realm) {
    for (char c : s) {
      switch (c) {
        case '\n':
          escaped('n');
          break;
        case '\t':
          escaped('t');
          break;
        case '\b':
          escaped('b');
          break;
        case '\0':
          escaped('0');
          break;
        case '\\':
        case '@':
          escaped(c);
          break;
        case '/':
          if (!realm) {
            escaped('/');
            break;
          }
          [[fallthrough]];
        default:
          put(c);
      }
    }
  };
  for (std::size_t i = 0; i < components_.size(); ++i) {
    if (i != 0) put('/');
    put_escaped(components_[i], false);
  }
  put('@');
  put_escaped(realm_, true);
  return n;
}

std::string Principal::to_string() const {
  std::string out(to_chars({}), '\0');
  (void)to_chars(out);
  return out;
}

}  // namespace kerb
