import { describe, expect, it, vi } from "vitest";
import { api, problemOf } from "../../src/lib/api";

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

describe("a write whose block was late (202 pending)", () => {
  const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const txId = "ab".repeat(32);

  it("is followed to its commit: 404 while a non-reader cannot see it pending, then the receipt", async () => {
    const answers = [
      reply(202, { status: "pending", tx_id: txId }),
      reply(404, { code: "tx.not_found", detail: "transaction" }),
      reply(200, { status: "committed", height: 7, result: { code: "ok", message: "" } }),
    ];
    const asked: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => (asked.push(url), answers.shift()!));
    const outcome = await api.post<{ status: string; height: number }>("/requests", { request_id: "r1" });
    expect(outcome).toEqual({ tx_id: txId, height: 7, status: "committed", result: { code: "ok", message: "" } });
    expect(asked).toEqual(["/api/v1/requests", `/api/v1/txs/${txId}`, `/api/v1/txs/${txId}`]);
    vi.unstubAllGlobals();
  });

  it("turns a rejection in the block into the contract's problem", async () => {
    const answers = [
      reply(202, { status: "pending", tx_id: txId }),
      reply(200, { status: "committed", height: 8, result: { code: "request.overfill", message: "filled by an earlier fill" } }),
    ];
    vi.stubGlobal("fetch", async () => answers.shift()!);
    await expect(api.post("/requests/r1/purchase", { fills: [] })).rejects.toMatchObject({ code: "request.overfill", status: 400 });
    vi.unstubAllGlobals();
  });
});
