import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eurosToMicro, gridName, localToUtcSeconds, percentToPpm, validateOffer, type OfferFormInput } from "../../src/lib/offerForm";

// Dates below are read in Europe/Amsterdam (UTC+1 in winter, +2 in summer).
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "Europe/Amsterdam";
});
afterAll(() => {
  process.env.TZ = zone;
});

const now = 1_795_000_000;  // 2026-11-18T11:06:40Z
const evening: OfferFormInput = {
  offerId: "evening-peak-1",
  zoneId: "bilecik-feeder-1",
  assetIds: ["zes-bozuyuk-dc"],
  direction: "up",
  product: "energy",
  dateFrom: "2026-11-23",
  timeFrom: "17:00",
  dateTo: "2026-11-23",
  timeTo: "18:00",
  powerKw: "10",
  activationEurPerMwh: "200",
  availabilityEurPerMwH: "",
  minActivationPercent: "25",
  expiresMinutesBefore: "60",
  baselineMethod: "meter_before_after",
};

describe("the new-offer form", () => {
  it("reads local times as UTC seconds, through daylight saving", () => {
    expect(localToUtcSeconds("2026-11-23", "17:00")).toBe(1_795_449_600);  // 16:00Z
    expect(localToUtcSeconds("2026-07-01", "14:00")).toBe(1_782_907_200);  // 12:00Z
    expect(localToUtcSeconds("2026-03-29", "02:30")).toBeNull();  // the hour that does not exist
    expect(localToUtcSeconds("2026-02-30", "10:00")).toBeNull();
  });

  it("converts EUR and percent exactly", () => {
    expect(eurosToMicro("200")).toBe(200_000_000);
    expect(eurosToMicro("0,000001")).toBe(1);
    expect(eurosToMicro("1.5e2")).toBeNull();
    expect(percentToPpm("25")).toBe(250_000);
    expect(percentToPpm("0.0001")).toBe(1);
    expect(percentToPpm("100")).toBe(1_000_000);
  });

  it("builds the offer.create payload of an evening energy offer", () => {
    const { payload, errors } = validateOffer(evening, 900, now);
    expect(errors).toEqual({});
    expect(payload).toEqual({
      offer_id: "evening-peak-1",
      zone_id: "bilecik-feeder-1",
      asset_ids: ["zes-bozuyuk-dc"],
      direction: "up",
      product: "energy",
      start: 1_795_449_600,
      end: 1_795_453_200,
      expires_at: 1_795_446_000,
      power_w: 10_000,
      activation_price_micro_per_mwh: 200_000_000,
      min_activation_ppm: 250_000,
      baseline: { method: "meter_before_after", version: 1 },
    });
  });

  it("asks each product for exactly the prices and baseline it carries", () => {
    const reservation = validateOffer({ ...evening, product: "reservation", availabilityEurPerMwH: "12.34" }, 900, now).payload;
    expect(reservation?.availability_price_micro_per_mw_h).toBe(12_340_000);
    expect(reservation?.activation_price_micro_per_mwh).toBe(200_000_000);
    const limitation = validateOffer({ ...evening, product: "capacity_limitation", availabilityEurPerMwH: "5", baselineMethod: "none" }, 900, now);
    expect(limitation.errors).toEqual({});
    expect(limitation.payload?.activation_price_micro_per_mwh).toBeUndefined();
    expect(validateOffer({ ...evening, product: "capacity_limitation", availabilityEurPerMwH: "5" }, 900, now).errors.baselineMethod).toBe(
      "capacity limitation takes no baseline",
    );
  });

  it("refuses periods off the ISP grid, backwards, in the past or too long, and expiry after listing", () => {
    expect(validateOffer({ ...evening, timeFrom: "17:05" }, 900, now).errors.timeFrom).toBe("on the 15-minute grid");
    expect(validateOffer({ ...evening, timeTo: "16:00" }, 900, now).errors.timeTo).toBe("after the start");
    expect(validateOffer({ ...evening, dateFrom: "2026-11-01", dateTo: "2026-11-01" }, 900, now).errors.timeFrom).toBe("in the future");
    expect(validateOffer({ ...evening, dateTo: "2026-12-25" }, 900, now).errors.timeTo).toBe("at most 2976 intervals after the start");
    expect(validateOffer({ ...evening, expiresMinutesBefore: "10000" }, 900, now).errors.expiresMinutesBefore).toBe(
      "the offer would expire before it is listed",
    );
    expect(validateOffer({ ...evening, powerKw: "0" }, 900, now).errors.powerKw).toBeDefined();
    expect(validateOffer({ ...evening, minActivationPercent: "0" }, 900, now).errors.minActivationPercent).toBeDefined();
  });

  it("follows the market's ISP length (GET /params): 1-minute ISPs as the dev node's", () => {
    expect(gridName(900)).toBe("15-minute");
    expect(gridName(60)).toBe("1-minute");
    expect(gridName(90)).toBe("90-second");
    // 17:05 Amsterdam = 16:05Z = 1_795_449_600 + 300; expiry 60 minutes earlier.
    const { payload, errors } = validateOffer({ ...evening, timeFrom: "17:05" }, 60, now);
    expect(errors).toEqual({});
    expect(payload?.start).toBe(1_795_449_900);
    expect(payload?.end).toBe(1_795_453_200);
    expect(payload?.expires_at).toBe(1_795_446_300);
    // 2,976 one-minute ISPs from 23 Nov 17:00 end on 25 Nov 18:36 (49 h 36 min = 2,976 min).
    expect(validateOffer({ ...evening, dateTo: "2026-11-25", timeTo: "18:36" }, 60, now).errors).toEqual({});
    expect(validateOffer({ ...evening, dateTo: "2026-11-25", timeTo: "18:37" }, 60, now).errors.timeTo).toBe(
      "at most 2976 intervals after the start",
    );
    expect(validateOffer({ ...evening, timeFrom: "17:05" }, 900, now).errors.timeFrom).toBe("on the 15-minute grid");
  });
});
