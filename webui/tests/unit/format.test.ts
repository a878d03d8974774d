import { describe, expect, it } from "vitest";
import { formatEuros, formatKilowatts, formatPricePerMwh, formatPricePerMwPerHour, formatTime, timeAxisLabel } from "../../src/lib/format";

describe("ledger integers shown to people", () => {
  it("shows UTC seconds in the given zone, naming it", () => {
    // 1767225600 is 2026-01-01T00:00:00Z (DESIGN.md's genesis time); Amsterdam is UTC+1 in winter.
    expect(formatTime(1767225600, "UTC")).toBe("01/01/2026, 00:00 UTC");
    expect(formatTime(1767225600, "Europe/Amsterdam")).toBe("01/01/2026, 01:00 CET");
    // 2026-07-01T12:00:00Z in summer time: UTC+2.
    expect(formatTime(1782907200, "Europe/Amsterdam")).toBe("01/07/2026, 14:00 CEST");
  });

  it("names the zone of a chart's time axis, the browser's unless told", () => {
    expect(timeAxisLabel("Europe/Amsterdam")).toBe("Time (Europe/Amsterdam)");
    expect(timeAxisLabel()).toBe(`Time (${new Intl.DateTimeFormat().resolvedOptions().timeZone})`);
  });

  it("shows watts as kilowatts exactly", () => {
    expect(formatKilowatts(10_000)).toBe("10 kW");
    expect(formatKilowatts(11_250)).toBe("11.25 kW");
    expect(formatKilowatts(1)).toBe("0.001 kW");
    expect(formatKilowatts(-2_500)).toBe("-2.5 kW");
  });

  it("rounds micro-units to cents half up, without floating point", () => {
    expect(formatPricePerMwh(200_000_000)).toBe("200.00 EUR/MWh");
    expect(formatPricePerMwh(200_004_999)).toBe("200.00 EUR/MWh");
    expect(formatPricePerMwh(200_005_000)).toBe("200.01 EUR/MWh");
    expect(formatPricePerMwPerHour(12_340_000)).toBe("12.34 EUR/MW/h");
    expect(formatEuros(2_000_000)).toBe("2.00 EUR");
    expect(formatEuros(-1)).toBe("0.00 EUR");
    expect(formatEuros(-5_000)).toBe("-0.01 EUR");  // half away from zero
    expect(formatEuros(9_007_199_254_740_991)).toBe("9007199254.74 EUR");
  });
});
