// The buyer's arithmetic, as the contracts do it (docs/PROTOCOL.md §9, "Money lines",
// "Budget", "Overlap", "Fill plan", "Recording a contract"): exact integers, BigInt where a
// product of power, seconds and price passes 2^53.
import { formatKilowatts } from "./format";

// The largest value of a per-ISP profile (power, remaining power), 0 for an empty one.
export const peak = (values: readonly number[]) => values.reduce((highest, value) => Math.max(highest, value), 0);

export interface Prices {
  activation_price_micro_per_mwh?: number;
  availability_price_micro_per_mw_h?: number;
}

export interface Offer {
  offer_id: string;
  zone_id: string;
  direction: string;
  product: string;
  start: number;
  end: number;
  isp_seconds: number;
  power_w: number[];  // per ISP
  remaining_w: number[];  // per ISP, what is not sold yet
  min_activation_ppm: number;
  prices: Prices;
  status: string;
  seller: string;
  asset_ids?: string[];  // absent where the API redacts the seller
}

const microWattHours = 3_600_000_000n;  // 10^6 W per MW × 3,600 s per hour

// line(P, s, π) = round_half_even(P × s × π / 3,600,000,000), exactly.
export function lineMicro(powerW: number, seconds: number, priceMicro: number): bigint {
  const numerator = BigInt(powerW) * BigInt(seconds) * BigInt(priceMicro);
  const quotient = numerator / microWattHours;
  const twiceRemainder = (numerator % microWattHours) * 2n;
  if (twiceRemainder > microWattHours || (twiceRemainder === microWattHours && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

// The maximum cost of a profile: per ISP an availability line and an activation line, each
// rounded on its own (a price the product does not carry counts as 0).
export function profileCostMicro(profile: readonly number[], ispSeconds: number, prices: Prices): bigint {
  const availability = prices.availability_price_micro_per_mw_h ?? 0;
  const activation = prices.activation_price_micro_per_mwh ?? 0;
  return profile.reduce((sum, power) => sum + lineMicro(power, ispSeconds, availability) + lineMicro(power, ispSeconds, activation), 0n);
}

// The first ISP a request made now may start at: on the grid and at least `marginSeconds`
// ahead, so the request's block (block time ≤ start) and the purchase's (an ISP that has
// begun cannot be bought) still find it in the future.
export function earliestStart(nowSeconds: number, ispSeconds: number, marginSeconds = 30): number {
  return Math.ceil((nowSeconds + marginSeconds) / ispSeconds) * ispSeconds;
}

// The ISPs of an offer still for sale from `from` on: index and start of each with power left.
function sellableIsps(offer: Offer, from: number): { index: number; start: number }[] {
  const isps: { index: number; start: number }[] = [];
  offer.remaining_w.forEach((remaining, index) => {
    const start = offer.start + index * offer.isp_seconds;
    if (start >= from && remaining > 0) isps.push({ index, start });
  });
  return isps;
}

// The power one fill may take in every ISP it covers: at most the least that remains, at
// least the largest minimum-activation floor ⌈power_w × min_activation_ppm / 10^6⌉.
export function fillPowerRange(offer: Offer, from: number): { minW: number; maxW: number } | null {
  const isps = sellableIsps(offer, from);
  if (isps.length === 0) return null;
  const maxW = Math.min(...isps.map(({ index }) => offer.remaining_w[index]));
  const minW = Math.max(...isps.map(({ index }) => Number((BigInt(offer.power_w[index]) * BigInt(offer.min_activation_ppm) + 999_999n) / 1_000_000n)));
  return { minW, maxW };
}

export interface Choice {
  offer: Offer;
  powerW: number;
}

export interface RequestShape {
  zone_id: string;
  direction: string;
  product: string;
  start: number;
  end: number;
  expires_at: number;
  power_w: number[];
  max_activation_price_micro_per_mwh?: number;
  max_availability_price_micro_per_mw_h?: number;
}

export interface PurchasePlan {
  request: RequestShape;  // request.create without its id
  fills: { offer_id: string; power_w: number }[];
  costs: { offer_id: string; costMicro: bigint }[];  // each contract's escrow_micro, pay-as-bid
  totalMicro: bigint;
  budgetMicro: bigint;  // held when the request is made: its power at its maximum prices
}

// The maximum prices a request needs to buy every chosen offer: the highest of each price
// the product carries.
function maxPrices(offers: readonly Offer[]): Pick<RequestShape, "max_activation_price_micro_per_mwh" | "max_availability_price_micro_per_mw_h"> {
  const highest = (key: keyof Prices) => {
    const values = offers.map((offer) => offer.prices[key]).filter((value): value is number => value !== undefined);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const activation = highest("activation_price_micro_per_mwh");
  const availability = highest("availability_price_micro_per_mw_h");
  return {
    ...(activation !== undefined && { max_activation_price_micro_per_mwh: activation }),
    ...(availability !== undefined && { max_availability_price_micro_per_mw_h: availability }),
  };
}

function requestPrices(request: RequestShape): Prices {
  return {
    activation_price_micro_per_mwh: request.max_activation_price_micro_per_mwh,
    availability_price_micro_per_mw_h: request.max_availability_price_micro_per_mw_h,
  };
}

// One request that buys exactly the chosen power of each chosen offer from `from` on: its
// power per ISP is the sum of the fills there, so every fill fits and the request is filled.
export function planPurchase(choices: readonly Choice[], ispSeconds: number, from: number): PurchasePlan | { error: string } {
  if (choices.length === 0) return { error: "Select at least one offer." };
  if (choices.length > 32) return { error: "One purchase buys at most 32 offers." };
  const [first] = choices;
  for (const { offer } of choices) {
    if (offer.zone_id !== first.offer.zone_id || offer.direction !== first.offer.direction || offer.product !== first.offer.product)
      return { error: "One purchase buys offers of one zone, direction and product: narrow the filters." };
    if (offer.isp_seconds !== ispSeconds) return { error: `Offer ${offer.offer_id} is not on the market's ${ispSeconds}-second grid.` };
  }
  const perIsp = new Map<number, number>();
  const costs: { offer_id: string; costMicro: bigint }[] = [];
  for (const { offer, powerW } of choices) {
    const range = fillPowerRange(offer, from);
    if (!range) return { error: `Offer ${offer.offer_id} has nothing left in the ISPs that can still be bought.` };
    if (!Number.isSafeInteger(powerW) || powerW < Math.max(1, range.minW) || powerW > range.maxW)
      return { error: `Offer ${offer.offer_id}: choose from ${formatKilowatts(Math.max(1, range.minW))} to ${formatKilowatts(range.maxW)}.` };
    const isps = sellableIsps(offer, from);
    for (const { start } of isps) perIsp.set(start, (perIsp.get(start) ?? 0) + powerW);
    costs.push({ offer_id: offer.offer_id, costMicro: profileCostMicro(isps.map(() => powerW), ispSeconds, offer.prices) });
  }
  const starts = [...perIsp.keys()];
  const start = Math.min(...starts);
  const end = Math.max(...starts) + ispSeconds;
  const power_w: number[] = [];
  for (let isp = start; isp < end; isp += ispSeconds) power_w.push(perIsp.get(isp) ?? 0);
  const request: RequestShape = {
    zone_id: first.offer.zone_id,
    direction: first.offer.direction,
    product: first.offer.product,
    start,
    end,
    expires_at: start,  // what is not bought before the window starts goes back to the buyer
    power_w,
    ...maxPrices(choices.map(({ offer }) => offer)),
  };
  return {
    request,
    fills: choices.map(({ offer, powerW }) => ({ offer_id: offer.offer_id, power_w: powerW })),
    costs,
    totalMicro: costs.reduce((sum, { costMicro }) => sum + costMicro, 0n),
    budgetMicro: profileCostMicro(power_w, ispSeconds, requestPrices(request)),
  };
}

// The budget a request holds: its power at its maximum prices.
export function requestBudgetMicro(request: RequestShape, ispSeconds: number): bigint {
  return profileCostMicro(request.power_w, ispSeconds, requestPrices(request));
}

// A request id: readable, unique per click, within [a-z0-9._-]{1,64}.
export function newRequestId(nowMs: number, random: number): string {
  return `r-${nowMs.toString(36)}-${Math.floor(random * 36 ** 4).toString(36).padStart(4, "0")}`;
}

export interface MatchInput {
  zone_id: string;
  direction: string;
  product: string;
  from: number;  // UTC seconds, the window asked for
  to: number;
  powerW: number;
  maxActivationMicro: number | null;  // per MWh
  maxAvailabilityMicro: number | null;  // per MW·h
}

// The request automatic matching fills: the asked window cut to the grid and to what can
// still be bought, one power for every ISP, the maximum prices its product carries.
export function planMatchRequest(input: MatchInput, ispSeconds: number, earliest: number): RequestShape | { error: string } {
  if (!input.zone_id || !input.direction || !input.product) return { error: "Choose a zone, a direction and a product in the filters." };
  const start = Math.max(Math.ceil(input.from / ispSeconds) * ispSeconds, earliest);
  const end = Math.floor(input.to / ispSeconds) * ispSeconds;
  if (end <= start) return { error: "The time window holds no ISP that can still be bought." };
  if (input.powerW <= 0) return { error: "Power above 0 kW." };
  const activation = input.product === "capacity_limitation" ? undefined : input.maxActivationMicro;
  const availability = input.product === "energy" ? undefined : input.maxAvailabilityMicro;
  if (activation === null) return { error: "A maximum activation price, in EUR/MWh." };
  if (availability === null) return { error: "A maximum availability price, in EUR/MW/h." };
  return {
    zone_id: input.zone_id,
    direction: input.direction,
    product: input.product,
    start,
    end,
    expires_at: start,
    power_w: Array.from({ length: (end - start) / ispSeconds }, () => input.powerW),
    ...(activation !== undefined && { max_activation_price_micro_per_mwh: activation }),
    ...(availability !== undefined && { max_availability_price_micro_per_mw_h: availability }),
  };
}
