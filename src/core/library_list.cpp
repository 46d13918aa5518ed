#include "library_list.hpp"

namespace jc {

namespace {

std::string_view trimmed(std::string_view s) {
  const auto blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// The library an entry names: its last path component without the file
// extension.
std::string_view library_of(std::string_view entry) {
  entry = trimmed(entry);
  if (entry.size() >= 2 && entry.front() == '"' && entry.back() == '"') {
    entry = entry.substr(1, entry.size() - 2);
  }
  const std::size_t slash = entry.find_last_of('/');
  if (slash != std::string_view::npos) entry.remove_prefix(slash + 1);
  const std::size_t dot = entry.find('.');
  return dot == std::string_view::npos ? entry : entry.substr(0, dot);
}

}  // namespace

bool lists_library(std::string_view libraries, std::string_view name) noexcept {
  while (true) {
    // A comma inside double quotes belongs to the entry.
    std::size_t end = 0;
    bool quoted = false;
    while (end < libraries.size() && (quoted || libraries[end] != ',')) {
      if (libraries[end] == '"') quoted = !quoted;
      ++end;
    }
    if (library_of(libraries.substr(0, end)) == name) return true;
    if (end >= libraries.size()) return false;
    libraries.remove_prefix(end + 1);
  }
}

}  // namespace jc
