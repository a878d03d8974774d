// The new-offer form: dates and times in the browser's zone, kW, EUR and percent as people
// type them, checked against the ledger's order rules (docs/PROTOCOL.md §9: order members,
// products and prices, baseline) and turned into the exact integer offer.create payload.

import { kiloToUnit } from "./assetForm";
import { parseEuroAmount } from "./euros";

export const products = ["energy", "reservation", "capacity_limitation"] as const;
export const baselineMethods = ["meter_before_after", "rolling_average", "x_of_y", "nomination"] as const;

export interface OfferFormInput {
  offerId: string;
  zoneId: string;
  assetIds: string[];
  direction: string;
  product: string;
  dateFrom: string;  // YYYY-MM-DD, local
  timeFrom: string;  // HH:MM, local
  dateTo: string;
  timeTo: string;
  powerKw: string;
  activationEurPerMwh: string;
  availabilityEurPerMwH: string;
  minActivationPercent: string;
  expiresMinutesBefore: string;  // the offer expires this long before its start
  baselineMethod: string;
}

export interface OfferPayload {
  offer_id: string;
  zone_id: string;
  asset_ids: string[];
  direction: string;
  product: string;
  start: number;
  end: number;
  expires_at: number;
  power_w: number;
  activation_price_micro_per_mwh?: number;
  availability_price_micro_per_mw_h?: number;
  min_activation_ppm: number;
  baseline: { method: string; version: 1 };
}

export type OfferErrors = Partial<Record<keyof OfferFormInput, string>>;

const identifier = /^[a-z0-9._-]{1,64}$/;
const maxPriceMicro = 1_000_000_000_000_000;  // 10^15
const maxIsps = 2_976;

// "200.5" EUR -> 200,500,000 micro-units exactly (up to six decimals, at most 2^53 − 1 micro);
// null otherwise, for the forms that word their own message.
export function eurosToMicro(text: string): number | null {
  const parsed = parseEuroAmount(text, true);
  return "micro" in parsed ? parsed.micro : null;
}

