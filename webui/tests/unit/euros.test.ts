import { describe, expect, it } from "vitest";
import { parseEuroAmount, parseSignedEuroAmount } from "../../src/lib/euros";
import { eurosToMicro } from "../../src/lib/offerForm";

const tooLarge = { error: "at most 9007199254.740991 EUR" };

describe("EUR amounts as micro-units", () => {
  it("reads decimal text exactly", () => {
    // 1 EUR = 1,000,000 micro; the fraction is padded to six digits.
    expect(parseEuroAmount("100.000000")).toEqual({ micro: 100_000_000 });
    expect(parseEuroAmount("100")).toEqual({ micro: 100_000_000 });
    expect(parseEuroAmount(" 0,5 ")).toEqual({ micro: 500_000 });
    expect(parseEuroAmount("0.000001")).toEqual({ micro: 1 });
    // 0.1 + 0.2 in floating point is 0.30000000000000004; here it is text: 300,000 micro.
    expect(parseEuroAmount("0.3")).toEqual({ micro: 300_000 });
    // 2^53 − 1 micro is the largest ledger amount.
    expect(parseEuroAmount("9007199254.740991")).toEqual({ micro: 9_007_199_254_740_991 });
  });

  it("refuses what is not an amount", () => {
    // 2^53 micro = 9,007,199,254.740992 EUR, one above the largest: a Number cannot tell it from 2^53 + 1.
    expect(parseEuroAmount("9007199254.740992")).toEqual(tooLarge);
    expect(parseEuroAmount("9007199254.740993")).toEqual(tooLarge);
    expect(parseEuroAmount("9999999999.999999")).toEqual(tooLarge);
    expect(parseEuroAmount("1.0000001")).toHaveProperty("error");
    expect(parseEuroAmount("-1")).toHaveProperty("error");
    expect(parseEuroAmount("1e3")).toHaveProperty("error");
    expect(parseEuroAmount("0")).toEqual({ error: "more than 0 EUR" });
    expect(parseEuroAmount("0", true)).toEqual({ micro: 0 });
  });

  it("gives the forms that word their own message the same reading, or null", () => {
    expect(eurosToMicro("9007199254.740991")).toBe(9_007_199_254_740_991);  // 2^53 − 1
    expect(eurosToMicro("9007199254.740992")).toBeNull();  // 2^53
    expect(eurosToMicro("9999999999.999999")).toBeNull();  // ten integer digits passed before, 10^16 − 1 micro
    expect(eurosToMicro("0")).toBe(0);
  });

  it("reads a signed EUR amount for an adjustment exactly", () => {
    expect(parseSignedEuroAmount("-4")).toEqual({ micro: -4_000_000 });
    expect(parseSignedEuroAmount(" 7,5 ")).toEqual({ micro: 7_500_000 });
    expect(parseSignedEuroAmount("-0.000001")).toEqual({ micro: -1 });
    expect(parseSignedEuroAmount("-9007199254.740991")).toEqual({ micro: -9_007_199_254_740_991 });  // −(2^53 − 1)
    expect(parseSignedEuroAmount("-9007199254.740992")).toEqual({ error: "between -9007199254.740991 and 9007199254.740991 EUR" });  // −2^53
    expect(parseSignedEuroAmount("--1")).toHaveProperty("error");
    expect(parseSignedEuroAmount("")).toHaveProperty("error");
    expect(parseSignedEuroAmount("1e3")).toHaveProperty("error");
  });
});
