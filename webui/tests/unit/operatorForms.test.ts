import { describe, expect, it } from "vitest";
import { parseEuroAmount, validateAdmission } from "../../src/lib/operatorForms";

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
    expect(parseEuroAmount("9007199254.740992")).toEqual({ error: "at most 9007199254.740991 EUR" });
    expect(parseEuroAmount("1.0000001")).toHaveProperty("error");
    expect(parseEuroAmount("-1")).toHaveProperty("error");
    expect(parseEuroAmount("1e3")).toHaveProperty("error");
    expect(parseEuroAmount("0")).toEqual({ error: "more than 0 EUR" });
    expect(parseEuroAmount("0", true)).toEqual({ micro: 0 });
  });
});

describe("admitting a participant", () => {
  const key = "9997a497d964fc1a62885b05a51166a65a90df00492c8d7cf61d6accf54803be";

  it("builds the participant.admit payload with sorted roles", () => {
    expect(validateAdmission({ publicKey: ` ${key} `, name: "Zonnedak BV", roles: ["retailer", "aggregator"], companyCode: "" })).toEqual({
      payload: { public_key: key, name: "Zonnedak BV", roles: ["aggregator", "retailer"] },
      errors: {},
    });
    expect(validateAdmission({ publicKey: key, name: "X", roles: ["dso"], companyCode: "KVK-1" }).payload).toEqual({
      public_key: key,
      name: "X",
      roles: ["dso"],
      company_code: "KVK-1",
    });
  });

  it("names every field at fault", () => {
    const { payload, errors } = validateAdmission({ publicKey: key.toUpperCase(), name: " ", roles: [], companyCode: "c".repeat(65) });
    expect(payload).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(["companyCode", "name", "publicKey", "roles"]);
  });
});
