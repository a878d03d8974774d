// The asset register and edit forms: what people type (kW, kWh, degrees, text) checked
// against the ledger's rules for asset.register and asset.update (docs/PROTOCOL.md §9,
// "Asset fields" and "Property") before anything is sent, and turned into the exact integer
// payload (W, Wh, micro-degrees). The node checks again; this only spares people a round
// trip and names the field at fault.

export const technologies = ["pv", "battery", "ev_charger", "heat_pump", "flexible_load", "other"] as const;
export const propertyTypes = ["office", "industrial", "commercial_warehouse", "domestic", "other"] as const;
export const siteStatuses = ["connected", "under_construction", "removed_from_use", "disconnected"] as const;

export interface AssetFormInput {
  assetId: string;
  name: string;
  technology: string;
  zoneId: string;
  meteringPointId: string;
  subMeteringPointId: string;  // empty: none
  supplier: string;  // a retailer's key; empty: none
  maxUpKw: string;
  maxDownKw: string;
  connectionKw: string;
  storageKwh: string;
  // The site (the asset's `property`); every member optional, empty: not given.
  address: string;
  city: string;
  postalCode: string;
  state: string;
  country: string;
  serviceOperator: string;
  link: string;
  publicInfo: string;
  latitude: string;  // decimal degrees
  longitude: string;
  propertyType: string;
  siteStatus: string;
  targetConnectionDate: string;  // YYYY-MM-DD
}

export const emptyAssetForm: AssetFormInput = {
  assetId: "",
  name: "",
  technology: "ev_charger",
  zoneId: "",
  meteringPointId: "",
  subMeteringPointId: "",
  supplier: "",
  maxUpKw: "",
  maxDownKw: "",
  connectionKw: "",
  storageKwh: "0",
  address: "",
  city: "",
  postalCode: "",
  state: "",
  country: "",
  serviceOperator: "",
  link: "",
  publicInfo: "",
  latitude: "",
  longitude: "",
  propertyType: "",
  siteStatus: "",
  targetConnectionDate: "",
};

export interface AssetProperty {
  address?: string;
  city?: string;
  country?: string;
  latitude_micro?: number;
  link?: string;
  longitude_micro?: number;
  postal_code?: string;
  property_type?: string;
  public_info?: string;
  service_operator?: string;
  state?: string;
  status?: string;
  target_connection_date?: string;
}

export interface AssetPayload {
  asset_id: string;
  name: string;
  technology: string;
  zone_id: string;
  metering_point_id: string;
  sub_metering_point_id?: string;
  supplier?: string;
  max_up_w: number;
  max_down_w: number;
  connection_w: number;
  storage_wh: number;
  property?: AssetProperty;
}

// An asset as GET /assets answers it to its owner.
export interface AssetRecord extends AssetPayload {
  owner: string;
  prequalification: { status: string; reason?: string; decided_at?: number };
}

// PATCH /assets/{id}: only the members that change; null removes a sub-meter or supplier.
export type AssetUpdate = Partial<Omit<AssetPayload, "asset_id" | "sub_metering_point_id" | "supplier">> & {
  sub_metering_point_id?: string | null;
  supplier?: string | null;
};

export type FieldErrors = Partial<Record<keyof AssetFormInput, string>>;

const identifier = /^[a-z0-9._-]{1,64}$/;
const meteringPoint = /^[A-Za-z0-9._:-]{1,64}$/;
const participantKey = /^[0-9a-f]{64}$/;
const maxPowerW = 1_000_000_000_000;  // 10^12 W
const maxStorageWh = 1_000_000_000_000_000;  // 10^15 Wh
const meteringPointRule = "1–64 characters: letters, digits, '.', '_', ':' or '-'";

// The property's text members: form field, ledger member, limit in UTF-8 bytes (PROTOCOL "Property").
const propertyTexts = [
  ["address", "address", 200],
  ["city", "city", 100],
  ["postalCode", "postal_code", 16],
  ["state", "state", 100],
  ["country", "country", 100],
  ["serviceOperator", "service_operator", 200],
  ["link", "link", 500],
  ["publicInfo", "public_info", 2000],
] as const;

