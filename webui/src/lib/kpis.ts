// Market KPIs (GET /api/v1/kpis, contracts/queries.cpp market_kpis): buckets per zone and
// period start, by the start of each order or contract (its delivery time), empty buckets
// left out. Here: the periods the page offers and the buckets shaped into chart series.

export interface KpiBucket {
  zone_id: string;
  start: number;
  offers: number;
  offered_wh: number;
  requests: number;
  requested_wh: number;
  contracts: number;
  contracted_wh: number;
  activation_price_micro_per_mwh: number | null;  // volume-weighted over contracts; null: none
  availability_price_micro_per_mw_h: number | null;
  settled_contracts: number;
  ordered_wh: number;
  delivered_wh: number;
  delivery_ratio_ppm: number | null;  // null: nothing settled
  penalties_micro: number;
  net_settled_micro: number;
  escrow_outstanding_micro: number;
}

export interface Period {
  id: string;
  label: string;
  spanSeconds: number;
  bucketSeconds: number;
}

export const periods: readonly Period[] = [
  { id: "24h", label: "Last 24 h (hourly)", spanSeconds: 86_400, bucketSeconds: 3_600 },
  { id: "7d", label: "Last 7 days (6-hourly)", spanSeconds: 7 * 86_400, bucketSeconds: 6 * 3_600 },
  { id: "30d", label: "Last 30 days (daily)", spanSeconds: 30 * 86_400, bucketSeconds: 86_400 },
];

// Orders and contracts are bucketed by their delivery start, which is often ahead of now,
// so the window also takes the next day; both ends sit on the bucket grid (the node's, from 0).
export const lookAheadSeconds = 86_400;

export interface KpiWindow {
  from: number;
  to: number;
  bucketSeconds: number;
}

export function kpiWindow(period: Period, now: number): KpiWindow {
  const bucket = period.bucketSeconds;
  const from = now - period.spanSeconds;
  const to = now + lookAheadSeconds;
  return { from: from - (from % bucket), to: to % bucket === 0 ? to : to - (to % bucket) + bucket, bucketSeconds: bucket };
}

export interface KpiSeries {
  x: number[];  // every bucket start in [from, to)
  offeredWh: number[];
  requestedWh: number[];
  contractedWh: number[];
  deliveredWh: number[];
  activationPrice: (number | null)[];
  availabilityPrice: (number | null)[];
  deliveryRatioPpm: (number | null)[];
  penaltiesMicro: number[];
  netSettledMicro: number[];
}

// One zone's buckets on a full time axis: a bucket the node left out had no orders or
// contracts, so its sums are 0 and its prices and delivery ratio have no value.
export function kpiSeries(buckets: readonly KpiBucket[], zoneId: string, window: KpiWindow): KpiSeries {
  const byStart = new Map(buckets.filter((bucket) => bucket.zone_id === zoneId).map((bucket) => [bucket.start, bucket]));
  const series: KpiSeries = {
    x: [],
    offeredWh: [],
    requestedWh: [],
    contractedWh: [],
    deliveredWh: [],
    activationPrice: [],
    availabilityPrice: [],
    deliveryRatioPpm: [],
    penaltiesMicro: [],
    netSettledMicro: [],
  };
  for (let start = window.from; start < window.to; start += window.bucketSeconds) {
    const bucket = byStart.get(start);
    series.x.push(start);
    series.offeredWh.push(bucket?.offered_wh ?? 0);
    series.requestedWh.push(bucket?.requested_wh ?? 0);
    series.contractedWh.push(bucket?.contracted_wh ?? 0);
    series.deliveredWh.push(bucket?.delivered_wh ?? 0);
    series.activationPrice.push(bucket?.activation_price_micro_per_mwh ?? null);
    series.availabilityPrice.push(bucket?.availability_price_micro_per_mw_h ?? null);
    series.deliveryRatioPpm.push(bucket?.delivery_ratio_ppm ?? null);
    series.penaltiesMicro.push(bucket?.penalties_micro ?? 0);
    series.netSettledMicro.push(bucket?.net_settled_micro ?? 0);
  }
  return series;
}

// The zones the buckets name, in the node's order (zone id).
export function zonesOf(buckets: readonly KpiBucket[]): string[] {
  return [...new Set(buckets.map((bucket) => bucket.zone_id))].sort();
}

// The query for a window, with the zone when one is chosen (an empty zone_id matches none).
export function kpiQuery(window: KpiWindow, zoneId: string, csv = false): string {
  const query = new URLSearchParams({ from: String(window.from), to: String(window.to), bucket_seconds: String(window.bucketSeconds) });
  if (zoneId) query.set("zone_id", zoneId);
  if (csv) query.set("format", "csv");
  return query.toString();
}
