import { describe, expect, it } from "vitest";
import {
  assetChanges,
  degreesToMicro,
  emptyAssetForm,
  formFromAsset,
  isGregorianDate,
  kiloToUnit,
  microToDegrees,
  technicalChanges,
  unitToKilo,
  validateAsset,
  type AssetFormInput,
  type AssetRecord,
} from "../../src/lib/assetForm";

const charger: AssetFormInput = {
  ...emptyAssetForm,
  assetId: "zes-bozuyuk-dc",
  name: "ZES - Bozüyük Sarar Outlet DC",  // ../shared/testdata/zes-ev-assets.csv, first row
  technology: "ev_charger",
  zoneId: "bilecik-feeder-1",
  meteringPointId: "MP-11300-001",
  subMeteringPointId: "",
  maxUpKw: "11",
  maxDownKw: "22.5",
  connectionKw: "50",
  storageKwh: "0",
};

describe("the asset register form", () => {
  it("turns kW and kWh into exact W and Wh", () => {
    expect(kiloToUnit("12.5")).toBe(12_500);
    expect(kiloToUnit("0.001")).toBe(1);
    expect(kiloToUnit("7,25")).toBe(7_250);  // a decimal comma, as typed in much of Europe
    expect(kiloToUnit("1e3")).toBeNull();
    expect(kiloToUnit("-1")).toBeNull();
    expect(kiloToUnit("0.0001")).toBeNull();  // below 1 W
    expect(kiloToUnit("")).toBeNull();
  });

  it("builds the asset.register payload of a valid charger", () => {
    const { payload, errors } = validateAsset(charger);
    expect(errors).toEqual({});
    expect(payload).toEqual({
      asset_id: "zes-bozuyuk-dc",
      name: "ZES - Bozüyük Sarar Outlet DC",
      technology: "ev_charger",
      zone_id: "bilecik-feeder-1",
      metering_point_id: "MP-11300-001",
      max_up_w: 11_000,
      max_down_w: 22_500,
      connection_w: 50_000,
      storage_wh: 0,
    });
  });

  it("names each field at fault, as the ledger would refuse it", () => {
    const { payload, errors } = validateAsset({
      ...charger,
      assetId: "Has Capitals",
      name: "x".repeat(201),
      technology: "nuclear",
      meteringPointId: "MP 1",
      subMeteringPointId: "MP-11300-001",
      maxUpKw: "0",
      maxDownKw: "0",
      connectionKw: "0",
      storageKwh: "lots",
    });
    expect(payload).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(
      ["assetId", "connectionKw", "maxUpKw", "meteringPointId", "name", "storageKwh", "technology"].sort(),
    );
  });

  it("counts the name in UTF-8 bytes, as the ledger does", () => {
    expect(validateAsset({ ...charger, name: "ü".repeat(100) }).errors.name).toBeUndefined();  // 200 bytes
    expect(validateAsset({ ...charger, name: "ü".repeat(101) }).errors.name).toBe("1–200 bytes");
  });

  it("refuses a sub-meter equal to the metering point", () => {
    expect(validateAsset({ ...charger, subMeteringPointId: "MP-11300-001" }).errors.subMeteringPointId).toBe(
      "must differ from the metering point",
    );
    expect(validateAsset({ ...charger, subMeteringPointId: "SUB-1" }).payload?.sub_metering_point_id).toBe("SUB-1");
  });
});

describe("coordinates in micro-degrees", () => {
  it("moves the decimal point six places by string arithmetic", () => {
    expect(degreesToMicro("39.916473", 90)).toBe(39_916_473);
    expect(degreesToMicro("-0.1", 90)).toBe(-100_000);
    expect(degreesToMicro("32.8", 180)).toBe(32_800_000);
    expect(degreesToMicro("+4", 180)).toBe(4_000_000);
    expect(degreesToMicro("0,000001", 90)).toBe(1);  // a decimal comma, as for kW
    expect(degreesToMicro("-0", 90)).toBe(0);  // no negative zero in the payload
    // The trap it avoids: in floating point 32.836943 * 1e6 is 32836942.999999996 (node -e).
    expect(degreesToMicro("32.836943", 180)).toBe(32_836_943);
  });

  it("refuses a seventh decimal, an exponent and text", () => {
    expect(degreesToMicro("39.9164731", 90)).toBeNull();
    expect(degreesToMicro("3.9e1", 90)).toBeNull();
    expect(degreesToMicro("north", 90)).toBeNull();
    expect(degreesToMicro("", 90)).toBeNull();
  });

  it("keeps latitude within ±90° and longitude within ±180°, the bounds included", () => {
    expect(degreesToMicro("90", 90)).toBe(90_000_000);
    expect(degreesToMicro("-90.000000", 90)).toBe(-90_000_000);
    expect(degreesToMicro("90.000001", 90)).toBeNull();
    expect(degreesToMicro("-180", 180)).toBe(-180_000_000);
    expect(degreesToMicro("180.5", 180)).toBeNull();
  });

  it("writes micro-degrees back as the degrees people typed", () => {
    expect(microToDegrees(39_916_473)).toBe("39.916473");
    expect(microToDegrees(-100_000)).toBe("-0.1");
    expect(microToDegrees(-180_000_000)).toBe("-180");
    expect(microToDegrees(1)).toBe("0.000001");
    expect(unitToKilo(22_500)).toBe("22.5");
    expect(unitToKilo(0)).toBe("0");
  });
});

