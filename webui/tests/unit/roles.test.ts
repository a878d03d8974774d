import { describe, expect, it } from "vitest";
import { canWrite, pagesFor } from "../../src/lib/roles";

describe("pages and write rights per role", () => {
  it("always starts at home and lists each page once", () => {
    const paths = pagesFor(["prosumer", "aggregator"]).map((page) => page.path);
    expect(paths[0]).toBe("/");
    expect(new Set(paths).size).toBe(paths.length);
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
