// ValidatorSet: quorum arithmetic, lookups, constructor rejections and the proposer rule of
// docs/CONSENSUS-PLAN.md §1 "Proposer selection", checked against hand-worked sequences and a
// brute-force sort of every event.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>

#include "node/consensus/validator_set.hpp"

using namespace flex;
using flex::consensus::ValidatorSet;

namespace {

constexpr std::int64_t kMaxPower = 1'000'000'000'000;  // 10^12, the documented bound

// Keys need not be curve points here: ValidatorSet only orders and compares their bytes.
PublicKey key_with(std::uint8_t first_byte, std::uint8_t last_byte = 0) {
  PublicKey key{};
  key[0] = first_byte;
  key[31] = last_byte;
  return key;
}

const PublicKey kA = key_with(0x0a);
const PublicKey kB = key_with(0x0b);
const PublicKey kC = key_with(0x0c);
const PublicKey kD = key_with(0x0d);

// Makes proposer() land on `index` in [0, T): height >= 1 is required, so index 0 is height T.
const PublicKey& proposer_at(const ValidatorSet& set, std::int64_t index) {
  return set.proposer(index == 0 ? set.total_power() : index, 0).public_key;
}

// The rule as written: every event (i, j) at time (2j+1)/(2 p_i), validators in key order,
// stable-sorted by time so ties keep the smaller key first. Returns the owner of each index.
std::vector<PublicKey> brute_force_sequence(const std::vector<Validator>& sorted_validators) {
  struct Event {
    std::int64_t numerator;    // 2j+1
    std::int64_t denominator;  // 2 p_i
    std::size_t validator;
  };
  std::vector<Event> events;
  for (std::size_t i = 0; i < sorted_validators.size(); ++i) {
    for (std::int64_t j = 0; j < sorted_validators[i].power; ++j) {
      events.push_back({2 * j + 1, 2 * sorted_validators[i].power, i});
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    return static_cast<__int128>(x.numerator) * y.denominator < static_cast<__int128>(y.numerator) * x.denominator;
  });
  std::vector<PublicKey> owners;
  for (const auto& event : events) owners.push_back(sorted_validators[event.validator].public_key);
  return owners;
}

// Exact rational a / b with b > 0.
struct Time {
  __int128 numerator;
  __int128 denominator;
};

// How many events of a validator of power p fall strictly before t: odd o = 2l+1 with
// o / (2p) < a / b, i.e. o * b < 2 p a, i.e. o <= ceil(2pa / b) - 1.
std::int64_t count_before(std::int64_t power, Time t) {
  __int128 scaled = 2 * static_cast<__int128>(power) * t.numerator;
  if (scaled <= 0) return 0;
  __int128 largest_odd = (scaled + t.denominator - 1) / t.denominator - 1;
  return static_cast<std::int64_t>(std::min<__int128>((largest_odd + 1) / 2, power));
}

// A local reference for sets too large to enumerate: the events with time in [from, to),
// stable-sorted as in brute_force_sequence, and the index of the first of them.
struct Window {
  std::int64_t first_index = 0;
  std::vector<PublicKey> owners;
};

Window window_reference(const std::vector<Validator>& sorted_validators, Time from, Time to) {
  struct Event {
    std::int64_t numerator;
    std::int64_t denominator;
    std::size_t validator;
  };
  Window window;
  std::vector<Event> events;
  for (std::size_t i = 0; i < sorted_validators.size(); ++i) {
    const std::int64_t power = sorted_validators[i].power;
    window.first_index += count_before(power, from);
    // A window is meant to hold a handful of events; refuse rather than enumerate 10^12.
    if (count_before(power, to) - count_before(power, from) > 1000) throw std::logic_error("window too wide");
    for (std::int64_t j = count_before(power, from); j < count_before(power, to); ++j) {
      events.push_back({2 * j + 1, 2 * power, i});
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    return static_cast<__int128>(x.numerator) * y.denominator < static_cast<__int128>(y.numerator) * x.denominator;
  });
  for (const auto& event : events) window.owners.push_back(sorted_validators[event.validator].public_key);
  return window;
}

std::vector<Validator> with_powers(const std::vector<std::int64_t>& powers) {
  std::vector<Validator> validators;
  for (std::size_t i = 0; i < powers.size(); ++i) {
    validators.push_back(Validator{key_with(static_cast<std::uint8_t>(0x10 + i)), powers[i], "v" + std::to_string(i)});
  }
  return validators;
}

}  // namespace

