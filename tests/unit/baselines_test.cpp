// Baseline methods of DESIGN.md §5, each checked on a small history worked by hand below.
// Every date is a real UTC date; its midnight in UTC seconds was checked with
// `date -u -d @SECONDS`. ISPs are 15 minutes (900 s). Power is net W, import positive.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "contracts/baselines.hpp"

using namespace flex;

namespace {

using Readings = std::map<std::int64_t, std::int64_t>;
using Values = std::vector<std::int64_t>;

// Midnights (UTC seconds) and UTC day numbers (seconds / 86400).
constexpr std::int64_t fri_24_oct_2025 = 1'761'264'000;  // day 20385
constexpr std::int64_t mon_27_oct_2025 = 1'761'523'200;  // day 20388
constexpr std::int64_t tue_4_nov_2025 = 1'762'214'400;   // day 20396
constexpr std::int64_t wed_5_nov_2025 = 1'762'300'800;   // day 20397
constexpr std::int64_t thu_6_nov_2025 = 1'762'387'200;   // day 20398
constexpr std::int64_t fri_7_nov_2025 = 1'762'473'600;   // day 20399
constexpr std::int64_t sat_8_nov_2025 = 1'762'560'000;   // day 20400
constexpr std::int64_t sun_9_nov_2025 = 1'762'646'400;   // day 20401
constexpr std::int64_t mon_10_nov_2025 = 1'762'732'800;  // day 20402
constexpr std::int64_t tue_11_nov_2025 = 1'762'819'200;  // day 20403
constexpr std::int64_t wed_12_nov_2025 = 1'762'905'600;  // day 20404
constexpr std::int64_t thu_13_nov_2025 = 1'762'992'000;  // day 20405
constexpr std::int64_t fri_14_nov_2025 = 1'763'078'400;  // day 20406
constexpr std::int64_t sat_15_nov_2025 = 1'763'164'800;  // day 20407
constexpr std::int64_t sun_16_nov_2025 = 1'763'251'200;  // day 20408
constexpr std::int64_t day_thu_6_nov_2025 = 20398;

// Times of day.
constexpr std::int64_t at_1730 = 63'000;
constexpr std::int64_t at_1745 = 63'900;
constexpr std::int64_t at_1800 = 64'800;
constexpr std::int64_t at_1815 = 65'700;

Json method(const std::string& name, Json params = Json::object()) {
  return Json{{"method", name}, {"params", std::move(params)}, {"version", 1}};
}

// A baseline input that owns its series, built from readings written out as maps.
struct TestInput : BaselineInput {
  TestInput(Values isp_starts, const Readings* actual = nullptr, const std::set<std::int64_t>* excluded_days = nullptr,
            const Readings* nominated = nullptr)
      : actual_series(actual ? IspSeries::from_map(*actual, 900) : IspSeries()),
        nominated_series(nominated ? IspSeries::from_map(*nominated, 900) : IspSeries()) {
    this->isp_starts = std::move(isp_starts);
    actual_w = actual ? &actual_series : nullptr;
    event_days = excluded_days;
    nomination_w = nominated ? &nominated_series : nullptr;
  }
  TestInput(const TestInput&) = delete;  // the pointers point into this object
  IspSeries actual_series, nominated_series;
};

// The rejection code, or "ok".
std::string code_of(const Result<Values>& result) { return result ? "ok" : result.rejection().code; }

}  // namespace

