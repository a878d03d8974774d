import { describe, expect, it } from "vitest";
import { validateAdmission } from "../../src/lib/operatorForms";

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
