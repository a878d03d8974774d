// Offers from a spreadsheet: the CSV (RFC 4180) or XLSX file a seller uploads, one offer a
// row, each row checked with the new-offer form's rules (validateOfferPeriod in offerForm.ts)
// and turned into the same offer.create payload, before anything is sent.
import { readSheet } from "read-excel-file/browser";
import { localToUtcSeconds, validateOfferPeriod, type OfferErrors, type OfferPayload, type OfferTerms } from "./offerForm";

export interface SheetColumn {
  name: string;
  meaning: string;
}

// The documented layout, in the template's order. A file names its columns in its first row.
export const offerColumns: readonly SheetColumn[] = [
  { name: "offer_id", meaning: "your id for the offer: 1–64 lowercase letters, digits, '.', '_' or '-'" },
  { name: "zone_id", meaning: "the zone the offer is in" },
  { name: "asset_ids", meaning: "1–16 of your prequalified assets in that zone, separated by spaces or ';'" },
  { name: "direction", meaning: "up or down" },
  { name: "product", meaning: "energy, reservation or capacity_limitation" },
  { name: "start_local", meaning: "YYYY-MM-DD HH:MM in your time zone, on the market's ISP grid (or a start_utc column, in UTC)" },
  { name: "end_local", meaning: "YYYY-MM-DD HH:MM in your time zone, after the start (or an end_utc column, in UTC)" },
  { name: "power_kw", meaning: "kW, above 0, at most three decimals" },
  { name: "activation_price_eur_per_mwh", meaning: "EUR/MWh, at most six decimals; empty for capacity_limitation" },
  { name: "availability_price_eur_per_mw_h", meaning: "EUR per MW per hour, at most six decimals; empty for energy" },
  { name: "min_activation_percent", meaning: "the smallest share a buyer may take, above 0 and at most 100" },
  { name: "expires_minutes_before", meaning: "whole minutes before the start at which the offer expires" },
  { name: "baseline", meaning: "meter_before_after, rolling_average, x_of_y or nomination; none for capacity_limitation" },
];

const utcColumns = ["start_utc", "end_utc"];
const optionalColumns = ["activation_price_eur_per_mwh", "availability_price_eur_per_mw_h"];

export type CsvResult = { records: string[][] } | { problem: string };

// RFC 4180: cells separated by commas, records by CRLF (LF or CR alone accepted too), a cell
// quoted when it holds those or quotes ("" inside quotes is one quote); a leading BOM is
// dropped. Every line is a record, blank ones included, so record n is the file's row n.
export function parseCsv(text: string): CsvResult {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: string[][] = [];
  if (source.length === 0) return { records };
  let cells: string[] = [];
  let at = 0;
  for (;;) {
    const row = records.length + 1;
    let cell = "";
    if (source[at] === '"') {
      at++;
      for (;;) {
        if (at >= source.length) return { problem: `row ${row}: a quoted cell is not closed` };
        if (source[at] === '"') {
          if (source[at + 1] !== '"') break;
          cell += '"';
          at += 2;
        } else {
          cell += source[at++];
        }
      }
      at++;  // the closing quote
      if (at < source.length && !",\r\n".includes(source[at])) return { problem: `row ${row}: text after a closing quote` };
    } else {
      const from = at;
      while (at < source.length && !",\r\n".includes(source[at])) {
        if (source[at] === '"') return { problem: `row ${row}: a quote inside a cell that does not start with one` };
        at++;
      }
      cell = source.slice(from, at);
    }
    cells.push(cell);
    if (at >= source.length) {
      records.push(cells);
      return { records };
    }
    if (source[at] === ",") {
      at++;
      continue;
    }
    at += source[at] === "\r" && source[at + 1] === "\n" ? 2 : 1;
    records.push(cells);
    cells = [];
    if (at >= source.length) return { records };  // a final line break ends the last record
  }
}

