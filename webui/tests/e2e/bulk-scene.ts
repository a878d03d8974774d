// The scene of the bulk-upload journeys, set through the API, and the offer files a seller
// would upload, written where the test keeps its output.
import { writeFileSync } from "node:fs";
import writeXlsxFile from "write-excel-file/node";
import { asRole, evChargerPayload, offerPayload, write, zonePayload } from "./node-api";

// The documented layout (the Columns list of the upload section), written out here so the
// journey checks the page against it rather than against its own code.
export const offerFileHeader = [
  "offer_id",
  "zone_id",
  "asset_ids",
  "direction",
  "product",
  "start_local",
  "end_local",
  "power_kw",
  "activation_price_eur_per_mwh",
  "availability_price_eur_per_mw_h",
  "min_activation_percent",
  "expires_minutes_before",
  "baseline",
];

// A DSO's zone holding the prosumer's EV charger (11 kW up and down), prequalified.
export async function prequalifiedCharger(zoneId: string, assetId: string): Promise<void> {
  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  await write(dso, "/zones", zonePayload(zoneId));
  await write(prosumer, "/assets", evChargerPayload(assetId, zoneId));
  await write(dso, "/assets/" + assetId + "/prequalification", { decision: "qualified" });
  await Promise.all([dso.dispose(), prosumer.dispose()]);
}

// An offer the prosumer lists through the API, so a file reusing its id is refused.
export async function listedOffer(offerId: string, zoneId: string, assetId: string): Promise<void> {
  const prosumer = await asRole("prosumer");
  await write(prosumer, "/offers", offerPayload(offerId, zoneId, assetId, 100_000_000));
  await prosumer.dispose();
}

// Tomorrow's date in the journeys' browser zone (Europe/Amsterdam), as YYYY-MM-DD.
export function tomorrowInAmsterdam(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(Date.now() + 86_400_000),
  );
}

export async function writeOfferXlsx(path: string, rows: (string | number | null)[][]): Promise<void> {
  await writeXlsxFile([offerFileHeader, ...rows]).toFile(path);
}

// A CSV as Excel saves one: a byte order mark, CRLF, cells quoted when they must be.
export function writeOfferCsv(path: string, rows: string[][]): void {
  const cell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  writeFileSync(path, "\uFEFF" + [offerFileHeader, ...rows].map((cells) => cells.map(cell).join(",")).join("\r\n") + "\r\n");
}
