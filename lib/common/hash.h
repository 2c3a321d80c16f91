// A small, stable, non-cryptographic hash for identities (entry keys, idempotency keys).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace veille {

// 64-bit FNV-1a. Stable across builds and platforms: stored values depend on it.
constexpr std::uint64_t Fnv1a64(std::string_view data, std::uint64_t seed = 0xcbf29ce484222325ULL) {
  std::uint64_t h = seed;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// 16 lowercase hex digits.
std::string Hex64(std::uint64_t value);

}  // namespace veille
