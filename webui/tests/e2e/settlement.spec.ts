// After a trade: the settlement reaches the seller's Settlements page, the buyer's open
// contract detail and the regulator's KPI table live, with the chart and the per-ISP numbers
// worked out by hand, and both wallets move by exactly the settled amounts. Then the seller
// disputes it, the operator adjusts it, and both parties' balances and the seller's settlement
// payments move by exactly the difference.
import { readFileSync } from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { logInAs } from "./node-api";
import { accountOf, settlementOf, submitReadings, tradeScene, type SettlementRecord } from "./settlement-scene";
import { formatEuros, formatTime } from "../../src/lib/format";

// By hand (DESIGN.md §5, PROTOCOL.md §9 settlement formulas; up, energy, Q = 6,000 W, 60 s ISPs,
// α = 3,000 EUR/MWh, no penalty and no fee in the dev genesis):
// - baseline (meter_before_after, 1 ISP): 200 Wh in 60 s → B = 200 × 60 = 12,000 W;
// - ISP 1: 150 Wh → A = 9,000 W; delivered = clamp(12,000 − 9,000, 0, 6,000) = 3,000 W
//   (3,000 W × 60 s = 50 Wh = 0.05 kWh); deficiency = max(0, 9,000 − (12,000 − 6,000)) = 3,000 W;
//   Price = 3,000 × 60 × 3e9 / 3.6e9 = 150,000 micro-units;
// - ISP 2: 80 Wh → A = 4,800 W; delivered = clamp(7,200, 0, 6,000) = 6,000 W (100 Wh = 0.1 kWh);
//   deficiency = max(0, 4,800 − 6,000) = 0; Price = 300,000;
// - net = 450,000 = 0.45 EUR to the prosumer; escrow = 2 × 300,000 = 600,000, of which
//   600,000 − 450,000 = 150,000 goes back to the DSO's available balance.
const netMicro = 450_000;
const escrowMicro = 600_000;

// The operator's adjustment (PROTOCOL.md §9, settlement money, "a later version moves the
// difference"): N_new = 300,000 ≤ E; the fee of both nets is 0 (fee_basis_points 0). N_new < N_old,
// so the seller owes the buyer 450,000 − 300,000 = 150,000, which it pays in full (it was just
// paid 450,000): the prosumer's available balance falls by 150,000, the DSO's rises by 150,000,
// and nothing held moves.
const adjustedNetMicro = 300_000;
const adjustmentMicro = netMicro - adjustedNetMicro;

// The regulator's KPI row of the scene's zone (contracts/queries.cpp market_kpis; the zone is new,
// so the offer, the request and the contract, all starting at the scene's start, are all it holds),
// cells in the page's column order after "Period from". Energies are Σ W × 60 s / 3,600:
// offered = requested = contracted = 2 × 6,000 W × 60 s = 720,000 W·s = 200 Wh = 0.2 kWh; the
// activation price is the contract's, 3,000 EUR/MWh; no availability price was offered (—).
// Before the readings nothing is settled and the escrow outstanding is the contract's 600,000
// (the request's budget went to the contract in full: 0 left). After: ordered = 0.2 kWh,
// delivered = (3,000 + 6,000) W × 60 s = 540,000 W·s = 150 Wh = 0.15 kWh, ratio =
// 540,000 × 10^6 / 720,000 = 750,000 ppm = 75 %, no penalty, net 450,000 = 0.45 EUR, and the
// settled contract's escrow no longer outstanding.
const kpiOrders = ["1", "0.2 kWh", "1", "0.2 kWh", "1", "0.2 kWh", "3000.00 EUR/MWh", "—"];
const kpiBeforeSettlement = [...kpiOrders, "0", "0 kWh", "0 kWh", "—", "0.00 EUR", "0.00 EUR", "0.60 EUR"];
const kpiAfterSettlement = [...kpiOrders, "1", "0.2 kWh", "0.15 kWh", "75 %", "0.00 EUR", "0.45 EUR", "0.00 EUR"];
const kpiBucketSeconds = 3_600;  // "Last 24 h (hourly)"
const regulatorTimeZone = "Europe/Amsterdam";

async function openAs(browser: Browser, role: string): Promise<Page> {
  const page = await (await browser.newContext({ timezoneId: regulatorTimeZone })).newPage();
  await logInAs(page, role);
  return page;
}

// The wallet's own text links to Settlements too: go by the navigation.
const openPage = (page: Page, title: string) => page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: title }).click();