TEST_CASE("a quorum needs 3P > 2T and f+1 needs 3P > T", "[consensus]") {
  // T = 4 (1,1,1,1): 3 of 4 is a quorum (9 > 8), 2 is not (6 > 8 fails); 2 exceeds a third
  // (6 > 4), 1 does not (3 > 4 fails).
  ValidatorSet four({{kA, 1, "a"}, {kB, 1, "b"}, {kC, 1, "c"}, {kD, 1, "d"}});
  CHECK(four.total_power() == 4);
  CHECK(four.is_quorum(4));
  CHECK(four.is_quorum(3));
  CHECK_FALSE(four.is_quorum(2));
  CHECK(four.exceeds_third(2));
  CHECK_FALSE(four.exceeds_third(1));
  CHECK_FALSE(four.is_quorum(0));
  CHECK_FALSE(four.exceeds_third(0));

  // T = 3: exactly 2/3 is not a quorum (6 > 6 fails), exactly 1/3 does not exceed a third (3 > 3 fails).
  ValidatorSet three({{kA, 1, "a"}, {kB, 1, "b"}, {kC, 1, "c"}});
  CHECK_FALSE(three.is_quorum(2));
  CHECK(three.is_quorum(3));
  CHECK_FALSE(three.exceeds_third(1));
  CHECK(three.exceeds_third(2));

  // T = 7 (4,1,1,1): 5 is a quorum (15 > 14), 4 is not (12 > 14 fails); 3 exceeds a third
  // (9 > 7), 2 does not (6 > 7 fails).
  ValidatorSet weighted({{kA, 4, "a"}, {kB, 1, "b"}, {kC, 1, "c"}, {kD, 1, "d"}});
  CHECK(weighted.total_power() == 7);
  CHECK(weighted.is_quorum(5));
  CHECK_FALSE(weighted.is_quorum(4));
  CHECK(weighted.exceeds_third(3));
  CHECK_FALSE(weighted.exceeds_third(2));

  // T = 3·10^12, the largest powers: the boundaries 2·10^12 and 10^12 stay exact in int64.
  ValidatorSet huge({{kA, kMaxPower, "a"}, {kB, kMaxPower, "b"}, {kC, kMaxPower, "c"}});
  CHECK(huge.total_power() == 3 * kMaxPower);
  CHECK_FALSE(huge.is_quorum(2 * kMaxPower));
  CHECK(huge.is_quorum(2 * kMaxPower + 1));
  CHECK_FALSE(huge.exceeds_third(kMaxPower));
  CHECK(huge.exceeds_third(kMaxPower + 1));
}

TEST_CASE("validators are sorted by key bytes and looked up by key", "[consensus]") {
  // Given out of order; the first byte decides before the last (lexicographic byte order).
  const PublicKey low_first_high_last = key_with(0x01, 0xff);
  const PublicKey high_first_low_last = key_with(0x02, 0x00);
  const PublicKey same_first_lower_last = key_with(0x01, 0x07);
  ValidatorSet set({{high_first_low_last, 5, "third"}, {low_first_high_last, 3, "second"}, {same_first_lower_last, 2, "first"}});
  REQUIRE(set.size() == 3);
  CHECK(set.validators()[0].public_key == same_first_lower_last);
  CHECK(set.validators()[1].public_key == low_first_high_last);
  CHECK(set.validators()[2].public_key == high_first_low_last);
  CHECK(set.validators()[0].name == "first");
  CHECK(set.validators()[2].name == "third");
  CHECK(set.total_power() == 10);

  CHECK(set.index_of(same_first_lower_last) == std::optional<std::size_t>(0));
  CHECK(set.index_of(low_first_high_last) == std::optional<std::size_t>(1));
  CHECK(set.index_of(high_first_low_last) == std::optional<std::size_t>(2));
  CHECK(set.power_of(same_first_lower_last) == 2);
  CHECK(set.power_of(low_first_high_last) == 3);
  CHECK(set.power_of(high_first_low_last) == 5);
  CHECK(set.contains(high_first_low_last));

  // Outsiders below, between and above the members.
  for (const PublicKey& outsider : {key_with(0x00), key_with(0x01, 0x08), key_with(0x03)}) {
    CHECK_FALSE(set.index_of(outsider).has_value());
    CHECK(set.power_of(outsider) == 0);
    CHECK_FALSE(set.contains(outsider));
  }
  // The set hash does not depend on the order the validators were given in.
  CHECK(set.hash() == validator_set_hash({{low_first_high_last, 3, ""}, {same_first_lower_last, 2, ""}, {high_first_low_last, 5, ""}}));
}

