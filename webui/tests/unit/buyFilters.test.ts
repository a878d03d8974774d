import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBuyFilter, withinMaxPower, type BuyFilterInput } from "../../src/lib/buyFilters";
import { activationIsps, planActivations, type Contract } from "../../src/lib/activation";
import type { Offer } from "../../src/lib/market";
import { formatTime } from "../../src/lib/format";

// Local times below are read in Europe/Amsterdam (UTC+1 in November).
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "Europe/Amsterdam";
});
afterAll(() => {
  process.env.TZ = zone;
});

const empty: BuyFilterInput = {
  zoneId: "",
  direction: "",
  product: "",
  technology: "",
  from: "",
  to: "",
  minPriceEur: "",
  maxPriceEur: "",
  minPowerKw: "",
  maxPowerKw: "",
};

describe("the buy page's offer filters", () => {
  it("asks the node for open offers only when nothing is filtered", () => {
    expect(readBuyFilter(empty).filter?.query.toString()).toBe("status=open&limit=500");
  });

  it("turns local times, EUR and kW into the exact query", () => {
    const { filter, errors } = readBuyFilter({
      zoneId: "z-1",
      direction: "up",
      product: "energy",
      technology: "ev_charger",
      from: "2026-11-23T17:00",  // 16:00Z = 1,795,449,600
      to: "2026-11-23T18:00",  // 17:00Z = 1,795,453,200
      minPriceEur: "180,5",  // 180,500,000 micro-units
      maxPriceEur: "200",
      minPowerKw: "2.5",
      maxPowerKw: "10",
    });
    expect(errors).toEqual({});
    expect(filter?.query.toString()).toBe(
      "status=open&limit=500&zone_id=z-1&direction=up&product=energy&technology=ev_charger&from=1795449600&to=1795453200" +
        "&min_price_micro=180500000&max_price_micro=200000000&min_power_w=2500",
    );
    expect(filter?.maxPowerW).toBe(10_000);
  });

  it("names each field it cannot read, and sends nothing then", () => {
    const { filter, errors } = readBuyFilter({
      ...empty,
      from: "2026-11-23T18:00",
      to: "2026-11-23T17:00",
      minPriceEur: "200",
      maxPriceEur: "100",
      minPowerKw: "5",
      maxPowerKw: "1.2345",
    });
    expect(filter).toBeUndefined();
    expect(errors).toEqual({ to: "after the start", maxPriceEur: "at least the lowest price", maxPowerKw: "kW, up to 3 decimals" });
    expect(readBuyFilter({ ...empty, from: "2026-03-29T02:30" }).errors).toEqual({ from: "a date and time that exists here" });
  });

  it("keeps offers whose every ISP has at most the largest power asked", () => {
    const offer = { remaining_w: [10_000, 4_000] } as Offer;
    expect(withinMaxPower(offer, 10_000)).toBe(true);
    expect(withinMaxPower(offer, 9_999)).toBe(false);
    expect(withinMaxPower(offer, null)).toBe(true);
  });
});

describe("activating a reservation", () => {
  // Four 60-second ISPs from 7200; nothing reserved at 7260; the gate is 900 s.
  const contract = {
    contract_id: "c0000000001",
    start: 7200,
    end: 7440,
    isp_seconds: 60,
    power_w: [4_000, 0, 4_000, 4_000],
    activated_w: [0, 0, 3_000, 0],
    status: "reserved",
  } as Contract;

  it("opens each ISP until its start minus the gate, and says why the others are closed", () => {
    expect(activationIsps(contract, 6300, 900)).toEqual([
      { ispStart: 7200, reservedW: 4_000, activatedW: 0, gateClosesAt: 6300, closed: null },  // 6300 ≤ 7200 − 900: still open
      { ispStart: 7260, reservedW: 0, activatedW: 0, gateClosesAt: 6360, closed: "nothing_reserved" },
      { ispStart: 7320, reservedW: 4_000, activatedW: 3_000, gateClosesAt: 6420, closed: null },
      { ispStart: 7380, reservedW: 4_000, activatedW: 0, gateClosesAt: 6480, closed: null },
    ]);
    expect(activationIsps(contract, 6301, 900)[0].closed).toBe("gate_closed");
    expect(activationIsps({ ...contract, status: "settled" }, 0, 900).map((isp) => isp.closed)).toEqual(Array(4).fill("settled"));
  });

  it("activates the chosen ISPs at one power, at most the least reserved", () => {
    const isps = activationIsps(contract, 6301, 900);
    expect(planActivations(isps, new Set([7320, 7380]), 3_500)).toEqual({
      activations: [
        { isp_start: 7320, power_w: 3_500 },
        { isp_start: 7380, power_w: 3_500 },
      ],
    });
    expect(planActivations(isps, new Set([7320]), 4_001)).toEqual({ error: "At most 4000 W: the least reserved power among the chosen ISPs." });
    expect(planActivations(isps, new Set([7200]), 1_000)).toEqual({ error: `The ISP starting at ${formatTime(7200)} can no longer be activated.` });
    expect(planActivations(isps, new Set(), 1_000)).toEqual({ error: "Choose at least one ISP." });
    expect(planActivations(isps, new Set([7320]), null)).toEqual({ error: "Power in kW, up to 3 decimals." });
  });
});
