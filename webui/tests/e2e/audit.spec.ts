// The auditor re-verifies the chain in the browser and sees no write control; the operator
// admits a participant and deposits to it, to the micro-unit.
import { createHash } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { asRole, logInAs, write } from "./node-api";
import { chainHeight, freshPublicKey, genesisFilePath, heightJustAfterABlock, tamperedGenesisFile } from "./audit-scene";

const devProsumerName = "Dev prosumer";
const receivedGenesisLabel = "Compare with a genesis file you received from the consortium (optional)";
const checkedAgainstNodeGenesis =
  "against the node's genesis (1 validator(s)): validator set, proposers and commit quorum (more than 2/3 of the validators' power) checked on every block;";

async function verifyUpToTip(page: Page, tip: number) {
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("status")).toContainText(`Verified up to height ${tip} ${checkedAgainstNodeGenesis}`, { timeout: 30_000 });
}

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

  // No control that writes, on any page the auditor has: every button but Log out only reads.
  const writeControls = page.locator("button:not([data-reads])");
  // No file uploaded: the browser fetches the node's genesis and checks validators and quorums with it.
  const tip = await heightJustAfterABlock(operator);
  await verifyUpToTip(page, tip);
  await expect(page.getByRole("status")).toContainText("the node's genesis was not compared with a genesis file from the consortium.");
  await page.getByText("What the browser cannot check").click();
  await expect(page.getByText("that the node's genesis is the consortium's")).toBeVisible();
  const progress = page.getByRole("progressbar", { name: "Verification progress" });
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

test("the auditor compares the node's genesis with the file received from the consortium", async ({ page }) => {
  const auditor = await asRole("auditor");
  // The node serves its genesis as the canonical bytes that hash to its status's genesis_hash.
  const status = await (await auditor.get("/api/v1/status")).json();
  const served = await auditor.get("/api/v1/genesis");
  expect(createHash("sha256").update(await served.body()).digest("hex")).toBe(status.genesis_hash);

  await logInAs(page, "auditor");
  await page.getByRole("link", { name: "Ledger" }).click();
  await page.getByLabel(receivedGenesisLabel).setInputFiles(genesisFilePath());
  await expect(page.getByText("Your genesis file of chain flexledger-dev with 1 validator(s) is loaded: the run compares it with the node's genesis first.")).toBeVisible();
  await verifyUpToTip(page, await heightJustAfterABlock(auditor));
  await expect(page.getByRole("status")).toContainText("the genesis file you received is identical to the node's.");
  await page.getByText("What the browser cannot check").click();
  await expect(page.getByText("that the node's genesis is the consortium's")).toHaveCount(0);

  // One validator key changed in the copy: the run stops at the genesis, before any block.
  await page.getByLabel(receivedGenesisLabel).setInputFiles(tamperedGenesisFile());
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("status")).toHaveText(
    new RegExp(
      `^First bad height 0 \\(the genesis\\): the genesis file you received differs from the node's genesis at validators\\[0\\]\\.public_key: it hashes to [0-9a-f]{64}, the node's to ${status.genesis_hash}$`,
    ),
  );
  await expect(page.getByRole("progressbar", { name: "Verification progress" })).toHaveAttribute("value", "0");
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
