#!/usr/bin/env node
// Seeds a dev node (flexnode --dev) with a small market, through its REST API only, as the
// hosted participants of each role: zones around the ten ZES EV chargers of
// ../shared/testdata/zes-ev-assets.csv, those chargers as assets, outlooks, deposits,
// offers, an open request, a matched contract, an activated reservation, and a contract
// that is delivered, metered and settled as soon as its ISPs have ended.
//
//   node scripts/demo-seed.mjs --url http://127.0.0.1:8080 --data ./data [--no-wait]
//
// Every step is idempotent (a write answered `*.exists` counts as done), so running it
// again, or after an interrupted run, completes the demo without duplicating anything.
// --no-wait skips the settlement step when the delivery period has not ended yet.
// Exits 1, naming the step, if the node refuses anything else.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const options = parseOptions(process.argv.slice(2));
const base = `${options.url.replace(/\/$/, "")}/api/v1`;
const logins = JSON.parse(readFileSync(join(options.data, "dev_logins.json"), "utf8"));
const chargers = readChargers(join(dirname(fileURLToPath(import.meta.url)), "demo-chargers.csv"));

const say = (message) => console.log(`demo: ${message}`);

function parseOptions(args) {
  const result = { url: "http://127.0.0.1:8080", data: "./data", wait: true };
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === "--url") result.url = args[++i];
    else if (args[i] === "--data") result.data = args[++i];
    else if (args[i] === "--no-wait") result.wait = false;
    else throw new Error(`unknown argument ${args[i]} (use --url URL --data DIR [--no-wait])`);
  }
  return result;
}

// The ten chargers, as the test data gives them (RFC 4180 CSV; quoted fields may hold commas).
function readChargers(path) {
  const rows = [];
  for (const line of readFileSync(path, "utf8").split(/\r?\n/).slice(1)) {
    if (!line.trim()) continue;
    const cells = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < line.length; i += 1) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') quoted = !quoted;
      else if (c === "," && !quoted) { cells.push(cell); cell = ""; }
      else cell += c;
    }
    cells.push(cell);
    const [, name, , latitude, longitude, address, city, postcode, country] = cells;
    rows.push({ name, latitude, longitude, address, city, postcode, country });
  }
  return rows;
}

// "39.916473" -> 39916473, exactly (no floating point): the ledger's micro-degrees.
function microDegrees(text) {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) throw new Error(`not a coordinate with at most 6 decimals: ${text}`);
  const micro = Number(match[2]) * 1_000_000 + Number((match[3] ?? "").padEnd(6, "0"));
  return match[1] ? -micro : micro;
}

class Problem extends Error {
  constructor(status, code, detail) {
    super(`${code}: ${detail} (HTTP ${status})`);
    this.code = code;
  }
}

