// krb5.conf's profile syntax (krb5.conf(5)) into a ConfigTable: sections, relations, '{'
// blocks, final marks, include/includedir, the limits of one load, and Config's loads.
#include <kerb/config.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include "config_file.hpp"
#include "config_syntax.hpp"
#include "config_table.hpp"
#include "secure_env.hpp"

namespace kerb {

using namespace std::string_view_literals;
using namespace config_detail;

namespace {

// includedir and KRB5_CONFIG directories: names of only [A-Za-z0-9_-], or ending in ".conf"
// without a leading '.' (MIT 1.15+); anything else (editor backups, .rpmsave) is skipped.
bool is_included_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  if (name.size() > 5 && name.substr(name.size() - 5) == ".conf" && name[0] != '.') return true;
  for (char c : name) {
    if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !is_digit(c) && c != '-' && c != '_')
      return false;
  }
  return true;
}

bool starts_with_word(std::string_view line, std::string_view word) noexcept {
  return line.size() > word.size() && line.substr(0, word.size()) == word &&
         is_space(line[word.size()]);
}

// Builds a ConfigTable from files and text. One parser serves one load, so final marks and the
// limits span every file of it. Its steps return false at the first error, kept in error().
class ConfigParser {
  using Kind = detail::ConfigTable::Kind;
  static constexpr std::uint32_t kNone = detail::ConfigTable::kNone;
  static constexpr std::size_t kMaxText = UINT32_MAX / 2;  // offsets into text_ are 32-bit

 public:
  // Where the parser is; the includer's is kept while an included file is read.
  struct File {
    std::string_view name;
    std::size_t depth = 0;
    std::uint32_t node = 0;  // naming the file, for messages
    std::uint32_t line = 0;
    std::uint32_t at = kNone;  // the current section or '{' block; kNone before the first
  };

  ConfigParser(detail::ConfigTable& table, const ConfigLimits& limits)
      : table_(table), nodes_(table.nodes), limits_(limits) {
    add(kNone, {}, {}, Kind::kSubsection);  // the root
  }

  const Error& error() const noexcept { return error_; }

  // A file named by KRB5_CONFIG (from: null), where missing is fine and a directory is read
  // like includedir; or one named by include/includedir (from: that line), which must exist.
  [[nodiscard]] bool read(const char* path, std::size_t depth, const File* from) {
    std::string text;
    const int e = read_whole_file(path, limits_.max_file_size, text);
    if (e == 0) return parse_file(path, text, depth);
    if (from != nullptr) {
      return failed(
          located(from->name, from->line, "cannot read '%s': %s", path, describe_errno(e)));
    }
    if (e == ENOENT || e == ENOTDIR) return true;
    if (e == EISDIR) return read_directory(path, 0, File{path});
    return failed(located(path, 0, "cannot read: %s", describe_errno(e)));
  }

