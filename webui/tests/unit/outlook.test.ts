import { describe, expect, it } from "vitest";
import { chartSeries, congestion, onGrid, parseOutlookCsv, peakNeed, periodEnd } from "../../src/lib/outlook";

// 1_000_000_000 is 2001-09-09T01:46:40Z, so `now` is 2001-09-09T02:00:00Z, on the hour grid.
const now = 1_000_000_800;
const hour = 3_600;
const day = 86_400;
const zone = { import_limit_w: 1_000_000, export_limit_w: 500_000 };

describe("outlook periods", () => {
  it("ends a month at the 1st of the next month and checks each grid in UTC", () => {
    // 2027-01-01T00:00Z = 2026-01-01 (1767225600) + 365 days; February starts 31 days later.
    expect(periodEnd(1_798_761_600, "month", 900)).toBe(1_801_440_000);
    expect(periodEnd(now, "isp", 900)).toBe(now + 900);
    expect(onGrid(1_798_761_600, "month", 900)).toBe(true);
    expect(onGrid(1_798_761_600 + day, "month", 900)).toBe(false);  // 2 January
    expect(onGrid(now, "hour", 900)).toBe(true);
    expect(onGrid(now, "day", 900)).toBe(false);  // 02:00, not midnight
    expect(onGrid(now + 900, "isp", 900)).toBe(true);
    expect(onGrid(now + 60, "isp", 900)).toBe(false);
  });

  it("takes the peak of the points overlapping the window, including one that began before it", () => {
    // now - now % 86400 = 999_993_600 is today's midnight; that day ends after now, yesterday's does not.
    const series = { day: [[999_907_200, 9], [999_993_600, 5]] as [number, number][], hour: [[now + 7 * day, 8]] as [number, number][] };
    expect(peakNeed(series, now, now + 7 * day, 900)).toBe(5);  // 9 ended at now, 8 starts at the window's end
    expect(peakNeed(undefined, now, now + 7 * day, 900)).toBeNull();
  });
});

describe("the colouring rule: peak need in the next 7 days against the limit it relieves", () => {
  it("has no level without points in the window, and clear for a need of 0 W", () => {
    expect(congestion(undefined, zone, now, 900)).toEqual({ level: "none" });
    expect(congestion({ zone_id: "z", up: { hour: [[now + 8 * day, 400_000]] } }, zone, now, 900)).toEqual({ level: "none" });
    expect(congestion({ zone_id: "z", up: { hour: [[now, 0]] } }, zone, now, 900)).toEqual({
      level: "clear", direction: "up", peakW: 0, limitW: 1_000_000, percent: 0,
    });
  });

  it("grades up needs against the import limit: below 10% low, below 30% medium", () => {
    // 99_999 W of 1 MW is 9.9999%: low, 9 whole percent.
    expect(congestion({ zone_id: "z", up: { hour: [[now, 99_999]] } }, zone, now, 900)).toEqual({
      level: "low", direction: "up", peakW: 99_999, limitW: 1_000_000, percent: 9,
    });
    // Peak 299_999 W (29.9999%): medium; the down point 8 days out is outside the window.
    const outlook = { zone_id: "z", up: { hour: [[now, 250_000], [now + hour, 299_999]] as [number, number][] }, down: { hour: [[now + 8 * day, 400_000]] as [number, number][] } };
    expect(congestion(outlook, zone, now, 900)).toEqual({ level: "medium", direction: "up", peakW: 299_999, limitW: 1_000_000, percent: 29 });
  });

  it("lets the worse direction colour the zone: down needs count against the export limit", () => {
    // 150_000 W of the 500 kW export limit is exactly 30%: high, beating the medium up need.
    const outlook = { zone_id: "z", up: { hour: [[now, 299_999]] as [number, number][] }, down: { hour: [[now + hour, 150_000]] as [number, number][] } };
    expect(congestion(outlook, zone, now, 900)).toEqual({ level: "high", direction: "down", peakW: 150_000, limitW: 500_000, percent: 30 });
  });

  it("counts any need against a 0 W limit as high, with no percentage", () => {
    expect(congestion({ zone_id: "z", down: { day: [[999_993_600, 1]] } }, { import_limit_w: 5, export_limit_w: 0 }, now, 900)).toEqual({
      level: "high", direction: "down", peakW: 1, limitW: 0, percent: undefined,
    });
  });
});

describe("outlook series on one stepped time axis", () => {
  it("leaves a gap between two points empty after the first one's end", () => {
    // Hours 0–3600 and 7200–10800: nothing covers 3600–7200, so 3600 is null.
    const { x, series } = chartSeries({ zone_id: "z", up: { hour: [[0, 1], [7200, 2]] } }, 900);
    expect(x).toEqual([0, 3600, 7200, 10800]);
    expect(series[0].values).toEqual([1, null, 2, 2]);
  });

  it("holds each need from its start to its end, repeats the last at the series' end, and leaves gaps empty", () => {
    // Axis: every start and end: up hour 3600–7200, 7200–10800; down day 0–86400. Up has no
    // point before 3600 (null); its last need, 300, is repeated at its end 10800.
    const { x, series } = chartSeries({ zone_id: "z", up: { hour: [[3600, 100], [7200, 300]] }, down: { day: [[0, 50]] } }, 900);
    expect(x).toEqual([0, 3600, 7200, 10800, 86400]);
    expect(series).toEqual([
      { direction: "up", resolution: "hour", values: [null, 100, 300, 300, null] },
      { direction: "down", resolution: "day", values: [50, 50, 50, 50, 50] },
    ]);
  });
});

describe("a pasted outlook series", () => {
  it("keeps the good lines and names each bad one as the contracts would refuse it", () => {
    // now + 5 × 366 days = 1_158_112_800, on the hour grid: allowed; an hour more is not.
    const text = [
      "start,need_w",
      "2001-09-09T03:00Z,120000",
      "1000008000;0",
      "",
      "1000008000,5",
      "1000009000,7",
      "abc",
      "1000011600,1.5",
      "2001-09-09T06:00+01:00,3",
      "1158116400,1",
      "1158112800,1",
    ].join("\n");
    expect(parseOutlookCsv(text, "hour", 900, now)).toEqual({
      points: [[1_000_004_400, 120_000], [1_000_008_000, 0], [1_000_011_600, 3], [1_158_112_800, 1]],
      errors: [
        "line 5: starts must rise strictly",
        "line 6: the start is not on the hour grid (UTC)",
        'line 7: write "start,need_w"',
        "line 8: the need is a whole number of W from 0 to 10^12",
        "line 10: more than five years ahead",
      ],
    });
  });

  it("checks the month grid and refuses an empty paste", () => {
    const later = 1_795_000_000;  // 2026-11
    expect(parseOutlookCsv("2027-01-01T00:00Z,5\n2027-01-02T00:00Z,5", "month", 900, later)).toEqual({
      points: [[1_798_761_600, 5]],
      errors: ["line 2: the start is not on the first-of-the-month grid (UTC)"],
    });
    expect(parseOutlookCsv(" \n", "hour", 900, later)).toEqual({ points: [], errors: ["paste at least one line"] });
  });
});
