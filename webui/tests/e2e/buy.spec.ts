// The buyer's journeys against a real node with 60-second ISPs: the DSO prequalifies a
// seller's asset in its queue, filters offers, buys one at its exact cost, auto-matches a request,
// activates a reservation; read-only roles see the lists without a write control.
import { expect, test } from "@playwright/test";
import { asRole, evChargerPayload, logInAs, write } from "./node-api";
import { fund, ispAhead, listOffer, localInput, participantOf, sellerRole, zoneWithPendingAsset } from "./buy-scene";

test("the DSO prequalifies an asset, filters, buys its offer at the exact cost, and the seller sees the same contract", async ({ page }) => {
  const { dso, seller } = await zoneWithPendingAsset("z-buy", "ev-buy");
  await fund(dso, 10_000_000);

  await logInAs(page, "dso");
  await page.getByRole("link", { name: "Prequalification" }).click();
  const queued = page.getByRole("row", { name: /ev-buy/ });
  await expect(queued).toContainText("ev_charger");
  await page.getByRole("button", { name: "Approve ev-buy" }).click();
  await expect(page.getByRole("status")).toHaveText("Asset ev-buy prequalified: its owner may offer it.");
  await expect(queued).toHaveCount(0);

  // Ten ISPs of 7 kW at 250 EUR/MWh, and a dearer one the price filter must leave out.
  const start = ispAhead(20);
  await listOffer(seller, { offerId: "o-buy", zoneId: "z-buy", assetId: "ev-buy", product: "energy", start, isps: 10, powerW: 7_000, activationMicroPerMwh: 250_000_000 });
  await listOffer(seller, { offerId: "o-buy-dear", zoneId: "z-buy", assetId: "ev-buy", product: "energy", start, isps: 10, powerW: 7_000, activationMicroPerMwh: 300_000_000 });

  await page.getByRole("link", { name: "Buy" }).click();
  await page.getByLabel("Zone").selectOption("z-buy");
  await page.getByLabel("Direction").selectOption("up");
  await page.getByLabel("Technology").selectOption("ev_charger");
  await expect(page.getByRole("row", { name: /o-buy-dear/ })).toBeVisible();
  await page.getByLabel("Highest price (EUR)").fill("250");
  await expect(page.getByRole("row", { name: /o-buy-dear/ })).toHaveCount(0);
  const row = page.getByRole("row", { name: /o-buy/ });
  await expect(row).toContainText("250.00 EUR/MWh");

  await page.getByLabel("Select offer o-buy").check();
  await expect(page.getByLabel("Power for o-buy (kW)")).toHaveValue("7");  // all that remains
  // Per ISP 7,000 W × 60 s × 250,000,000 / 3.6e9 = 29,166.67 → 29,167 micro-units; × 10 ISPs.
  // (Rounding the total instead, 0.2916667 EUR, would be 3 micro-units less.)
  await expect(page.getByTestId("total-cost")).toHaveText("0.291670 EUR");
  await expect(page.getByTestId("held")).toHaveText("0.291670 EUR");
  await page.getByLabel("Budget (EUR)").fill("0.29");
  await expect(page.getByTestId("budget-check")).toHaveText("Over budget by 0.001670 EUR.");
  await expect(page.getByRole("button", { name: "Purchase" })).toBeDisabled();
  await page.getByLabel("Budget (EUR)").fill("0.30");
  await expect(page.getByTestId("budget-check")).toHaveText("Within budget: 0.008330 EUR to spare.");
  await page.getByRole("button", { name: "Purchase" }).click();

  await expect(page.getByRole("status")).toContainText("Bought 1 contract with request r-");
  const made = page.getByRole("table", { name: "Contracts made" }).getByRole("row", { name: /o-buy/ });
  await expect(made).toContainText("0.291670 EUR");
  await expect(made).toContainText("active");
  const contractId = (await made.getByRole("cell").first().textContent())!;
  expect(contractId).toMatch(/^c\d{10}$/);

  // The seller's own view of the ledger holds the same contract at the same cost.
  const sold = await (await seller.get(`/api/v1/contracts?offer_id=o-buy`)).json();
  expect(sold.items.map((contract: { contract_id: string; escrow_micro: number }) => [contract.contract_id, contract.escrow_micro])).toEqual([
    [contractId, 291_670],
  ]);

  // The request bought exactly what it asked, so it is filled and holds nothing any more.
  await page.getByRole("link", { name: "Requests" }).click();
  const request = page.getByRole("table", { name: "Requests" }).getByRole("row").nth(1);
  await expect(request).toContainText("filled");
  await expect(request).toContainText("0.000000 EUR0.291670 EUR");  // held now, held at first
});