TEST_CASE("mean_half_even: nearest, ties to even, symmetric for negative sums", "[baselines]") {
  CHECK(mean_half_even(5, 2) == 2);    // 2.5 -> 2 (even)
  CHECK(mean_half_even(-5, 2) == -2);  // -2.5 -> -2 (even)
  CHECK(mean_half_even(7, 2) == 4);    // 3.5 -> 4 (even)
  CHECK(mean_half_even(-7, 2) == -4);  // -3.5 -> -4 (even)
  CHECK(mean_half_even(1, 2) == 0);    // 0.5 -> 0 (even)
  CHECK(mean_half_even(-1, 2) == 0);   // -0.5 -> 0 (even)
  CHECK(mean_half_even(3, 2) == 2);    // 1.5 -> 2 (even)
  CHECK(mean_half_even(-3, 2) == -2);  // -1.5 -> -2 (even)
  CHECK(mean_half_even(1, 3) == 0);    // 0.333 -> 0
  CHECK(mean_half_even(2, 3) == 1);    // 0.667 -> 1
  CHECK(mean_half_even(-1, 3) == 0);   // -0.333 -> 0
  CHECK(mean_half_even(-2, 3) == -1);  // -0.667 -> -1
  CHECK(mean_half_even(0, 4) == 0);
  CHECK(mean_half_even(20'500, 5) == 4'100);  // exact
  CHECK(mean_half_even(-12, 4) == -3);        // exact
  // The int64 extremes: no overflow. (2^63 - 1) / 2 = 4611686018427387903.5 -> ...904 (even).
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  CHECK(mean_half_even(max, 1) == max);
  CHECK(mean_half_even(min, 1) == min);
  CHECK(mean_half_even(max, 2) == 4'611'686'018'427'387'904);
  CHECK(mean_half_even(min, 2) == -4'611'686'018'427'387'904);  // -2^62, exact
}

TEST_CASE("utc_day floors and is_weekend knows the calendar", "[baselines]") {
  CHECK(utc_day(0) == 0);
  CHECK(utc_day(86'399) == 0);
  CHECK(utc_day(86'400) == 1);
  CHECK(utc_day(-1) == -1);  // 1969-12-31T23:59:59Z
  CHECK(utc_day(-86'400) == -1);
  CHECK(utc_day(-86'401) == -2);
  CHECK(utc_day(1'767'398'400) == 20456);           // 2026-01-03T00:00:00Z
  CHECK(utc_day(1'767'398'400 + 86'399) == 20456);  // 2026-01-03T23:59:59Z

  CHECK_FALSE(is_weekend(0));  // 1970-01-01, a Thursday
  CHECK_FALSE(is_weekend(1));  // Friday 2 Jan 1970
  CHECK(is_weekend(2));        // Saturday 3 Jan 1970
  CHECK(is_weekend(3));        // Sunday 4 Jan 1970
  CHECK_FALSE(is_weekend(4));  // Monday 5 Jan 1970
  CHECK_FALSE(is_weekend(-1));  // Wednesday 31 Dec 1969
  CHECK(is_weekend(-5));        // Saturday 27 Dec 1969
  CHECK(is_weekend(-4));        // Sunday 28 Dec 1969
  CHECK_FALSE(is_weekend(-3));  // Monday 29 Dec 1969
  CHECK_FALSE(is_weekend(utc_day(1'767'312'000)));  // 2026-01-02, a Friday
  CHECK(is_weekend(utc_day(1'767'398'400)));        // 2026-01-03, a Saturday
  CHECK(is_weekend(utc_day(1'767'484'800)));        // 2026-01-04, a Sunday
  CHECK_FALSE(is_weekend(utc_day(1'767'571'200)));  // 2026-01-05, a Monday
  CHECK(is_weekend(utc_day(sat_8_nov_2025)));
  CHECK(is_weekend(utc_day(sun_16_nov_2025)));
  CHECK_FALSE(is_weekend(utc_day(wed_12_nov_2025)));
  CHECK(utc_day(thu_6_nov_2025) == day_thu_6_nov_2025);
}

TEST_CASE("nomination: the declared schedule, rejected when any ISP lacks one", "[baselines]") {
  // Event Wed 12 Nov 2025 18:00 and 18:15 (1762970400 and 1762971300). A generating point may
  // nominate negative net power.
  const Values isps{wed_12_nov_2025 + at_1800, wed_12_nov_2025 + at_1815};
  const Readings nominated{{wed_12_nov_2025 + at_1800, 4'000}, {wed_12_nov_2025 + at_1815, -1'500}};
  auto baseline = compute_baseline(method("nomination"), TestInput(isps, nullptr, nullptr, &nominated));
  REQUIRE(baseline);
  CHECK(*baseline == Values{4'000, -1'500});

  // 18:30 has no nomination.
  const Values longer{wed_12_nov_2025 + at_1800, wed_12_nov_2025 + at_1815, wed_12_nov_2025 + at_1815 + 900};
  CHECK(code_of(compute_baseline(method("nomination"), TestInput(longer, nullptr, nullptr, &nominated))) ==
        "baseline.insufficient_data");
  // No nomination at all.
  CHECK(code_of(compute_baseline(method("nomination"), TestInput(isps))) == "baseline.insufficient_data");
}

TEST_CASE("meter_before_after: the mean of the k ISPs just before the event, for every ISP", "[baselines]") {
  // Event Tue 4 Nov 2025 18:00-18:30 (1762279200, 1762280100). Readings that day:
  // 17:30 = 3901 W, 17:45 = 4100 W; 18:00 (during the event) = 1000 W, which must not count.
  const Values isps{tue_4_nov_2025 + at_1800, tue_4_nov_2025 + at_1815};
  const Readings actual{{tue_4_nov_2025 + at_1730, 3'901},
                        {tue_4_nov_2025 + at_1745, 4'100},
                        {tue_4_nov_2025 + at_1800, 1'000}};
  SECTION("k = 1: the 17:45 reading") {
    auto baseline = compute_baseline(method("meter_before_after", {{"isps_before", 1}}), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'100, 4'100});
  }
  SECTION("k = 1 is the default") {
    auto baseline = compute_baseline(method("meter_before_after"), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'100, 4'100});
  }
  SECTION("k = 2: (3901 + 4100) / 2 = 4000.5 -> 4000 (half to even)") {
    auto baseline = compute_baseline(method("meter_before_after", {{"isps_before", 2}}), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'000, 4'000});
  }
  SECTION("k = 3 needs 17:15, which is missing") {
    CHECK(code_of(compute_baseline(method("meter_before_after", {{"isps_before", 3}}), TestInput(isps, &actual))) ==
          "baseline.insufficient_data");
  }
  SECTION("no readings at all") {
    CHECK(code_of(compute_baseline(method("meter_before_after"), TestInput(isps))) == "baseline.insufficient_data");
  }
}

namespace {

// Readings at 18:00 for the rolling-average and X-of-Y weekday examples. The weekend days carry
// 9000 W, far above the rest, so that counting one of them would show in every result.
//   Tue  4 Nov: 3800      Wed  5 Nov: 4000     Thu  6 Nov: 4200     Fri  7 Nov: 3900
//   Sat  8 Nov: 9000      Sun  9 Nov: 9000     Mon 10 Nov: 4100     Tue 11 Nov: 4300
Readings weekday_history_1800() {
  return {{tue_4_nov_2025 + at_1800, 3'800},  {wed_5_nov_2025 + at_1800, 4'000},  {thu_6_nov_2025 + at_1800, 4'200},
          {fri_7_nov_2025 + at_1800, 3'900},  {sat_8_nov_2025 + at_1800, 9'000},  {sun_9_nov_2025 + at_1800, 9'000},
          {mon_10_nov_2025 + at_1800, 4'100}, {tue_11_nov_2025 + at_1800, 4'300}};
}

}  // namespace

TEST_CASE("rolling_average: the same ISP on the previous N working days", "[baselines]") {
  // Event Wed 12 Nov 2025 18:00 (1762970400). Walking back: Tue 11, Mon 10, (Sun 9 and Sat 8
  // are weekend days), Fri 7, Thu 6, Wed 5.
  const Values isps{wed_12_nov_2025 + at_1800};
  Readings actual = weekday_history_1800();
  const Json five_days = method("rolling_average", {{"days", 5}});

  SECTION("weekends are skipped") {
    // 4300 + 4100 + 3900 + 4200 + 4000 = 20500; / 5 = 4100.
    auto baseline = compute_baseline(five_days, TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'100});
    // 5 days is the default.
    auto by_default = compute_baseline(method("rolling_average"), TestInput(isps, &actual));
    REQUIRE(by_default);
    CHECK(*by_default == Values{4'100});
  }
  SECTION("event days are skipped") {
    // Thu 6 Nov had another activation, so Tue 4 Nov (3800) takes its place:
    // 4300 + 4100 + 3900 + 4000 + 3800 = 20100; / 5 = 4020.
    const std::set<std::int64_t> event_days{day_thu_6_nov_2025};
    auto baseline = compute_baseline(five_days, TestInput(isps, &actual, &event_days));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'020});
  }
  SECTION("a working day without a reading at that time is skipped") {
    // Mon 10 Nov's 18:00 reading is missing (its 18:15 reading does not stand in for it):
    // 4300 + 3900 + 4200 + 4000 + 3800 = 20200; / 5 = 4040.
    actual.erase(mon_10_nov_2025 + at_1800);
    actual[mon_10_nov_2025 + at_1815] = 100;
    auto baseline = compute_baseline(five_days, TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'040});
  }
  SECTION("fewer than N working days of history is rejected") {
    // Only 6 working days exist (Tue 4 .. Tue 11); 7 are asked for.
    CHECK(code_of(compute_baseline(method("rolling_average", {{"days", 7}}), TestInput(isps, &actual))) ==
          "baseline.insufficient_data");
    // Removing Tue 4 and excluding Thu 6 leaves 4 for 5.
    actual.erase(tue_4_nov_2025 + at_1800);
    const std::set<std::int64_t> event_days{day_thu_6_nov_2025};
    CHECK(code_of(compute_baseline(five_days, TestInput(isps, &actual, &event_days))) ==
          "baseline.insufficient_data");
  }
}

TEST_CASE("rolling_average looks back at most 2N + 14 days", "[baselines]") {
  // N = 1 from Wed 12 Nov 2025 (day 20404): days 20403 back to 20388 = Mon 27 Oct are searched.
  const Values isps{wed_12_nov_2025 + at_1800};
  const Json one_day = method("rolling_average", {{"days", 1}});
  // Fri 24 Oct (day 20385) is 19 days back: too old.
  const Readings too_old{{fri_24_oct_2025 + at_1800, 5'000}};
  CHECK(code_of(compute_baseline(one_day, TestInput(isps, &too_old))) == "baseline.insufficient_data");
  // Mon 27 Oct is exactly 16 days back: the last day searched.
  const Readings oldest{{fri_24_oct_2025 + at_1800, 5'000}, {mon_27_oct_2025 + at_1800, 4'000}};
  auto baseline = compute_baseline(one_day, TestInput(isps, &oldest));
  REQUIRE(baseline);
  CHECK(*baseline == Values{4'000});
}

TEST_CASE("x_of_y: the mean of the X highest of the last Y days of the same day type", "[baselines]") {
  SECTION("USEF high X of Y: x = 3, y = 5") {
    // Event Wed 12 Nov 2025 18:00 (1762970400); the 5 previous weekdays at 18:00:
    //   Wed 5: 10, Thu 6: 50, Fri 7: 20, Mon 10: 40, Tue 11: 30; Sat 8 and Sun 9: 1000 (weekend).
    // The highest three are 50, 40, 30: 120 / 3 = 40.
    const Readings actual{{wed_5_nov_2025 + at_1800, 10},   {thu_6_nov_2025 + at_1800, 50},
                          {fri_7_nov_2025 + at_1800, 20},   {sat_8_nov_2025 + at_1800, 1'000},
                          {sun_9_nov_2025 + at_1800, 1'000}, {mon_10_nov_2025 + at_1800, 40},
                          {tue_11_nov_2025 + at_1800, 30}};
    auto baseline = compute_baseline(method("x_of_y", {{"x", 3}, {"y", 5}}), TestInput({wed_12_nov_2025 + at_1800}, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{40});
  }

  const Values isps{wed_12_nov_2025 + at_1800};
  const Readings actual = weekday_history_1800();
  const Json three_of_five = method("x_of_y", {{"x", 3}, {"y", 5}});

  SECTION("a weekday skips weekends") {
    // Tue 11: 4300, Mon 10: 4100, Fri 7: 3900, Thu 6: 4200, Wed 5: 4000 (Sat 8, Sun 9 skipped).
    // Highest three: 4300, 4200, 4100 = 12600; / 3 = 4200.
    auto baseline = compute_baseline(three_of_five, TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'200});
  }
  SECTION("event days are skipped") {
    // Without Thu 6: Tue 11 4300, Mon 10 4100, Fri 7 3900, Wed 5 4000, Tue 4 3800.
    // Highest three: 4300, 4100, 4000 = 12400; / 3 = 4133.33 -> 4133.
    const std::set<std::int64_t> event_days{day_thu_6_nov_2025};
    auto baseline = compute_baseline(three_of_five, TestInput(isps, &actual, &event_days));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'133});
  }
  SECTION("x = y is the plain mean") {
    // 4300 + 4100 + 3900 + 4200 + 4000 = 20500; / 5 = 4100.
    auto baseline = compute_baseline(method("x_of_y", {{"x", 5}, {"y", 5}}), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'100});
  }
  SECTION("fewer than Y days of the same type is rejected") {
    // 6 weekdays exist (Tue 4 .. Tue 11); the default y = 10 and an explicit y = 7 need more.
    CHECK(code_of(compute_baseline(method("x_of_y"), TestInput(isps, &actual))) == "baseline.insufficient_data");
    CHECK(code_of(compute_baseline(method("x_of_y", {{"x", 1}, {"y", 7}}), TestInput(isps, &actual))) ==
          "baseline.insufficient_data");
  }
}

TEST_CASE("x_of_y on a weekend day uses weekend days only", "[baselines]") {
  // Event Sun 16 Nov 2025 18:00 (1763316000). Weekend days at 18:00: Sat 15: 700, Sun 9: 600,
  // Sat 8: 500. Weekdays Mon 10 .. Fri 14 carry 5000, which must not count.
  // x = 2, y = 3: the values are 700, 600, 500; the highest two give 1300 / 2 = 650.
  Readings actual{{sat_8_nov_2025 + at_1800, 500}, {sun_9_nov_2025 + at_1800, 600}, {sat_15_nov_2025 + at_1800, 700}};
  for (std::int64_t weekday : {mon_10_nov_2025, tue_11_nov_2025, wed_12_nov_2025, thu_13_nov_2025, fri_14_nov_2025}) {
    actual[weekday + at_1800] = 5'000;
  }
  const Values isps{sun_16_nov_2025 + at_1800};
  auto baseline = compute_baseline(method("x_of_y", {{"x", 2}, {"y", 3}}), TestInput(isps, &actual));
  REQUIRE(baseline);
  CHECK(*baseline == Values{650});
  // Sun 9 as an event day leaves only two weekend days within the 2 × 3 + 14 = 20 days searched.
  const std::set<std::int64_t> event_days{utc_day(sun_9_nov_2025)};
  CHECK(code_of(compute_baseline(method("x_of_y", {{"x", 2}, {"y", 3}}), TestInput(isps, &actual, &event_days))) ==
        "baseline.insufficient_data");
}

TEST_CASE("x_of_y same-day adjustment, with and without the cap biting", "[baselines]") {
  // Event Wed 12 Nov 2025 18:00 and 18:15 (1762970400, 1762971300); x = 2, y = 2, so B0 is the
  // mean of Mon 10 and Tue 11 Nov (Sat 8 and Sun 9 are not weekdays; Fri 7 is not needed).
  //   time    Mon 10   Tue 11   B0
  //   17:30   3000     3200     6200 / 2 = 3100
  //   17:45   3100     3300     6400 / 2 = 3200
  //   18:00   4000     4200     8200 / 2 = 4100
  //   18:15   5000     5001     10001 / 2 = 5000.5 -> 5000 (half to even)
  // With adjustment_isps = 2 the adjustment ISPs are 17:30 and 17:45 on Wed 12 Nov.
  Readings actual{{mon_10_nov_2025 + at_1730, 3'000}, {tue_11_nov_2025 + at_1730, 3'200},
                  {mon_10_nov_2025 + at_1745, 3'100}, {tue_11_nov_2025 + at_1745, 3'300},
                  {mon_10_nov_2025 + at_1800, 4'000}, {tue_11_nov_2025 + at_1800, 4'200},
                  {mon_10_nov_2025 + at_1815, 5'000}, {tue_11_nov_2025 + at_1815, 5'001}};
  const Values isps{wed_12_nov_2025 + at_1800, wed_12_nov_2025 + at_1815};
  auto params = [](std::int64_t cap_ppm) {
    return method("x_of_y", {{"x", 2}, {"y", 2}, {"adjustment_isps", 2}, {"adjustment_cap_ppm", cap_ppm}});
  };

  SECTION("no adjustment asked for: B0") {
    auto baseline = compute_baseline(method("x_of_y", {{"x", 2}, {"y", 2}}), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'100, 5'000});
  }
  SECTION("upward adjustment within the cap") {
    // Wed 12: 17:30 = 3400, 17:45 = 3300. A - B0 = 300 and 100: (300 + 100) / 2 = +200.
    // Cap 10% (100000 ppm): 410 at 18:00 and 500 at 18:15, both above 200, so B = B0 + 200.
    actual[wed_12_nov_2025 + at_1730] = 3'400;
    actual[wed_12_nov_2025 + at_1745] = 3'300;
    auto baseline = compute_baseline(params(100'000), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'300, 5'200});
  }
  SECTION("upward adjustment, cap biting at 18:00 only") {
    // Same +200. Cap 4.5% (45000 ppm): 4100 × 45000 / 10^6 = 184.5 -> 184 at 18:00 (bites);
    // 5000 × 45000 / 10^6 = 225 at 18:15 (does not). B = 4100 + 184 = 4284 and 5000 + 200 = 5200.
    actual[wed_12_nov_2025 + at_1730] = 3'400;
    actual[wed_12_nov_2025 + at_1745] = 3'300;
    auto baseline = compute_baseline(params(45'000), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'284, 5'200});
  }
  SECTION("downward adjustment, cap biting at both ISPs") {
    // Wed 12: 17:30 = 2800, 17:45 = 3000. A - B0 = -300 and -200: -500 / 2 = -250.
    // Cap 4.5%: -184 at 18:00 and -225 at 18:15 both bite: B = 3916 and 4775.
    actual[wed_12_nov_2025 + at_1730] = 2'800;
    actual[wed_12_nov_2025 + at_1745] = 3'000;
    auto baseline = compute_baseline(params(45'000), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{3'916, 4'775});
    // Cap 100%: -250 fits, B = 3850 and 4750.
    auto uncapped = compute_baseline(params(1'000'000), TestInput(isps, &actual));
    REQUIRE(uncapped);
    CHECK(*uncapped == Values{3'850, 4'750});
  }
  SECTION("a one-ISP adjustment uses 17:45 only") {
    // Wed 12 17:45 = 3300: 3300 - 3200 = +100. Cap 10%: B = 4200 and 5100.
    actual[wed_12_nov_2025 + at_1745] = 3'300;
    auto baseline = compute_baseline(
        method("x_of_y", {{"x", 2}, {"y", 2}, {"adjustment_isps", 1}, {"adjustment_cap_ppm", 100'000}}),
        TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'200, 5'100});
  }
  SECTION("a cap of 0 ppm means no adjustment, so no pre-event readings are needed") {
    auto baseline = compute_baseline(params(0), TestInput(isps, &actual));
    REQUIRE(baseline);
    CHECK(*baseline == Values{4'100, 5'000});
  }
  SECTION("a missing pre-event reading is rejected") {
    // 17:30 on Wed 12 is missing.
    actual[wed_12_nov_2025 + at_1745] = 3'300;
    CHECK(code_of(compute_baseline(params(100'000), TestInput(isps, &actual))) == "baseline.insufficient_data");
  }
  SECTION("missing history for an adjustment ISP is rejected") {
    // Wed 12 readings exist, but Tue 11 at 17:30 does not, and no other weekday is within reach.
    actual[wed_12_nov_2025 + at_1730] = 3'400;
    actual[wed_12_nov_2025 + at_1745] = 3'300;
    actual.erase(tue_11_nov_2025 + at_1730);
    CHECK(code_of(compute_baseline(params(100'000), TestInput(isps, &actual))) == "baseline.insufficient_data");
  }
}

TEST_CASE("none: zeros, one per ISP", "[baselines]") {
  const Values isps{wed_12_nov_2025 + at_1800, wed_12_nov_2025 + at_1815, wed_12_nov_2025 + at_1815 + 900};
  auto baseline = compute_baseline(method("none"), TestInput(isps));
  REQUIRE(baseline);
  CHECK(*baseline == Values{0, 0, 0});
  auto empty = compute_baseline(method("none"), TestInput({}));
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("unknown methods, other versions and bad params are rejected", "[baselines]") {
  const Values isps{wed_12_nov_2025 + at_1800};
  const Readings actual = weekday_history_1800();
  const TestInput input(isps, &actual);
  CHECK(code_of(compute_baseline(method("lowest_of_y"), input)) == "baseline.unknown_method");
  CHECK(code_of(compute_baseline(Json{{"method", "none"}, {"params", Json::object()}, {"version", 2}}, input)) ==
        "baseline.unknown_method");
  CHECK(code_of(compute_baseline(Json{{"method", "none"}, {"params", Json::object()}}, input)) ==
        "baseline.unknown_method");
  CHECK(code_of(compute_baseline(Json{{"method", "none"}, {"params", Json::object()}, {"version", "1"}}, input)) ==
        "baseline.unknown_method");
  CHECK(code_of(compute_baseline(Json{{"method", 7}, {"version", 1}}, input)) == "baseline.unknown_method");
  CHECK(code_of(compute_baseline(Json::array(), input)) == "baseline.unknown_method");

  // Params absent altogether: the defaults (5 working days -> 4100, as in the rolling-average case).
  auto defaults = compute_baseline(Json{{"method", "rolling_average"}, {"version", 1}}, input);
  REQUIRE(defaults);
  CHECK(*defaults == Values{4'100});

  CHECK(code_of(compute_baseline(Json{{"method", "rolling_average"}, {"params", Json::array()}, {"version", 1}}, input)) ==
        "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("rolling_average", {{"days", "5"}}), input)) == "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("rolling_average", {{"days", 0}}), input)) == "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("rolling_average", {{"days", 61}}), input)) == "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("rolling_average", {{"days", std::numeric_limits<std::uint64_t>::max()}}), input)) ==
        "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("meter_before_after", {{"isps_before", 0}}), input)) == "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("x_of_y", {{"x", 4}, {"y", 3}}), input)) == "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("x_of_y", {{"x", 3}, {"y", 5}, {"adjustment_cap_ppm", -1}}), input)) ==
        "baseline.bad_params");
  CHECK(code_of(compute_baseline(method("x_of_y", {{"x", 3}, {"y", 5}, {"adjustment_isps", true}}), input)) ==
        "baseline.bad_params");
}
