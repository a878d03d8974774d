// A seller lists many offers at once from a CSV or XLSX file: every row checked before
// anything is sent, then each row sent with the node's own answer.
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { logInAs } from "./node-api";
import { listedOffer, offerFileHeader, prequalifiedCharger, tomorrowInAmsterdam, writeOfferCsv, writeOfferXlsx } from "./bulk-scene";

async function openUpload(page: Page) {
  await logInAs(page, "prosumer");
  await page.getByRole("link", { name: "Offers" }).click();
  await expect(page.getByTestId("live")).toContainText("Live");
  return page.getByRole("region", { name: "Bulk upload" });
}

// The offers list's row of an offer: open, unlike the upload table's row of the same id.
const listed = (page: Page, offerId: string) => page.getByRole("row", { name: new RegExp(`^${offerId} `) }).filter({ hasText: "open" });

test("a prosumer uploads an XLSX of three offers, fixes the row the page refuses, and lists all three", async ({ page }, testInfo) => {
  await prequalifiedCharger("z-bulk-x", "ev-bulk-x");
  const day = tomorrowInAmsterdam();
  const rows = (reservePrice: string | null) => [
    ["bulk-x-1", "z-bulk-x", "ev-bulk-x", "up", "energy", `${day} 17:00`, `${day} 18:00`, 10, 180.5, null, 100, 60, "meter_before_after"],
    ["bulk-x-2", "z-bulk-x", "ev-bulk-x", "down", "energy", `${day} 18:00`, `${day} 19:00`, 7.5, "95.25", null, 50, 60, "rolling_average"],
    ["bulk-x-3", "z-bulk-x", "ev-bulk-x", "up", "reservation", `${day} 19:00`, `${day} 20:00`, 11, 150, reservePrice, 100, 30, "meter_before_after"],
  ];
  const first = testInfo.outputPath("offers-first.xlsx");
  const fixed = testInfo.outputPath("offers-fixed.xlsx");
  await writeOfferXlsx(first, rows(null));  // a reservation without its availability price
  await writeOfferXlsx(fixed, rows("12.34"));

  const upload = await openUpload(page);
  const download = page.waitForEvent("download");
  await upload.getByRole("button", { name: "Download the CSV template" }).click();
  const template = readFileSync(await (await download).path(), "utf8");
  expect(template.split("\r\n")[0]).toBe(offerFileHeader.join(","));

  const posts: string[] = [];
  page.on("request", (request) => request.method() === "POST" && posts.push(new URL(request.url()).pathname));
  await upload.getByLabel("Offer file (.csv or .xlsx)").setInputFiles(first);
  const problems = upload.getByRole("table", { name: "Problems in the file" });
  await expect(problems.getByRole("row")).toHaveCount(2);  // the header and the one problem
  await expect(problems.getByRole("row").nth(1)).toHaveText("4availability_price_eur_per_mw_ha price in EUR/MW/h");
  await expect(upload.getByRole("alert")).toContainText("1 problem in 1 of 3 rows");
  await expect(upload.getByRole("button", { name: /^Submit/ })).toBeDisabled();
  expect(posts).toEqual([]);

  await upload.getByLabel("Offer file (.csv or .xlsx)").setInputFiles(fixed);
  await expect(problems).toHaveCount(0);
  const inFile = upload.getByRole("table", { name: "Offers in the file" });
  await expect(inFile.getByRole("row", { name: /bulk-x-3/ })).toContainText("availability 12.34 EUR/MW/h 150.00 EUR/MWh");
  await upload.getByRole("button", { name: "Submit 3 offers" }).click();
  await expect(upload.getByRole("status")).toHaveText("3 of 3 offers created.");
  await expect(upload.getByRole("progressbar", { name: "Offers sent" })).toHaveAttribute("value", "3");
  for (const id of ["bulk-x-1", "bulk-x-2", "bulk-x-3"]) await expect(inFile.getByRole("row", { name: new RegExp(id) })).toContainText("created");
  expect(posts.filter((path) => path === "/api/v1/offers")).toHaveLength(3);

  await expect(listed(page, "bulk-x-1")).toContainText("10 kW10 kW");
  await expect(listed(page, "bulk-x-1")).toContainText("180.50 EUR/MWh");
  await expect(listed(page, "bulk-x-1")).toContainText("17:00");
  await expect(listed(page, "bulk-x-2")).toContainText("down");
  await expect(listed(page, "bulk-x-2")).toContainText("7.5 kW7.5 kW");
  await expect(listed(page, "bulk-x-2")).toContainText("95.25 EUR/MWh");
  await expect(listed(page, "bulk-x-3")).toContainText("11 kW11 kW");
  await expect(listed(page, "bulk-x-3")).toContainText("availability 12.34 EUR/MW/h150.00 EUR/MWh");
});

test("a CSV row the node refuses shows the node's code, and the other rows are still listed", async ({ page }, testInfo) => {
  await prequalifiedCharger("z-bulk-c", "ev-bulk-c");
  await listedOffer("bulk-c-taken", "z-bulk-c", "ev-bulk-c");
  const day = tomorrowInAmsterdam();
  const csv = testInfo.outputPath("offers.csv");
  writeOfferCsv(csv, [
    ["bulk-c-taken", "z-bulk-c", "ev-bulk-c", "up", "energy", `${day} 17:00`, `${day} 18:00`, "5", "120", "", "100", "60", "meter_before_after"],
    ["bulk-c-1", "z-bulk-c", "ev-bulk-c", "up", "energy", `${day} 18:00`, `${day} 19:00`, "8.25", "99,99", "", "100", "60", "meter_before_after"],
  ]);

  const upload = await openUpload(page);
  await upload.getByLabel("Offer file (.csv or .xlsx)").setInputFiles(csv);
  await upload.getByRole("button", { name: "Submit 2 offers" }).click();
  await expect(upload.getByRole("status")).toHaveText("1 of 2 offers created; 1 refused by the node (see each row's code).");
  const inFile = upload.getByRole("table", { name: "Offers in the file" });
  await expect(inFile.getByRole("row", { name: /bulk-c-taken/ })).toContainText("refused:");
  await expect(inFile.getByRole("row", { name: /bulk-c-taken/ }).locator("code")).toHaveText("offer.exists");
  await expect(inFile.getByRole("row", { name: /bulk-c-1/ })).toContainText("created");
  await expect(listed(page, "bulk-c-1")).toContainText("8.25 kW8.25 kW");
  await expect(listed(page, "bulk-c-1")).toContainText("99.99 EUR/MWh");
  await expect(listed(page, "bulk-c-taken")).toContainText("100.00 EUR/MWh");  // the node's offer, unchanged
});

test("an auditor sees the offers but no upload", async ({ page }) => {
  await logInAs(page, "auditor");
  await page.getByRole("link", { name: "Offers" }).click();
  await expect(page.getByRole("heading", { name: "Offers" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Bulk upload" })).toHaveCount(0);
  await expect(page.getByLabel("Offer file (.csv or .xlsx)")).toHaveCount(0);
});
