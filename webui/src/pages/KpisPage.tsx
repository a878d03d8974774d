import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import "./MarketPages.css";
import { api } from "../lib/api";
import { formatEurosSignificant, formatKilowattHours, formatPpmAsPercent, formatTime } from "../lib/format";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { kpiQuery, kpiSeries, kpiWindow, periods, zonesOf, type KpiBucket, type KpiWindow } from "../lib/kpis";
import { useZoneRecords } from "../lib/zones";
import { ProblemMessage } from "../components/ProblemMessage";
import { ZoneSelect } from "../components/ZoneSelect";
import { TimeSeriesChart } from "../components/TimeSeriesChart";

interface KpiAnswer {
  window: KpiWindow;
  zoneId: string;
  buckets: KpiBucket[];
}

const orNone = (value: number | null, format: (value: number) => string) => (value === null ? "—" : format(value));

// Market KPIs per zone over time: volumes, prices, delivery and penalties, as charts and as
// the exact table the node returns (also as CSV). Settlements, contracts and orders the
// node commits reload it.
export function KpisPage() {
  const { zones, problem: zonesProblem } = useZoneRecords();
  const [zoneId, setZoneId] = useState("");
  const [periodId, setPeriodId] = useState(periods[0].id);
  const [answer, setAnswer] = useState<KpiAnswer | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const latestRequest = useRef(0);
  const period = periods.find((candidate) => candidate.id === periodId) ?? periods[0];

  const load = useCallback(() => {
    const span = kpiWindow(period, Math.floor(Date.now() / 1000));
    const request = ++latestRequest.current;  // an older answer arriving late is dropped
    api.get<{ buckets: KpiBucket[] }>(`/kpis?${kpiQuery(span, zoneId)}`).then(
      (result) => request === latestRequest.current && (setAnswer({ window: span, zoneId, buckets: result.buckets }), setProblem(null)),
      (failure) => request === latestRequest.current && setProblem(failure),
    );
  }, [period, zoneId]);
  useEffect(load, [load]);
  const live = useLedgerEvents(["settlement", "contract", "offer", "request"], load);

  const shownZones = answer ? (answer.zoneId ? [answer.zoneId] : zonesOf(answer.buckets)) : [];
  return (
    <section aria-labelledby="kpis-heading">
      <h1 id="kpis-heading">Market overview</h1>
      <ProblemMessage error={zonesProblem} />
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Choose zone and period">
        <ZoneSelect id="kpi-zone" zones={zones ?? []} value={zoneId} onChange={setZoneId} allLabel="All zones" />
        <label htmlFor="kpi-period">Period</label>
        <select id="kpi-period" value={periodId} onChange={(event) => setPeriodId(event.target.value)}>
          {periods.map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.label}
            </option>
          ))}
        </select>
        {answer && (
          <a href={`/api/v1/kpis?${kpiQuery(answer.window, answer.zoneId, true)}`} download={`kpis-${answer.zoneId || "all-zones"}-${answer.window.from}.csv`}>
            Download CSV
          </a>
        )}
      </form>
      <p className="hint" data-testid="live">
        {live ? "Live: the figures reload as the node commits orders, contracts and settlements." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={problem} />
      {answer && (
        <p className="hint">
          Orders and contracts are counted by the start of their delivery period, from {formatTime(answer.window.from)} to {formatTime(answer.window.to)}.
        </p>
      )}
      {answer && shownZones.length === 0 && (
        <p className="empty">No orders or contracts start in this period{answer.zoneId ? " in this zone" : ""}. Choose a longer period or another zone.</p>
      )}
      {answer && shownZones.map((zone) => <ZoneKpis key={zone} zoneId={zone} answer={answer} />)}
    </section>
  );
}

