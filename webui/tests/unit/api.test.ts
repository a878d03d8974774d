import { describe, expect, it } from "vitest";
import { problemOf } from "../../src/lib/api";

describe("API problems", () => {
  it("keeps the node's stable code and detail", () => {
    const problem = problemOf(400, { code: "offer.capacity_exceeded", detail: "asset a1 has 5000 W left", status: 400 });
    expect(problem.code).toBe("offer.capacity_exceeded");
    expect(problem.detail).toBe("asset a1 has 5000 W left");
    expect(problem.status).toBe(400);
  });

  it("names a failure that is not a problem by its HTTP status", () => {
    expect(problemOf(502, "<html>Bad gateway</html>").code).toBe("http.502");
    expect(problemOf(500, null).code).toBe("http.500");
    expect(problemOf(404, { title: "Not Found" }).detail).toBe("Not Found");
  });
});
