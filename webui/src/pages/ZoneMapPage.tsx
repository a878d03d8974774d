import { useEffect, useRef, useState } from "react";
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./MarketPages.css";
import "./ZoneMapPage.css";
import { api } from "../lib/api";
import { congestion, levelNames, levels, type Congestion, type Outlook } from "../lib/outlook";
import { degrees, polygonInDegrees, rememberZone, useZoneRecords, type ZoneRecord } from "../lib/zones";
import { formatKilowatts } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";

interface MapAsset {
  asset_id: string;
  name: string;
  technology: string;
  zone_id: string;
  property?: { latitude_micro?: number; longitude_micro?: number } | "redacted";
}

interface ZoneView {
  zone: ZoneRecord;
  congestion: Congestion;
}

const assetPageSize = 500;
const outlookBatch = 20;  // outlook reads in parallel, well under the node's rate limit
const tilesKey = "flexledger.map.tiles";

// Tiles only when someone configured a tile server (?tiles=URL before the #, or the
// flexledger.map.tiles entry in localStorage): by default the map fetches nothing.
function tileUrl(): string | null {
  return new URLSearchParams(window.location.search).get("tiles") ?? localStorage.getItem(tilesKey);
}

async function outlooksOf(zones: readonly ZoneRecord[]): Promise<Map<string, Outlook>> {
  const outlooks = new Map<string, Outlook>();
  for (let index = 0; index < zones.length; index += outlookBatch) {
    const batch = zones.slice(index, index + outlookBatch);
    const answers = await Promise.all(batch.map((zone) => api.get<Outlook>(`/zones/${encodeURIComponent(zone.zone_id)}/outlook`)));
    answers.forEach((outlook) => outlooks.set(outlook.zone_id, outlook));
  }
  return outlooks;
}

const located = (asset: MapAsset): asset is MapAsset & { property: { latitude_micro: number; longitude_micro: number } } =>
  typeof asset.property === "object" && asset.property.latitude_micro !== undefined && asset.property.longitude_micro !== undefined;

function describe(view: ZoneView): string {
  const { level, direction, peakW, percent } = view.congestion;
  if (level === "none" || peakW === undefined) return levelNames.none;
  const share = percent === undefined ? "against a 0 W limit" : `${percent}% of the ${direction === "up" ? "import" : "export"} limit`;
  return `${level}: peak ${direction} need ${formatKilowatts(peakW)}, ${share}`;
}

// A link that opens another page on this zone.
function zoneLink(zoneId: string, path: string, text: string): HTMLAnchorElement {
  const link = document.createElement("a");
  link.href = `#${path}`;
  link.textContent = text;
  link.addEventListener("click", () => rememberZone(zoneId));
  return link;
}

// The popup of a zone, built from text nodes: zone names are participants' input.
function popupOf(view: ZoneView, hiddenAssets: number): HTMLElement {
  const box = document.createElement("div");
  box.className = "zone-popup";
  const add = (tag: string, text: string) => {
    const element = document.createElement(tag);
    element.textContent = text;
    box.append(element);
  };
  add("strong", view.zone.name);
  add("div", `${view.zone.zone_id} (${view.zone.kind})`);
  add("div", `Import limit ${formatKilowatts(view.zone.import_limit_w)}, export limit ${formatKilowatts(view.zone.export_limit_w)}`);
  add("div", `Next 7 days: ${describe(view)}`);
  if (hiddenAssets > 0) add("div", `${hiddenAssets} asset(s) here whose location is private to their owner`);
  const links = document.createElement("div");
  links.append(zoneLink(view.zone.zone_id, "/outlook", "Outlook"), " · ", zoneLink(view.zone.zone_id, "/orderbook", "Order book"));
  box.append(links);
  return box;
}

