// Zones as the map, outlook, order book and KPI pages share them: the full records (zones
// are public), and the zone last chosen, so a link from the map opens the same zone elsewhere.
import { useEffect, useState } from "react";
import { api } from "./api";

export interface ZoneRecord {
  zone_id: string;
  name: string;
  kind: string;
  dso: string;
  import_limit_w: number;
  export_limit_w: number;
  polygon: { type: "Polygon"; coordinates: number[][][] };  // [longitude, latitude] in micro-degrees
  postcodes?: string[];
}

// The first 500 zones (the API's largest page), loaded once per page.
export function useZoneRecords(): { zones: ZoneRecord[] | null; problem: unknown } {
  const [zones, setZones] = useState<ZoneRecord[] | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  useEffect(() => {
    api.get<{ items: ZoneRecord[] }>("/zones?limit=500").then((page) => setZones(page.items), setProblem);
  }, []);
  return { zones, problem };
}

const rememberedKey = "flexledger.zone";

// The hash routes carry no query, so the chosen zone travels through the tab's storage.
export function rememberZone(zoneId: string): void {
  sessionStorage.setItem(rememberedKey, zoneId);
}

// The remembered zone when it still exists, else the first zone, else "".
export function initialZone(zones: readonly ZoneRecord[]): string {
  const remembered = sessionStorage.getItem(rememberedKey);
  if (remembered && zones.some((zone) => zone.zone_id === remembered)) return remembered;
  return zones[0]?.zone_id ?? "";
}

// Micro-degrees to degrees, for drawing only (the ledger keeps the integers).
export function degrees(micro: number): number {
  return micro / 1_000_000;
}

// The zone's GeoJSON polygon with its positions in degrees, as Leaflet draws it.
export function polygonInDegrees(polygon: ZoneRecord["polygon"]): { type: "Polygon"; coordinates: number[][][] } {
  return { type: "Polygon", coordinates: polygon.coordinates.map((ring) => ring.map(([longitude, latitude]) => [degrees(longitude), degrees(latitude)])) };
}
