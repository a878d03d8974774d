// Integer ledger values the market pages show exactly: no rounding, no floating point.

// Micro-units as EUR with every significant decimal (at least two): 180505000 → "180.505 EUR".
export function formatEurosExact(micro: number): string {
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
