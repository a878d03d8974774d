// The simulator's only source of randomness: xoshiro256** (Blackman and Vigna, 2018) seeded
// through splitmix64, with our own bounded draw. std:: distributions are implementation-
// defined, so a seed would replay differently on another standard library.
#pragma once

#include <array>
#include <cstdint>

#include "ledger/bytes.hpp"

namespace flex::sim {

// splitmix64 (Steele, Lea and Flood, 2014): spreads one 64-bit seed over the xoshiro state.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t mix = seed;
    for (auto& word : state_) word = splitmix64(mix);
  }

  // xoshiro256** 1.0, reference implementation.
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound) by rejection (Lemire's "nearly divisionless" without the multiply
  // trick, which needs 128-bit integers): no modulo bias. bound must be > 0.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t draw = next();
    while (draw >= limit) draw = next();
    return draw % bound;
  }

  std::int64_t between(std::int64_t low, std::int64_t high) {  // inclusive
    return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low + 1)));
  }

  bool chance_permille(std::uint64_t permille) { return below(1000) < permille; }

  Hash32 hash32() {
    Hash32 out{};
    for (std::size_t i = 0; i < out.size(); i += 8) {
      std::uint64_t word = next();
      for (std::size_t j = 0; j < 8; ++j) out[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
    }
    return out;
  }

  // An independent stream for a sub-component, so adding draws in one place does not shift
  // every other component's draws.
  Rng fork() { return Rng(next()); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace flex::sim