TEST_CASE("a validator set rejects empty sets, duplicate keys and powers outside [1, 10^12]", "[consensus]") {
  CHECK_THROWS_AS(ValidatorSet(std::vector<Validator>{}), std::invalid_argument);
  CHECK_THROWS_AS(ValidatorSet({{kA, 1, "a"}, {kB, 1, "b"}, {kA, 2, "a again"}}), std::invalid_argument);
  CHECK_THROWS_AS(ValidatorSet({{kA, 1, "a"}, {kB, 0, "b"}}), std::invalid_argument);
  CHECK_THROWS_AS(ValidatorSet({{kA, -1, "a"}}), std::invalid_argument);
  CHECK_THROWS_AS(ValidatorSet({{kA, kMaxPower + 1, "a"}}), std::invalid_argument);
  CHECK_NOTHROW(ValidatorSet({{kA, kMaxPower, "a"}, {kB, 1, "b"}}));
  CHECK_NOTHROW(ValidatorSet({{kA, 1, "a"}}));
}

TEST_CASE("proposer() needs height >= 1 and round >= 0", "[consensus]") {
  ValidatorSet set({{kA, 1, "a"}, {kB, 1, "b"}});
  CHECK_THROWS_AS(set.proposer(0, 0), std::invalid_argument);
  CHECK_THROWS_AS(set.proposer(1, -1), std::invalid_argument);
  CHECK_THROWS_AS(set.proposer(-3, 5), std::invalid_argument);
  CHECK_NOTHROW(set.proposer(1, 0));
}

TEST_CASE("with equal powers the proposer is V[(h + r) mod n]", "[consensus]") {
  // Given out of order, so the rotation follows key order, not input order.
  ValidatorSet set({{kC, 1, "c"}, {kA, 1, "a"}, {kD, 1, "d"}, {kB, 1, "b"}});
  const PublicKey sorted[] = {kA, kB, kC, kD};
  for (std::int64_t height = 1; height <= 12; ++height) {
    for (std::int64_t round = 0; round <= 9; ++round) {
      INFO("height " << height << " round " << round);
      CHECK(set.proposer(height, round).public_key == sorted[(height + round) % 4]);
    }
  }
  // Height 1 round 0 is index 1: B, not A.
  CHECK(set.proposer(1, 0).public_key == kB);
  CHECK(set.proposer(1, 3).public_key == kA);
  CHECK(set.proposer(2, 1).public_key == kD);
}

TEST_CASE("powers (2,1,1) give A B C A", "[consensus]") {
  // A owns times 1/4 and 3/4; B and C own 1/2 each. Sorted: A@1/4, then the tie at 1/2 goes to
  // the smaller key (B before C), then A@3/4. So indices 0..3 are A B C A.
  ValidatorSet set({{kC, 1, "c"}, {kA, 2, "a"}, {kB, 1, "b"}});
  CHECK(proposer_at(set, 0) == kA);
  CHECK(proposer_at(set, 1) == kB);
  CHECK(proposer_at(set, 2) == kC);
  CHECK(proposer_at(set, 3) == kA);
  // Only h + r counts: index (5 + 2) mod 4 = 3 is A, (2 + 3) mod 4 = 1 is B, (10 + 0) mod 4 = 2 is C.
  CHECK(set.proposer(5, 2).public_key == kA);
  CHECK(set.proposer(2, 3).public_key == kB);
  CHECK(set.proposer(10, 0).public_key == kC);
}

TEST_CASE("powers (3,1) give A A B A, and B A B B when the power-3 key is larger", "[consensus]") {
  // A (power 3) owns 1/6, 3/6, 5/6; B (power 1) owns 1/2. A's 3/6 ties B's 1/2 and A has the
  // smaller key, so: A@1/6, A@1/2, B@1/2, A@5/6.
  ValidatorSet a_heavy({{kA, 3, "a"}, {kB, 1, "b"}});
  CHECK(proposer_at(a_heavy, 0) == kA);
  CHECK(proposer_at(a_heavy, 1) == kA);
  CHECK(proposer_at(a_heavy, 2) == kB);
  CHECK(proposer_at(a_heavy, 3) == kA);
  // Same powers, but the power-1 validator A now has the smaller key and wins the tie at 1/2:
  // B@1/6, A@1/2, B@1/2, B@5/6.
  ValidatorSet b_heavy({{kA, 1, "a"}, {kB, 3, "b"}});
  CHECK(proposer_at(b_heavy, 0) == kB);
  CHECK(proposer_at(b_heavy, 1) == kA);
  CHECK(proposer_at(b_heavy, 2) == kB);
  CHECK(proposer_at(b_heavy, 3) == kB);
}

