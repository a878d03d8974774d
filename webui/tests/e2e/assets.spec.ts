// A prosumer registers an asset through the form: the form names the fields at fault
// before anything is sent, then the asset appears with its prequalification.
import { expect, test } from "@playwright/test";
import { asRole, logInAs, write, zonePayload } from "./node-api";

test("a prosumer registers an EV charger through the form and sees its prequalification", async ({ page }) => {
  const dso = await asRole("dso");
  await write(dso, "/zones", zonePayload("bilecik-feeder-1"));

  await logInAs(page, "prosumer");
  await page.getByRole("link", { name: "Assets" }).click();
  await expect(page.getByRole("heading", { name: "Register an asset" })).toBeVisible();

  // Nothing filled in: every required field is named, and nothing reaches the node.
  const requests: string[] = [];
  page.on("request", (request) => request.method() === "POST" && requests.push(request.url()));
  await page.getByRole("button", { name: "Register asset" }).click();
  await expect(page.getByLabel("Asset id")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Connection (kW)")).toHaveAttribute("aria-invalid", "true");
  expect(requests).toEqual([]);

  // The first charger of ../shared/testdata/zes-ev-assets.csv.
  await page.getByLabel("Asset id").fill("zes-bozuyuk-dc");
  await page.getByLabel("Name", { exact: true }).fill("ZES - Bozüyük Sarar Outlet DC");
  await page.getByLabel("Technology").selectOption("ev_charger");
  await page.getByLabel("Zone").selectOption("bilecik-feeder-1");
  await page.getByLabel("Metering point").fill("MP-11300-001");
  await page.getByLabel("Max up (kW)").fill("11");
  await page.getByLabel("Max down (kW)").fill("22,5");
  await page.getByLabel("Connection (kW)").fill("50");
  await page.getByRole("button", { name: "Register asset" }).click();
  await expect(page.getByRole("status")).toContainText("Asset zes-bozuyuk-dc registered");
  const row = page.getByRole("row", { name: /zes-bozuyuk-dc/ });
  await expect(row).toContainText("22.5 kW");
  await expect(row).toContainText("pending");

  // The same id again: the node's own code comes back, shown as it is.
  await page.getByLabel("Asset id").fill("zes-bozuyuk-dc");
  await page.getByLabel("Name", { exact: true }).fill("Again");
  await page.getByLabel("Metering point").fill("MP-11300-002");
  await page.getByLabel("Max up (kW)").fill("1");
  await page.getByLabel("Max down (kW)").fill("1");
  await page.getByLabel("Connection (kW)").fill("1");
  await page.getByRole("button", { name: "Register asset" }).click();
  await expect(page.getByRole("alert")).toContainText("asset.exists");

  // The DSO prequalifies it; the seller's list shows the decision after a search.
  await write(dso, "/assets/zes-bozuyuk-dc/prequalification", { decision: "qualified" });
  await page.getByLabel("Search").fill("bozüyük");
  await expect(page.getByRole("row", { name: /zes-bozuyuk-dc/ })).toContainText("qualified");
});