// One CSV cell, quoted only when it must be.
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// The template people fill in: the header and two example rows on `exampleDate` (local).
export function offerTemplateCsv(exampleDate: string): string {
  const examples = [
    ["evening-up-1", "my-zone", "my-battery my-ev-charger", "up", "energy", `${exampleDate} 17:00`, `${exampleDate} 18:00`,
      "10", "180.50", "", "100", "60", "meter_before_after"],
    ["evening-reserve-1", "my-zone", "my-battery", "down", "reservation", `${exampleDate} 18:00`, `${exampleDate} 20:00`,
      "5.5", "150", "12.34", "25", "120", "rolling_average"],
  ];
  return [offerColumns.map((column) => column.name), ...examples].map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

const twoDigits = (value: number) => String(value).padStart(2, "0");

// An XLSX cell as the text a CSV would hold. A date cell has no zone in Excel: its wall
// clock (which read-excel-file gives as UTC) is the text, to the nearest minute.
export function xlsxCellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    const minute = new Date(Math.round(value.getTime() / 60_000) * 60_000);
    return `${minute.getUTCFullYear()}-${twoDigits(minute.getUTCMonth() + 1)}-${twoDigits(minute.getUTCDate())} ` +
      `${twoDigits(minute.getUTCHours())}:${twoDigits(minute.getUTCMinutes())}`;
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return String(value);
}

// The first sheet of an XLSX file as text cells; numbers as written in the file (no float).
export async function readXlsx(file: Blob | ArrayBuffer): Promise<string[][]> {
  const rows = await readSheet(file, { parseNumber: (text: string) => text, trim: false });
  return rows.map((row) => row.map(xlsxCellText));
}

export interface CellProblem {
  column: string;
  message: string;
}

export interface SheetOffer {
  row: number;  // the file's row: the header is row 1
  offerId: string;
  payload?: OfferPayload;  // present exactly when problems is empty
  problems: CellProblem[];
}

export type SheetResult = { offers: SheetOffer[] } | { problem: string };

// A "YYYY-MM-DD HH:MM" (or with a T) as UTC seconds: in the browser's zone, or in UTC.
function readTime(text: string, inUtc: boolean): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(Z?)$/.exec(text);
  if (!match || (match[3] && !inUtc)) return null;
  if (!inUtc) return localToUtcSeconds(match[1], match[2]);
  const [year, month, day] = match[1].split("-").map(Number);
  const [hour, minute] = match[2].split(":").map(Number);
  const milliseconds = Date.UTC(year, month - 1, day, hour, minute);
  const moment = new Date(milliseconds);
  if (moment.getUTCMonth() !== month - 1 || moment.getUTCDate() !== day || moment.getUTCHours() !== hour || moment.getUTCMinutes() !== minute) {
    return null;
  }
  return milliseconds / 1000;
}

// The form's messages that speak of its controls, said for a cell.
const cellWording: Record<string, string> = {
  "choose a zone": "a zone id: lowercase letters, digits, '.', '_' or '-'",
  "choose 1 to 16 assets": "1 to 16 asset ids, separated by spaces or ';'",
  "choose a product": "energy, reservation or capacity_limitation",
  "choose a baseline method": "meter_before_after, rolling_average, x_of_y or nomination",
};