describe("the site of an asset (its property)", () => {
  // Anıtkabir, Ankara: 39.925054° N, 32.836943° E.
  const site: AssetFormInput = {
    ...charger,
    address: "Anıt Caddesi 1",
    city: "Ankara",
    postalCode: "06570",
    country: "Türkiye",
    latitude: "39.925054",
    longitude: "32.836943",
    propertyType: "commercial_warehouse",
    siteStatus: "under_construction",
    targetConnectionDate: "2028-02-29",
  };

  it("sends only the members given, coordinates as integers", () => {
    expect(validateAsset(site).payload?.property).toEqual({
      address: "Anıt Caddesi 1",
      city: "Ankara",
      postal_code: "06570",
      country: "Türkiye",
      latitude_micro: 39_925_054,
      longitude_micro: 32_836_943,
      property_type: "commercial_warehouse",
      status: "under_construction",
      target_connection_date: "2028-02-29",
    });
    expect(validateAsset(charger).payload).not.toHaveProperty("property");
  });

  it("checks PROTOCOL.md's limits in UTF-8 bytes, the dates and both coordinates", () => {
    const { errors } = validateAsset({
      ...site,
      postalCode: "1".repeat(17),  // 16 bytes at most
      city: "ı".repeat(51),  // 2 bytes each: 102 > 100
      publicInfo: "x".repeat(2000),  // exactly the limit
      latitude: "39.925054",
      longitude: "",
      targetConnectionDate: "2027-02-29",  // 2027 is no leap year
    });
    expect(errors).toEqual({
      postalCode: "at most 16 bytes",
      city: "at most 100 bytes",
      longitude: "degrees from -180 to 180, at most six decimals (e.g. 32.854118)",
      targetConnectionDate: "a date YYYY-MM-DD",
    });
    expect(isGregorianDate("2000-02-29")).toBe(true);  // divisible by 400
    expect(isGregorianDate("1900-02-29")).toBe(false);  // divisible by 100 only
    expect(isGregorianDate("2026-13-01")).toBe(false);
  });

  it("names the supplier at fault unless it is a participant's key", () => {
    expect(validateAsset({ ...charger, supplier: "retailer" }).errors.supplier).toBe("choose a retailer");
    expect(validateAsset({ ...charger, supplier: "ab".repeat(32) }).payload?.supplier).toBe("ab".repeat(32));
  });
});

describe("editing an asset", () => {
  const registered: AssetRecord = {
    asset_id: "zes-bozuyuk-dc",
    owner: "cd".repeat(32),
    name: "ZES - Bozüyük Sarar Outlet DC",
    technology: "ev_charger",
    zone_id: "bilecik-feeder-1",
    metering_point_id: "MP-11300-001",
    sub_metering_point_id: "SUB-1",
    supplier: "ab".repeat(32),
    max_up_w: 11_000,
    max_down_w: 22_500,
    connection_w: 50_000,
    storage_wh: 0,
    property: { longitude_micro: 30_014_083, city: "Bozüyük", latitude_micro: 39_907_300 },
    prequalification: { status: "qualified", decided_at: 1_795_000_000 },
  };

  it("fills the form with the record, and an untouched form changes nothing", () => {
    const form = formFromAsset(registered);
    expect(form).toMatchObject({ maxDownKw: "22.5", latitude: "39.9073", longitude: "30.014083", subMeteringPointId: "SUB-1" });
    expect(assetChanges(registered, form)).toEqual({ changes: {}, errors: {} });
  });

  it("sends only what changed; a name alone keeps prequalification", () => {
    const { changes } = assetChanges(registered, { ...formFromAsset(registered), name: "Bozüyük DC" });
    expect(changes).toEqual({ name: "Bozüyük DC" });
    expect(technicalChanges(changes!)).toEqual([]);
  });

  it("sends the property whole when one site field changes, and a technical change is named", () => {
    const { changes } = assetChanges(registered, { ...formFromAsset(registered), postalCode: "11300", maxUpKw: "7.4" });
    expect(changes).toEqual({
      max_up_w: 7_400,
      property: { city: "Bozüyük", latitude_micro: 39_907_300, longitude_micro: 30_014_083, postal_code: "11300" },
    });
    expect(technicalChanges(changes!)).toEqual(["max_up_w"]);
  });

  it("removes the sub-meter and the supplier with null, and clears the site with {}", () => {
    const cleared = { ...formFromAsset(registered), subMeteringPointId: "", supplier: "", city: "", latitude: "", longitude: "" };
    const { changes } = assetChanges(registered, cleared);
    expect(changes).toEqual({ sub_metering_point_id: null, supplier: null, property: {} });
    expect(technicalChanges(changes!)).toEqual(["sub_metering_point_id"]);
  });

  it("checks the edit like a registration", () => {
    const { changes, errors } = assetChanges(registered, { ...formFromAsset(registered), connectionKw: "0", latitude: "91" });
    expect(changes).toBeUndefined();
    expect(errors).toEqual({ connectionKw: "must be above 0", latitude: "degrees from -90 to 90, at most six decimals (e.g. 39.916473)" });
  });
});
