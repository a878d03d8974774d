import { afterAll, beforeAll, describe, expect, it } from "vitest";
import writeXlsxFile from "write-excel-file/node";
import { checkOfferSheet, offerColumns, offerTemplateCsv, parseCsv, readXlsx, type SheetResult } from "../../src/lib/offerSheet";

// Local times below are read in Europe/Amsterdam: CEST (UTC+2) until 2026-10-25 03:00, when
// clocks go back to 02:00 CET (UTC+1).
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "Europe/Amsterdam";
});
afterAll(() => {
  process.env.TZ = zone;
});

// 2026-01-01T00:00Z = 20,454 days × 86,400 = 1,767,225,600; 25 October is day 297 after it
// (273 days in January–September, plus 24), so 2026-10-25T00:00Z = 1,767,225,600 + 297 × 86,400.
const october25Utc = 1_792_886_400;
const now = october25Utc - 86_400;  // 2026-10-24T00:00Z
const header = offerColumns.map((column) => column.name).join(",");

const offers = (result: SheetResult) => {
  if ("problem" in result) throw new Error(result.problem);
  return result.offers;
};

describe("the CSV reader (RFC 4180)", () => {
  it("reads quoted cells, doubled quotes and line breaks inside quotes", () => {
    expect(parseCsv('a,"b,c","say ""hi""",d\r\n"two\r\nlines",""\r\n')).toEqual({
      records: [
        ["a", "b,c", 'say "hi"', "d"],
        ["two\r\nlines", ""],
      ],
    });
  });

  it("drops a byte order mark, takes CRLF, LF or CR, and keeps blank lines as rows", () => {
    expect(parseCsv("\uFEFFh1,h2\r\n1,2\n\r\n3,\r4")).toEqual({ records: [["h1", "h2"], ["1", "2"], [""], ["3", ""], ["4"]] });
    expect(parseCsv("")).toEqual({ records: [] });
    expect(parseCsv("only")).toEqual({ records: [["only"]] });
  });

  it("names the row of a malformed quote", () => {
    expect(parseCsv('h\r\n"open')).toEqual({ problem: "row 2: a quoted cell is not closed" });
    expect(parseCsv('h\r\n"closed"x,1')).toEqual({ problem: "row 2: text after a closing quote" });
    expect(parseCsv('h\r\nin"side')).toEqual({ problem: "row 2: a quote inside a cell that does not start with one" });
  });
});