async function logIn(user) {
  const response = await fetch(`${base}/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user, password: logins[user], mode: "bearer" }),
  });
  if (!response.ok) throw new Problem(response.status, "auth", await response.text());
  const session = await response.json();
  return { user, token: session.token, participant: session.participant };
}

async function call(who, method, path, body) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${who.token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    // The node rate-limits per client; the seed is a burst of writes, so it waits as told.
    if ((response.status === 429 || response.status === 503) && attempt < 20) {
      await sleep(1000 * Number(response.headers.get("retry-after") ?? 1));
      continue;
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Problem(response.status, json?.code ?? "http", json?.detail ?? text);
    // A late block answers 202 pending: wait for the receipt, so the next step builds on it.
    if (response.status === 202 && json?.tx_id) return awaitReceipt(who, json.tx_id);
    return json;
  }
}

async function awaitReceipt(who, txId) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    await sleep(500);
    const receipt = await call(who, "GET", `/txs/${txId}`).catch((error) => {
      if (error instanceof Problem && error.code === "tx.not_found") return null;  // still in the mempool
      throw error;
    });
    if (!receipt) continue;
    if (receipt.result.code !== "ok") throw new Problem(400, receipt.result.code, receipt.result.message);
    return receipt;
  }
  throw new Problem(202, "write.pending", `transaction ${txId} not committed after 60 s`);
}

// A record, or null when it does not exist (yet).
async function find(who, path) {
  try {
    return await call(who, "GET", path);
  } catch (error) {
    if (error instanceof Problem && error.code.endsWith("not_found")) return null;
    throw error;
  }
}

const contractsOf = async (who, requestId) =>
  (await call(who, "GET", `/contracts?request_id=${encodeURIComponent(requestId)}&limit=500`)).items;

// A write whose object may exist from an earlier run.
async function ensure(who, path, body, what) {
  try {
    await call(who, "POST", path, body);
    return true;
  } catch (error) {
    if (error instanceof Problem && error.code.endsWith(".exists")) return false;
    throw new Error(`${what}: ${error.message}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const slug = (text) =>
  text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/ı/g, "i").replace(/ş/g, "s")
    .toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

// Zones: one feeder around each group of chargers, a 0.05 degree margin around them.
const zoneOf = (charger) =>
  charger.city === "Eskişehir" && microDegrees(charger.longitude) > 31_000_000 ? "sivrihisar" : slug(charger.city);
const zoneNames = {
  bilecik: "Bozüyük feeder (Bilecik)",
  eskisehir: "Eskişehir city feeder",
  sivrihisar: "Sivrihisar feeder (Eskişehir)",
  afyon: "Afyon substation area",
  usak: "Uşak feeder",
};

function zonePayloads() {
  const zones = new Map();
  for (const charger of chargers) {
    const id = zoneOf(charger);
    const zone = zones.get(id) ?? { id, lats: [], lons: [], postcodes: [] };
    zone.lats.push(microDegrees(charger.latitude));
    zone.lons.push(microDegrees(charger.longitude));
    zone.postcodes.push(charger.postcode);
    zones.set(id, zone);
  }
  return [...zones.values()].map((zone) => {
    const margin = 50_000;
    const [west, east] = [Math.min(...zone.lons) - margin, Math.max(...zone.lons) + margin];
    const [south, north] = [Math.min(...zone.lats) - margin, Math.max(...zone.lats) + margin];
    return {
      zone_id: `tr-${zone.id}`,
      name: zoneNames[zone.id] ?? zone.id,
      kind: zone.id === "afyon" ? "substation_area" : "feeder",
      polygon: { type: "Polygon", coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] },
      import_limit_w: zone.id === "afyon" ? 400_000 : 250_000,
      export_limit_w: 150_000,
      postcodes: [...new Set(zone.postcodes)],
    };
  });
}

// Assets: a DC fast charger can shed 100 kW of its charging (up) or add 50 kW (down); an
// AC one 22 kW and 11 kW. The aggregator runs seven chargers, the prosumer three.
function assetPayloads() {
  return chargers.map((charger, index) => {
    const dc = /\bDC\b/.test(charger.name);
    return {
      owner: index % 3 === 1 ? "prosumer" : "aggregator",
      payload: {
        asset_id: `zes-${slug(charger.name.replace(/^ZES - /, ""))}`.slice(0, 64),
        name: charger.name,
        technology: "ev_charger",
        max_up_w: dc ? 100_000 : 22_000,
        max_down_w: dc ? 50_000 : 11_000,
        storage_wh: 0,
        connection_w: dc ? 120_000 : 22_000,
        metering_point_id: `MP-${charger.postcode}-${String(index + 1).padStart(3, "0")}`,
        zone_id: `tr-${zoneOf(charger)}`,
        property: {
          address: charger.address,
          city: charger.city,
          postal_code: charger.postcode,
          country: charger.country,
          service_operator: "ZES",
          latitude_micro: microDegrees(charger.latitude),
          longitude_micro: microDegrees(charger.longitude),
          property_type: "commercial_warehouse",
          status: "connected",
        },
      },
    };
  });
}

