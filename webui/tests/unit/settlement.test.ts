import { describe, expect, it } from "vitest";
import { deliverySeries, formatEnergy, ispNetSum, ispRows, netText, sideOf, type Settlement } from "../../src/lib/settlement";
import { formatEuros, formatEurosExact } from "../../src/lib/format";

// DESIGN.md §5 with 15-minute ISPs (s = 900): an `up` energy contract, B = 10 MW, Q = 2 MW,
// activation price α = 7 EUR/MWh, penalty ρ = 11 EUR/MWh, no fee; line(P, s, π) =
// P × s × π / 3,600,000,000 (PROTOCOL.md §9, money lines), worked by hand:
// - ISP 1, A = 8 MW: delivered clamp(10 − 8, 0, 2) = 2 MW, deficiency max(0, 8 − 8) = 0;
//   Price = 2e6 × 900 × 7e6 / 3.6e9 = 3,500,000; Penalty 0; net 3,500,000.
// - ISP 2, A = 9 MW: delivered 1 MW, deficiency 9 − 8 = 1 MW; Price 1,750,000;
//   Penalty = 1e6 × 900 × 11e6 / 3.6e9 = 2,750,000; net −1,000,000.
// - ISP 3, A = 11 MW: delivered 0, deficiency 3 MW; Price 0; Penalty 8,250,000; net −8,250,000.
// N = 3,500,000 − 1,000,000 − 8,250,000 = −5,750,000 (within the escrow 3 × 3,500,000), fee 0.
// Energies: 2 MW × 900 s = 500 kWh, 1 MW × 900 s = 250 kWh, 3 MW × 900 s = 750 kWh.
const t0 = 1_795_356_000;  // 2026-11-22 08:00 UTC, on the 15-minute grid
const record: Settlement = {
  contract_id: "c0000000007",
  version: 1,
  status: "provisional",
  trigger: "readings_complete",
  net_micro: -5_750_000,
  fee_micro: 0,
  totals: { DeliveredFlexPower: 3_000_000, OrderedFlexPower: 6_000_000 },
  settled_at: t0 + 2700,
  final_at: t0 + 2700 + 604_800,
  isps: {
    ActualPower: [8_000_000, 9_000_000, 11_000_000],
    BaselinePower: [10_000_000, 10_000_000, 10_000_000],
    DeliveredFlexPower: [2_000_000, 1_000_000, 0],
    NetSettlement: [3_500_000, -1_000_000, -8_250_000],
    OrderedFlexPower: [2_000_000, 2_000_000, 2_000_000],
    Penalty: [0, 2_750_000, 8_250_000],
    PowerDeficiency: [0, 1_000_000, 3_000_000],
    Price: [3_500_000, 1_750_000, 0],
    isp_start: [t0, t0 + 900, t0 + 1800],
  },
  assets: {},
};