test("the DSO auto-matches a reservation request and activates an ISP before its gate", async ({ page }) => {
  const { dso, seller } = await zoneWithPendingAsset("z-match", "ev-match");
  await write(dso, "/assets/ev-match/prequalification", { decision: "qualified" });
  await fund(dso, 10_000_000);
  // Twenty ISPs from 10 minutes ahead: the first ones are already past the 15-minute gate.
  const start = ispAhead(10);
  const terms = { zoneId: "z-match", assetId: "ev-match", product: "reservation" as const, start, isps: 20, powerW: 4_000 };
  await listOffer(seller, { ...terms, offerId: "o-match-1", activationMicroPerMwh: 150_000_000, availabilityMicroPerMwH: 10_000_000 });
  await listOffer(seller, { ...terms, offerId: "o-match-2", activationMicroPerMwh: 160_000_000, availabilityMicroPerMwH: 12_000_000 });

  await logInAs(page, "dso");
  await page.getByRole("link", { name: "Buy" }).click();
  await page.getByLabel("Zone").selectOption("z-match");
  await page.getByLabel("Direction").selectOption("up");
  await page.getByLabel("Product").selectOption("reservation");
  await page.getByLabel("From", { exact: true }).fill(localInput(start));
  await page.getByLabel("To", { exact: true }).fill(localInput(start + 20 * 60));
  await expect(page.getByRole("row", { name: /o-match-2/ })).toBeVisible();
  await page.getByLabel("Power needed (kW)").fill("6");
  await page.getByLabel("Maximum activation price (EUR/MWh)").fill("160");
  await page.getByLabel("Maximum availability price (EUR/MW/h)").fill("12");
  // Per ISP at the maximum prices, 6,000 W × 60 s: activation 16,000, availability 1,200; × 20 ISPs.
  await expect(page.getByTestId("match-budget")).toHaveText("0.344000 EUR");
  await page.getByRole("button", { name: "Auto-match" }).click();

  await expect(page.getByRole("status")).toContainText("Matching made 2 contracts for request r-");
  const made = page.getByRole("table", { name: "Contracts made" });
  // The cheaper availability first, all of its 4 kW: per ISP 10,000 + 666.67 → 667; × 20.
  await expect(made.getByRole("row", { name: /o-match-1/ })).toContainText("0.213340 EUR");
  // The 2 kW left from the next: per ISP 5,333.33 → 5,333 + 400; × 20.
  await expect(made.getByRole("row", { name: /o-match-2/ })).toContainText("0.114660 EUR");
  const contractId = (await made.getByRole("row", { name: /o-match-1/ }).getByRole("cell").first().textContent())!;

  await page.getByRole("link", { name: "Activations" }).click();
  await page.getByLabel("Contract to activate").selectOption(contractId);
  const isps = page.getByRole("table", { name: "ISPs" }).getByRole("row");
  await expect(isps).toHaveCount(21);  // a header and 20 ISPs
  await expect(isps.nth(1)).toContainText("no: gate closed at");
  await expect(isps.nth(1).getByRole("checkbox")).toBeDisabled();
  await isps.nth(20).getByRole("checkbox").check();
  await page.getByLabel("Power to activate (kW)").fill("2.5");
  await page.getByRole("button", { name: "Activate 1 ISP" }).click();
  await expect(page.getByRole("status")).toHaveText(`Activated 1 ISP of ${contractId} at 2.5 kW.`);
  await expect(isps.nth(20)).toContainText("4 kW2.5 kW");  // reserved, activated
  await expect(page.getByRole("list", { name: "Activations" })).toContainText("2.5 kW");
  const activations = await (await dso.get(`/api/v1/contracts/${contractId}/activations`)).json();
  expect(activations.items).toEqual([{ isp_start: start + 19 * 60, power_w: 2_500 }]);
});