TEST_CASE("powers (3,2) alternate A B A B A", "[consensus]") {
  // A owns 1/6, 1/2, 5/6; B owns 1/4, 3/4; no ties: 1/6 < 1/4 < 1/2 < 3/4 < 5/6.
  ValidatorSet set({{kB, 2, "b"}, {kA, 3, "a"}});
  const PublicKey expected[] = {kA, kB, kA, kB, kA};
  for (std::int64_t index = 0; index < 5; ++index) {
    INFO("index " << index);
    CHECK(proposer_at(set, index) == expected[index]);
  }
}

TEST_CASE("proposer() matches a brute-force sort of all events on random small sets", "[consensus]") {
  constexpr std::uint64_t seed = 0x466c65784c656467;  // fixed; printed on failure to replay
  std::mt19937_64 random(seed);
  auto uniform = [&](std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random);
  };
  for (int trial = 0; trial < 4000; ++trial) {
    // Distinct keys: the first byte picks from a small range so neighbouring keys are common,
    // and the last byte makes them distinct.
    const auto size = static_cast<std::size_t>(uniform(1, 7));
    std::map<PublicKey, std::int64_t> powers;
    while (powers.size() < size) {
      powers[key_with(static_cast<std::uint8_t>(uniform(0, 3)), static_cast<std::uint8_t>(uniform(0, 255)))] = uniform(1, 20);
    }
    std::vector<Validator> sorted;
    for (const auto& [key, power] : powers) sorted.push_back(Validator{key, power, ""});  // std::map: key order
    std::vector<Validator> shuffled = sorted;
    std::shuffle(shuffled.begin(), shuffled.end(), random);
    ValidatorSet set(shuffled);
    const auto expected = brute_force_sequence(sorted);
    REQUIRE(static_cast<std::int64_t>(expected.size()) == set.total_power());
    for (int query = 0; query < 10; ++query) {
      const std::int64_t height = uniform(1, 1000);
      const std::int64_t round = uniform(0, 50);
      const auto index = static_cast<std::size_t>((height + round) % set.total_power());
      if (set.proposer(height, round).public_key != expected[index]) {
        std::string powers_text;
        for (const auto& v : sorted) powers_text += std::to_string(v.power) + " ";
        INFO("seed " << seed << " trial " << trial << " powers (key order) " << powers_text << "height " << height
                     << " round " << round << " index " << index);
        CHECK(set.proposer(height, round).public_key == expected[index]);
      }
    }
    // Every index once, so the comparison covers the whole sequence of this set.
    for (std::int64_t index = 0; index < set.total_power(); ++index) {
      if (proposer_at(set, index) != expected[static_cast<std::size_t>(index)]) {
        INFO("seed " << seed << " trial " << trial << " index " << index);
        CHECK(proposer_at(set, index) == expected[static_cast<std::size_t>(index)]);
      }
    }
  }
}

TEST_CASE("the windowed reference agrees with the brute-force sort", "[consensus]") {
  // The huge-power test below relies on window_reference; check it on sets small enough to sort.
  for (const auto& powers : std::vector<std::vector<std::int64_t>>{{2, 1, 1}, {3, 1}, {1, 3}, {7, 4, 4, 1}, {20, 19, 1}, {6, 2, 3}}) {
    auto sorted = with_powers(powers);
    const auto all = brute_force_sequence(sorted);
    for (auto [from, to] : std::vector<std::pair<Time, Time>>{{{0, 1}, {1, 1}}, {{1, 2}, {1, 1}}, {{1, 3}, {2, 3}}, {{1, 4}, {1, 2}}}) {
      const auto window = window_reference(sorted, from, to);
      for (std::size_t k = 0; k < window.owners.size(); ++k) {
        CHECK(window.owners[k] == all[static_cast<std::size_t>(window.first_index) + k]);
      }
    }
    // [0, 1) holds every event.
    CHECK(window_reference(sorted, {0, 1}, {1, 1}).owners == all);
  }
}

