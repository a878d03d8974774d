// Display of ledger values: integers in, text for people out. Times are UTC seconds on the
// ledger and shown in the browser's time zone, with the zone named.

export function formatTime(utcSeconds: number, timeZone?: string): string {
  const date = new Date(utcSeconds * 1000);
  const text = new Intl.DateTimeFormat("en-GB", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(date);
  return text;
}

// Watts as kW with up to three decimals (exact: 1 W = 0.001 kW).
export function formatKilowatts(watts: number): string {
  const sign = watts < 0 ? "-" : "";
  const magnitude = Math.abs(watts);
  const whole = Math.floor(magnitude / 1000);
  const rest = String(magnitude % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${sign}${whole}${rest ? "." + rest : ""} kW`;
}

// Micro-units as EUR with two decimals, the magnitude rounded half up (so negative amounts
// round half away from zero), on the integer: no floating point on the way, every ledger
// amount being below 2^53. An amount that rounds to zero has no sign.
export function formatEuros(micro: number): string {
  const cents = Math.floor((Math.abs(micro) + 5_000) / 10_000);
  const sign = micro < 0 && cents > 0 ? "-" : "";
  return `${sign}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")} EUR`;
}

// An activation price: micro-units per MWh.
export function formatPricePerMwh(microPerMwh: number): string {
  return `${formatEuros(microPerMwh)}/MWh`;
}

// An availability price: micro-units per MW and hour.
export function formatPricePerMwPerHour(microPerMwH: number): string {
  return `${formatEuros(microPerMwH)}/MW/h`;
}

// Micro-units as EUR with all six decimals, for amounts that must be read exactly (a cost
// the ledger computes to the micro-unit); takes a BigInt sum as well as a ledger number.
export function formatEurosExact(micro: number | bigint): string {
  const value = BigInt(micro);
  const magnitude = value < 0n ? -value : value;
  const sign = value < 0n ? "-" : "";
  return `${sign}${magnitude / 1_000_000n}.${String(magnitude % 1_000_000n).padStart(6, "0")} EUR`;
}

// A chart's time axis, naming the zone its times are drawn in (the browser's, as formatTime shows).
export function timeAxisLabel(timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  return `Time (${timeZone})`;
}

// Micro-units as EUR with every significant decimal (at least two), for prices: 180505000 →
// "180.505 EUR" (formatEurosExact always shows six).
export function formatEurosSignificant(micro: number): string {
  const sign = micro < 0 ? "-" : "";
  const magnitude = Math.abs(micro);
  const fraction = String(magnitude % 1_000_000).padStart(6, "0").replace(/0{1,4}$/, "");
  return `${sign}${(magnitude - (magnitude % 1_000_000)) / 1_000_000}.${fraction} EUR`;
}

// Wh as kWh with up to three decimals (exact: 1 Wh = 0.001 kWh).
export function formatKilowattHours(wh: number): string {
  const sign = wh < 0 ? "-" : "";
  const magnitude = Math.abs(wh);
  const rest = String(magnitude % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${sign}${(magnitude - (magnitude % 1000)) / 1000}${rest ? "." + rest : ""} kWh`;
}

// Parts per million as a percentage with up to four decimals (exact: 1 ppm = 0.0001 %).
export function formatPpmAsPercent(ppm: number): string {
  const sign = ppm < 0 ? "-" : "";
  const magnitude = Math.abs(ppm);
  const rest = String(magnitude % 10_000).padStart(4, "0").replace(/0+$/, "");
  return `${sign}${(magnitude - (magnitude % 10_000)) / 10_000}${rest ? "." + rest : ""} %`;
}