// "12.5" percent -> 125,000 ppm exactly (up to four decimals).
export function percentToPpm(text: string): number | null {
  const match = /^([0-9]{1,3})(?:[.,]([0-9]{1,4}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 10_000 + Number((match[2] ?? "").padEnd(4, "0"));
}

// The ISP grid as people say it: "15-minute", or "90-second" when not whole minutes.
export function gridName(ispSeconds: number): string {
  return ispSeconds % 60 === 0 ? `${ispSeconds / 60}-minute` : `${ispSeconds}-second`;
}

// A local date and time (as <input type="date"> and <input type="time"> give them) as UTC
// seconds; null when either is malformed or the time does not exist (a DST gap).
export function localToUtcSeconds(date: string, time: string): number | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const clock = /^(\d{2}):(\d{2})$/.exec(time);
  if (!day || !clock) return null;
  const [year, month, dayOfMonth, hour, minute] = [day[1], day[2], day[3], clock[1], clock[2]].map(Number);
  const moment = new Date(year, month - 1, dayOfMonth, hour, minute);
  if (moment.getFullYear() !== year || moment.getMonth() !== month - 1 || moment.getDate() !== dayOfMonth ||
      moment.getHours() !== hour || moment.getMinutes() !== minute) {
    return null;
  }
  return moment.getTime() / 1000;
}

// What the offer rules read besides the period, which each source gives its own way.
export type OfferTerms = Omit<OfferFormInput, "dateFrom" | "timeFrom" | "dateTo" | "timeTo">;

// The form's check: its local dates and times read in the browser's zone.
export function validateOffer(input: OfferFormInput, ispSeconds: number, nowSeconds: number): { payload?: OfferPayload; errors: OfferErrors } {
  const start = localToUtcSeconds(input.dateFrom, input.timeFrom);
  const end = localToUtcSeconds(input.dateTo, input.timeTo);
  return validateOfferPeriod(input, start, end, ispSeconds, nowSeconds);
}

// The order rules for a period already read as UTC seconds (null: unreadable); errors about
// the start and end are keyed timeFrom and timeTo. The form and the offer sheet share it.
export function validateOfferPeriod(
  input: OfferTerms,
  start: number | null,
  end: number | null,
  ispSeconds: number,
  nowSeconds: number,
): { payload?: OfferPayload; errors: OfferErrors } {
  const errors: OfferErrors = {};
  if (!identifier.test(input.offerId)) errors.offerId = "1–64 characters: lowercase letters, digits, '.', '_' or '-'";
  if (!identifier.test(input.zoneId)) errors.zoneId = "choose a zone";
  if (input.assetIds.length < 1 || input.assetIds.length > 16) errors.assetIds = "choose 1 to 16 assets";
  if (input.direction !== "up" && input.direction !== "down") errors.direction = "up or down";
  if (!(products as readonly string[]).includes(input.product)) errors.product = "choose a product";

  if (start === null) errors.timeFrom = "a date and a time";
  else if (start % ispSeconds !== 0) errors.timeFrom = `on the ${gridName(ispSeconds)} grid`;
  else if (start < nowSeconds) errors.timeFrom = "in the future";
  if (end === null) errors.timeTo = "a date and a time";
  else if (end % ispSeconds !== 0) errors.timeTo = `on the ${gridName(ispSeconds)} grid`;
  else if (start !== null && end <= start) errors.timeTo = "after the start";
  else if (start !== null && (end - start) / ispSeconds > maxIsps) errors.timeTo = `at most ${maxIsps} intervals after the start`;

  const power = kiloToUnit(input.powerKw);
  if (power === null || power === 0 || power > 1_000_000_000_000) errors.powerKw = "a number of kW above 0, at most three decimals";

  const carriesActivation = input.product !== "capacity_limitation";
  const carriesAvailability = input.product !== "energy";
  const activation = carriesActivation ? eurosToMicro(input.activationEurPerMwh) : undefined;
  const availability = carriesAvailability ? eurosToMicro(input.availabilityEurPerMwH) : undefined;
  if (activation === null || (activation !== undefined && activation > maxPriceMicro)) errors.activationEurPerMwh = "a price in EUR/MWh";
  if (availability === null || (availability !== undefined && availability > maxPriceMicro)) {
    errors.availabilityEurPerMwH = "a price in EUR/MW/h";
  }

  const ppm = percentToPpm(input.minActivationPercent);
  if (ppm === null || ppm < 1 || ppm > 1_000_000) errors.minActivationPercent = "above 0 % and at most 100 %";

  const minutesBefore = /^[0-9]{1,6}$/.test(input.expiresMinutesBefore.trim()) ? Number(input.expiresMinutesBefore) : null;
  const expiresAt = start !== null && minutesBefore !== null ? start - minutesBefore * 60 : null;
  if (expiresAt === null) errors.expiresMinutesBefore = "a whole number of minutes";
  else if (expiresAt <= nowSeconds) errors.expiresMinutesBefore = "the offer would expire before it is listed";

  const wantsNone = input.product === "capacity_limitation";
  if (wantsNone ? input.baselineMethod !== "none" : !(baselineMethods as readonly string[]).includes(input.baselineMethod)) {
    errors.baselineMethod = wantsNone ? "capacity limitation takes no baseline" : "choose a baseline method";
  }

  if (Object.keys(errors).length > 0) return { errors };
  const payload: OfferPayload = {
    offer_id: input.offerId,
    zone_id: input.zoneId,
    asset_ids: input.assetIds,
    direction: input.direction,
    product: input.product,
    start: start!,
    end: end!,
    expires_at: expiresAt!,
    power_w: power!,
    min_activation_ppm: ppm!,
    baseline: { method: input.baselineMethod, version: 1 },
  };
  if (activation !== undefined && activation !== null) payload.activation_price_micro_per_mwh = activation;
  if (availability !== undefined && availability !== null) payload.availability_price_micro_per_mw_h = availability;
  return { payload, errors };
}
