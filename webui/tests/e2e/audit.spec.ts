// The auditor re-verifies the chain in the browser and sees no write control; the operator
// admits a participant and deposits to it, to the micro-unit.
import { expect, test } from "@playwright/test";
import { asRole, logInAs, write } from "./node-api";
import { chainHeight, freshPublicKey, genesisFilePath, heightJustAfterABlock } from "./audit-scene";

const devProsumerName = "Dev prosumer";

test("the auditor verifies the chain from genesis to the tip and writes nothing", async ({ page }) => {
  const operator = await asRole("operator");
  const participants = (await (await operator.get("/api/v1/participants?role=prosumer")).json()).items;
  const prosumerKey = participants.find((participant: { name: string }) => participant.name === devProsumerName).public_key;
  await write(operator, "/deposits", { amount_micro: 2_500_000, fiat_reference: "SEPA-AUDIT-1", to: prosumerKey });
  const withdrawal = await write(operator, "/withdrawals", { amount_micro: 500_000, fiat_reference: "SEPA-AUDIT-2", from: prosumerKey });

  await logInAs(page, "auditor");
  await expect(page.getByRole("link", { name: "Money" })).toHaveCount(0);
  await page.getByRole("link", { name: "Ledger" }).click();
  await expect(page.getByRole("heading", { name: "Ledger", level: 1 })).toBeVisible();
  await page.getByLabel("Genesis file (optional)").setInputFiles(genesisFilePath());
  await expect(page.getByText("Genesis of chain flexledger-dev with 1 validator(s) loaded.")).toBeVisible();

  // No control that writes, on any page the auditor has: every button but Log out only reads.
  const writeControls = page.locator("button:not([data-reads])");
  const tip = await heightJustAfterABlock(operator);
  await page.getByRole("button", { name: "Verify chain" }).click();
  const progress = page.getByRole("progressbar", { name: "Verification progress" });
  await expect(page.getByRole("status")).toContainText(`Verified up to height ${tip}, against the genesis validators`, { timeout: 30_000 });
  await expect(progress).toHaveAttribute("max", String(tip));
  await expect(progress).toHaveAttribute("value", String(tip));
  await expect(page.getByText(`height ${tip} of ${tip}`)).toBeVisible();
  await expect(writeControls).toHaveCount(1);
  expect(await chainHeight(operator)).toBeGreaterThanOrEqual(tip);

  // The withdrawal's block shows the token.burn with its signer, nonce and result code.
  await page.getByLabel("Block height").fill(String(withdrawal.height));
  await page.getByRole("button", { name: "Open block" }).click();
  const burnRow = page.getByRole("row", { name: /token\.burn/ });
  await expect(burnRow).toContainText("ok");
  await burnRow.getByText("payload").click();
  await expect(burnRow).toContainText('"fiat_reference": "SEPA-AUDIT-2"');
  await page.getByLabel("Transaction id").fill(String(withdrawal.tx_id));
  await page.getByRole("button", { name: "Find transaction" }).click();
  await expect(page.getByText(`In block ${withdrawal.height} at position 0.`)).toBeVisible();

  await page.getByRole("link", { name: "Participants" }).click();
  await page.getByRole("button", { name: `Details of ${devProsumerName}` }).click();
  await expect(page.getByRole("region", { name: `Account of ${devProsumerName}` }).getByTestId("available")).toHaveText("2.00 EUR (2000000 micro)");
  await expect(writeControls).toHaveCount(1);
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await page.getByRole("link", { name: "Parameters" }).click();
  await expect(page.getByRole("row", { name: /isp_seconds/ })).toContainText("60 s");
  await expect(page.getByText("no transaction changes them")).toBeVisible();
  await expect(page.getByRole("textbox")).toHaveCount(0);
  await expect(writeControls).toHaveCount(1);
});

test("the operator admits a participant and deposits 100 EUR to it", async ({ page }) => {
  const key = freshPublicKey();
  await logInAs(page, "operator");
  await page.getByRole("link", { name: "Participants" }).click();
  await page.getByLabel("Public key").fill(key);
  await page.getByLabel("Participant name").fill("Zonnedak Coöperatie");
  await page.getByRole("group", { name: "Roles", exact: true }).getByLabel("aggregator").check();
  await page.getByRole("button", { name: "Admit participant" }).click();
  await expect(page.getByRole("status")).toHaveText("Zonnedak Coöperatie admitted as aggregator.");
  const row = page.getByRole("row", { name: /Zonnedak Coöperatie/ });
  await expect(row).toContainText(key);
  await expect(row).toContainText("active");

  await page.getByRole("link", { name: "Money" }).click();
  const deposit = page.getByRole("form", { name: /Deposit/ });
  await deposit.getByLabel("Deposit to").selectOption({ label: `Zonnedak Coöperatie (${key.slice(0, 8)}…)` });
  await deposit.getByLabel("Deposit amount (EUR)").fill("100.000000");
  await deposit.getByLabel("Deposit fiat reference").fill("SEPA-2026-11-22-0001");
  await deposit.getByRole("button", { name: "Deposit" }).click();
  await expect(deposit.getByRole("status")).toHaveText("Deposited 100.00 EUR (100000000 micro) to Zonnedak Coöperatie.");
  await expect(page.getByRole("region", { name: "Account of Zonnedak Coöperatie" }).getByTestId("available")).toHaveText("100.00 EUR (100000000 micro)");

  await page.getByRole("link", { name: "Participants" }).click();
  await page.getByRole("button", { name: "Details of Zonnedak Coöperatie" }).click();
  await expect(page.getByRole("region", { name: "Account of Zonnedak Coöperatie" }).getByTestId("available")).toHaveText("100.00 EUR (100000000 micro)");

  // Roles, suspension and reinstatement, each shown as the ledger now has it.
  const roles = page.getByRole("group", { name: "Roles of Zonnedak Coöperatie" });
  await roles.getByLabel("retailer").check();
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect(page.getByRole("status")).toHaveText("Roles of Zonnedak Coöperatie set to aggregator, retailer.");
  await expect(row).toContainText("aggregator, retailer");
  await page.getByLabel("Suspension reason").fill("KYC documents expired");
  await page.getByRole("button", { name: "Suspend" }).click();
  await expect(row).toContainText("suspended: KYC documents expired");
  await page.getByRole("button", { name: "Reinstate Zonnedak Coöperatie" }).click();
  await expect(page.getByRole("status")).toHaveText("Zonnedak Coöperatie is active again.");
  await expect(row).toContainText("active");

  const account = await (await (await asRole("auditor")).get(`/api/v1/accounts/${key}`)).json();
  expect(account.available_micro).toBe(100_000_000);
  expect(account.held_micro).toBe(0);
});