function ZoneKpis({ zoneId, answer }: { zoneId: string; answer: KpiAnswer }) {
  const series = useMemo(() => kpiSeries(answer.buckets, zoneId, answer.window), [answer, zoneId]);
  const rows = answer.buckets.filter((bucket) => bucket.zone_id === zoneId);
  // Scaled for drawing only: kWh, EUR per MWh (or per MW and hour), percent, EUR.
  const charts = useMemo(() => {
    const scale = (values: (number | null)[], divisor: number) => values.map((value) => (value === null ? null : value / divisor));
    return {
      volumes: [
        { label: "offered", colour: "#2f7fb3", values: scale(series.offeredWh, 1000) },
        { label: "requested", colour: "#b5762a", values: scale(series.requestedWh, 1000) },
        { label: "contracted", colour: "#12384f", values: scale(series.contractedWh, 1000) },
        { label: "delivered", colour: "#5cb86a", values: scale(series.deliveredWh, 1000) },
      ],
      prices: [
        { label: "activation (EUR/MWh)", colour: "#d93c3c", values: scale(series.activationPrice, 1_000_000) },
        { label: "availability (EUR/MW/h)", colour: "#8a4b00", values: scale(series.availabilityPrice, 1_000_000) },
      ],
      delivery: [{ label: "delivery ratio", colour: "#1c5e2a", values: scale(series.deliveryRatioPpm, 10_000) }],
      money: [
        { label: "penalties", colour: "#8a1c1c", values: scale(series.penaltiesMicro, 1_000_000) },
        { label: "net settled", colour: "#12384f", values: scale(series.netSettledMicro, 1_000_000) },
      ],
    };
  }, [series]);

  return (
    <section aria-labelledby={`kpi-zone-${zoneId}`}>
      <h2 id={`kpi-zone-${zoneId}`}>Zone {zoneId}</h2>
      <div className="chart-grid">
        <TimeSeriesChart title="Volumes" x={series.x} lines={charts.volumes} unit="kWh" />
        <TimeSeriesChart title="Volume-weighted contract prices" x={series.x} lines={charts.prices} unit="EUR" />
        <TimeSeriesChart title="Delivery ratio of settled contracts" x={series.x} lines={charts.delivery} unit="%" />
        <TimeSeriesChart title="Penalties and net settlement" x={series.x} lines={charts.money} unit="EUR" />
      </div>
      <div className="table-scroll">
        <table aria-label={`KPIs of zone ${zoneId}`}>
          <thead>
            <tr>
              <th scope="col">Period from</th>
              <th scope="col" className="number">Offers</th>
              <th scope="col" className="number">Offered</th>
              <th scope="col" className="number">Requests</th>
              <th scope="col" className="number">Requested</th>
              <th scope="col" className="number">Contracts</th>
              <th scope="col" className="number">Contracted</th>
              <th scope="col" className="number">Activation price</th>
              <th scope="col" className="number">Availability price</th>
              <th scope="col" className="number">Settled</th>
              <th scope="col" className="number">Ordered</th>
              <th scope="col" className="number">Delivered</th>
              <th scope="col" className="number">Delivery ratio</th>
              <th scope="col" className="number">Penalties</th>
              <th scope="col" className="number">Net settled</th>
              <th scope="col" className="number">Escrow outstanding</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((bucket) => (
              <tr key={bucket.start}>
                <td>{formatTime(bucket.start)}</td>
                <td className="number">{bucket.offers}</td>
                <td className="number">{formatKilowattHours(bucket.offered_wh)}</td>
                <td className="number">{bucket.requests}</td>
                <td className="number">{formatKilowattHours(bucket.requested_wh)}</td>
                <td className="number">{bucket.contracts}</td>
                <td className="number">{formatKilowattHours(bucket.contracted_wh)}</td>
                <td className="number">{orNone(bucket.activation_price_micro_per_mwh, (price) => `${formatEurosSignificant(price)}/MWh`)}</td>
                <td className="number">{orNone(bucket.availability_price_micro_per_mw_h, (price) => `${formatEurosSignificant(price)}/MW/h`)}</td>
                <td className="number">{bucket.settled_contracts}</td>
                <td className="number">{formatKilowattHours(bucket.ordered_wh)}</td>
                <td className="number">{formatKilowattHours(bucket.delivered_wh)}</td>
                <td className="number">{orNone(bucket.delivery_ratio_ppm, formatPpmAsPercent)}</td>
                <td className="number">{formatEurosSignificant(bucket.penalties_micro)}</td>
                <td className="number">{formatEurosSignificant(bucket.net_settled_micro)}</td>
                <td className="number">{formatEurosSignificant(bucket.escrow_outstanding_micro)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
