// A whole trade up to its settlement, set through the API: the DSO funded, a zone, a
// prosumer's prequalified EV charger, its offer of `up` energy over two 60-second ISPs from
// the next whole minute, the DSO's request and purchase, then the metering company's
// readings of the baseline ISP and both contract ISPs once they have ended.
import { expect, type APIRequestContext } from "@playwright/test";
import { asRole, evChargerPayload, write, zonePayload } from "./node-api";

export const ispSeconds = 60;
export const orderedW = 6_000;
export const activationPriceMicroPerMwh = 3_000_000_000;  // 3,000 EUR/MWh: amounts in whole cents
// Readings in Wh per 60-second ISP (A = Wh × 60 W): the ISP before the contract (the baseline of
// meter_before_after with isps_before 1), then the contract's two ISPs.
export const baselineImportWh = 200;
export const ispImportWh = [150, 80];

export interface Scene {
  zoneId: string;
  assetId: string;
  contractId: string;
  start: number;
  end: number;
  dso: APIRequestContext;
  prosumer: APIRequestContext;
  metering: APIRequestContext;
  operator: APIRequestContext;
  participants: { dso: string; prosumer: string };
}

async function participantOf(context: APIRequestContext): Promise<string> {
  const response = await context.get("/api/v1/auth/me");
  expect(response.ok()).toBeTruthy();
  return (await response.json()).participant;
}

export async function accountOf(context: APIRequestContext, participant: string): Promise<{ available_micro: number; held_micro: number }> {
  const response = await context.get(`/api/v1/accounts/${participant}`);
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.json();
}

// Everything up to the contract; `suffix` keeps ids apart between runs on one node.
export async function tradeScene(suffix: string): Promise<Scene> {
  // One login after the other: the node runs at most two at once (auth.busy).
  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  const metering = await asRole("metering");
  const operator = await asRole("operator");
  const participants = { dso: await participantOf(dso), prosumer: await participantOf(prosumer) };
  const zoneId = `z-settle-${suffix}`;
  const assetId = `ev-settle-${suffix}`;

  // The next whole minute, or the one after when fewer than 15 s are left to set the scene:
  // a purchase only fills ISPs that have not begun.
  const now = Math.floor(Date.now() / 1000);
  let start = Math.ceil((now + 1) / 60) * 60;
  if (start - now < 15) start += 60;
  const end = start + 2 * ispSeconds;

  await write(operator, "/deposits", { to: participants.dso, amount_micro: 10_000_000, fiat_reference: `e2e-${suffix}` });
  await write(dso, "/zones", zonePayload(zoneId));
  await write(prosumer, "/assets", evChargerPayload(assetId, zoneId));
  await write(dso, `/assets/${assetId}/prequalification`, { decision: "qualified" });
  await write(prosumer, "/offers", {
    offer_id: `o-settle-${suffix}`,
    zone_id: zoneId,
    asset_ids: [assetId],
    direction: "up",
    product: "energy",
    start,
    end,
    expires_at: start,
    power_w: orderedW,
    activation_price_micro_per_mwh: activationPriceMicroPerMwh,
    min_activation_ppm: 1,
    baseline: { method: "meter_before_after", version: 1, params: { isps_before: 1 } },
  });
  const requestId = `r-settle-${suffix}`;
  await write(dso, "/requests", {
    request_id: requestId,
    zone_id: zoneId,
    direction: "up",
    product: "energy",
    start,
    end,
    expires_at: start,
    power_w: orderedW,
    max_activation_price_micro_per_mwh: activationPriceMicroPerMwh,
  });
  await write(dso, `/requests/${requestId}/purchase`, { fills: [{ offer_id: `o-settle-${suffix}`, power_w: orderedW }] });
  const contracts = await (await dso.get(`/api/v1/contracts?request_id=${requestId}`)).json();
  expect(contracts.items).toHaveLength(1);
  const contract = contracts.items[0];
  expect([contract.start, contract.end, contract.power_w]).toEqual([start, end, [orderedW, orderedW]]);  // both ISPs were bought
  return { zoneId, assetId, contractId: contract.contract_id, start, end, dso, prosumer, metering, operator, participants };
}

// Waits for the contract's last ISP to end, then submits the three readings in one batch,
// which completes the contract's data and settles it in the same block.
export async function submitReadings(scene: Scene): Promise<void> {
  const waitMs = (scene.end + 1) * 1000 - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  const reading = (ispStart: number, importWh: number) => ({
    metering_point_id: `MP-${scene.assetId}`,
    isp_start: ispStart,
    import_wh: importWh,
    export_wh: 0,
    quality: "measured",
  });
  await write(scene.metering, "/meter-readings", {
    readings: [reading(scene.start - ispSeconds, baselineImportWh), ...ispImportWh.map((wh, i) => reading(scene.start + i * ispSeconds, wh))],
  });
}

export interface SettlementRecord {
  status: string;
  version: number;
  trigger: string;
  net_micro: number;
  fee_micro: number;
  settled_at: number;
  revised_at?: number;
  money: unknown;
}

export async function settlementOf(scene: Scene): Promise<SettlementRecord> {
  const response = await scene.prosumer.get(`/api/v1/settlements/${scene.contractId}`);
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.json();
}