// Congestion zones as polygons coloured by their outlook for the next 7 days, and the assets
// this session may locate; the table below the map says the same for keyboards and readers.
export function ZoneMapPage() {
  const { zones, problem: zonesProblem } = useZoneRecords();
  const [views, setViews] = useState<ZoneView[] | null>(null);
  const [assets, setAssets] = useState<MapAsset[]>([]);
  const [assetsTruncated, setAssetsTruncated] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const mapElement = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!zones) return;
    const now = Math.floor(Date.now() / 1000);
    Promise.all([api.get<{ isp_seconds: number }>("/params"), outlooksOf(zones), api.get<{ items: MapAsset[]; next_after: string | null }>(`/assets?limit=${assetPageSize}`)]).then(
      ([params, outlooks, assetPage]) => {
        setViews(zones.map((zone) => ({ zone, congestion: congestion(outlooks.get(zone.zone_id), zone, now, params.isp_seconds) })));
        setAssets(assetPage.items);
        setAssetsTruncated(assetPage.next_after !== null);
      },
      setProblem,
    );
  }, [zones]);

  useEffect(() => {
    const element = mapElement.current;
    if (!element || !views) return;
    // No zoom buttons: the page's only buttons are ones that act (wheel, pinch and the +/- keys zoom).
    const map = L.map(element, { attributionControl: false, zoomControl: false });
    const tiles = tileUrl();
    if (tiles) L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    // Leaflet draws a layer only on a map with a view: bounds first, layers after.
    const zoneLayers = views.map((view) => ({
      view,
      layer: L.geoJSON(polygonInDegrees(view.zone.polygon), {
        style: { className: `zone-polygon zone-outlook-${view.congestion.level}`, weight: 2, fillOpacity: 0.45 },
      }),
    }));
    const placedAssets = assets.filter(located).map((asset) => ({
      asset,
      position: L.latLng(degrees(asset.property.latitude_micro), degrees(asset.property.longitude_micro)),
    }));
    const bounds = L.latLngBounds([]);
    zoneLayers.forEach(({ layer }) => bounds.extend(layer.getBounds()));
    placedAssets.forEach(({ position }) => bounds.extend(position));
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
    else map.setView([0, 0], 1);
    for (const { view, layer } of zoneLayers) {
      const hidden = assets.filter((asset) => asset.zone_id === view.zone.zone_id && !located(asset)).length;
      layer.bindPopup(() => popupOf(view, hidden));
      layer.addTo(map);
      layer.eachLayer((path) => {
        const svg = (path as L.Path).getElement();
        svg?.setAttribute("data-zone-id", view.zone.zone_id);
        svg?.setAttribute("aria-label", `${view.zone.name}: ${describe(view)}`);
      });
    }
    for (const { asset, position } of placedAssets) {
      // A DOM node, never a string: Leaflet writes string content as HTML, and names are participants' input.
      const label = document.createElement("span");
      label.textContent = `${asset.name} (${asset.asset_id}, ${asset.technology})`;
      const marker = L.circleMarker(position, { radius: 6, className: "asset-marker" }).bindTooltip(label);
      marker.addTo(map);
      marker.getElement()?.setAttribute("data-asset-id", asset.asset_id);
    }
    return () => void map.remove();
  }, [views, assets]);

  const hiddenAssets = assets.filter((asset) => !located(asset)).length;
  return (
    <section aria-labelledby="map-heading" className="zone-map-page">
      <h1 id="map-heading">Zone map</h1>
      <ProblemMessage error={zonesProblem ?? problem} />
      {zones && zones.length === 0 && <p className="empty">No congestion zones yet. A DSO defines them (POST /zones); they appear here with their outlook.</p>}
      {views && views.length > 0 && (
        <>
          <div className="zone-map-layout">
            <div ref={mapElement} className="zone-map" />
            <ul className="zone-legend" aria-label="Legend">
              {levels.map((level) => (
                <li key={level}>
                  <span className={`zone-swatch zone-outlook-${level}`} aria-hidden="true" />
                  {levelNames[level]}
                </li>
              ))}
              <li>
                <span className="asset-swatch" aria-hidden="true" />
                Asset
              </li>
            </ul>
          </div>
          <p className="hint">
            Colour: the peak need in the next 7 days against the limit it relieves (up: import, down: export); the worse direction counts. Zoom
            with the wheel, a pinch or the + and − keys; click a zone for its details.
            {hiddenAssets > 0 && ` ${hiddenAssets} asset(s) are not drawn: their location is private to their owner.`}
            {assetsTruncated && ` Only the first ${assetPageSize} assets are drawn.`}
          </p>
          <div className="table-scroll">
            <table aria-label="Zones">
              <thead>
                <tr>
                  <th scope="col">Zone</th>
                  <th scope="col">Name</th>
                  <th scope="col">Import limit</th>
                  <th scope="col">Export limit</th>
                  <th scope="col">Next 7 days</th>
                  <th scope="col">Pages</th>
                </tr>
              </thead>
              <tbody>
                {views.map((view) => (
                  <tr key={view.zone.zone_id}>
                    <td>{view.zone.zone_id}</td>
                    <td>{view.zone.name}</td>
                    <td>{formatKilowatts(view.zone.import_limit_w)}</td>
                    <td>{formatKilowatts(view.zone.export_limit_w)}</td>
                    <td>
                      <span className={`zone-swatch zone-outlook-${view.congestion.level}`} aria-hidden="true" /> {describe(view)}
                    </td>
                    <td>
                      <a href="#/outlook" onClick={() => rememberZone(view.zone.zone_id)} aria-label={`Outlook of ${view.zone.zone_id}`}>
                        Outlook
                      </a>{" "}
                      ·{" "}
                      <a href="#/orderbook" onClick={() => rememberZone(view.zone.zone_id)} aria-label={`Order book of ${view.zone.zone_id}`}>
                        Order book
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
