// The asset register form: what people type (kW, kWh, text) checked against the ledger's
// rules for asset.register (docs/PROTOCOL.md §9, "Asset fields") before anything is sent,
// and turned into the exact integer payload (W, Wh). The node checks again; this only
// spares people a round trip and names the field at fault.

export const technologies = ["pv", "battery", "ev_charger", "heat_pump", "flexible_load", "other"] as const;

export interface AssetFormInput {
  assetId: string;
  name: string;
  technology: string;
  zoneId: string;
  meteringPointId: string;
  subMeteringPointId: string;  // empty: none
  maxUpKw: string;
  maxDownKw: string;
  connectionKw: string;
  storageKwh: string;
}

export interface AssetPayload {
  asset_id: string;
  name: string;
  technology: string;
  zone_id: string;
  metering_point_id: string;
  sub_metering_point_id?: string;
  max_up_w: number;
  max_down_w: number;
  connection_w: number;
  storage_wh: number;
}

export type FieldErrors = Partial<Record<keyof AssetFormInput, string>>;

const identifier = /^[a-z0-9._-]{1,64}$/;
const meteringPoint = /^[A-Za-z0-9._:-]{1,64}$/;
const maxPowerW = 1_000_000_000_000;  // 10^12 W
const maxStorageWh = 1_000_000_000_000_000;  // 10^15 Wh

// "12.5" kW -> 12500 W exactly: up to three decimals, no exponent, no sign, no floating point.
export function kiloToUnit(text: string): number | null {
  const match = /^([0-9]{1,16})(?:[.,]([0-9]{1,3}))?$/.exec(text.trim());
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(3, "0"));
  const value = whole * 1000 + fraction;
  return Number.isSafeInteger(value) ? value : null;
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function validateAsset(input: AssetFormInput): { payload?: AssetPayload; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!identifier.test(input.assetId)) errors.assetId = "1–64 characters: lowercase letters, digits, '.', '_' or '-'";
  const nameBytes = utf8Bytes(input.name.trim());
  if (nameBytes < 1 || nameBytes > 200) errors.name = "1–200 bytes";
  if (!(technologies as readonly string[]).includes(input.technology)) errors.technology = "choose a technology";
  if (!identifier.test(input.zoneId)) errors.zoneId = "choose a zone";
  if (!meteringPoint.test(input.meteringPointId)) errors.meteringPointId = "1–64 characters: letters, digits, '.', '_', ':' or '-'";
  const sub = input.subMeteringPointId.trim();
  if (sub && !meteringPoint.test(sub)) errors.subMeteringPointId = "1–64 characters: letters, digits, '.', '_', ':' or '-'";
  else if (sub && sub === input.meteringPointId) errors.subMeteringPointId = "must differ from the metering point";

  const power = (text: string, field: keyof AssetFormInput) => {
    const watts = kiloToUnit(text);
    if (watts === null || watts > maxPowerW) {
      errors[field] = "a number of kW, at most three decimals";
      return 0;
    }
    return watts;
  };
  const maxUp = power(input.maxUpKw, "maxUpKw");
  const maxDown = power(input.maxDownKw, "maxDownKw");
  const connection = power(input.connectionKw, "connectionKw");
  const storage = kiloToUnit(input.storageKwh);
  if (storage === null || storage > maxStorageWh) errors.storageKwh = "a number of kWh, at most three decimals";
  if (!errors.connectionKw && connection === 0) errors.connectionKw = "must be above 0";
  if (!errors.maxUpKw && !errors.maxDownKw && maxUp === 0 && maxDown === 0) errors.maxUpKw = "up or down must be above 0";

  if (Object.keys(errors).length > 0) return { errors };
  const payload: AssetPayload = {
    asset_id: input.assetId,
    name: input.name.trim(),
    technology: input.technology,
    zone_id: input.zoneId,
    metering_point_id: input.meteringPointId,
    max_up_w: maxUp,
    max_down_w: maxDown,
    connection_w: connection,
    storage_wh: storage ?? 0,
  };
  if (sub) payload.sub_metering_point_id = sub;
  return { payload, errors };
}