// Every row of a sheet (records as parseCsv or readXlsx give them) checked with the form's
// rules, plus what only a sheet can get wrong: cell counts, repeated ids and assets, a price
// the product does not carry. A problem with the file as a whole comes back alone.
export function checkOfferSheet(records: string[][], ispSeconds: number, nowSeconds: number): SheetResult {
  const blank = (cells: string[]) => cells.every((cell) => cell.trim() === "");
  if (records.length === 0 || blank(records[0])) return { problem: "the first row must name the columns (download the template)" };
  const header = records[0].map((name) => name.trim().toLowerCase());
  const known = [...offerColumns.map((column) => column.name), ...utcColumns];
  const unknown = header.filter((name) => !known.includes(name));
  if (unknown.length > 0) return { problem: `unknown column ${unknown.map((name) => `"${name}"`).join(", ")}` };
  const repeated = header.filter((name, index) => header.indexOf(name) !== index);
  if (repeated.length > 0) return { problem: `column "${repeated[0]}" appears twice` };
  const inUtc = header.includes("start_utc") || header.includes("end_utc");
  const [startColumn, endColumn] = inUtc ? utcColumns : ["start_local", "end_local"];
  if (inUtc && (header.includes("start_local") || header.includes("end_local"))) {
    return { problem: "give start_local and end_local, or start_utc and end_utc, not both" };
  }
  const required = offerColumns.map((column) => column.name).filter((name) => !optionalColumns.includes(name) && !name.endsWith("_local"));
  const missing = [...required, startColumn, endColumn].filter((name) => !header.includes(name));
  if (missing.length > 0) return { problem: `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` };

  const offers: SheetOffer[] = [];
  const firstRowOfId = new Map<string, number>();
  records.forEach((cells, index) => {
    if (index === 0 || blank(cells)) return;
    const row = index + 1;
    if (cells.length !== header.length) {
      offers.push({ row, offerId: "", problems: [{ column: "(row)", message: `${cells.length} cells, the header has ${header.length}` }] });
      return;
    }
    const cell = (name: string) => (header.includes(name) ? cells[header.indexOf(name)].trim() : "");
    const product = cell("product").toLowerCase();
    const assetIds = cell("asset_ids").split(/[\s;]+/).filter((id) => id !== "");
    const terms: OfferTerms = {
      offerId: cell("offer_id"),
      zoneId: cell("zone_id"),
      assetIds,
      direction: cell("direction").toLowerCase(),
      product,
      powerKw: cell("power_kw"),
      activationEurPerMwh: cell("activation_price_eur_per_mwh"),
      availabilityEurPerMwH: cell("availability_price_eur_per_mw_h"),
      minActivationPercent: cell("min_activation_percent"),
      expiresMinutesBefore: cell("expires_minutes_before"),
      baselineMethod: cell("baseline").toLowerCase(),
    };
    const start = readTime(cell(startColumn), inUtc);
    const end = readTime(cell(endColumn), inUtc);
    const { payload, errors } = validateOfferPeriod(terms, start, end, ispSeconds, nowSeconds);

    const timeFormat = inUtc ? "YYYY-MM-DD HH:MM in UTC" : "YYYY-MM-DD HH:MM, a time that exists in your time zone";
    const columnOf: Record<keyof OfferErrors, string> = {
      offerId: "offer_id", zoneId: "zone_id", assetIds: "asset_ids", direction: "direction", product: "product",
      dateFrom: startColumn, timeFrom: startColumn, dateTo: endColumn, timeTo: endColumn, powerKw: "power_kw",
      activationEurPerMwh: "activation_price_eur_per_mwh", availabilityEurPerMwH: "availability_price_eur_per_mw_h",
      minActivationPercent: "min_activation_percent", expiresMinutesBefore: "expires_minutes_before", baselineMethod: "baseline",
    };
    const problems: CellProblem[] = [];
    for (const [key, message] of Object.entries(errors) as [keyof OfferErrors, string][]) {
      const unreadable = (key === "timeFrom" && start === null) || (key === "timeTo" && end === null);
      problems.push({ column: columnOf[key], message: unreadable ? timeFormat : (cellWording[message] ?? message) });
    }
    const twice = assetIds.find((id, position) => assetIds.indexOf(id) !== position);
    if (twice) problems.push({ column: "asset_ids", message: `${twice} is listed twice` });
    if (product === "energy" && terms.availabilityEurPerMwH !== "") {
      problems.push({ column: "availability_price_eur_per_mw_h", message: "leave empty: energy carries no availability price" });
    }
    if (product === "capacity_limitation" && terms.activationEurPerMwh !== "") {
      problems.push({ column: "activation_price_eur_per_mwh", message: "leave empty: capacity_limitation carries no activation price" });
    }
    const earlier = firstRowOfId.get(terms.offerId);
    if (earlier !== undefined) problems.push({ column: "offer_id", message: `already used in row ${earlier}` });
    else if (terms.offerId !== "") firstRowOfId.set(terms.offerId, row);

    const order = [...offerColumns.map((column) => column.name), ...utcColumns];
    problems.sort((a, b) => order.indexOf(a.column) - order.indexOf(b.column));
    offers.push({ row, offerId: terms.offerId, payload: problems.length === 0 ? payload : undefined, problems });
  });
  if (offers.length === 0) return { problem: "no offers in the file: add one row per offer under the header" };
  return { offers };
}
