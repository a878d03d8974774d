// The DSO's market view and the regulator's overview: zones on a map coloured by their
// congestion outlook, the outlook itself, the locational order book and the market KPIs.
import { expect, test } from "@playwright/test";
import { asRole, evChargerPayload, logInAs, offerPayload, write } from "./node-api";
import { buttonNames, squareZonePayload } from "./maps-scene";

test("a DSO publishes an outlook through the form; the map colours its zone and links onwards", async ({ page }) => {
  const dso = await asRole("dso");
  await write(dso, "/zones", squareZonePayload("z-maps-1", 5_000_000, 51_000_000));
  const hourStart = Math.ceil(Date.now() / 1000 / 3600) * 3600;

  await logInAs(page, "dso");
  await page.getByRole("link", { name: "Outlook", exact: true }).click();
  await page.getByLabel("Zone", { exact: true }).selectOption("z-maps-1");
  await expect(page.getByText("No outlook published for this zone yet. Publish a series below.")).toBeVisible();

  const form = page.getByRole("form", { name: "Publish an outlook series" });
  const posts: string[] = [];
  page.on("request", (request) => request.method() === "POST" && posts.push(request.url()));
  await form.getByLabel(/Points/).fill(`start,need_w\n${hourStart + 1800},5`);  // off the hour grid
  await form.getByRole("button", { name: "Publish outlook" }).click();
  await expect(form.getByRole("alert")).toHaveText("line 2: the start is not on the hour grid (UTC)");
  expect(posts).toEqual([]);

  await form.getByLabel(/Points/).fill(`start,need_w\n${hourStart},400000\n${hourStart + 3600},250000`);
  await form.getByRole("button", { name: "Publish outlook" }).click();
  await expect(form.getByRole("status")).toHaveText("Published 2 point(s) of the up outlook per hour for z-maps-1; it replaces the earlier series.");
  const table = page.getByRole("table", { name: "Outlook points" });
  await expect(table.getByRole("row")).toHaveCount(3);  // the header and the two points
  await expect(table.getByRole("row").nth(1).getByRole("cell")).toHaveText([/.+/, /.+/, "up", "400 kW", "400000"]);
  await expect(table.getByRole("row").nth(2).getByRole("cell")).toHaveText([/.+/, /.+/, "up", "250 kW", "250000"]);
  await expect(page.getByRole("img", { name: /Need for flexibility/ }).locator("canvas")).toBeVisible();
  // The browser runs in Europe/Amsterdam (playwright.config.ts); the time axis names that zone.
  await expect(page.getByRole("img", { name: "Need for flexibility (chart over Time (Europe/Amsterdam); the table below has the same figures)" })).toBeVisible();

  // 400 kW of the 1 MW import limit within 7 days is 40%: high.
  await page.getByRole("link", { name: "Zone map" }).click();
  const polygon = page.locator('path[data-zone-id="z-maps-1"]');
  await expect(polygon).toHaveClass(/zone-outlook-high/);
  await expect(page.getByRole("list", { name: "Legend" })).toContainText("High: 30% of the limit or more");
  await expect(page.getByRole("row", { name: /z-maps-1/ })).toContainText("high: peak up need 400 kW, 40% of the import limit");
  await polygon.click();
  const popup = page.locator(".zone-popup");
  await expect(popup).toContainText("Substation z-maps-1");
  await expect(popup).toContainText("Import limit 1000 kW, export limit 1000 kW");
  await popup.getByRole("link", { name: "Order book" }).click();
  await expect(page.getByRole("heading", { name: "Order book" })).toBeVisible();
  await expect(page.getByLabel("Zone", { exact: true })).toHaveValue("z-maps-1");
});

