// Offers appear in the dashboard as the node commits them, without a reload, redacted for
// those who may not know the seller.
import { expect, test } from "@playwright/test";
import { asRole, logInAs, evChargerPayload, offerPayload, write, zonePayload } from "./node-api";

test("a new offer appears on the open offers page of its seller and of the zone's DSO, live", async ({ browser }) => {
  const pages = await Promise.all(
    ["prosumer", "dso"].map(async (role) => {
      const page = await (await browser.newContext({ timezoneId: "Europe/Amsterdam" })).newPage();
      await logInAs(page, role);
      await page.getByRole("link", { name: "Offers" }).click();
      await expect(page.getByRole("heading", { name: "Offers" })).toBeVisible();
      await expect(page.getByTestId("live")).toContainText("Live");  // the event stream is open
      return page;
    }),
  );
  const [sellerPage, dsoPage] = pages;

  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  await write(dso, "/zones", zonePayload("z-live"));
  await write(prosumer, "/assets", evChargerPayload("ev-live", "z-live"));
  await write(dso, "/assets/ev-live/prequalification", { decision: "qualified" });
  await write(prosumer, "/offers", offerPayload("o-live", "z-live", "ev-live", 200_000_000));

  for (const page of pages) {
    const row = page.getByRole("row", { name: /o-live/ });
    await expect(row).toBeVisible();  // no reload: the event stream brought it
    await expect(row).toContainText("10 kW10 kW");  // peak power, and all of it unsold
    await expect(row).toContainText("200.00 EUR/MWh");
  }
  // The DSO has bought nothing from this seller: the seller is hidden from it.
  await expect(dsoPage.getByRole("row", { name: /o-live/ })).toContainText("hidden");
  await expect(sellerPage.getByRole("row", { name: /o-live/ })).not.toContainText("hidden");
});

test("a page following the event stream goes back to the login when its session ends elsewhere", async ({ browser }) => {
  const context = await browser.newContext();
  const offersPage = await context.newPage();
  await logInAs(offersPage, "aggregator");
  await offersPage.getByRole("link", { name: "Offers" }).click();
  await expect(offersPage.getByTestId("live")).toContainText("Live");
  // The same browser session logs out in another tab: the node ends the session and its stream.
  const otherTab = await context.newPage();
  await otherTab.goto(process.env.FLEX_E2E_URL!);
  await otherTab.getByRole("button", { name: "Log out" }).click();
  await expect(otherTab.getByRole("button", { name: "Log in" })).toBeVisible();
  await expect(offersPage.getByRole("button", { name: "Log in" })).toBeVisible();
  await context.close();
});

test("a prosumer lists an offer through the form; wrong input is named before anything is sent", async ({ page }) => {
  const dso = await asRole("dso");
  const prosumer = await asRole("prosumer");
  await write(dso, "/zones", zonePayload("z-form"));
  await write(prosumer, "/assets", evChargerPayload("ev-form", "z-form"));
  await write(dso, "/assets/ev-form/prequalification", { decision: "qualified" });

  await logInAs(page, "prosumer");
  await page.getByRole("link", { name: "Offers" }).click();
  const form = page.getByRole("form", { name: "New offer" });
  await form.getByLabel("Zone").selectOption("z-form");
  await form.getByLabel(/ev-form/).check();
  await form.getByLabel("Offer id").fill("o-form-1");
  await form.getByLabel("To time").fill("16:00");  // before the start (17:00)
  await form.getByLabel("Power (kW)").fill("10");
  await form.getByLabel("Activation price (EUR/MWh)").fill("180,50");
  const posts: string[] = [];
  page.on("request", (request) => request.method() === "POST" && posts.push(request.url()));
  await form.getByRole("button", { name: "List offer" }).click();
  await expect(form.getByText("after the start", { exact: true })).toBeVisible();
  await expect(form.getByLabel("To time")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText(/on the market's 1-minute grid/)).toBeVisible();  // the node's 60-second ISPs
  expect(posts).toEqual([]);

  await form.getByLabel("To time").fill("18:00");
  await form.getByRole("button", { name: "List offer" }).click();
  await expect(form.getByRole("status")).toContainText("Offer o-form-1 listed");
  const row = page.getByRole("row", { name: /o-form-1/ });
  await expect(row).toContainText("10 kW10 kW");
  await expect(row).toContainText("180.50 EUR/MWh");
  await expect(row).toContainText("17:00");  // tomorrow 17:00 in the browser's zone, as typed
});
