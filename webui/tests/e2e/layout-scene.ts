// A market with the longest identifiers the ledger allows (64 characters), so every list a
// layout journey opens has rows whose cells cannot wrap: the widest tables real data makes.
// The prosumer's offer is never bought, so the DSO still does not learn the prosumer's key
// (offers.spec.ts relies on that on the same node); the aggregator's reservation is bought.
import type { Page } from "@playwright/test";
import { asRole, evChargerPayload, write } from "./node-api";
import { fund, ispAhead, listOffer } from "./buy-scene";
import { squareZonePayload } from "./maps-scene";

const longId = (prefix: string) => `${prefix}-`.padEnd(64, "x");

export async function marketWithLongIdentifiers(): Promise<void> {
  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  const aggregator = await asRole("aggregator");
  const zoneId = longId("z-layout");
  // Playwright runs beforeAll again after a failed test: the market is set once per node.
  if ((await dso.get(`/api/v1/zones/${zoneId}`)).ok()) return;
  await write(dso, "/zones", squareZonePayload(zoneId, 7_000_000, 50_000_000));
  const start = ispAhead(30);
  for (const [seller, role] of [
    [prosumer, "prosumer"],
    [aggregator, "aggregator"],
  ] as const) {
    const assetId = longId(`ev-layout-${role}`);
    await write(seller, "/assets", { ...evChargerPayload(assetId, zoneId), metering_point_id: longId(`MP-layout-${role}`) });
    await write(dso, `/assets/${assetId}/prequalification`, { decision: "qualified" });
    await listOffer(seller, {
      offerId: longId(`o-layout-${role}`),
      zoneId,
      assetId,
      product: "reservation",
      start,
      isps: 5,
      powerW: 5_000,
      activationMicroPerMwh: 150_000_000,
      availabilityMicroPerMwH: 10_000_000,
    });
  }
  // A pending asset, so the prequalification queue has a row.
  await write(prosumer, "/assets", { ...evChargerPayload(longId("ev-layout-waiting"), zoneId), metering_point_id: longId("MP-layout-waiting") });
  await fund(dso, 10_000_000);
  const requestId = longId("r-layout");
  await write(dso, "/requests", {
    request_id: requestId,
    zone_id: zoneId,
    direction: "up",
    product: "reservation",
    start,
    end: start + 5 * 60,
    expires_at: start,
    power_w: 10_000,
    max_activation_price_micro_per_mwh: 150_000_000,
    max_availability_price_micro_per_mw_h: 10_000_000,
  });
  await write(dso, `/requests/${requestId}/purchase`, { fills: [{ offer_id: longId("o-layout-aggregator"), power_w: 5_000 }] });
}

// Resolves once the page has had no API request in flight for a while (the event stream
// aside, which stays open), so a check sees the page as loaded, not half-drawn.
export function trackApiQuiet(page: Page): () => Promise<void> {
  const inFlight = new Set<unknown>();
  const isApi = (url: string) => url.includes("/api/v1/") && !url.includes("/api/v1/events");
  page.on("request", (request) => isApi(request.url()) && inFlight.add(request));
  page.on("requestfinished", (request) => inFlight.delete(request));
  page.on("requestfailed", (request) => inFlight.delete(request));
  return async () => {
    let quietChecks = 0;
    while (quietChecks < 3) {
      await page.waitForTimeout(150);
      quietChecks = inFlight.size === 0 ? quietChecks + 1 : 0;
    }
  };
}