test("the regulator sees assets, the order book's exact prices and live KPIs, and no write control", async ({ page, browser }) => {
  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  await write(dso, "/zones", squareZonePayload("z-maps-2", 6_000_000, 51_000_000));
  // A name that would run script if any page wrote it as HTML.
  const hostileName = '<img src=x onerror="window.__flexXss=1">';
  await write(prosumer, "/assets", {
    ...evChargerPayload("ev-maps", "z-maps-2"),
    name: hostileName,
    property: { latitude_micro: 51_020_000, longitude_micro: 6_030_000 },
  });
  await write(dso, "/assets/ev-maps/prequalification", { decision: "qualified" });
  const offer = offerPayload("o-maps", "z-maps-2", "ev-maps", 180_505_000);
  await write(prosumer, "/offers", offer);

  await logInAs(page, "regulator");
  await page.getByRole("link", { name: "Zone map" }).click();
  await expect(page.locator('path.asset-marker[data-asset-id="ev-maps"]')).toBeVisible();
  await page.locator('path.asset-marker[data-asset-id="ev-maps"]').hover();
  await expect(page.locator(".leaflet-tooltip")).toHaveText(`${hostileName} (ev-maps, ev_charger)`);
  expect(await page.evaluate(() => (window as unknown as { __flexXss?: number }).__flexXss)).toBeUndefined();
  await expect(page.locator('path[data-zone-id="z-maps-2"]')).toHaveClass(/zone-outlook-none/);  // nothing published
  expect(await buttonNames(page)).toEqual([]);

  await page.getByRole("link", { name: "Outlook", exact: true }).click();
  await page.getByLabel("Zone", { exact: true }).selectOption("z-maps-2");
  await expect(page.getByText("No outlook published for this zone yet. The zone's DSO publishes it.")).toBeVisible();
  await expect(page.locator("main textarea")).toHaveCount(0);
  expect(await buttonNames(page)).toEqual([]);

  await page.getByRole("link", { name: "Order book" }).click();
  await page.getByLabel("Zone", { exact: true }).selectOption("z-maps-2");
  const row = page.getByRole("table", { name: "Open up offers" }).getByRole("row", { name: /o-maps/ });
  await expect(row.getByRole("cell")).toHaveText(["o-maps", "energy", /.+/, /.+/, "10 kW", "activation 180.505 EUR/MWh", /^[0-9a-f]{12}…$/]);
  expect(await buttonNames(page)).toEqual([]);

  await page.getByRole("link", { name: "KPIs" }).click();
  await page.getByLabel("Zone", { exact: true }).selectOption("z-maps-2");
  await expect(page.getByTestId("live")).toContainText("Live");
  const kpis = page.getByRole("table", { name: "KPIs of zone z-maps-2" });
  // One hour of 10 kW offered: 10 kWh, in the hour the offer starts; nothing requested or sold.
  await expect(kpis.getByRole("row")).toHaveCount(2);
  const cells = kpis.getByRole("row").nth(1).getByRole("cell");
  await expect(cells.nth(1)).toHaveText("1");
  await expect(cells.nth(2)).toHaveText("10 kWh");
  await expect(cells.nth(5)).toHaveText("0");
  await expect(cells.nth(12)).toHaveText("—");  // no delivery ratio before any settlement
  expect(await buttonNames(page)).toEqual([]);
  await expect(page.getByRole("img", { name: /Volumes/ }).locator("canvas")).toBeVisible();

  const csvLink = page.getByRole("link", { name: "Download CSV" });
  const href = (await csvLink.getAttribute("href"))!;
  expect(href).toContain("zone_id=z-maps-2");
  const csv = await page.request.get(new URL(href, page.url()).toString());
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const [header, line] = (await csv.text()).trim().split("\n");
  expect(header.split(",")).toContain("offered_wh");
  expect(line.split(",")[header.split(",").indexOf("offered_wh")]).toBe("10000");

  // Another offer in the same hour arrives on the event stream: the KPIs reload by themselves.
  await write(prosumer, "/offers", { ...offer, offer_id: "o-maps-b", power_w: 1_000 });
  await expect(cells.nth(1)).toHaveText("2");
  await expect(cells.nth(2)).toHaveText("11 kWh");

  // A retailer with no asset in the zone sees the book in aggregate only.
  const retailerPage = await (await browser.newContext({ timezoneId: "Europe/Amsterdam" })).newPage();
  await logInAs(retailerPage, "retailer");
  await retailerPage.getByRole("link", { name: "Order book" }).click();
  await retailerPage.getByLabel("Zone", { exact: true }).selectOption("z-maps-2");
  const energy = retailerPage.getByRole("table", { name: "Aggregated up offers" }).getByRole("row", { name: /^energy/ });
  await expect(energy.getByRole("cell")).toHaveText(["energy", "2", "10 kW"]);
});
