import { describe, expect, it } from "vitest";
import { kiloToUnit, validateAsset, type AssetFormInput } from "../../src/lib/assetForm";

const charger: AssetFormInput = {
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