TEST_CASE("proposer() with powers near 10^12 matches the reference at chosen indices", "[consensus]") {
  const std::int64_t p = kMaxPower, q = kMaxPower - 1;  // T = p + q + 1 = 2·10^12
  // A = 10^12, B = 10^12 - 1, C = 1 with keys A < B < C. Worked by hand:
  //  - index 0: A@1/(2p) is before B@1/(2q) since p > q;
  //  - index 1: B@1/(2q) is before A@3/(2p) since p < 3q;
  //  - A has p/2 = 5·10^11 events before 1/2 and none at it (p is even); B has (q-1)/2 before 1/2
  //    and one at 1/2 (q is odd), which ties C@1/2 and wins on the smaller key. So B owns
  //    index p/2 + (q-1)/2 = 10^12 - 1 and C owns index 10^12;
  //  - index 10^12 + 1: A@1/2 + 1/(2p) is before B@1/2 + 1/q;
  //  - the last two: B@1 - 1/(2q) is before A@1 - 1/(2p), so T-2 is B and T-1 is A.
  ValidatorSet ordered({{kC, 1, "c"}, {kB, q, "b"}, {kA, p, "a"}});
  REQUIRE(ordered.total_power() == 2 * kMaxPower);
  CHECK(proposer_at(ordered, 0) == kA);
  CHECK(proposer_at(ordered, 1) == kB);
  CHECK(proposer_at(ordered, kMaxPower - 1) == kB);
  CHECK(proposer_at(ordered, kMaxPower) == kC);
  CHECK(proposer_at(ordered, kMaxPower + 1) == kA);
  CHECK(proposer_at(ordered, 2 * kMaxPower - 2) == kB);
  CHECK(proposer_at(ordered, 2 * kMaxPower - 1) == kA);
  // Index T is index 0 again; h + r may be split any way.
  CHECK(ordered.proposer(kMaxPower - 7, 7).public_key == kC);
  CHECK(ordered.proposer(2 * kMaxPower, 0).public_key == kA);

  // The same powers with C's key smallest: C now wins the tie at 1/2, so C owns 10^12 - 1 and B 10^12.
  ValidatorSet c_first({{key_with(0x01), 1, "c"}, {kB, q, "b"}, {kA, p, "a"}});
  CHECK(proposer_at(c_first, kMaxPower - 1) == key_with(0x01));
  CHECK(proposer_at(c_first, kMaxPower) == kB);

  // Windows of a few events at the start, around 1/3, 1/2 and 2/3, and at the end, against the
  // windowed reference, for several huge sets.
  const std::vector<std::vector<std::int64_t>> huge_sets = {
      {p, q, 1}, {1, q, p}, {q, 1, p}, {p, p, p}, {p, 1}, {p, 3, 999'999'999'989, 7}};
  const std::int64_t span = 2 * kMaxPower;  // windows about 3 events wide: width 3 / (2·10^12)
  const std::vector<Time> starts = {{0, span}, {span / 3 - 2, span}, {span / 2 - 2, span}, {2 * span / 3 - 1, span}, {span - 3, span}};
  for (std::size_t s = 0; s < huge_sets.size(); ++s) {
    auto sorted = with_powers(huge_sets[s]);
    ValidatorSet set(sorted);
    for (const Time& from : starts) {
      const Time to{from.numerator + 3, from.denominator};
      const auto window = window_reference(sorted, from, to);
      REQUIRE_FALSE(window.owners.empty());
      for (std::size_t k = 0; k < window.owners.size(); ++k) {
        const std::int64_t index = window.first_index + static_cast<std::int64_t>(k);
        INFO("set " << s << " window from " << static_cast<std::int64_t>(from.numerator) << "/"
                    << static_cast<std::int64_t>(from.denominator) << " index " << index);
        CHECK(proposer_at(set, index) == window.owners[k]);
      }
    }
  }
}

TEST_CASE("over any T consecutive indices each validator proposes exactly its power", "[consensus]") {
  std::mt19937_64 random(20260101);
  for (const auto& powers : std::vector<std::vector<std::int64_t>>{{1}, {2, 1, 1}, {3, 1}, {5, 3, 2, 1}, {20, 1, 7, 13, 2}, {4, 4, 4}}) {
    ValidatorSet set(with_powers(powers));
    const std::int64_t total = set.total_power();
    // Windows starting at height 1, at a random height and round, and across a multiple of T.
    for (std::int64_t start : {std::int64_t{1}, std::int64_t(random() % 10'000) + 1, 3 * total - 2}) {
      const std::int64_t round = static_cast<std::int64_t>(random() % 40);
      std::map<PublicKey, std::int64_t> turns;
      for (std::int64_t height = start; height < start + total; ++height) ++turns[set.proposer(height, round).public_key];
      INFO("total " << total << " start " << start << " round " << round);
      for (const auto& validator : set.validators()) CHECK(turns[validator.public_key] == validator.power);
      CHECK(turns.size() == set.size());
    }
  }
}
