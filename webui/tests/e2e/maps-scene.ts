// Scene-setting for the map, outlook, order book and KPI journeys: zones drawn apart from
// the other journeys' (which share one node), and an asset with a location.
import type { Page } from "@playwright/test";

// A square zone of 0.1° whose south-west corner is at (longitude, latitude) micro-degrees.
export function squareZonePayload(zoneId: string, longitude: number, latitude: number) {
  const step = 100_000;
  const ring = [
    [longitude, latitude],
    [longitude + step, latitude],
    [longitude + step, latitude + step],
    [longitude, latitude + step],
    [longitude, latitude],
  ];
  return {
    zone_id: zoneId,
    name: `Substation ${zoneId}`,
    kind: "substation_area",
    polygon: { type: "Polygon", coordinates: [ring] },
    import_limit_w: 1_000_000,
    export_limit_w: 1_000_000,
  };
}

// The names of the buttons on the page's main part (links styled as buttons included).
export async function buttonNames(page: Page): Promise<string[]> {
  return page.locator("main").getByRole("button").evaluateAll((buttons) => buttons.map((button) => button.getAttribute("aria-label") ?? button.textContent ?? ""));
}