describe("a settlement record shaped for the delivery table and chart", () => {
  it("gives one row per ISP with the record's numbers and the energies worked out by hand", () => {
    const rows = ispRows(record, 900);
    expect(rows.map((row) => [row.ispStart, row.deliveredEnergy, row.deficientEnergy, row.netMicro])).toEqual([
      [t0, "500 kWh", "0 kWh", 3_500_000],
      [t0 + 900, "250 kWh", "250 kWh", -1_000_000],
      [t0 + 1800, "0 kWh", "750 kWh", -8_250_000],
    ]);
    expect(rows[1]).toMatchObject({ baselineW: 10_000_000, actualW: 9_000_000, orderedW: 2_000_000, deliveredW: 1_000_000, deficiencyW: 1_000_000, priceMicro: 1_750_000, penaltyMicro: 2_750_000 });
    // The rows add up to the record's net, as the formula says when nothing was adjusted.
    expect(rows.reduce((sum, row) => sum + row.netMicro, 0)).toBe(record.net_micro);
  });

  it("charts metered power, baseline and the target B − Q as steps closed at the end of the last ISP", () => {
    expect(deliverySeries(record, "up", 900)).toEqual({
      time: [t0, t0 + 900, t0 + 1800, t0 + 2700],
      metered: [8_000_000, 9_000_000, 11_000_000, 11_000_000],
      baseline: [10_000_000, 10_000_000, 10_000_000, 10_000_000],
      target: [8_000_000, 8_000_000, 8_000_000, 8_000_000],
    });
  });

  it("puts a down target above the baseline and leaves gaps where readings or baselines were missing", () => {
    // A deadline settlement of one down ISP with no reading and no baseline: both null.
    const missing: Settlement = {
      ...record,
      isps: { ...record.isps, ActualPower: [null, 4_000], BaselinePower: [null, 1_000], OrderedFlexPower: [0, 2_500], isp_start: [t0, t0 + 60] },
    };
    expect(deliverySeries(missing, "down", 60)).toEqual({
      time: [t0, t0 + 60, t0 + 120],
      metered: [null, 4_000, 4_000],
      baseline: [null, 1_000, 1_000],
      target: [null, 3_500, 3_500],  // B + Q = 1,000 + 2,500
    });
  });

  it("adds the ISP nets exactly when a penalty line saturates at 2^53 − 1", () => {
    // ISP 1: Price 0, Penalty saturated at 2^53 − 1 = 9,007,199,254,740,991 (PROTOCOL §9), net −(2^53 − 1);
    // ISP 2: Price 0, Penalty 2, net −2. Σ = −(2^53 + 1) = −9,007,199,254,740,993, which a Number
    // sum rounds to −2^53; the node clamps the net to −(2^53 − 1 − E) = −9,007,199,253,740,991 with E = 1,000,000.
    const saturated = 2 ** 53 - 1;
    const clamped: Settlement = {
      ...record,
      net_micro: -(saturated - 1_000_000),
      isps: { ...record.isps, NetSettlement: [-saturated, -2], Penalty: [saturated, 2], Price: [0, 0], isp_start: [t0, t0 + 900] },
    };
    const rows = ispRows(clamped, 900);
    expect(ispNetSum(rows)).toBe(-9_007_199_254_740_993n);
    expect(rows.reduce((sum, row) => sum + row.netMicro, 0)).toBe(-9_007_199_254_740_992);  // what the Number sum said
    expect(formatEurosExact(ispNetSum(rows))).toBe("-9007199254.740993 EUR");
    expect(formatEurosExact(rows[0].penaltyMicro)).toBe("9007199254.740991 EUR");
    expect(BigInt(clamped.net_micro) !== ispNetSum(rows)).toBe(true);
    expect(ispNetSum(ispRows(record, 900))).toBe(BigInt(record.net_micro));  // −5,750,000, worked out above
  });

  it("gives no chart points for a record without ISPs", () => {
    const empty = { ...record, isps: { ...record.isps, ActualPower: [], BaselinePower: [], OrderedFlexPower: [], isp_start: [] } };
    expect(deliverySeries(empty, "up", 900).time).toEqual([]);
  });
});

describe("energies and money from integers", () => {
  it("turns W over an ISP into kWh exactly, to the mWh", () => {
    expect(formatEnergy(9_000, 60)).toBe("0.15 kWh");  // 9,000 × 60 / 3,600 = 150 Wh
    expect(formatEnergy(5, 900)).toBe("0.00125 kWh");  // 1.25 Wh
    expect(formatEnergy(-9_000, 60)).toBe("-0.15 kWh");
    expect(formatEnergy(1, 1)).toBe("0 kWh");  // 0.28 mWh rounds to 0, without a sign
    expect(formatEnergy(2, 9)).toBe("0.000005 kWh");  // 18 W·s = 5 mWh exactly
    expect(formatEnergy(1_000_000_000_000, 3_600)).toBe("1000000000 kWh");  // 10^12 W for an hour: past 2^53 W·s, still exact
  });

  it("shows negative nets with the sign and who owes whom", () => {
    expect(formatEuros(record.net_micro)).toBe("-5.75 EUR");
    expect(netText(record.net_micro)).toBe("-5.75 EUR (the seller owes the buyer 5.75 EUR)");
    expect(netText(-4_000_000)).toBe("-4.00 EUR (the seller owes the buyer 4.00 EUR)");  // DESIGN.md's A = 9 MW row
    expect(netText(950_000)).toBe("0.95 EUR to the seller");
    expect(netText(0)).toBe("0.00 EUR");
    expect(formatEuros(-5_000)).toBe("-0.01 EUR");  // half a cent rounds away from zero
    expect(formatEuros(-4_999)).toBe("0.00 EUR");  // and below half a cent there is no sign
  });

  it("names the side of a contract a participant is on", () => {
    const contract = { buyer: "b".repeat(64), seller: "a".repeat(64) };
    expect(sideOf(contract, "b".repeat(64))).toBe("buyer");
    expect(sideOf(contract, "a".repeat(64))).toBe("seller");
    expect(sideOf(contract, "c".repeat(64))).toBe("");
  });
});
