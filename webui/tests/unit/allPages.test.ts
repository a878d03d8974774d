import { describe, expect, it } from "vitest";
import { fetchAllPages } from "../../src/lib/allPages";

describe("reading every page of a list", () => {
  it("follows next_after until the node says there is no more, keeping the filters", async () => {
    // Three pages as the node answers them: the cursor of each is the last key it held.
    const pages: Record<string, { items: string[]; next_after: string | null }> = {
      "/contracts?buyer=b0&limit=500": { items: ["c1", "c2"], next_after: "c2" },
      "/contracts?buyer=b0&limit=500&after=c2": { items: ["c3"], next_after: "c3" },
      "/contracts?buyer=b0&limit=500&after=c3": { items: [], next_after: null },
    };
    const asked: string[] = [];
    const get = async <P,>(path: string) => (asked.push(path), pages[path] as P);
    expect(await fetchAllPages<string>("/contracts", { buyer: "b0" }, get)).toEqual(["c1", "c2", "c3"]);
    expect(asked).toEqual(Object.keys(pages));
  });

  it("asks once when the first page is the last", async () => {
    const asked: string[] = [];
    const get = async <P,>(path: string) => (asked.push(path), { items: ["p1"], next_after: null } as P);
    expect(await fetchAllPages<string>("/participants", {}, get)).toEqual(["p1"]);
    expect(asked).toEqual(["/participants?limit=500"]);
  });
});
