// A prosumer registers an asset through the form: the form names the fields at fault
// before anything is sent, then the asset appears with its prequalification.
import { expect, test } from "@playwright/test";
import { asRole, evChargerPayload, logInAs, write, zonePayload } from "./node-api";

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

test("a prosumer registers an asset with its site, edits it, and a technical change sends it back to prequalification", async ({ page }) => {
  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  const retailer = await asRole("retailer");
  const retailerKey = (await (await retailer.get("/api/v1/auth/me")).json()).participant as string;
  await write(dso, "/zones", zonePayload("ankara-feeder-7"));
  await write(prosumer, "/assets", { ...evChargerPayload("ankara-other", "ankara-feeder-7"), metering_point_id: "MP-ANK-OTHER" });

  await logInAs(page, "prosumer");
  await page.getByRole("link", { name: "Assets" }).click();
  const register = page.getByRole("form", { name: "Register an asset" });
  await register.getByLabel("Asset id").fill("ankara-battery");
  await register.getByLabel("Name", { exact: true }).fill("Ulus battery");
  await register.getByLabel("Technology").selectOption("battery");
  await register.getByLabel("Zone").selectOption("ankara-feeder-7");
  await register.getByLabel("Metering point").fill("MP-ANK-001");
  await register.getByLabel("Max up (kW)").fill("10");
  await register.getByLabel("Max down (kW)").fill("10");
  await register.getByLabel("Connection (kW)").fill("25");
  await register.getByLabel("Storage (kWh)").fill("13.5");
  await register.getByLabel("Supplier (retailer)").selectOption(retailerKey);
  await register.getByLabel("City").fill("Ankara");
  await register.getByLabel("Postal code").fill("06050");
  // Anıtkabir, Ankara; a seventh decimal is refused before anything is sent.
  await register.getByLabel("Latitude (°)").fill("39.9250541");
  await register.getByLabel("Longitude (°)").fill("32.836943");
  await register.getByLabel("Property type").selectOption("domestic");
  await register.getByLabel("Site status").selectOption("under_construction");
  await register.getByLabel("Target connection date").fill("2027-03-01");
  await register.getByRole("button", { name: "Register asset" }).click();
  await expect(register.getByLabel("Latitude (°)")).toHaveAttribute("aria-invalid", "true");
  await register.getByLabel("Latitude (°)").fill("39.925054");
  await register.getByRole("button", { name: "Register asset" }).click();
  await expect(register.getByRole("status")).toHaveText("Asset ankara-battery registered; its prequalification is pending with the zone's DSO.");
  const row = page.getByRole("row", { name: /ankara-battery/ });
  await expect(row.getByRole("cell")).toHaveText(["ankara-battery", "Ulus battery", "battery", "ankara-feeder-7", "10 kW", "10 kW", "25 kW", "Ankara · 39.925054, 32.836943", "pending", "Edit"]);
  // The ledger holds the coordinates as integer micro-degrees, exactly as typed.
  const recorded = await (await prosumer.get("/api/v1/assets/ankara-battery")).json();
  expect(recorded.property).toEqual({
    city: "Ankara",
    postal_code: "06050",
    latitude_micro: 39_925_054,
    longitude_micro: 32_836_943,
    property_type: "domestic",
    status: "under_construction",
    target_connection_date: "2027-03-01",
  });
  expect(recorded.supplier).toBe(retailerKey);
  expect(recorded.storage_wh).toBe(13_500);

  await write(dso, "/assets/ankara-battery/prequalification", { decision: "qualified" });
  await page.reload();
  await expect(row).toContainText("qualified");

  // The edit form starts from the record; a new name alone needs no new prequalification.
  await row.getByRole("button", { name: "Edit ankara-battery" }).click();
  const edit = page.getByRole("form", { name: "Edit ankara-battery" });
  await expect(edit.getByLabel("Latitude (°)")).toHaveValue("39.925054");
  await expect(edit.getByLabel("Storage (kWh)")).toHaveValue("13.5");
  await edit.getByLabel("Name", { exact: true }).fill("Ulus home battery");
  await expect(edit.getByTestId("requalify-warning")).toHaveCount(0);
  await edit.getByLabel("Max up (kW)").fill("7.4");
  await expect(edit.getByTestId("requalify-warning")).toHaveText("Saving changes the max up: prequalification goes back to pending.");
  const patch = page.waitForRequest((request) => request.method() === "PATCH");
  await edit.getByRole("button", { name: "Save changes" }).click();
  expect((await patch).postDataJSON()).toEqual({ name: "Ulus home battery", max_up_w: 7_400 });  // only what changed
  await expect(edit.getByRole("status")).toHaveText(
    "Asset ankara-battery updated (name, max_up_w); its prequalification is pending again with the zone's DSO.",
  );
  await expect(row.getByRole("cell")).toHaveText(["ankara-battery", "Ulus home battery", "battery", "ankara-feeder-7", "7.4 kW", "10 kW", "25 kW", "Ankara · 39.925054, 32.836943", "pending", "Edit"]);

  // Another asset's metering point: the node's own code, with what to do about it.
  await edit.getByLabel("Metering point").fill("MP-ANK-OTHER");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit.getByRole("alert")).toContainText("asset.duplicate_metering_point");
  await expect(edit.getByText("That metering point already backs another asset.")).toBeVisible();

  // The owner lets the aggregator sell the asset, then withdraws.
  const consent = page.getByRole("region", { name: "Aggregators allowed to sell ankara-battery" });
  await expect(consent.getByText("None yet.")).toBeVisible();
  const aggregatorKey = (await (await (await asRole("aggregator")).get("/api/v1/auth/me")).json()).participant as string;
  await consent.getByLabel("Aggregator").selectOption(aggregatorKey);
  await consent.getByRole("button", { name: "Grant consent" }).click();
  await expect(consent.getByRole("status")).toHaveText("Dev aggregator may now sell ankara-battery.");
  await expect(consent.getByRole("listitem")).toContainText("Dev aggregator");
  await consent.getByRole("button", { name: "Withdraw consent of Dev aggregator" }).click();
  await expect(consent.getByRole("status")).toHaveText("Dev aggregator may no longer sell ankara-battery; contracts already made stand.");
  await expect(consent.getByRole("listitem")).toHaveCount(0);
});
