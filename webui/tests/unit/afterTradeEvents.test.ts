import { describe, expect, it } from "vitest";
import { addNotification, notificationFor, type LedgerEvent } from "../../src/lib/notifications";
import { mergeCsvPages, parseCsv } from "../../src/lib/csvExport";

const me = "a".repeat(64);
const other = "b".repeat(64);
const event = (type: string, id: string, height: number, record: Record<string, unknown>): LedgerEvent => ({ type, id, height, record });

describe("notifications from the event stream", () => {
  it("announces a request just posted by someone else, and nothing else about requests", () => {
    const posted = { status: "open", created_height: 9, buyer: other, zone_id: "z1", direction: "up", product: "energy", power_w: [10_000, 12_500], start: 1_795_356_780 };
    const note = notificationFor(event("request", "r1", 9, posted), me);
    expect(note?.kind).toBe("request");
    expect(note?.text).toMatch(/^New request r1 in zone z1: up, energy, up to 12.5 kW from /);
    expect(notificationFor(event("request", "r1", 10, { ...posted, status: "filled" }), me)).toBeNull();  // a fill
    expect(notificationFor(event("request", "r1", 9, { ...posted, buyer: me }), me)).toBeNull();  // my own
    expect(notificationFor(event("offer", "o1", 9, {}), me)).toBeNull();
  });

  it("tells contracts made, activated and settled apart", () => {
    const made = { status: "active", zone_id: "z1", direction: "up", product: "energy", escrow_micro: 1_000_000 };
    expect(notificationFor(event("contract", "c1", 10, made), me)?.text).toBe("New contract c1 in zone z1: up, energy, escrow 1.00 EUR");
    expect(notificationFor(event("contract", "c2", 11, { ...made, product: "reservation", activated_w: [0, 7_000] }), me)?.text).toBe("Contract c2 activated: up to 7 kW");
    expect(notificationFor(event("contract", "c1", 41, { ...made, status: "settled" }), me)?.text).toBe("Contract c1 is settled");
  });

  it("describes settlements, revisions, disputes and finality with the net", () => {
    const settled = { status: "provisional", version: 1, net_micro: -4_000_000 };
    expect(notificationFor(event("settlement", "c1", 41, settled), me)?.text).toBe("Contract c1 settled: net -4.00 EUR (provisional)");
    expect(notificationFor(event("settlement", "c1", 50, { ...settled, version: 2, net_micro: 14_000_000 }), me)?.text).toBe("Settlement of c1 revised (version 2): net 14.00 EUR");
    const dispute = { opened_at: 1, opened_by: me, reason: "meter was broken" };
    expect(notificationFor(event("settlement", "c1", 51, { ...settled, status: "disputed", dispute }), me)?.text).toBe("Settlement of c1 disputed: meter was broken");
    expect(notificationFor(event("settlement", "c1", 52, { ...settled, status: "final", net_micro: 7_000_000, dispute: { ...dispute, resolution: "adjust" } }), me)?.text).toBe(
      "Settlement of c1 is final: net 7.00 EUR (dispute resolved: adjust)",
    );
  });

  it("keeps them newest first, once each", () => {
    const first = notificationFor(event("contract", "c1", 10, { status: "active", escrow_micro: 0 }), me)!;
    const second = notificationFor(event("contract", "c2", 10, { status: "active", escrow_micro: 0 }), me)!;
    const later = notificationFor(event("contract", "c1", 41, { status: "settled" }), me)!;
    let list = addNotification([], first);
    list = addNotification(list, second);
    list = addNotification(list, later);
    list = addNotification(list, first);  // the same event again after a reconnect
    expect(list.map((note) => note.key)).toEqual(["contract/c1/settled", "contract/c2/made", "contract/c1/made"]);
  });
});

describe("CSV export pages", () => {
  it("reads quoted cells with commas, doubled quotes and line breaks", () => {
    expect(parseCsv('a,b\r\n1,"{""x"":1,""y"":2}"\r\n"line\nbreak",\'=1\r\n')).toEqual([
      ["a", "b"],
      ["1", '{"x":1,"y":2}'],
      ["line\nbreak", "'=1"],
    ]);
  });

  it("joins pages on the union of their headers, keeping each cell's text", () => {
    const page1 = "contract_id,net_micro,status\r\nc1,950000,provisional\r\n";
    const page2 = 'contract_id,dispute,net_micro,status\r\nc2,"{""reason"":""late, wrong""}",-4000000,disputed\r\n';
    expect(mergeCsvPages([page1, page2])).toBe(
      'contract_id,net_micro,status,dispute\r\nc1,950000,provisional,\r\nc2,-4000000,disputed,"{""reason"":""late, wrong""}"\r\n',
    );
    expect(mergeCsvPages([])).toBe("");
  });
});
