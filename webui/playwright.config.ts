// Browser journeys against a real flexnode (started by tests/e2e/global-setup.ts) in
// Debian's chromium. Failures keep a screenshot and a trace in FLEX_E2E_OUT.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  outputDir: process.env.FLEX_E2E_OUT ?? "test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    timezoneId: "Europe/Amsterdam",
  },
});