  [[nodiscard]] bool parse_file(std::string_view name, std::string_view text, std::size_t depth) {
    if (files_ >= limits_.max_files) {
      return failed(
          located(name, 0, "too many configuration files (limit %zu)", limits_.max_files));
    }
    total_size_ += text.size();
    if (total_size_ > limits_.max_total_size ||
        table_.text.size() + name.size() + text.size() > kMaxText) {
      return failed(
          located(name, 0, "configuration too large (limit %zu bytes)", limits_.max_total_size));
    }
    ++files_;
    const File includer = file_;  // an include returns to the includer's section
    file_ = File{name, depth};
    file_.node = add(kNone, name, {}, Kind::kIgnored);
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++file_.line;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!parse_line(line)) return false;
    }
    if (open_ != 0) {
      return failed(located(name, nodes_[file_.at].line, "missing '}' for this '{'"));
    }
    file_ = includer;
    return true;
  }

 private:
  bool failed(const Error& e) {
    error_ = e;
    return false;
  }
  bool fail(const char* what) { return failed(located(file_.name, file_.line, "%s", what)); }

  std::uint32_t add(std::uint32_t parent, std::string_view name, std::string_view value,
                    Kind kind) {
    std::string& text = table_.text;
    nodes_.push_back(
        {parent, static_cast<std::uint32_t>(text.size()), static_cast<std::uint32_t>(name.size()),
         static_cast<std::uint32_t>(value.size()), file_.node, file_.line, kind, false});
    text.append(name).append(value);
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  // The index entry for (parent, name): the subsection there, or else the final relation
  // there, or a free slot (0: the root is never an entry). It merges repeated subsections and
  // finds frozen paths. Open addressing, FNV-1a, at most half full.
  std::uint32_t& entry(std::uint32_t parent, std::string_view name) {
    std::uint64_t h = parent;
    for (char c : name)
      h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3;
    for (h ^= h >> 32;; ++h) {
      // Masked below index_size_, so it fits a 32-bit size_t too.
      std::uint32_t& e = index_[static_cast<std::size_t>(h & (index_size_ - 1))];
      if (e == 0 || (nodes_[e].parent == parent && table_.name_of(nodes_[e]) == name)) return e;
    }
  }

  void insert(std::uint32_t& e, std::uint32_t node) {
    e = node;
    if (++entries_ * 2 <= index_size_) return;
    const std::unique_ptr<std::uint32_t[]> old = std::move(index_);
    index_.reset(new std::uint32_t[index_size_ * 2]());
    index_size_ *= 2;
    for (std::size_t i = 0; i < index_size_ / 2; ++i) {
      if (const std::uint32_t n = old[i]) entry(nodes_[n].parent, table_.name_of(nodes_[n])) = n;
    }
  }

  // Makes the section or subsection `name` of `parent` current: the one read before at this
  // path, a new one, or an ignored one when the path is frozen or `parent` ignored.
  void open(std::uint32_t parent, std::string_view name, bool final) {
    Kind kind = Kind::kIgnored;
    std::uint32_t* e = nullptr;
    if (nodes_[parent].kind != Kind::kIgnored) {
      e = &entry(parent, name);
      if (*e == 0) {
        kind = Kind::kSubsection;
      } else if (!nodes_[*e].final) {  // *e is a subsection: merge
        nodes_[*e].final = final;
        nodes_[*e].line = file_.line;
        file_.at = *e;
        return;
      }
    }
    file_.at = add(parent, name, {}, kind);
    nodes_[file_.at].final = final;
    if (kind == Kind::kSubsection) insert(*e, file_.at);
  }

  bool parse_line(std::string_view line) {
    if (line.find('\0') != std::string_view::npos) return fail("NUL byte in line");
    // Directives start the line (krb5.conf(5)).
    if (starts_with_word(line, "include"sv)) return include(trim(line.substr(7)), false);
    if (starts_with_word(line, "includedir"sv)) return include(trim(line.substr(10)), true);
    if (starts_with_word(line, "module"sv)) return true;  // plugin modules: not for kerb

    const std::string_view text = trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') return true;
    if (text[0] == '}') return close_block(text);
    if (++entries_read_ > limits_.max_entries) {
      return failed(located(file_.name, file_.line, "more than %zu sections and relations",
                            limits_.max_entries));
    }
    if (text[0] == '[') return section_header(text);
    return relation(text);
  }

  // An optional final mark '*', then nothing but whitespace.
  static bool final_mark(std::string_view after, bool& final) {
    final = !after.empty() && after[0] == '*';
    if (final) after.remove_prefix(1);
    return trim(after).empty();
  }

  bool section_header(std::string_view text) {
    if (open_ != 0) return fail("section header inside a '{' block");
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']' after section name");
    const std::string_view name = text.substr(1, close - 1);
    if (name.empty()) return fail("empty section name");
    bool final = false;
    if (!final_mark(text.substr(close + 1), final)) {
      return fail("unexpected text after section header");
    }
    open(0, name, final);
    return true;
  }

  bool close_block(std::string_view text) {
    if (open_ == 0) return fail("'}' without a matching '{'");
    bool final = false;
    if (!final_mark(text.substr(1), final)) return fail("unexpected text after '}'");
    detail::ConfigTable::Node& block = nodes_[file_.at];
    if (final && block.kind == Kind::kSubsection) block.final = true;
    file_.at = block.parent;
    --open_;
    return true;
  }

  bool relation(std::string_view text) {
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end]) && text[end] != '=')
      ++end;
    std::string_view tag = text.substr(0, end);
    const bool final = !tag.empty() && tag.back() == '*';
    if (final) tag.remove_suffix(1);
    if (tag.empty()) return fail("missing tag before '='");
    std::string_view rest = ltrim(text.substr(end));
    if (rest.empty() || rest[0] != '=') return fail("missing '=' after tag");
    rest = ltrim(rest.substr(1));
    if (file_.at == kNone) return fail("relation outside a section");

    if (!rest.empty() && rest[0] == '{') {
      if (!trim(rest.substr(1)).empty()) return fail("unexpected text after '{'");
      if (open_ >= limits_.max_nesting) return fail("'{' blocks nested too deeply");
      ++open_;
      open(file_.at, tag, final);
      return true;
    }

    std::string_view value = rest;  // already trimmed on both sides
    if (!rest.empty() && rest[0] == '"') {
      if (!unquote(rest)) return false;
      value = unquoted_;
    }
    if (nodes_[file_.at].kind == Kind::kIgnored) return true;
    std::uint32_t& e = entry(file_.at, tag);
    if (e != 0 && nodes_[e].final) return true;  // frozen
    const std::uint32_t node = add(file_.at, tag, value, Kind::kRelation);
    if (final) {
      nodes_[e != 0 ? e : node].final = true;
      if (e == 0) insert(e, node);
    }
    return true;
  }

  // "..." with \n \t \b and \<char> escapes, into unquoted_; nothing but whitespace may follow.
  bool unquote(std::string_view text) {
    unquoted_.clear();
    std::size_t i = 1;
    for (;;) {
      if (i >= text.size()) return fail("missing closing '\"'");
      char c = text[i++];
      if (c == '"') break;
      if (c == '\\' && i < text.size()) {
        c = text[i++];
        c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'b' ? '\b' : c;
      }
      unquoted_.push_back(c);
    }
    if (!trim(text.substr(i)).empty()) return fail("unexpected text after quoted value");
    return true;
  }

  // Included files must exist (krb5.conf(5)); each starts without a current section.
  bool include(std::string_view target, bool directory) {
    if (!limits_.follow_includes) return fail("include directives are not allowed here");
    if (target.empty()) return fail("include needs a path");
    if (open_ != 0) return fail("include inside a '{' block");
    if (file_.depth + 1 > limits_.max_include_depth) return fail("includes nested too deeply");
    const File from = file_;
    const std::string path(target);
    if (directory) return read_directory(path.c_str(), from.depth + 1, from);
    return read(path.c_str(), from.depth + 1, &from);
  }

  bool read_directory(const char* dir, std::size_t depth, const File& from) {
    DIR* d = ::opendir(dir);
    if (d == nullptr) {
      return failed(located(from.name, from.line, "cannot open directory '%s': %s", dir,
                            std::strerror(errno)));
    }
    std::string paths;  // "dir/name", each ending in '\0'
    std::size_t count = 0;
    while (const dirent* entry = ::readdir(d)) {
      if (!is_included_name(entry->d_name)) continue;
      if (++count > limits_.max_files) break;
      paths.append(dir).push_back('/');
      paths.append(entry->d_name, std::strlen(entry->d_name) + 1);
    }
    ::closedir(d);
    if (count > limits_.max_files) {
      return failed(located(from.name, from.line, "too many files in '%s' (limit %zu)", dir,
                            limits_.max_files));
    }
    // Byte order of the names, as MIT 1.17+: the least path after the last one read, each time
    // (at most max_files of them, and no sort to instantiate).
    const char* last = "";
    for (;;) {
      const char* next = nullptr;
      for (const char* p = paths.data(); p != paths.data() + paths.size();
           p += std::strlen(p) + 1) {
        if (std::strcmp(p, last) > 0 && (next == nullptr || std::strcmp(p, next) < 0)) next = p;
      }
      if (next == nullptr) return true;
      last = next;
      struct stat st {};
      if (::stat(next, &st) == 0 && S_ISREG(st.st_mode) && !read(next, depth, &from)) return false;
    }
  }

  detail::ConfigTable& table_;
  std::vector<detail::ConfigTable::Node>& nodes_;
  const ConfigLimits& limits_;
  std::size_t entries_read_ = 0;  // section headers and relations, for max_entries
  std::size_t index_size_ = 16;   // see entry(): a power of two
  std::unique_ptr<std::uint32_t[]> index_{new std::uint32_t[index_size_]()};
  std::size_t entries_ = 0;
  std::string unquoted_;
  File file_;
  std::size_t open_ = 0;  // '{' blocks open in the current file
  std::size_t files_ = 0;
  std::size_t total_size_ = 0;
  Error error_;
};

}  // namespace

