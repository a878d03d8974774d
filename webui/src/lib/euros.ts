// The dashboard's one reader of EUR amounts people type: "100", "100.5", "100,000001" as
// micro-units (1 EUR = 1,000,000), exactly: the digits are read as text in BigInt, never as a
// float, and nothing above the largest ledger amount, 2^53 − 1 micro, gets through.

const maxSafe = 9_007_199_254_740_991n;  // 2^53 − 1
const tooLarge = "at most 9007199254.740991 EUR";

export type EuroAmount = { micro: number } | { error: string };

export function parseEuroAmount(text: string, allowZero = false): EuroAmount {
  const match = /^(\d+)(?:[.,](\d{1,6}))?$/.exec(text.trim());
  if (!match) return { error: "an amount in EUR with at most 6 decimals, e.g. 100.000000" };
  const micro = BigInt(match[1]) * 1_000_000n + BigInt((match[2] ?? "").padEnd(6, "0"));
  if (micro > maxSafe) return { error: tooLarge };
  if (micro === 0n && !allowZero) return { error: "more than 0 EUR" };
  return { micro: Number(micro) };
}

// A signed amount, such as an adjusted net: "-12.5" EUR -> -12,500,000 micro-units.
export function parseSignedEuroAmount(text: string): EuroAmount {
  const trimmed = text.trim();
  const negative = trimmed.startsWith("-");
  const magnitude = parseEuroAmount(negative ? trimmed.slice(1) : trimmed, true);
  if ("error" in magnitude) return magnitude.error === tooLarge ? { error: "between -9007199254.740991 and 9007199254.740991 EUR" } : magnitude;
  return { micro: negative ? -magnitude.micro : magnitude.micro };
}
