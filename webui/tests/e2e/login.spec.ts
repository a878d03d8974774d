// Logging in through the dashboard, for every role the dev node hosts.
import { expect, test } from "@playwright/test";
import { devLogins as logins, logInAs as logIn } from "./node-api";

const url = () => process.env.FLEX_E2E_URL!;
const roles = ["prosumer", "aggregator", "dso", "tso", "retailer", "metering", "auditor", "regulator", "operator"];

for (const role of roles) {
  test(`${role} logs in and lands on a home page for the role`, async ({ page }) => {
    await logIn(page, role, logins()[role]);
    await expect(page.getByRole("heading", { name: `Welcome, ${role}` })).toBeVisible();
    await expect(page.getByTestId("roles")).toHaveText(role);
    const readOnly = role === "auditor" || role === "regulator";
    await expect(page.getByTestId("session-mode")).toContainText(readOnly ? "read-only" : "may sign");
    // The node's height and the session's end, in the browser's zone (named).
    await expect(page.getByTestId("height")).toHaveText(/^[0-9]+$/);
    await expect(page.getByText(/CET|CEST/).first()).toBeVisible();
  });
}

test("a wrong password is refused with the node's stable code, and nothing else is shown", async ({ page }) => {
  await logIn(page, "dso", "not the password");
  await expect(page.getByRole("alert")).toContainText("auth.bad_credentials");
  await expect(page.getByRole("heading", { name: /Welcome/ })).toHaveCount(0);
});

test("the session survives a reload, and logging out ends it", async ({ page }) => {
  await logIn(page, "prosumer", logins().prosumer);
  await expect(page.getByRole("heading", { name: "Welcome, prosumer" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Welcome, prosumer" })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
});

test("the regulator finds no control that writes on any page", async ({ page }) => {
  await logIn(page, "regulator", logins().regulator);
  await expect(page.getByRole("heading", { name: "Welcome, regulator" })).toBeVisible();
  const links = await page.getByRole("navigation", { name: "Pages" }).getByRole("link").all();
  const paths = await Promise.all(links.map((link) => link.getAttribute("href")));
  expect(paths.length).toBeGreaterThan(1);
  for (const path of paths) {
    await page.goto(`${url()}/${path}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    // The only button without data-reads (buttons that only read: verify, paging, open)
    // is Log out; filters are inputs that read, never submit.
    await expect(page.getByRole("button").and(page.locator(":not([data-reads])"))).toHaveCount(1);
    await expect(page.getByRole("button", { name: "Log out" })).toBeVisible();
  }
});

test("the offers page answers with an empty state that says what to do next", async ({ page }) => {
  await logIn(page, "prosumer", logins().prosumer);
  await page.getByRole("link", { name: "Offers" }).click();
  await expect(page.getByRole("heading", { name: "Offers" })).toBeVisible();
  await page.getByLabel("Filter by zone").fill("z-nothing-here");  // whatever other tests listed elsewhere
  await expect(page.getByText("No offers in zone z-nothing-here.")).toBeVisible();
  await expect(page.getByText("Register an asset and list its flexibility")).toBeVisible();
});