// --- loads -----------------------------------------------------------------------------------

Result<Config> Config::parse(std::string_view text, std::string_view name,
                             const ConfigLimits& limits) {
  if (text.size() > limits.max_file_size) {
    return located(name, 0, "file too large (limit %zu bytes)", limits.max_file_size);
  }
  auto table = std::make_unique<detail::ConfigTable>();
  ConfigParser parser(*table, limits);
  if (!parser.parse_file(name, text, 0)) return parser.error();
  return Config(std::move(table));
}

Result<Config> Config::load_files(std::span<const std::string_view> paths,
                                  const ConfigLimits& limits) {
  auto table = std::make_unique<detail::ConfigTable>();
  ConfigParser parser(*table, limits);
  for (std::string_view path : paths) {
    if (!path.empty() && !parser.read(std::string(path).c_str(), 0, nullptr)) return parser.error();
  }
  return Config(std::move(table));
}

Result<Config> Config::load_path_list(std::string_view paths, const ConfigLimits& limits) {
  auto table = std::make_unique<detail::ConfigTable>();
  ConfigParser parser(*table, limits);
  for (;;) {
    const std::size_t colon = paths.find(':');
    const std::string_view path = paths.substr(0, colon);
    if (!path.empty() && !parser.read(std::string(path).c_str(), 0, nullptr)) return parser.error();
    if (colon == std::string_view::npos) return Config(std::move(table));
    paths.remove_prefix(colon + 1);
  }
}

Result<Config> Config::load_from_env(const ConfigLimits& limits) {
  const char* env = detail::secure_env("KRB5_CONFIG");
  return load_path_list(env != nullptr ? env : kDefaultPath, limits);  // the path has no ':'
}

}  // namespace kerb