async function main() {
  const who = {};
  for (const role of ["operator", "prosumer", "aggregator", "dso", "tso", "retailer", "metering"]) who[role] = await logIn(role);
  const params = await call(who.dso, "GET", "/params");
  const isp = params.isp_seconds;
  const status = await call(who.dso, "GET", "/status");
  const now = status.last_block_time;
  const hour = 3600;
  // Tomorrow's evening peak in Turkey (UTC+3): 17:00-21:00 local is 14:00-18:00 UTC.
  const tomorrow = Math.floor(now / 86_400) * 86_400 + 86_400;
  const peak = tomorrow + 14 * hour;

  say("money: the operator deposits to the buyers");
  const accounts = { dso: 50_000_000_000, tso: 20_000_000_000, retailer: 10_000_000_000 };
  for (const [role, amount] of Object.entries(accounts)) {
    const account = await call(who.operator, "GET", `/accounts/${who[role].participant}`);
    if (account.available_micro + account.held_micro > 0) continue;
    await call(who.operator, "POST", "/deposits", { to: who[role].participant, amount_micro: amount, fiat_reference: `demo-${role}-opening` });
  }

  const zones = zonePayloads();
  say(`zones: ${zones.length} around the ZES chargers`);
  for (const zone of zones) await ensure(who.dso, "/zones", zone, `zone ${zone.zone_id}`);

  say("outlooks: hourly need for the next two days, and monthly for five years");
  // The evening peak's need against the import limit: one zone of each colour on the map.
  const eveningNeedPercent = { "tr-afyon": 110, "tr-eskisehir": 40, "tr-bilecik": 20, "tr-usak": 5, "tr-sivrihisar": 0 };
  for (const zone of zones) {
    const points = [];
    const start = Math.floor(now / hour) * hour + hour;
    for (let h = 0; h < 48; h += 1) {
      const localHour = (Math.floor((start + h * hour) / hour) + 3) % 24;
      const evening = localHour >= 17 && localHour < 21;
      points.push([start + h * hour, evening ? Math.floor((zone.import_limit_w * eveningNeedPercent[zone.zone_id]) / 100) : 0]);
    }
    await call(who.dso, "POST", `/zones/${zone.zone_id}/outlook`, { direction: "up", resolution: "hour", points });
    const monthly = [];
    const first = new Date(now * 1000);
    for (let m = 1; m <= 59; m += 1) {
      const month = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + m, 1) / 1000;
      monthly.push([month, Math.floor((zone.import_limit_w * (20 + m)) / 100)]);
    }
    await call(who.dso, "POST", `/zones/${zone.zone_id}/outlook`, { direction: "up", resolution: "month", points: monthly });
  }

  const assets = assetPayloads();
  say(`assets: the ${assets.length} chargers, registered by their owners and prequalified by the DSO`);
  for (const { owner, payload } of assets) {
    await ensure(who[owner], "/assets", payload, `asset ${payload.asset_id}`);
    const asset = await call(who.dso, "GET", `/assets/${payload.asset_id}`);
    if (asset.prequalification?.status !== "qualified") {
      await call(who.dso, "POST", `/assets/${payload.asset_id}/prequalification`, { decision: "qualified" });
    }
  }

  say("offers: the chargers' flexibility for tomorrow's evening peak");
  const baseline = { method: "meter_before_after", version: 1 };
  const offers = [];
  for (const [index, { owner, payload }] of assets.entries()) {
    offers.push({
      owner,
      body: {
        offer_id: `peak-${payload.asset_id}`.slice(0, 64),
        zone_id: payload.zone_id,
        asset_ids: [payload.asset_id],
        direction: "up",
        product: index % 4 === 3 ? "reservation" : "energy",
        start: peak,
        end: peak + 4 * hour,
        expires_at: peak,
        power_w: payload.max_up_w,
        activation_price_micro_per_mwh: (180 + 15 * index) * 1_000_000,
        ...(index % 4 === 3 ? { availability_price_micro_per_mw_h: 12_000_000 } : {}),
        min_activation_ppm: 500_000,
        baseline,
      },
    });
  }
  for (const { owner, body } of offers) await ensure(who[owner], "/offers", body, `offer ${body.offer_id}`);

  say("requests: the DSO buys Afyon's peak by auto-match and keeps an Eskişehir request open");
  // Each follow-up step is decided from the ledger (the request still open, no contract yet),
  // so a run interrupted between two steps is completed by the next.
  await ensure(who.dso, "/requests", {
    request_id: "afyon-evening-peak", zone_id: "tr-afyon", direction: "up", product: "energy",
    start: peak + hour, end: peak + 3 * hour, expires_at: peak, power_w: 150_000,
    max_activation_price_micro_per_mwh: 300_000_000,
  }, "request afyon-evening-peak");
  if ((await find(who.dso, "/requests/afyon-evening-peak"))?.status === "open" && (await contractsOf(who.dso, "afyon-evening-peak")).length === 0) {
    await call(who.dso, "POST", "/requests/afyon-evening-peak/match", {});
  }
  await ensure(who.dso, "/requests", {
    request_id: "eskisehir-evening-peak", zone_id: "tr-eskisehir", direction: "up", product: "energy",
    start: peak, end: peak + 2 * hour, expires_at: peak, power_w: 40_000,
    max_activation_price_micro_per_mwh: 150_000_000,
  }, "request eskisehir-evening-peak");

  say("reservation: the TSO reserves a charger and activates two ISPs of it");
  const reserved = offers.find(({ body }) => body.product === "reservation").body;
  await ensure(who.tso, "/requests", {
    request_id: "tso-reserve", zone_id: reserved.zone_id, direction: "up", product: "reservation",
    start: reserved.start, end: reserved.start + hour, expires_at: reserved.start, power_w: reserved.power_w,
    max_activation_price_micro_per_mwh: 500_000_000, max_availability_price_micro_per_mw_h: 20_000_000,
  }, "request tso-reserve");
  if ((await find(who.tso, "/requests/tso-reserve"))?.status === "open") {
    await call(who.tso, "POST", "/requests/tso-reserve/purchase", { fills: [{ offer_id: reserved.offer_id, power_w: reserved.power_w }] });
  }
  const [reservation] = await contractsOf(who.tso, "tso-reserve");
  const gateOpen = reservation && Math.floor(Date.now() / 1000) < reservation.start - params.activation_gate_seconds - 60;
  if (reservation && !reservation.activated_w && gateOpen) {
    await call(who.tso, "POST", `/contracts/${reservation.contract_id}/activations`, {
      activations: [{ isp_start: reservation.start, power_w: Math.floor(reserved.power_w / 2) }, { isp_start: reservation.start + isp, power_w: reserved.power_w }],
    });
  }

  await settleNow(who, assets, isp);
}

