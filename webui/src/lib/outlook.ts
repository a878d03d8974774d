// A zone's congestion outlook (PROTOCOL zone.outlook): the need for flexibility in W per
// period, per direction and resolution. Here: how congested a zone looks on the map, the
// series as a chart draws them, and the checks a pasted series must pass before it is sent.
import type { ZoneRecord } from "./zones";

export const directions = ["up", "down"] as const;
export type Direction = (typeof directions)[number];
export const resolutions = ["isp", "hour", "day", "month"] as const;
export type Resolution = (typeof resolutions)[number];
export type OutlookPoint = [start: number, needW: number];
export type DirectionSeries = Partial<Record<Resolution, OutlookPoint[]>>;

export interface Outlook {
  zone_id: string;
  up?: DirectionSeries;
  down?: DirectionSeries;
}

export const day = 86_400;
export const colourWindowSeconds = 7 * day;
export const horizonSeconds = 5 * 366 * day;  // PROTOCOL: START ≤ block time + 5 × 366 days
export const maxPoints = 2_000;
export const maxNeedW = 1_000_000_000_000;

// Integer division of non-negative integers, exact (no rounded quotient).
function quotient(dividend: number, divisor: number): number {
  return (dividend - (dividend % divisor)) / divisor;
}

// The end of the period a point starts: a month runs to the 1st of the next month (UTC).
export function periodEnd(start: number, resolution: Resolution, ispSeconds: number): number {
  if (resolution === "isp") return start + ispSeconds;
  if (resolution === "hour") return start + 3_600;
  if (resolution === "day") return start + day;
  const date = new Date(start * 1000);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1000;
}

// Whether START lies on the resolution's UTC grid (outlook.off_grid otherwise).
export function onGrid(start: number, resolution: Resolution, ispSeconds: number): boolean {
  if (resolution === "isp") return start % ispSeconds === 0;
  if (resolution === "hour") return start % 3_600 === 0;
  if (resolution === "day") return start % day === 0;
  const date = new Date(start * 1000);
  return start % day === 0 && date.getUTCDate() === 1;
}

// The largest need of any point whose period overlaps [from, to), over every resolution of
// one direction; null when no point does.
export function peakNeed(series: DirectionSeries | undefined, from: number, to: number, ispSeconds: number): number | null {
  let peak: number | null = null;
  for (const resolution of resolutions) {
    for (const [start, need] of series?.[resolution] ?? []) {
      if (start < to && periodEnd(start, resolution, ispSeconds) > from) peak = Math.max(peak ?? 0, need);
    }
  }
  return peak;
}

export const levels = ["none", "clear", "low", "medium", "high"] as const;
export type Level = (typeof levels)[number];

export const levelNames: Record<Level, string> = {
  none: "No outlook for the next 7 days",
  clear: "No need (0 W)",
  low: "Low: peak need below 10% of the limit",
  medium: "Medium: 10% to 30% of the limit",
  high: "High: 30% of the limit or more",
};

export interface Congestion {
  level: Level;
  direction?: Direction;  // the direction that set the level
  peakW?: number;
  limitW?: number;
  percent?: number;  // the peak need as whole percent of the limit, rounded down
}

// The colouring rule: in each direction, the peak need in the next 7 days against the limit
// it relieves (up: import limit, down: export limit); the worse direction colours the zone.
// A need against a limit of 0 W counts as high.
export function congestion(outlook: Outlook | undefined, zone: Pick<ZoneRecord, "import_limit_w" | "export_limit_w">, now: number, ispSeconds: number): Congestion {
  let worst: Congestion = { level: "none" };
  for (const direction of directions) {
    const peakW = peakNeed(outlook?.[direction], now, now + colourWindowSeconds, ispSeconds);
    if (peakW === null) continue;
    const limitW = direction === "up" ? zone.import_limit_w : zone.export_limit_w;
    let level: Level;
    if (peakW === 0) level = "clear";
    else if (limitW === 0 || peakW * 10 >= limitW * 3) level = "high";
    else if (peakW * 10 >= limitW) level = "medium";
    else level = "low";
    const percent = limitW === 0 ? undefined : quotient(peakW * 100, limitW);
    if (levels.indexOf(level) > levels.indexOf(worst.level)) worst = { level, direction, peakW, limitW, percent };
  }
  return worst;
}