async function expectDelivery(page: Page, contractId: string) {
  await expect(page.getByTestId("settlement-net")).toHaveText("0.45 EUR to the seller");
  await expect(page.getByTestId("settlement-status")).toHaveText("provisional");
  const chart = page.getByRole("img", { name: `Metered power, baseline and ordered target of ${contractId} per ISP` });
  await expect(chart.locator("canvas")).toBeVisible();  // uPlot drew it
  await expect(chart).toContainText("Metered");  // its legend names the series
  const rows = page.getByRole("table", { name: `Delivery per ISP of ${contractId}` }).getByRole("row");
  await expect(rows).toHaveCount(3);  // the header and two ISPs
  // Baseline, metered, ordered, delivered, delivered energy, deficiency, deficient energy, price, penalty, net.
  await expect(rows.nth(1)).toContainText("12 kW9 kW6 kW3 kW0.05 kWh3 kW0.05 kWh0.150000 EUR0.000000 EUR0.150000 EUR");
  await expect(rows.nth(2)).toContainText("12 kW4.8 kW6 kW6 kW0.1 kWh0 kW0 kWh0.300000 EUR0.000000 EUR0.300000 EUR");
}

test("a settled contract reaches seller, buyer and the regulator's KPIs live, with exact numbers and wallets", async ({ browser }) => {
  test.setTimeout(300_000);  // two 60-second ISPs from the next whole minute have to end first
  const suffix = String(Date.now() % 1_000_000);
  const scene = await tradeScene(suffix);

  // The seller watches its Settlements page; the buyer has the contract's detail open.
  const prosumerPage = await openAs(browser, "prosumer");
  await prosumerPage.getByRole("link", { name: "Settlements" }).click();
  await expect(prosumerPage.getByTestId("live")).toContainText("Live");
  const dsoPage = await openAs(browser, "dso");
  await dsoPage.getByRole("link", { name: "Contracts" }).click();
  await expect(dsoPage.getByTestId("live")).toContainText("Live");
  await dsoPage.getByRole("button", { name: `Details of ${scene.contractId}` }).click();
  await expect(dsoPage.getByText("Not settled yet.")).toBeVisible();
  await expect(dsoPage.getByRole("row", { name: new RegExp(scene.contractId) })).toContainText(`active${scene.zoneId}upenergy`);

  // The regulator watches the zone's KPIs over the last 24 h; its page has no write control.
  const regulatorPage = await openAs(browser, "regulator");
  await regulatorPage.getByRole("link", { name: "KPIs" }).click();
  await regulatorPage.getByLabel("Zone", { exact: true }).selectOption(scene.zoneId);
  await regulatorPage.getByLabel("Period", { exact: true }).selectOption({ label: "Last 24 h (hourly)" });
  await expect(regulatorPage.getByTestId("live")).toContainText("Live");
  const kpiRows = regulatorPage.getByRole("table", { name: `KPIs of zone ${scene.zoneId}` }).getByRole("row");
  await expect(kpiRows).toHaveCount(2);  // the header and the hour of the contract's start
  const kpiPeriod = formatTime(scene.start - (scene.start % kpiBucketSeconds), regulatorTimeZone);
  await expect(kpiRows.nth(1).getByRole("cell")).toHaveText([kpiPeriod, ...kpiBeforeSettlement]);
  await expect(regulatorPage.getByRole("button")).toHaveText(["Log out"]);
  await expect(regulatorPage.getByRole("textbox")).toHaveCount(0);
  await expect(regulatorPage.getByRole("form")).toHaveAccessibleName("Choose zone and period");  // the only form only filters

  const prosumerBefore = await accountOf(scene.prosumer, scene.participants.prosumer);
  const dsoBefore = await accountOf(scene.dso, scene.participants.dso);
  await submitReadings(scene);

  // No reload: the event stream brings the settlement to both pages.
  const row = prosumerPage.getByRole("row", { name: new RegExp(scene.contractId) });
  await expect(row).toContainText("provisional0.45 EUR to the seller0.00 EUR1");
  await row.getByRole("button", { name: `Breakdown of ${scene.contractId}` }).click();
  await expectDelivery(prosumerPage, scene.contractId);
  await expect(prosumerPage.getByRole("form", { name: "Dispute settlement" })).toBeVisible();  // a party may dispute
  await expectDelivery(dsoPage, scene.contractId);
  await expect(dsoPage.getByRole("row", { name: new RegExp(scene.contractId) })).toContainText("settled");
  await expect(kpiRows.nth(1).getByRole("cell")).toHaveText([kpiPeriod, ...kpiAfterSettlement]);
  await expect(regulatorPage.getByRole("button")).toHaveText(["Log out"]);

  await prosumerPage.getByRole("link", { name: "Wallet" }).click();
  await expect(prosumerPage.getByTestId("available")).toHaveText(formatEuros(prosumerBefore.available_micro + netMicro));
  await dsoPage.getByRole("link", { name: "Wallet" }).click();
  await expect(dsoPage.getByTestId("available")).toHaveText(formatEuros(dsoBefore.available_micro + escrowMicro - netMicro));
  await expect(dsoPage.getByTestId("held")).toHaveText(formatEuros(dsoBefore.held_micro - escrowMicro));

  // An auditor reads the same settlement and gets no write control.
  const auditorPage = await openAs(browser, "auditor");
  await auditorPage.getByRole("link", { name: "Settlements" }).click();
  await auditorPage.getByRole("button", { name: `Breakdown of ${scene.contractId}` }).click();
  await expectDelivery(auditorPage, scene.contractId);
  await expect(auditorPage.getByRole("form")).toHaveCount(1);  // only the list's filter
  await expect(auditorPage.getByRole("button", { name: "Dispute" })).toHaveCount(0);

  // The list exports as CSV with the node's columns: the net in micro-units, as recorded.
  const download = auditorPage.waitForEvent("download");
  await auditorPage.getByRole("link", { name: "Export CSV" }).click();
  const lines = readFileSync((await (await download).path())!, "utf8").split("\r\n");
  expect(lines[0]).toMatch(/^contract_id,fee_micro,final_at,money,net_micro,settled_at,status,totals,trigger,version/);
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${scene.contractId},0,[0-9]+,".*",${netMicro},[0-9]+,provisional,`)));

  // The prosumer's wallet lists the settlement payment, which no transaction naming it carries.
  const settled = await settlementOf(scene);
  const paymentRows = prosumerPage.getByRole("table", { name: "Settlement payments" }).getByRole("row").filter({ hasText: scene.contractId });
  await expect(paymentRows).toHaveCount(1);
  await expect(paymentRows.nth(0).getByRole("cell")).toHaveText([
    scene.contractId,
    "1",
    "readings complete",
    formatTime(settled.settled_at, regulatorTimeZone),
    "+0.450000 EUR",
    "",
  ]);

  // The DSO has the contract open again while the prosumer disputes the settlement.
  await openPage(dsoPage, "Contracts");
  await dsoPage.getByRole("button", { name: `Details of ${scene.contractId}` }).click();
  await expect(dsoPage.getByTestId("settlement-status")).toHaveText("provisional");
  await openPage(prosumerPage, "Settlements");
  await prosumerPage.getByRole("button", { name: `Breakdown of ${scene.contractId}` }).click();
  const disputeReason = `ISP 1 was read before the charger stopped (${suffix})`;
  const dispute = prosumerPage.getByRole("form", { name: "Dispute settlement" });
  await dispute.getByLabel("Reason for the dispute").fill(disputeReason);
  await dispute.getByRole("button", { name: "Dispute", exact: true }).click();
  await expect(prosumerPage.getByTestId("settlement-status")).toHaveText("disputed");
  await expect(prosumerPage.getByTestId("settlement-facts")).toContainText(`by seller: “${disputeReason}”`);
  await expect(dispute).toHaveCount(0);  // disputed at most once
  // The success line outlives the form that wrote it.
  const disputeDone = `Settlement of ${scene.contractId} disputed. The operator will resolve it.`;
  await expect(prosumerPage.getByRole("article", { name: `Breakdown of ${scene.contractId}` }).getByRole("status")).toHaveText(disputeDone);
  await expect(prosumerPage.getByRole("row", { name: new RegExp(scene.contractId) })).toContainText("disputed0.45 EUR to the seller0.00 EUR1");
  // No reload: the DSO's open contract shows the dispute, and offers the buyer no second one.
  await expect(dsoPage.getByTestId("settlement-status")).toHaveText("disputed");
  await expect(dsoPage.getByTestId("settlement-facts")).toContainText(`by seller: “${disputeReason}”`);
  await expect(dsoPage.getByRole("form", { name: "Dispute settlement" })).toHaveCount(0);

  // The regulator reads the disputed settlement with no control to dispute or resolve it.
  await openPage(regulatorPage, "Settlements");
  await regulatorPage.getByRole("button", { name: `Breakdown of ${scene.contractId}` }).click();
  await expect(regulatorPage.getByTestId("settlement-status")).toHaveText("disputed");
  await expect(regulatorPage.getByRole("button", { name: "Dispute" })).toHaveCount(0);
  await expect(regulatorPage.getByRole("button", { name: "Resolve" })).toHaveCount(0);
  await expect(regulatorPage.getByRole("form")).toHaveAccessibleName("Filter settlements");  // the only form only filters
  await expect(regulatorPage.getByRole("textbox")).toHaveCount(0);

  // The operator finds it among the disputed ones and adjusts the net to 0.30 EUR.
  const operatorPage = await openAs(browser, "operator");
  await openPage(operatorPage, "Settlements");
  await operatorPage.getByLabel("Filter by status").selectOption("disputed");
  await operatorPage.getByRole("button", { name: `Breakdown of ${scene.contractId}` }).click();
  await expect(operatorPage.getByTestId("settlement-status")).toHaveText("disputed");
  await expect(operatorPage.getByRole("form", { name: "Dispute settlement" })).toHaveCount(0);  // not a party
  const resolve = operatorPage.getByRole("form", { name: "Resolve dispute" });
  await resolve.getByLabel("Adjust the net").check();
  await resolve.getByLabel("New net (EUR, negative when the seller pays)").fill("0.30");
  const resolutionReason = `The charger's log shows 0.1 kWh delivered in ISP 1 (${suffix})`;
  await resolve.getByLabel("Reason for the resolution").fill(resolutionReason);
  const prosumerDisputed = await accountOf(scene.prosumer, scene.participants.prosumer);
  const dsoDisputed = await accountOf(scene.dso, scene.participants.dso);
  await resolve.getByRole("button", { name: "Resolve" }).click();
  await expect(operatorPage.getByTestId("settlement-status")).toHaveText("final");
  await expect(resolve).toHaveCount(0);
  const resolveDone = `Dispute on ${scene.contractId} resolved (adjust); the settlement is final.`;
  await expect(operatorPage.getByRole("article", { name: `Breakdown of ${scene.contractId}` }).getByRole("status")).toHaveText(resolveDone);

  const adjusted = await settlementOf(scene);
  expect([adjusted.status, adjusted.version, adjusted.trigger, adjusted.net_micro, adjusted.fee_micro]).toEqual(["final", 2, "adjustment", adjustedNetMicro, 0]);
  expect(adjusted.money).toEqual({
    moves: [{ amount_micro: adjustmentMicro, from: scene.participants.prosumer, paid_micro: adjustmentMicro, to: scene.participants.dso }],
  });
  // Both versions stay readable: version 1 as it was, with the escrow release it made.
  const versions = await scene.prosumer.get(`/api/v1/settlements/${scene.contractId}/versions`);
  expect(versions.ok(), await versions.text()).toBeTruthy();
  const { items } = (await versions.json()) as { items: SettlementRecord[] };
  expect(items.map((version) => [version.version, version.trigger, version.net_micro])).toEqual([
    [1, settled.trigger, settled.net_micro],
    [2, "adjustment", adjustedNetMicro],
  ]);
  expect(items[0].money).toEqual(settled.money);
  const prosumerResolved = await accountOf(scene.prosumer, scene.participants.prosumer);
  const dsoResolved = await accountOf(scene.dso, scene.participants.dso);
  expect(prosumerResolved).toMatchObject({ available_micro: prosumerDisputed.available_micro - adjustmentMicro, held_micro: prosumerDisputed.held_micro });
  expect(dsoResolved).toMatchObject({ available_micro: dsoDisputed.available_micro + adjustmentMicro, held_micro: dsoDisputed.held_micro });

  // Both parties see the final, adjusted settlement live.
  for (const page of [prosumerPage, dsoPage, operatorPage]) {
    await expect(page.getByTestId("settlement-status")).toHaveText("final");
    await expect(page.getByTestId("settlement-net")).toHaveText("0.30 EUR to the seller");
    await expect(page.getByTestId("settlement-facts")).toContainText("Version2 (adjustment)");
    await expect(page.getByTestId("settlement-facts")).toContainText(`; resolved (adjust) ${formatTime(adjusted.revised_at!, regulatorTimeZone)}: “${resolutionReason}”`);
    await expect(page.getByText("The net differs from the sum of the ISPs")).toBeVisible();
  }
  await expect(prosumerPage.getByRole("form", { name: "Dispute settlement" })).toHaveCount(0);

  // The prosumer's wallet: the adjustment's difference, newest first, then the first payment.
  await openPage(prosumerPage, "Wallet");
  await expect(prosumerPage.getByTestId("available")).toHaveText(formatEuros(prosumerResolved.available_micro));
  await expect(paymentRows).toHaveCount(2);
  await expect(paymentRows.nth(0).getByRole("cell")).toHaveText([
    scene.contractId,
    "2",
    "adjustment",
    formatTime(adjusted.revised_at!, regulatorTimeZone),
    "-0.150000 EUR",
    "",
  ]);
  await expect(paymentRows.nth(1).getByRole("cell")).toHaveText([
    scene.contractId,
    "1",
    "readings complete",
    formatTime(settled.settled_at, regulatorTimeZone),
    "+0.450000 EUR",
    "",
  ]);
});
