import { describe, expect, it } from "vitest";
import { settlementPayments, walletPayments, type SettlementWithMoney } from "../../src/lib/walletPayments";

// Hand-worked records (PROTOCOL.md §9, settlement money). S the seller, B the buyer, F the fee account.
const S = "5".repeat(64);
const B = "b".repeat(64);
const F = "f".repeat(64);
const t0 = 1_795_356_000;  // 2026-11-22 08:00 UTC

// The settlement journey's contract: escrow E = 600,000, net N = 450,000, no fee. Version 1
// pays the seller N − fee = 450,000 and returns E − N = 150,000 to the buyer, whose held
// 600,000 leaves: the buyer's balance changes by 150,000 − 600,000 = −450,000.
const released: SettlementWithMoney = {
  contract_id: "c0000000001",
  version: 1,
  trigger: "readings_complete",
  net_micro: 450_000,
  fee_micro: 0,
  settled_at: t0,
  money: { escrow_micro: 600_000, fee_micro: 0, paid_to_seller_micro: 450_000, returned_to_buyer_micro: 150_000 },
};

// The operator adjusts it to 300,000: N falls by 150,000, so the seller owes the buyer 150,000
// and pays it in full; the fee stays 0, so no second move.
const adjusted: SettlementWithMoney = {
  ...released,
  version: 2,
  trigger: "adjustment",
  net_micro: 300_000,
  revised_at: t0 + 600,
  money: { moves: [{ amount_micro: 150_000, from: S, paid_micro: 150_000, to: B }] },
};

describe("version 1: the escrow release", () => {
  it("pays the seller N − fee and charges the buyer N", () => {
    expect(settlementPayments([released], S, "seller")).toEqual([
      { contractId: "c0000000001", version: "1", trigger: "readings_complete", at: t0, amountMicro: 450_000, note: "" },
    ]);
    expect(settlementPayments([released], B, "buyer")[0].amountMicro).toBe(-450_000);
  });

  it("charges a seller with a negative net what it could pay, and names the debt", () => {
    // PROTOCOL.md's example with A = 11 MW: N = −33 EUR, E = 14 EUR; Alice pays her 10 EUR and
    // owes 23 EUR. The buyer gets E + 10 = 24 EUR back for its 14 EUR held: +10 EUR.
    const negative: SettlementWithMoney = {
      ...released,
      trigger: "deadline",
      net_micro: -33_000_000,
      money: { charged_to_seller_micro: 10_000_000, debt_micro: 23_000_000, escrow_micro: 14_000_000, fee_micro: 0, returned_to_buyer_micro: 24_000_000 },
    };
    expect(settlementPayments([negative], S, "seller")[0]).toMatchObject({ amountMicro: -10_000_000, note: "still owes 23.000000 EUR" });
    expect(settlementPayments([negative], B, "buyer")[0]).toMatchObject({ amountMicro: 10_000_000, note: "the seller still owes 23.000000 EUR" });
  });
});