export interface ChartSeries {
  direction: Direction;
  resolution: Resolution;
  values: (number | null)[];  // the need in W holding from x[i] until x[i + 1]; null: no point
}

// Every published series on one time axis for a stepped chart: the axis holds each point's
// start and end, and a series' value at a time is the need of its point covering it; the
// series' end repeats its last need, so the chart draws the last step to its end.
export function chartSeries(outlook: Outlook, ispSeconds: number): { x: number[]; series: ChartSeries[] } {
  const published: { direction: Direction; resolution: Resolution; points: OutlookPoint[] }[] = [];
  const times = new Set<number>();
  for (const direction of directions) {
    for (const resolution of resolutions) {
      const points = outlook[direction]?.[resolution];
      if (!points || points.length === 0) continue;
      published.push({ direction, resolution, points });
      for (const [start] of points) times.add(start).add(periodEnd(start, resolution, ispSeconds));
    }
  }
  const x = [...times].sort((a, b) => a - b);
  const series = published.map(({ direction, resolution, points }) => {
    let next = 0;
    const values = x.map((time) => {
      while (next < points.length && periodEnd(points[next][0], resolution, ispSeconds) <= time) next++;
      return next < points.length && points[next][0] <= time ? points[next][1] : null;
    });
    const [lastStart, lastNeed] = points[points.length - 1];
    values[x.indexOf(periodEnd(lastStart, resolution, ispSeconds))] = lastNeed;
    return { direction, resolution, values };
  });
  return { x, series };
}

// A start written as UTC seconds or as an ISO 8601 time with its offset (2027-01-04T17:00Z).
function parseStart(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const milliseconds = Date.parse(text);
  return Number.isNaN(milliseconds) ? null : milliseconds / 1000;
}

// Pasted lines "start,need_w" (an optional header line first) checked as the contracts
// check them, each problem named with its line, so a bad series is never sent.
export function parseOutlookCsv(
  text: string,
  resolution: Resolution,
  ispSeconds: number,
  now: number,
): { points: OutlookPoint[]; errors: string[] } {
  const points: OutlookPoint[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const where = `line ${index + 1}`;
    if (!line) return;
    if (points.length === 0 && errors.length === 0 && /^start\b/i.test(line)) return;  // the header
    const cells = line.split(/[,;\t]/).map((cell) => cell.trim());
    if (cells.length !== 2) return void errors.push(`${where}: write "start,need_w"`);
    const start = parseStart(cells[0]);
    if (start === null || !Number.isSafeInteger(start)) {
      return void errors.push(`${where}: the start is UTC seconds or a time like 2027-01-04T17:00Z`);
    }
    if (!/^\d+$/.test(cells[1]) || Number(cells[1]) > maxNeedW) {
      return void errors.push(`${where}: the need is a whole number of W from 0 to 10^12`);
    }
    if (!onGrid(start, resolution, ispSeconds)) {
      return void errors.push(`${where}: the start is not on the ${gridName(resolution, ispSeconds)} grid (UTC)`);
    }
    const previous = points[points.length - 1];
    if (previous && start <= previous[0]) return void errors.push(`${where}: starts must rise strictly`);
    if (start > now + horizonSeconds) return void errors.push(`${where}: more than five years ahead`);
    points.push([start, Number(cells[1])]);
  });
  if (points.length === 0 && errors.length === 0) errors.push("paste at least one line");
  if (points.length > maxPoints) errors.push(`at most ${maxPoints} points per series`);
  return { points, errors };
}

export function gridName(resolution: Resolution, ispSeconds: number): string {
  if (resolution === "isp") return `${quotient(ispSeconds, 60)}-minute`;
  if (resolution === "hour") return "hour";
  if (resolution === "day") return "midnight";
  return "first-of-the-month";
}
