import { describe, expect, it } from "vitest";
import {
  earliestStart,
  fillPowerRange,
  lineMicro,
  newRequestId,
  planMatchRequest,
  planPurchase,
  profileCostMicro,
  requestBudgetMicro,
  type Offer,
} from "../../src/lib/market";
import { formatEurosExact } from "../../src/lib/format";

// Every expected value below is worked by hand from docs/PROTOCOL.md §9, "Money lines":
// line(P, s, π) = round_half_even(P × s × π / 3,600,000,000); the arithmetic is in the comments.

const offer = (overrides: Partial<Offer>): Offer => ({
  offer_id: "o",
  zone_id: "z",
  direction: "up",
  product: "energy",
  start: 6000,
  end: 6300,
  isp_seconds: 60,
  power_w: [10_000, 10_000, 10_000, 10_000, 10_000],
  remaining_w: [10_000, 10_000, 10_000, 10_000, 10_000],
  min_activation_ppm: 1,
  prices: { activation_price_micro_per_mwh: 200_000_000 },
  status: "open",
  seller: "redacted",
  ...overrides,
});

describe("money lines", () => {
  it("rounds each line half to even, exactly", () => {
    expect(lineMicro(8_000, 900, 250_000_000)).toBe(500_000n);  // 1.8e15 / 3.6e9 = 500,000 (PROTOCOL's example)
    expect(lineMicro(5, 900, 2_000_000)).toBe(2n);  // 9e9 / 3.6e9 = 2.5 → 2, the even one
    expect(lineMicro(7, 900, 2_000_000)).toBe(4n);  // 1.26e10 / 3.6e9 = 3.5 → 4, the even one
    expect(lineMicro(10_000, 60, 200_000_000)).toBe(33_333n);  // 1.2e14 / 3.6e9 = 33,333.33… → 33,333
    expect(lineMicro(4_000, 60, 10_000_000)).toBe(667n);  // 2.4e12 / 3.6e9 = 666.67 → 667
    // 10^12 W × 3,600 s × 10^15 = 3.6e30, far past 2^53: / 3.6e9 = 10^21
    expect(lineMicro(1_000_000_000_000, 3_600, 1_000_000_000_000_000)).toBe(10n ** 21n);
  });

  it("prices a reservation as the node did on a dev node (availability and activation lines per ISP)", () => {
    const reservation = { activation_price_micro_per_mwh: 150_000_000, availability_price_micro_per_mw_h: 10_000_000 };
    // 5,000 W × 60 s: activation 4.5e13 / 3.6e9 = 12,500; availability 3e12 / 3.6e9 = 833.33 → 833; 10 × 13,333
    expect(profileCostMicro(Array(10).fill(5_000), 60, reservation)).toBe(133_330n);
    // 4,000 W × 60 s: activation 10,000; availability 666.67 → 667; 10 × 10,667
    expect(profileCostMicro(Array(10).fill(4_000), 60, reservation)).toBe(106_670n);
  });

  it("shows micro-units exactly", () => {
    expect(formatEurosExact(98_332n)).toBe("0.098332 EUR");
    expect(formatEurosExact(-1_500_000)).toBe("-1.500000 EUR");
    expect(formatEurosExact(0)).toBe("0.000000 EUR");
    expect(formatEurosExact(10n ** 21n)).toBe("1000000000000000.000000 EUR");
  });
});

