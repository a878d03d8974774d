// The node's API as the journeys use it to set a scene: a bearer login per role, and
// writes the node signs. Never SQLite: everything goes through transactions.
import { expect, request as newRequest, type APIRequestContext, type Page } from "@playwright/test";

export const devLogins = (): Record<string, string> => JSON.parse(process.env.FLEX_E2E_LOGINS!);

// Logs `role` in through the dashboard's form.
export async function logInAs(page: Page, role: string, password = devLogins()[role]): Promise<void> {
  await page.goto(process.env.FLEX_E2E_URL!);
  await page.getByLabel("User").fill(role);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

export async function asRole(role: string): Promise<APIRequestContext> {
  const anonymous = await newRequest.newContext({ baseURL: process.env.FLEX_E2E_URL });
  const password = JSON.parse(process.env.FLEX_E2E_LOGINS!)[role];
  const login = await anonymous.post("/api/v1/auth/login", { data: { user: role, password, mode: "bearer" } });
  expect(login.ok(), await login.text()).toBeTruthy();
  const { token } = await login.json();
  await anonymous.dispose();
  return newRequest.newContext({ baseURL: process.env.FLEX_E2E_URL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

export async function write(context: APIRequestContext, path: string, data: unknown): Promise<Record<string, unknown>> {
  const response = await context.post(`/api/v1${path}`, { data });
  expect(response.ok(), `${path}: ${await response.text()}`).toBeTruthy();
  return response.json();
}

// A square feeder zone of the DSO's, with room for every test's assets.
export function zonePayload(zoneId: string) {
  const ring = [
    [4_000_000, 52_000_000],
    [4_100_000, 52_000_000],
    [4_100_000, 52_100_000],
    [4_000_000, 52_000_000],
  ];
  return {
    zone_id: zoneId,
    name: `Feeder ${zoneId}`,
    kind: "feeder",
    polygon: { type: "Polygon", coordinates: [ring] },
    import_limit_w: 1_000_000_000,
    export_limit_w: 1_000_000_000,
  };
}

export function evChargerPayload(assetId: string, zoneId: string) {
  return {
    asset_id: assetId,
    zone_id: zoneId,
    name: "Driveway EV charger",
    technology: "ev_charger",
    metering_point_id: `MP-${assetId}`,
    connection_w: 17_000,
    max_up_w: 11_000,
    max_down_w: 11_000,
    storage_wh: 0,
  };
}

// An hour of upward energy two hours ahead (ISP-aligned), 10 kW at `price` micro-units per MWh.
export function offerPayload(offerId: string, zoneId: string, assetId: string, price: number) {
  const start = (Math.floor(Date.now() / 1000 / 900) + 8) * 900;
  return {
    offer_id: offerId,
    zone_id: zoneId,
    asset_ids: [assetId],
    direction: "up",
    product: "energy",
    start,
    end: start + 3600,
    expires_at: start,
    power_w: 10_000,
    activation_price_micro_per_mwh: price,
    min_activation_ppm: 1,
    baseline: { method: "meter_before_after", version: 1 },
  };
}
