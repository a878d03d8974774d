import { describe, expect, it } from "vitest";
import { kpiQuery, kpiSeries, kpiWindow, periods, zonesOf, type KpiBucket } from "../../src/lib/kpis";
import { formatEurosSignificant, formatKilowattHours, formatPpmAsPercent } from "../../src/lib/format";

function bucket(zone_id: string, start: number, fields: Partial<KpiBucket>): KpiBucket {
  return {
    zone_id, start, offers: 0, offered_wh: 0, requests: 0, requested_wh: 0, contracts: 0, contracted_wh: 0,
    activation_price_micro_per_mwh: null, availability_price_micro_per_mw_h: null, settled_contracts: 0,
    ordered_wh: 0, delivered_wh: 0, delivery_ratio_ppm: null, penalties_micro: 0, net_settled_micro: 0,
    escrow_outstanding_micro: 0, ...fields,
  };
}

describe("the KPI window of a period", () => {
  it("reaches back the period and a day ahead, both ends on the bucket grid", () => {
    const [lastDay, , lastMonth] = periods;
    // now = 1_000_001_000: minus a day 999_914_600, down to the hour 999_914_400; plus a day
    // 1_000_087_400, up to the hour 1_000_090_800.
    expect(kpiWindow(lastDay, 1_000_001_000)).toEqual({ from: 999_914_400, to: 1_000_090_800, bucketSeconds: 3_600 });
    // On the grid already: unchanged.
    expect(kpiWindow(lastDay, 1_000_000_800)).toEqual({ from: 999_914_400, to: 1_000_087_200, bucketSeconds: 3_600 });
    // Minus 30 days: 997_409_000, down to midnight 11544 × 86400 = 997_401_600; plus a day
    // 1_000_087_400, up to 11576 × 86400 = 1_000_166_400.
    expect(kpiWindow(lastMonth, 1_000_001_000)).toEqual({ from: 997_401_600, to: 1_000_166_400, bucketSeconds: 86_400 });
  });

  it("names the zone only when one is chosen, and asks for CSV on request", () => {
    const window = { from: 0, to: 14_400, bucketSeconds: 3_600 };
    expect(kpiQuery(window, "")).toBe("from=0&to=14400&bucket_seconds=3600");
    expect(kpiQuery(window, "z1", true)).toBe("from=0&to=14400&bucket_seconds=3600&zone_id=z1&format=csv");
  });
});

describe("KPI buckets shaped into one zone's series", () => {
  it("fills every bucket of the window: sums 0 and prices and ratios empty where the node sent none", () => {
    const buckets = [
      bucket("z2", 3_600, { offered_wh: 99 }),
      bucket("z1", 3_600, { offered_wh: 10_000, contracted_wh: 2_500, activation_price_micro_per_mwh: 180_505_000 }),
      bucket("z1", 10_800, { delivered_wh: 5_000, delivery_ratio_ppm: 500_000, penalties_micro: 250_000, net_settled_micro: -1 }),
    ];
    const series = kpiSeries(buckets, "z1", { from: 0, to: 14_400, bucketSeconds: 3_600 });
    expect(series).toEqual({
      x: [0, 3_600, 7_200, 10_800],
      offeredWh: [0, 10_000, 0, 0],
      requestedWh: [0, 0, 0, 0],
      contractedWh: [0, 2_500, 0, 0],
      deliveredWh: [0, 0, 0, 5_000],
      activationPrice: [null, 180_505_000, null, null],
      availabilityPrice: [null, null, null, null],
      deliveryRatioPpm: [null, null, null, 500_000],
      penaltiesMicro: [0, 0, 0, 250_000],
      netSettledMicro: [0, 0, 0, -1],
    });
    expect(zonesOf(buckets)).toEqual(["z1", "z2"]);
  });
});

describe("market figures shown exactly", () => {
  it("keeps every significant decimal of a price, at least two", () => {
    expect(formatEurosSignificant(180_505_000)).toBe("180.505 EUR");
    expect(formatEurosSignificant(200_000_000)).toBe("200.00 EUR");
    expect(formatEurosSignificant(2_500_000)).toBe("2.50 EUR");
    expect(formatEurosSignificant(1)).toBe("0.000001 EUR");
    expect(formatEurosSignificant(-123_456_789)).toBe("-123.456789 EUR");
  });

  it("shows Wh as kWh and ppm as percent without rounding", () => {
    expect(formatKilowattHours(10_000)).toBe("10 kWh");
    expect(formatKilowattHours(12_345)).toBe("12.345 kWh");
    expect(formatKilowattHours(1)).toBe("0.001 kWh");
    expect(formatPpmAsPercent(975_000)).toBe("97.5 %");
    expect(formatPpmAsPercent(1_000_000)).toBe("100 %");
    expect(formatPpmAsPercent(1)).toBe("0.0001 %");
    expect(formatPpmAsPercent(0)).toBe("0 %");
  });
});