describe("a purchase plan", () => {
  it("starts on the first ISP at least 30 s ahead", () => {
    expect(earliestStart(1_000, 60)).toBe(1_080);  // ⌈1,030 / 60⌉ = 18 → 1,080
    expect(earliestStart(1_050, 60)).toBe(1_080);  // 1,080 exactly: on the grid
    expect(earliestStart(1_051, 60)).toBe(1_140);  // ⌈1,081 / 60⌉ = 19
  });

  // A: ISPs 6000…6240, 4,000 W left at 6120, floor ⌈10,000 × 0.25⌉ = 2,500 W, 200 EUR/MWh.
  // B: ISPs 6120…6360, 3,000 W, floor 1 W, 180 EUR/MWh. Bought from 6060: A's first ISP is gone.
  const a = offer({ offer_id: "a", remaining_w: [10_000, 10_000, 4_000, 10_000, 10_000], min_activation_ppm: 250_000 });
  const b = offer({
    offer_id: "b",
    start: 6120,
    end: 6420,
    power_w: Array(5).fill(3_000),
    remaining_w: Array(5).fill(3_000),
    prices: { activation_price_micro_per_mwh: 180_000_000 },
  });

  it("lets each fill take from the largest floor to the least that remains", () => {
    expect(fillPowerRange(a, 6060)).toEqual({ minW: 2_500, maxW: 4_000 });
    expect(fillPowerRange(b, 6060)).toEqual({ minW: 1, maxW: 3_000 });
    expect(fillPowerRange(a, 6300)).toBeNull();  // every ISP has begun
  });

  it("covers both offers with one request whose power is the sum of the fills", () => {
    const plan = planPurchase([{ offer: a, powerW: 4_000 }, { offer: b, powerW: 3_000 }], 60, 6060);
    if ("error" in plan) throw new Error(plan.error);
    expect(plan.request).toEqual({
      zone_id: "z",
      direction: "up",
      product: "energy",
      start: 6060,
      end: 6420,
      expires_at: 6060,
      // 6060: A; 6120–6240: A + B; 6300, 6360: B
      power_w: [4_000, 7_000, 7_000, 7_000, 3_000, 3_000],
      max_activation_price_micro_per_mwh: 200_000_000,
    });
    expect(plan.fills).toEqual([
      { offer_id: "a", power_w: 4_000 },
      { offer_id: "b", power_w: 3_000 },
    ]);
    // A: 4 ISPs × line(4,000, 60, 200e6) = 4 × 13,333 (4.8e13 / 3.6e9 = 13,333.33); B: 5 × 9,000 (3.24e13 / 3.6e9)
    expect(plan.costs).toEqual([
      { offer_id: "a", costMicro: 53_332n },
      { offer_id: "b", costMicro: 45_000n },
    ]);
    expect(plan.totalMicro).toBe(98_332n);
    // at the request's 200 EUR/MWh: 13,333 + 3 × 23,333 (8.4e13 / 3.6e9 = 23,333.33) + 2 × 10,000
    expect(plan.budgetMicro).toBe(103_332n);
  });

  it("refuses what the contracts would refuse, before anything is sent", () => {
    expect(planPurchase([{ offer: a, powerW: 4_001 }], 60, 6060)).toEqual({ error: "Offer a: choose from 2.5 kW to 4 kW." });
    expect(planPurchase([{ offer: a, powerW: 2_499 }], 60, 6060)).toEqual({ error: "Offer a: choose from 2.5 kW to 4 kW." });
    expect(planPurchase([{ offer: a, powerW: 4_000 }, { offer: { ...b, direction: "down" }, powerW: 1 }], 60, 6060)).toEqual({
      error: "One purchase buys offers of one zone, direction and product: narrow the filters.",
    });
    expect(planPurchase([], 60, 6060)).toEqual({ error: "Select at least one offer." });
  });
});

describe("an auto-match request", () => {
  const ask = {
    zone_id: "z",
    direction: "up",
    product: "reservation",
    from: 6030,
    to: 6250,
    powerW: 5_000,
    maxActivationMicro: 150_000_000,
    maxAvailabilityMicro: 10_000_000,
  };

  it("cuts the window to the grid and holds its power at the maximum prices", () => {
    const request = planMatchRequest(ask, 60, 6060);
    if ("error" in request) throw new Error(request.error);
    // start ⌈6030 / 60⌉ × 60 = 6060; end ⌊6250 / 60⌋ × 60 = 6240: three ISPs
    expect(request).toEqual({
      zone_id: "z",
      direction: "up",
      product: "reservation",
      start: 6060,
      end: 6240,
      expires_at: 6060,
      power_w: [5_000, 5_000, 5_000],
      max_activation_price_micro_per_mwh: 150_000_000,
      max_availability_price_micro_per_mw_h: 10_000_000,
    });
    expect(requestBudgetMicro(request, 60)).toBe(39_999n);  // 3 × (12,500 + 833)
  });

  it("sends only the prices the product carries, and asks for the ones it needs", () => {
    const energy = planMatchRequest({ ...ask, product: "energy" }, 60, 6060);
    expect("max_availability_price_micro_per_mw_h" in energy).toBe(false);
    expect(planMatchRequest({ ...ask, product: "capacity_limitation", maxAvailabilityMicro: null }, 60, 6060)).toEqual({
      error: "A maximum availability price, in EUR/MW/h.",
    });
    expect(planMatchRequest({ ...ask, to: 6100 }, 60, 6060)).toEqual({ error: "The time window holds no ISP that can still be bought." });
  });

  it("names requests within the ledger's identifier alphabet", () => {
    // 1,795,449,600,000 ms in base 36 is "mwtgc1s0"; 0.5 × 36^4 = 839,808 = 18 × 36^3, "i000"
    expect(newRequestId(1_795_449_600_000, 0.5)).toBe("r-mwtgc1s0-i000");
    expect(newRequestId(0, 0)).toBe("r-0-0000");
  });
});