// A prosumer's charger sells 10 kW up for the next two ISPs; the DSO buys it; once the ISPs
// have ended the metering company reads the meter and the contract settles. The orders'
// ids carry their start, so a rerun after they expired unbought starts afresh.
async function settleNow(who, assets, isp) {
  const asset = assets.find(({ owner }) => owner === "prosumer").payload;
  const mine = (await call(who.dso, "GET", "/contracts?limit=500")).items.filter((item) => item.request_id.startsWith("dso-now-"));
  let contract = mine.at(-1);
  if (!contract) {
    // Wall time, one ISP ahead: the three writes must all land before the start.
    const start = Math.ceil((Math.floor(Date.now() / 1000) + isp) / isp) * isp;
    const window = { zone_id: asset.zone_id, direction: "up", product: "energy", start, end: start + 2 * isp, expires_at: start, power_w: 10_000 };
    say(`delivery: a contract for ${new Date(start * 1000).toISOString()} .. ${new Date((start + 2 * isp) * 1000).toISOString()}`);
    await ensure(who.prosumer, "/offers", {
      ...window, offer_id: `now-offer-${start}`, asset_ids: [asset.asset_id], activation_price_micro_per_mwh: 250_000_000,
      min_activation_ppm: 1, baseline: { method: "meter_before_after", version: 1 },
    }, "offer now-offer");
    await ensure(who.dso, "/requests", { ...window, request_id: `dso-now-${start}`, max_activation_price_micro_per_mwh: 300_000_000 }, "request dso-now");
    await call(who.dso, "POST", `/requests/dso-now-${start}/purchase`, { fills: [{ offer_id: `now-offer-${start}`, power_w: 10_000 }] });
    [contract] = await contractsOf(who.dso, `dso-now-${start}`);
  }
  if (contract.status === "settled") return say("settlement: already settled");
  const wait = contract.end + 2 - Math.floor(Date.now() / 1000);
  if (wait > 0 && !options.wait) return say(`settlement: delivery ends at ${new Date(contract.end * 1000).toISOString()}; run again after it`);
  if (wait > 0) {
    say(`settlement: waiting ${wait} s for the delivery period to end`);
    await sleep(wait * 1000);
  }
  // The ISP before delivery imports 300 Wh per ISP (the baseline); during it the charger
  // pauses to 25 Wh: it delivered more than the 10 kW ordered, so no penalty.
  const scale = isp / 60;
  const readings = [{ isp_start: contract.start - isp, import_wh: 300 * scale }];
  for (let t = contract.start; t < contract.end; t += isp) readings.push({ isp_start: t, import_wh: 25 * scale });
  await call(who.metering, "POST", "/meter-readings", {
    readings: readings.map((reading) => ({ ...reading, export_wh: 0, metering_point_id: asset.metering_point_id, quality: "measured" })),
  });
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const settlement = await call(who.dso, "GET", `/settlements/${contract.contract_id}`).catch(() => null);
    if (settlement) return say(`settlement: ${contract.contract_id} settled, net ${settlement.net_micro} micro-EUR to the seller`);
    await sleep(1000);
  }
  throw new Error(`settlement: ${contract.contract_id} did not settle after its readings`);
}

main().then(
  () => say("done"),
  (error) => {
    console.error(`demo: failed: ${error.message}`);
    process.exit(1);
  },
);
