// The buy page's offer filters: what people type (local date-times, EUR, kW) turned into the
// query GET /offers takes (api/openapi.json: zone_id, direction, product, technology, from,
// to, min_price_micro, max_price_micro, min_power_w), plus the one test the API lacks, a
// largest power, done in the browser.
import { kiloToUnit } from "./assetForm";
import { eurosToMicro, localToUtcSeconds } from "./offerForm";
import type { Offer } from "./market";

export interface BuyFilterInput {
  zoneId: string;
  direction: string;
  product: string;
  technology: string;
  from: string;  // datetime-local, YYYY-MM-DDTHH:MM in the browser's zone, or ""
  to: string;
  minPriceEur: string;  // the primary price: activation (per MWh) for energy, availability (per MW·h) otherwise
  maxPriceEur: string;
  minPowerKw: string;  // some ISP has at least this much unsold
  maxPowerKw: string;  // no ISP has more than this unsold
}

export type BuyFilterErrors = Partial<Record<keyof BuyFilterInput, string>>;

export interface BuyFilter {
  query: URLSearchParams;
  maxPowerW: number | null;
}

function localDateTime(text: string): number | null {
  const [date, time] = text.split("T");
  return time ? localToUtcSeconds(date, time.slice(0, 5)) : null;
}

export function readBuyFilter(input: BuyFilterInput): { filter?: BuyFilter; errors: BuyFilterErrors } {
  const errors: BuyFilterErrors = {};
  const query = new URLSearchParams({ status: "open", limit: "500" });
  for (const key of ["zoneId", "direction", "product", "technology"] as const) {
    const name = { zoneId: "zone_id", direction: "direction", product: "product", technology: "technology" }[key];
    if (input[key]) query.set(name, input[key]);
  }
  const times: Record<"from" | "to", number | null> = { from: null, to: null };
  for (const key of ["from", "to"] as const) {
    if (!input[key]) continue;
    times[key] = localDateTime(input[key]);
    if (times[key] === null) errors[key] = "a date and time that exists here";
    else query.set(key, String(times[key]));
  }
  if (times.from !== null && times.to !== null && times.to <= times.from) errors.to = "after the start";
  const prices: Record<"minPriceEur" | "maxPriceEur", number | null> = { minPriceEur: null, maxPriceEur: null };
  for (const key of ["minPriceEur", "maxPriceEur"] as const) {
    if (!input[key].trim()) continue;
    prices[key] = eurosToMicro(input[key]);
    if (prices[key] === null) errors[key] = "EUR, up to 6 decimals";
    else query.set(key === "minPriceEur" ? "min_price_micro" : "max_price_micro", String(prices[key]));
  }
  if (prices.minPriceEur !== null && prices.maxPriceEur !== null && prices.maxPriceEur < prices.minPriceEur)
    errors.maxPriceEur = "at least the lowest price";
  const powers: Record<"minPowerKw" | "maxPowerKw", number | null> = { minPowerKw: null, maxPowerKw: null };
  for (const key of ["minPowerKw", "maxPowerKw"] as const) {
    if (!input[key].trim()) continue;
    powers[key] = kiloToUnit(input[key]);
    if (powers[key] === null) errors[key] = "kW, up to 3 decimals";
  }
  if (powers.minPowerKw !== null) query.set("min_power_w", String(powers.minPowerKw));
  if (powers.minPowerKw !== null && powers.maxPowerKw !== null && powers.maxPowerKw < powers.minPowerKw)
    errors.maxPowerKw = "at least the lowest power";
  if (Object.keys(errors).length > 0) return { errors };
  return { filter: { query, maxPowerW: powers.maxPowerKw }, errors };
}

// The browser's half of the filter: no ISP offers more unsold power than the largest asked.
export function withinMaxPower(offer: Offer, maxPowerW: number | null): boolean {
  return maxPowerW === null || offer.remaining_w.every((remaining) => remaining <= maxPowerW);
}
