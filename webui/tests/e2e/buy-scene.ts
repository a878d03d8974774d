// Scenes for the buyer's journeys, set through the node's API: a zone with a seller's asset
// waiting for prequalification, a funded buyer, offers on the node's 60-second ISP grid.
// The seller is the aggregator, selling its own assets: once the DSO buys from a seller the
// API shows it that seller's key, and offers.spec.ts expects the prosumer still hidden from
// the DSO on the same node.
import type { APIRequestContext } from "@playwright/test";
import { asRole, evChargerPayload, write, zonePayload } from "./node-api";

export const ispSeconds = 60;  // global-setup.ts starts the node with --dev-isp-seconds 60

export async function participantOf(context: APIRequestContext): Promise<string> {
  const me = await (await context.get("/api/v1/auth/me")).json();
  return me.participant as string;
}

export const sellerRole = "aggregator";

// The DSO's zone and the seller's EV charger in it, still pending prequalification.
export async function zoneWithPendingAsset(zoneId: string, assetId: string) {
  const dso = await asRole("dso");
  const seller = await asRole(sellerRole);
  await write(dso, "/zones", zonePayload(zoneId));
  await write(seller, "/assets", evChargerPayload(assetId, zoneId));
  return { dso, seller };
}

// The operator mints tokens to a buyer, so its requests can hold their budgets.
export async function fund(buyer: APIRequestContext, amountMicro: number): Promise<void> {
  const operator = await asRole("operator");
  await write(operator, "/deposits", { to: await participantOf(buyer), amount_micro: amountMicro, fiat_reference: `e2e-${Date.now()}` });
}

// The start of the ISP `minutesAhead` minutes from now, on the grid.
export function ispAhead(minutesAhead: number): number {
  return (Math.ceil(Date.now() / 1000 / ispSeconds) + minutesAhead) * ispSeconds;
}

export interface OfferTerms {
  offerId: string;
  zoneId: string;
  assetId: string;
  product: "energy" | "reservation";
  start: number;
  isps: number;
  powerW: number;
  activationMicroPerMwh: number;
  availabilityMicroPerMwH?: number;
}

export async function listOffer(seller: APIRequestContext, terms: OfferTerms) {
  return write(seller, "/offers", {
    offer_id: terms.offerId,
    zone_id: terms.zoneId,
    asset_ids: [terms.assetId],
    direction: "up",
    product: terms.product,
    start: terms.start,
    end: terms.start + terms.isps * ispSeconds,
    expires_at: terms.start,
    power_w: terms.powerW,
    activation_price_micro_per_mwh: terms.activationMicroPerMwh,
    ...(terms.availabilityMicroPerMwH !== undefined && { availability_price_micro_per_mw_h: terms.availabilityMicroPerMwH }),
    min_activation_ppm: 1,
    baseline: { method: "meter_before_after", version: 1 },
  });
}

// A UTC time as the dashboard's datetime-local inputs take it in the journeys' time zone.
export function localInput(utcSeconds: number, timeZone = "Europe/Amsterdam"): string {
  const text = new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(utcSeconds * 1000));
  return text.replace(" ", "T");
}
