import { describe, expect, it } from "vitest";
import { canWrite, pagesFor } from "../../src/lib/roles";

describe("pages and write rights per role", () => {
  const pages = [
    { path: "/", title: "Home", roles: "all" as const },
    { path: "/assets", title: "Assets", roles: ["prosumer", "dso"] },
    { path: "/buy", title: "Buy", roles: ["dso"] },
  ];

  it("keeps the registry's order, lists each page once and always starts at home", () => {
    expect(pagesFor(["prosumer", "dso"], pages).map((page) => page.path)).toEqual(["/", "/assets", "/buy"]);
    expect(pagesFor(["prosumer"], pages).map((page) => page.path)).toEqual(["/", "/assets"]);
    expect(pagesFor([], pages).map((page) => page.path)).toEqual(["/"]);
  });

  it("gives no write rights to auditors and regulators, even when the node holds their key", () => {
    expect(canWrite(["auditor"], true)).toBe(false);
    expect(canWrite(["regulator"], true)).toBe(false);
    expect(canWrite(["auditor", "regulator"], true)).toBe(false);
    expect(canWrite(["dso"], true)).toBe(true);
    expect(canWrite(["dso"], false)).toBe(false);
    expect(canWrite([], true)).toBe(false);
  });
});
