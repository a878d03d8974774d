import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import "./MarketPages.css";
import { api, type Session } from "../lib/api";
import { canWrite } from "../lib/roles";
import { formatKilowatts, formatTime } from "../lib/format";
import { useWrite } from "../lib/forms";
import { initialZone, rememberZone, useZoneRecords } from "../lib/zones";
import {
  chartSeries,
  directions,
  gridName,
  parseOutlookCsv,
  periodEnd,
  resolutions,
  type Direction,
  type Outlook,
  type Resolution,
} from "../lib/outlook";
import { ProblemMessage } from "../components/ProblemMessage";
import { ZoneSelect } from "../components/ZoneSelect";
import { TimeSeriesChart, type ChartLine } from "../components/TimeSeriesChart";
import { WriteOutcome } from "../components/WriteOutcome";

const colours: Record<string, string> = {
  "up isp": "#8a1c1c",
  "up hour": "#d93c3c",
  "up day": "#f29a2e",
  "up month": "#b5762a",
  "down isp": "#12384f",
  "down hour": "#2f7fb3",
  "down day": "#5cb86a",
  "down month": "#1c5e2a",
};

// A zone's congestion outlook over time (up to five years ahead) as a chart and a table of
// the same numbers; the zone's DSO publishes a series here.
export function OutlookPage({ session }: { session: Session }) {
  const { zones, problem: zonesProblem } = useZoneRecords();
  const [zoneId, setZoneId] = useState("");
  const [loaded, setLoaded] = useState<Outlook | null>(null);
  const [ispSeconds, setIspSeconds] = useState<number | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [tableSeries, setTableSeries] = useState("");
  const latestRequest = useRef(0);

  useEffect(() => {
    if (zones && !zoneId) setZoneId(initialZone(zones));
  }, [zones, zoneId]);
  useEffect(() => {
    api.get<{ isp_seconds: number }>("/params").then((params) => setIspSeconds(params.isp_seconds), setProblem);
  }, []);

  const load = useCallback(() => {
    if (!zoneId) return;
    const request = ++latestRequest.current;  // an older answer arriving late is dropped
    api.get<Outlook>(`/zones/${encodeURIComponent(zoneId)}/outlook`).then(
      (answer) => request === latestRequest.current && (setLoaded(answer), setProblem(null)),
      (failure) => request === latestRequest.current && setProblem(failure),
    );
  }, [zoneId]);
  useEffect(load, [load]);
  const outlook = loaded?.zone_id === zoneId ? loaded : null;  // never another zone's, while the chosen one loads

  const shaped = useMemo(() => (outlook && ispSeconds ? chartSeries(outlook, ispSeconds) : null), [outlook, ispSeconds]);
  const lines: ChartLine[] = useMemo(
    () =>
      (shaped?.series ?? []).map((series) => ({
        label: `${series.direction} per ${series.resolution} (kW)`,
        colour: colours[`${series.direction} ${series.resolution}`],
        values: series.values.map((watts) => (watts === null ? null : watts / 1000)),  // kW, for drawing only
      })),
    [shaped],
  );
  const seriesNames = (shaped?.series ?? []).map((series) => `${series.direction} ${series.resolution}`);
  const shownSeries = seriesNames.includes(tableSeries) ? tableSeries : seriesNames[0] ?? "";
  const [tableDirection, tableResolution] = shownSeries.split(" ") as [Direction, Resolution];
  const tablePoints = shownSeries ? outlook?.[tableDirection]?.[tableResolution] ?? [] : [];
  const zone = zones?.find((candidate) => candidate.zone_id === zoneId);
  const publishes = canWrite(session.roles, session.can_sign) && session.roles.includes("dso") && zone?.dso === session.participant;

  return (
    <section aria-labelledby="outlook-heading">
      <h1 id="outlook-heading">Congestion outlook</h1>
      <ProblemMessage error={zonesProblem} />
      {zones && zones.length === 0 && <p className="empty">No congestion zones yet. A DSO defines a zone first, then publishes its outlook here.</p>}
      {zones && zones.length > 0 && (
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Choose a zone">
          <ZoneSelect id="outlook-zone" zones={zones} value={zoneId} onChange={(id) => (setZoneId(id), rememberZone(id))} />
        </form>
      )}
      <ProblemMessage error={problem} />
      {zone && (
        <p className="hint">
          {zone.name}: import limit {formatKilowatts(zone.import_limit_w)}, export limit {formatKilowatts(zone.export_limit_w)}. Up relieves import
          congestion, down relieves export congestion.
        </p>
      )}
      {outlook && shaped && shaped.series.length === 0 && (
        <p className="empty">
          No outlook published for this zone yet. {publishes ? "Publish a series below." : "The zone's DSO publishes it."}
        </p>
      )}
      {shaped && shaped.series.length > 0 && (
        <>
          <TimeSeriesChart title="Need for flexibility" x={shaped.x} lines={lines} unit="kW" stepped />
          <div className="filters">
            <label htmlFor="outlook-table-series">Series in the table</label>
            <select id="outlook-table-series" value={shownSeries} onChange={(event) => setTableSeries(event.target.value)}>
              {seriesNames.map((name) => (
                <option key={name} value={name}>
                  {name.replace(" ", " per ")}
                </option>
              ))}
            </select>
          </div>
          <div className="table-scroll">
            <table aria-label="Outlook points">
              <thead>
                <tr>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Direction</th>
                  <th scope="col">Need</th>
                  <th scope="col">Need (W)</th>
                </tr>
              </thead>
              <tbody>
                {tablePoints.map(([start, needW]) => (
                  <tr key={start}>
                    <td>{formatTime(start)}</td>
                    <td>{formatTime(periodEnd(start, tableResolution, ispSeconds ?? 900))}</td>
                    <td>{tableDirection}</td>
                    <td>{formatKilowatts(needW)}</td>
                    <td>{needW}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {publishes && ispSeconds && <PublishOutlook zoneId={zoneId} ispSeconds={ispSeconds} onPublished={load} />}
    </section>
  );
}

function PublishOutlook({ zoneId, ispSeconds, onPublished }: { zoneId: string; ispSeconds: number; onPublished: () => void }) {
  const [direction, setDirection] = useState<Direction>("up");
  const [resolution, setResolution] = useState<Resolution>("hour");
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const write = useWrite();

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const { points, errors: found } = parseOutlookCsv(text, resolution, ispSeconds, Math.floor(Date.now() / 1000));
    setErrors(found);
    if (found.length > 0) return;
    const published = await write.run(async () => {
      await api.post(`/zones/${encodeURIComponent(zoneId)}/outlook`, { direction, resolution, points });
      return `Published ${points.length} point(s) of the ${direction} outlook per ${resolution} for ${zoneId}; it replaces the earlier series.`;
    });
    if (published) onPublished();
  }

  return (
    <form className="register" onSubmit={submit} aria-labelledby="publish-outlook-heading" noValidate>
      <h2 id="publish-outlook-heading">Publish an outlook series</h2>
      <div className="field">
        <label htmlFor="outlook-direction">Direction</label>
        <select id="outlook-direction" value={direction} onChange={(event) => setDirection(event.target.value as Direction)}>
          {directions.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="outlook-resolution">Resolution</label>
        <select id="outlook-resolution" value={resolution} onChange={(event) => setResolution(event.target.value as Resolution)}>
          {resolutions.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field outlook-points">
        <label htmlFor="outlook-csv">Points (CSV: start,need_w)</label>
        <textarea
          id="outlook-csv"
          rows={6}
          value={text}
          onChange={(event) => setText(event.target.value)}
          aria-describedby="outlook-csv-help"
          {...(errors.length > 0 ? { "aria-invalid": true } : {})}
        />
        <span id="outlook-csv-help" className="hint">
          One line per period: its start as UTC seconds or a time with its offset (2027-01-04T17:00Z), on the {gridName(resolution, ispSeconds)}{" "}
          grid, rising; then the need in whole W. Up to five years ahead; it replaces the published {direction} series per {resolution}.
        </span>
      </div>
      {errors.length > 0 && (
        <ul className="field-error" role="alert" aria-label="Problems in the points">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      <button type="submit" disabled={write.busy}>
        Publish outlook
      </button>
      <WriteOutcome write={write} />
    </form>
  );
}