describe("an offer sheet", () => {
  it("turns rows into the exact offer.create payloads, across the end of daylight saving", () => {
    const csv = [
      header,
      // 01:00 CEST = 2026-10-24T23:00Z; 04:00 CET = 03:00Z: four real hours; expiry 60 minutes before the start.
      "dst-night-1,bilecik-feeder-1,zes-bozuyuk-dc;zes-bilecik-ac,up,energy,2026-10-25 01:00,2026-10-25 04:00,12.5,\"180,50\",,25,60,meter_before_after",
      "",
      // 17:00 CET = 16:00Z; 12.34 EUR = 12,340,000 micro; 0.5 % = 5,000 ppm; expiry 120 minutes before.
      "limit-1,bilecik-feeder-1, zes-bozuyuk-dc ,Down,capacity_limitation,2026-10-25 17:00,2026-10-25 18:00,0.001,,12.34,0.5,120,none",
    ].join("\r\n");
    const parsed = parseCsv(csv);
    if ("problem" in parsed) throw new Error(parsed.problem);
    expect(offers(checkOfferSheet(parsed.records, 900, now))).toEqual([
      {
        row: 2,
        offerId: "dst-night-1",
        problems: [],
        payload: {
          offer_id: "dst-night-1",
          zone_id: "bilecik-feeder-1",
          asset_ids: ["zes-bozuyuk-dc", "zes-bilecik-ac"],
          direction: "up",
          product: "energy",
          start: october25Utc - 3_600,
          end: october25Utc + 3 * 3_600,
          expires_at: october25Utc - 7_200,
          power_w: 12_500,
          activation_price_micro_per_mwh: 180_500_000,
          min_activation_ppm: 250_000,
          baseline: { method: "meter_before_after", version: 1 },
        },
      },
      {
        row: 4,  // row 3 is blank: skipped, still counted
        offerId: "limit-1",
        problems: [],
        payload: {
          offer_id: "limit-1",
          zone_id: "bilecik-feeder-1",
          asset_ids: ["zes-bozuyuk-dc"],
          direction: "down",
          product: "capacity_limitation",
          start: october25Utc + 16 * 3_600,
          end: october25Utc + 17 * 3_600,
          expires_at: october25Utc + 14 * 3_600,
          power_w: 1,
          availability_price_micro_per_mw_h: 12_340_000,
          min_activation_ppm: 5_000,
          baseline: { method: "none", version: 1 },
        },
      },
    ]);
  });

  it("reads start_utc and end_utc as UTC, whatever the browser's zone", () => {
    const utcHeader = header.replace("start_local", "start_utc").replace("end_local", "end_utc");
    const row = "utc-1,z,a,up,energy,2026-10-25 01:00,2026-10-25T02:00Z,1,1,,100,0,x_of_y".split(",");
    const [offer] = offers(checkOfferSheet([utcHeader.split(","), row], 60, now));
    expect(offer.problems).toEqual([]);
    expect(offer.payload?.start).toBe(october25Utc + 3_600);
    expect(offer.payload?.end).toBe(october25Utc + 7_200);
    expect(offer.payload?.expires_at).toBe(october25Utc + 3_600);
  });

  it("names each row's problems by row and column before anything is sent, with the form's messages", () => {
    const good = "ok-1,z,a,up,energy,2026-10-25 17:00,2026-10-25 18:00,10,200,,100,60,meter_before_after";
    const records = [
      header,
      good,
      "ok-1,z,a a,sideways,energy,2026-10-25 17:05,25-10-2026 18:00,-5,200,3,100,60,meter_before_after",
      "ok-2,z,a,up,energy,2026-10-25 17:00,2026-10-25 18:00,10,200,,100,60",  // one cell short
      "ok-3,Z,,up,reservation,2026-10-25 17:00,2026-10-25 16:00,10,200,1,0,60,none",
    ].map((line) => line.split(","));
    expect(offers(checkOfferSheet(records, 900, now)).map((offer) => [offer.row, offer.payload !== undefined, offer.problems])).toEqual([
      [2, true, []],
      [
        3,
        false,
        [
          { column: "offer_id", message: "already used in row 2" },
          { column: "asset_ids", message: "a is listed twice" },
          { column: "direction", message: "up or down" },
          { column: "start_local", message: "on the 15-minute grid" },
          { column: "end_local", message: "YYYY-MM-DD HH:MM, a time that exists in your time zone" },
          { column: "power_kw", message: "a number of kW above 0, at most three decimals" },
          { column: "availability_price_eur_per_mw_h", message: "leave empty: energy carries no availability price" },
        ],
      ],
      [4, false, [{ column: "(row)", message: "12 cells, the header has 13" }]],
      [
        5,
        false,
        [
          { column: "zone_id", message: "a zone id: lowercase letters, digits, '.', '_' or '-'" },
          { column: "asset_ids", message: "1 to 16 asset ids, separated by spaces or ';'" },
          { column: "end_local", message: "after the start" },
          { column: "min_activation_percent", message: "above 0 % and at most 100 %" },
          { column: "baseline", message: "meter_before_after, rolling_average, x_of_y or nomination" },
        ],
      ],
    ]);
  });

  it("refuses a file whose header is not the documented layout", () => {
    const cells = header.split(",");
    expect(checkOfferSheet([], 900, now)).toEqual({ problem: "the first row must name the columns (download the template)" });
    expect(checkOfferSheet([[...cells, "colour"]], 900, now)).toEqual({ problem: 'unknown column "colour"' });
    expect(checkOfferSheet([cells.filter((name) => name !== "power_kw" && name !== "baseline")], 900, now)).toEqual({
      problem: "missing columns power_kw, baseline",
    });
    expect(checkOfferSheet([[...cells, "start_utc"]], 900, now)).toEqual({
      problem: "give start_local and end_local, or start_utc and end_utc, not both",
    });
    expect(checkOfferSheet([cells, [""]], 900, now)).toEqual({ problem: "no offers in the file: add one row per offer under the header" });
  });

  it("offers a template that reads back as two valid offers", () => {
    const parsed = parseCsv(offerTemplateCsv("2026-11-23"));
    if ("problem" in parsed) throw new Error(parsed.problem);
    expect(parsed.records[0]).toEqual(offerColumns.map((column) => column.name));
    const [energy, reservation] = offers(checkOfferSheet(parsed.records, 900, now));
    // 2026-11-23 is day 326: 1,767,225,600 + 326 × 86,400 = 1,795,392,000; 17:00 CET = 16:00Z.
    expect(energy.payload).toMatchObject({ start: 1_795_449_600, end: 1_795_453_200, power_w: 10_000, activation_price_micro_per_mwh: 180_500_000 });
    expect(energy.payload?.asset_ids).toEqual(["my-battery", "my-ev-charger"]);
    expect(reservation.payload).toMatchObject({ direction: "down", power_w: 5_500, availability_price_micro_per_mw_h: 12_340_000 });
    expect(reservation.problems).toEqual([]);
  });
});

describe("an XLSX offer sheet", () => {
  it("reads numbers as written and date cells by their wall clock, to the same payload as a CSV", async () => {
    const nightStart = new Date(Date.UTC(2026, 9, 25, 1, 0));  // the cell shows 2026-10-25 01:00
    const file = await writeXlsxFile([
      offerColumns.map((column) => column.name),
      ["dst-night-1", "bilecik-feeder-1", "zes-bozuyuk-dc", "up", "energy", { value: nightStart, format: "yyyy-mm-dd hh:mm" },
        "2026-10-25 04:00", 12.5, 180.5, null, 25, 60, "meter_before_after"],
    ]).toBuffer();
    const records = await readXlsx(new Blob([new Uint8Array(file)]));
    expect(records[1]).toEqual(["dst-night-1", "bilecik-feeder-1", "zes-bozuyuk-dc", "up", "energy", "2026-10-25 01:00",
      "2026-10-25 04:00", "12.5", "180.5", "", "25", "60", "meter_before_after"]);
    const [offer] = offers(checkOfferSheet(records, 900, now));
    expect(offer.problems).toEqual([]);
    expect(offer.payload).toMatchObject({
      start: october25Utc - 3_600,
      end: october25Utc + 3 * 3_600,
      power_w: 12_500,
      activation_price_micro_per_mwh: 180_500_000,
      min_activation_ppm: 250_000,
    });
  });
});
