// The operator's forms, checked before anything is sent: the bounds of PROTOCOL.md §9 for
// participant.admit, token.mint / token.burn and account.set_credit_line, in integers only.

export const allRoles = ["prosumer", "aggregator", "dso", "tso", "retailer", "metering", "operator", "auditor", "regulator"] as const;

// Roles a credit line may be set for (account.not_buyer otherwise).
export const buyerRoles = ["dso", "tso", "retailer"];

export interface AdmitInput {
  publicKey: string;
  name: string;
  roles: string[];
  companyCode: string;
}

export interface AdmitPayload {
  public_key: string;
  name: string;
  roles: string[];
  company_code?: string;
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

// The participant.admit payload, or the errors per field (keys of AdmitInput).
export function validateAdmission(input: AdmitInput): { payload: AdmitPayload | null; errors: Partial<Record<keyof AdmitInput, string>> } {
  const errors: Partial<Record<keyof AdmitInput, string>> = {};
  const publicKey = input.publicKey.trim();
  const name = input.name.trim();
  const companyCode = input.companyCode.trim();
  if (!/^[0-9a-f]{64}$/.test(publicKey)) errors.publicKey = "the participant's x-only public key: 64 lowercase hex digits";
  if (utf8Length(name) < 1 || utf8Length(name) > 200) errors.name = "1 to 200 bytes";
  if (input.roles.length === 0) errors.roles = "at least one role";
  if (utf8Length(companyCode) > 64) errors.companyCode = "at most 64 bytes";
  if (Object.keys(errors).length > 0) return { payload: null, errors };
  const payload: AdmitPayload = { public_key: publicKey, name, roles: [...input.roles].sort() };
  if (companyCode) payload.company_code = companyCode;
  return { payload, errors };
}