describe("later versions: each version's own money, newest first", () => {
  it("shows the adjustment's difference and the original payment for the seller", () => {
    expect(settlementPayments([released, adjusted], S, "seller")).toEqual([
      { contractId: "c0000000001", version: "2", trigger: "adjustment", at: t0 + 600, amountMicro: -150_000, note: "" },
      { contractId: "c0000000001", version: "1", trigger: "readings_complete", at: t0, amountMicro: 450_000, note: "" },
    ]);
  });

  it("shows the buyer the refund and what it first paid", () => {
    expect(settlementPayments([released, adjusted], B, "buyer").map((payment) => payment.amountMicro)).toEqual([150_000, -450_000]);
  });

  it("moves money back on a correction with a fee, the fee account refunding the seller", () => {
    // fee_basis_points 250, E = 10 EUR. Version 1: N = 8,000,000, fee = 8,000,000 × 250 / 10,000
    // = 200,000: the seller got 7,800,000 and the buyer 2,000,000 of its 10,000,000 back. The
    // correction: N = 5,000,000, fee 125,000: the seller owes the buyer 3,000,000 and F owes the
    // seller 75,000, in that order. Seller's change: −3,000,000 + 75,000 = −2,925,000 (ending at
    // 7,800,000 − 2,925,000 = 4,875,000 = N − fee).
    const first: SettlementWithMoney = {
      contract_id: "c0000000002",
      version: 1,
      trigger: "readings_complete",
      net_micro: 8_000_000,
      fee_micro: 200_000,
      settled_at: t0,
      money: { escrow_micro: 10_000_000, fee_micro: 200_000, paid_to_seller_micro: 7_800_000, returned_to_buyer_micro: 2_000_000 },
    };
    const corrected: SettlementWithMoney = {
      ...first,
      version: 2,
      trigger: "correction",
      net_micro: 5_000_000,
      fee_micro: 125_000,
      revised_at: t0 + 120,
      money: {
        moves: [
          { amount_micro: 3_000_000, from: S, paid_micro: 3_000_000, to: B },
          { amount_micro: 75_000, from: F, paid_micro: 75_000, to: S },
        ],
      },
    };
    expect(settlementPayments([first, corrected], S, "seller").map((payment) => [payment.version, payment.amountMicro])).toEqual([
      ["2", -2_925_000],
      ["1", 7_800_000],
    ]);
    // The buyer: +3,000,000 now, 2,000,000 − 10,000,000 = −8,000,000 at first.
    expect(settlementPayments([first, corrected], B, "buyer").map((payment) => payment.amountMicro)).toEqual([3_000_000, -8_000_000]);
  });

  it("shows only what a short seller paid, and the debt left", () => {
    // The seller owes 3,000,000 back but has 1,000,000 and no credit line: 2,000,000 stays owed.
    const short: SettlementWithMoney = {
      ...adjusted,
      trigger: "correction",
      net_micro: -2_550_000,
      money: { moves: [{ amount_micro: 3_000_000, debt_micro: 2_000_000, from: S, paid_micro: 1_000_000, to: B }] },
    };
    expect(settlementPayments([released, short], S, "seller")[0]).toMatchObject({ amountMicro: -1_000_000, note: "still owes 2.000000 EUR" });
    expect(settlementPayments([released, short], B, "buyer")[0]).toMatchObject({ amountMicro: 1_000_000, note: "is still owed 2.000000 EUR" });
  });

  it("follows a negative first net and the buyer paying it back", () => {
    // Version 1: N = −4,000,000 with E = 600,000: the seller paid 4,000,000, the buyer got its
    // 600,000 back and the 4,000,000 (+4,000,000). Version 2 nets 0: the buyer returns 4,000,000.
    const negativeFirst: SettlementWithMoney = {
      ...released,
      net_micro: -4_000_000,
      money: { charged_to_seller_micro: 4_000_000, escrow_micro: 600_000, fee_micro: 0, returned_to_buyer_micro: 4_600_000 },
    };
    const back: SettlementWithMoney = { ...adjusted, net_micro: 0, money: { moves: [{ amount_micro: 4_000_000, from: B, paid_micro: 4_000_000, to: S }] } };
    expect(settlementPayments([negativeFirst, back], S, "seller").map((payment) => payment.amountMicro)).toEqual([4_000_000, -4_000_000]);
    expect(settlementPayments([negativeFirst, back], B, "buyer").map((payment) => payment.amountMicro)).toEqual([-4_000_000, 4_000_000]);
  });

  it("a change in the breakdown alone moves nothing", () => {
    const same: SettlementWithMoney = { ...adjusted, net_micro: 450_000, trigger: "correction", money: { moves: [] } };
    expect(settlementPayments([released, same], S, "seller").map((payment) => payment.amountMicro)).toEqual([0, 450_000]);
  });

  it("shows every version of a third, each with its own trigger and time", () => {
    const third: SettlementWithMoney = { ...adjusted, version: 3, trigger: "dispute_rerun", revised_at: t0 + 900, money: { moves: [] } };
    expect(settlementPayments([released, adjusted, third], S, "seller").map((payment) => [payment.version, payment.trigger, payment.at, payment.amountMicro])).toEqual([
      ["3", "dispute_rerun", t0 + 900, 0],
      ["2", "adjustment", t0 + 600, -150_000],
      ["1", "readings_complete", t0, 450_000],
    ]);
  });
});

describe("the wallet's list", () => {
  it("puts every settlement's payments newest first", () => {
    const later: SettlementWithMoney = { ...released, contract_id: "c0000000009", settled_at: t0 + 300 };
    const payments = walletPayments(
      [
        { versions: [released, adjusted], side: "seller" },
        { versions: [later], side: "seller" },
      ],
      S,
    );
    expect(payments.map((payment) => [payment.contractId, payment.version, payment.at])).toEqual([
      ["c0000000001", "2", t0 + 600],
      ["c0000000009", "1", t0 + 300],
      ["c0000000001", "1", t0],
    ]);
  });
});