// The members whose change sends prequalification back to pending (PROTOCOL, asset.update).
export const technicalMembers = [
  "connection_w",
  "max_down_w",
  "max_up_w",
  "metering_point_id",
  "storage_wh",
  "sub_metering_point_id",
  "technology",
  "zone_id",
] as const;

// "12.5" kW -> 12500 W exactly: up to three decimals, no exponent, no sign, no floating point.
export function kiloToUnit(text: string): number | null {
  const match = /^([0-9]{1,16})(?:[.,]([0-9]{1,3}))?$/.exec(text.trim());
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(3, "0"));
  const value = whole * 1000 + fraction;
  return Number.isSafeInteger(value) ? value : null;
}

// 12500 W -> "12.5" kW, the inverse of kiloToUnit, for a form filled from a record.
export function unitToKilo(units: number): string {
  const fraction = String(units % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${Math.floor(units / 1000)}${fraction ? "." + fraction : ""}`;
}

// "39.916473" degrees -> 39916473 micro-degrees, by string arithmetic (no floating point, so
// no rounding): an optional sign, at most six decimals, magnitude within `limitDegrees`.
export function degreesToMicro(text: string, limitDegrees: number): number | null {
  const match = /^([+-]?)([0-9]{1,3})(?:[.,]([0-9]{1,6}))?$/.exec(text.trim());
  if (!match) return null;
  const magnitude = Number(match[2]) * 1_000_000 + Number((match[3] ?? "").padEnd(6, "0"));
  if (magnitude > limitDegrees * 1_000_000) return null;
  return match[1] === "-" && magnitude > 0 ? -magnitude : magnitude;
}

// 39916473 micro-degrees -> "39.916473", the inverse of degreesToMicro.
export function microToDegrees(micro: number): string {
  const magnitude = Math.abs(micro);
  const fraction = String(magnitude % 1_000_000).padStart(6, "0").replace(/0+$/, "");
  return `${micro < 0 ? "-" : ""}${Math.floor(magnitude / 1_000_000)}${fraction ? "." + fraction : ""}`;
}

// A real day of the Gregorian calendar written YYYY-MM-DD (2027-02-29 is not one).
export function isGregorianDate(text: string): boolean {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

// The site's members that are given; undefined when none is.
function validateProperty(input: AssetFormInput, errors: FieldErrors): AssetProperty | undefined {
  const property: AssetProperty = {};
  for (const [field, member, limitBytes] of propertyTexts) {
    const text = input[field].trim();
    if (utf8Bytes(text) > limitBytes) errors[field] = `at most ${limitBytes} bytes`;
    else if (text) property[member] = text;
  }
  const latitude = input.latitude.trim();
  const longitude = input.longitude.trim();
  if (latitude || longitude) {
    // A site with one coordinate cannot be placed on the map: both or neither.
    const latitudeMicro = degreesToMicro(latitude, 90);
    const longitudeMicro = degreesToMicro(longitude, 180);
    if (latitudeMicro === null) errors.latitude = "degrees from -90 to 90, at most six decimals (e.g. 39.916473)";
    if (longitudeMicro === null) errors.longitude = "degrees from -180 to 180, at most six decimals (e.g. 32.854118)";
    if (latitudeMicro !== null && longitudeMicro !== null) {
      property.latitude_micro = latitudeMicro;
      property.longitude_micro = longitudeMicro;
    }
  }
  if (input.propertyType) {
    if ((propertyTypes as readonly string[]).includes(input.propertyType)) property.property_type = input.propertyType;
    else errors.propertyType = "choose a property type";
  }
  if (input.siteStatus) {
    if ((siteStatuses as readonly string[]).includes(input.siteStatus)) property.status = input.siteStatus;
    else errors.siteStatus = "choose a status";
  }
  if (input.targetConnectionDate) {
    if (isGregorianDate(input.targetConnectionDate)) property.target_connection_date = input.targetConnectionDate;
    else errors.targetConnectionDate = "a date YYYY-MM-DD";
  }
  return Object.keys(property).length > 0 ? property : undefined;
}

export function validateAsset(input: AssetFormInput): { payload?: AssetPayload; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!identifier.test(input.assetId)) errors.assetId = "1–64 characters: lowercase letters, digits, '.', '_' or '-'";
  const nameBytes = utf8Bytes(input.name.trim());
  if (nameBytes < 1 || nameBytes > 200) errors.name = "1–200 bytes";
  if (!(technologies as readonly string[]).includes(input.technology)) errors.technology = "choose a technology";
  if (!identifier.test(input.zoneId)) errors.zoneId = "choose a zone";
  if (!meteringPoint.test(input.meteringPointId)) errors.meteringPointId = meteringPointRule;
  const sub = input.subMeteringPointId.trim();
  if (sub && !meteringPoint.test(sub)) errors.subMeteringPointId = meteringPointRule;
  else if (sub && sub === input.meteringPointId) errors.subMeteringPointId = "must differ from the metering point";
  if (input.supplier && !participantKey.test(input.supplier)) errors.supplier = "choose a retailer";

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
  const property = validateProperty(input, errors);

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
  if (input.supplier) payload.supplier = input.supplier;
  if (property) payload.property = property;
  return { payload, errors };
}

// The edit form of a registered asset, filled with what the ledger holds.
export function formFromAsset(asset: AssetRecord): AssetFormInput {
  const site = asset.property ?? {};
  return {
    assetId: asset.asset_id,
    name: asset.name,
    technology: asset.technology,
    zoneId: asset.zone_id,
    meteringPointId: asset.metering_point_id,
    subMeteringPointId: asset.sub_metering_point_id ?? "",
    supplier: asset.supplier ?? "",
    maxUpKw: unitToKilo(asset.max_up_w),
    maxDownKw: unitToKilo(asset.max_down_w),
    connectionKw: unitToKilo(asset.connection_w),
    storageKwh: unitToKilo(asset.storage_wh),
    address: site.address ?? "",
    city: site.city ?? "",
    postalCode: site.postal_code ?? "",
    state: site.state ?? "",
    country: site.country ?? "",
    serviceOperator: site.service_operator ?? "",
    link: site.link ?? "",
    publicInfo: site.public_info ?? "",
    latitude: site.latitude_micro === undefined ? "" : microToDegrees(site.latitude_micro),
    longitude: site.longitude_micro === undefined ? "" : microToDegrees(site.longitude_micro),
    propertyType: site.property_type ?? "",
    siteStatus: site.status ?? "",
    targetConnectionDate: site.target_connection_date ?? "",
  };
}

// JSON with sorted keys, so two properties compare equal whatever order their members came in.
function canonical(property: AssetProperty | undefined): string {
  const members = Object.entries(property ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(members);
}

// The asset.update of an edit: the form checked like a registration, then only the members
// that differ from the record. The property is sent whole (the ledger replaces it), as {}
// when every site field was cleared; a cleared sub-meter or supplier is sent as null.
export function assetChanges(asset: AssetRecord, input: AssetFormInput): { changes?: AssetUpdate; errors: FieldErrors } {
  const { payload, errors } = validateAsset({ ...input, assetId: asset.asset_id });
  if (!payload) return { errors };
  const changes: AssetUpdate = {};
  const scalars = ["name", "technology", "zone_id", "metering_point_id", "max_up_w", "max_down_w", "connection_w", "storage_wh"] as const;
  for (const member of scalars) {
    if (payload[member] !== asset[member]) Object.assign(changes, { [member]: payload[member] });
  }
  if ((payload.sub_metering_point_id ?? null) !== (asset.sub_metering_point_id ?? null)) changes.sub_metering_point_id = payload.sub_metering_point_id ?? null;
  if ((payload.supplier ?? null) !== (asset.supplier ?? null)) changes.supplier = payload.supplier ?? null;
  if (canonical(payload.property) !== canonical(asset.property)) changes.property = payload.property ?? {};
  return { changes, errors };
}

// The changed members that send prequalification back to pending.
export function technicalChanges(changes: AssetUpdate): string[] {
  return technicalMembers.filter((member) => member in changes);
}