test("read-only roles see requests and the queue without write controls; the buyer cancels an open request", async ({ browser }) => {
  const { dso } = await zoneWithPendingAsset("z-read", "ev-read");
  await fund(dso, 10_000_000);
  const start = ispAhead(30);
  // 5 kW for 5 ISPs at 100 EUR/MWh: per ISP 5,000 × 60 × 1e8 / 3.6e9 = 8,333.33 → 8,333; × 5 held.
  await write(dso, "/requests", {
    request_id: "r-read",
    zone_id: "z-read",
    direction: "up",
    product: "energy",
    start,
    end: start + 300,
    expires_at: start,
    power_w: 5_000,
    max_activation_price_micro_per_mwh: 100_000_000,
  });

  // A second asset, prequalified, so that the auditor's buy page has an offer to show.
  const seller = await asRole(sellerRole);
  await write(seller, "/assets", evChargerPayload("ev-read-2", "z-read"));
  await write(dso, "/assets/ev-read-2/prequalification", { decision: "qualified" });
  await listOffer(seller, { offerId: "o-read", zoneId: "z-read", assetId: "ev-read-2", product: "energy", start, isps: 5, powerW: 5_000, activationMicroPerMwh: 90_000_000 });
  // And a reservation the DSO holds right after it, whose ISPs are all still before their gate:
  // the page the auditor reads would offer a buyer a checkbox on each.
  const reserved = start + 300;
  await listOffer(seller, { offerId: "o-res", zoneId: "z-read", assetId: "ev-read-2", product: "reservation", start: reserved, isps: 5, powerW: 4_000, activationMicroPerMwh: 90_000_000, availabilityMicroPerMwH: 10_000_000 });
  await write(dso, "/requests", {
    request_id: "r-res",
    zone_id: "z-read",
    direction: "up",
    product: "reservation",
    start: reserved,
    end: reserved + 300,
    expires_at: reserved,
    power_w: 4_000,
    max_activation_price_micro_per_mwh: 90_000_000,
    max_availability_price_micro_per_mw_h: 10_000_000,
  });
  await write(dso, "/requests/r-res/match", {});
  const reservation = (await (await dso.get("/api/v1/contracts?request_id=r-res")).json()).items[0].contract_id as string;

  const auditor = await (await browser.newContext({ timezoneId: "Europe/Amsterdam" })).newPage();
  await logInAs(auditor, "auditor");
  await expect(auditor.getByRole("button", { name: "Log out" })).toBeVisible();
  const noWriteControls = async () => {
    await expect(auditor.locator("main").getByRole("button", { name: /Cancel|Approve|Reject|Purchase|Auto-match|Activate/ })).toHaveCount(0);
    await expect(auditor.locator("main").getByRole("checkbox")).toHaveCount(0);
    await expect(auditor.locator("main form.register")).toHaveCount(0);
  };
  const loaded = {
    "#/requests": auditor.getByRole("row", { name: /r-read/ }),
    "#/prequalification": auditor.getByRole("row", { name: /ev-read/ }).first(),
    "#/buy": auditor.getByRole("row", { name: /o-read/ }),
  };
  for (const [path, ready] of Object.entries(loaded)) {
    await auditor.goto(`${process.env.FLEX_E2E_URL}/${path}`);
    await expect(ready).toBeVisible();  // the list has loaded: what it lacks is missing, not late
    await noWriteControls();
  }
  // The activation controls appear only with a reservation chosen: choose it, then look.
  await auditor.goto(`${process.env.FLEX_E2E_URL}/#/activations`);
  await auditor.getByLabel("Contract to show").selectOption(reservation);
  const isps = auditor.getByRole("table", { name: "ISPs" }).getByRole("row");
  await expect(isps).toHaveCount(6);  // a header and the 5 ISPs
  await expect(isps.nth(1)).toContainText("4 kW0 kWuntil");  // reserved, none activated, open to a buyer
  await noWriteControls();
  await auditor.goto(`${process.env.FLEX_E2E_URL}/#/requests`);
  await expect(auditor.getByRole("row", { name: /r-read/ })).toContainText("0.041665 EUR");

  const buyer = await (await browser.newContext({ timezoneId: "Europe/Amsterdam" })).newPage();
  await logInAs(buyer, "dso");
  await buyer.getByRole("link", { name: "Requests" }).click();
  await expect(buyer.getByTestId("live")).toContainText("Live");
  const row = buyer.getByRole("row", { name: /r-read/ });
  await expect(row).toContainText("open");
  await buyer.getByRole("button", { name: "Cancel request r-read" }).click();
  await expect(buyer.getByRole("status")).toHaveText("Request r-read cancelled; 0.041665 EUR is available again.");
  await expect(row).toContainText("cancelled");
  await expect(row).toContainText("0.000000 EUR0.041665 EUR");
  const account = await (await dso.get(`/api/v1/accounts/${await participantOf(dso)}`)).json();
  expect(account.request_budgets).toEqual([]);  // what stays held is the escrow of contracts made
});
