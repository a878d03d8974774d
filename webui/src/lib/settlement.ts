// What happens after a trade, as the dashboard shows it: contracts, their settlement records
// (docs/PROTOCOL.md §8, settlement) shaped into per-ISP rows and chart series, and accounts.
// Integers in, integers or text out: energies and money are never computed in floating point.
import { formatEuros } from "./format";

export interface Contract {
  contract_id: string;
  offer_id: string;
  request_id: string;
  buyer: string;
  seller: string;
  zone_id: string;
  direction: "up" | "down";
  product: string;
  start: number;
  end: number;
  settle_by: number;
  isp_seconds: number;
  power_w: number[];
  allocation: Record<string, number[]>;
  activated_w?: number[];
  prices: { activation_price_micro_per_mwh?: number; availability_price_micro_per_mw_h?: number };
  baseline: { method: string; params?: Record<string, number>; version: number };
  escrow_micro: number;
  status: "reserved" | "active" | "settled";
  created_at: number;
}

export interface Activation {
  isp_start: number;
  power_w: number;
}

export interface SettlementColumns {
  ActualPower: (number | null)[];
  BaselinePower: (number | null)[];
  DeliveredFlexPower: number[];
  NetSettlement: number[];
  OrderedFlexPower: number[];
  Penalty: number[];
  PowerDeficiency: number[];
  Price: number[];
  isp_start: number[];
}

export interface Dispute {
  opened_at: number;
  opened_by: string;
  reason: string;
  resolution?: "rerun" | "adjust";
  resolution_reason?: string;
  resolved_at?: number;
  resolved_by?: string;
}

export interface SettlementSummary {
  contract_id: string;
  version: number;
  status: "provisional" | "disputed" | "final";
  trigger: string;
  net_micro: number;
  fee_micro: number;
  totals: { DeliveredFlexPower: number; OrderedFlexPower: number };
  settled_at: number;
  final_at: number;
  revised_at?: number;
  dispute?: Dispute;
}

export interface Settlement extends SettlementSummary {
  isps: SettlementColumns;
  assets: Record<string, Omit<SettlementColumns, "NetSettlement" | "Penalty" | "Price" | "isp_start">>;
}

export interface Account {
  participant: string;
  available_micro: number;
  held_micro: number;
  credit_limit_micro: number;
  last_nonce: number;
}

export interface AccountTransaction {
  id: string;
  height: number;
  position: number;
  type: string;
  signer: string;
  payload: Record<string, unknown>;
  result: string;
}

export interface Page<T> {
  items: T[];
  next_after: string | null;
}

// Energy of `powerW` held for `seconds`, in kWh with up to six decimals (to the mWh), rounded
// half away from zero: exact in BigInt, since W × s can pass 2^53.
export function formatEnergy(powerW: number, seconds: number): string {
  const wattSeconds = BigInt(powerW) * BigInt(seconds);  // 3.6 W·s is one mWh
  const magnitude = wattSeconds < 0n ? -wattSeconds : wattSeconds;
  const milliWh = (magnitude * 10n + 18n) / 36n;  // W·s × 1000 / 3600, rounded half up
  const sign = wattSeconds < 0n && milliWh > 0n ? "-" : "";
  const rest = String(milliWh % 1_000_000n).padStart(6, "0").replace(/0+$/, "");
  return `${sign}${milliWh / 1_000_000n}${rest ? "." + rest : ""} kWh`;
}

// One contract ISP of a settlement, as the table shows it.
export interface IspRow {
  ispStart: number;
  baselineW: number | null;
  actualW: number | null;
  orderedW: number;
  deliveredW: number;
  deficiencyW: number;
  deliveredEnergy: string;
  deficientEnergy: string;
  priceMicro: number;
  penaltyMicro: number;
  netMicro: number;
}

export function ispRows(settlement: Settlement, ispSeconds: number): IspRow[] {
  const columns = settlement.isps;
  return columns.isp_start.map((ispStart, i) => ({
    ispStart,
    baselineW: columns.BaselinePower[i],
    actualW: columns.ActualPower[i],
    orderedW: columns.OrderedFlexPower[i],
    deliveredW: columns.DeliveredFlexPower[i],
    deficiencyW: columns.PowerDeficiency[i],
    deliveredEnergy: formatEnergy(columns.DeliveredFlexPower[i], ispSeconds),
    deficientEnergy: formatEnergy(columns.PowerDeficiency[i], ispSeconds),
    priceMicro: columns.Price[i],
    penaltyMicro: columns.Penalty[i],
    netMicro: columns.NetSettlement[i],
  }));
}

// Σ NetSettlement exactly: a penalty line saturates at 2^53−1 (PROTOCOL §9), so a Number sum of several rounds.
export function ispNetSum(rows: IspRow[]): bigint {
  return rows.reduce((sum, row) => sum + BigInt(row.netMicro), 0n);
}

// The chart's data (uPlot's columns): time in seconds, then metered power, baseline and the
// ordered target (baseline − ordered for up, + ordered for down: the consumption the seller
// promised to stay below, or above), each per ISP. Steps need a closing point at the end of
// the last ISP, which repeats the last values.
export interface DeliverySeries {
  time: number[];
  metered: (number | null)[];
  baseline: (number | null)[];
  target: (number | null)[];
}

export function deliverySeries(settlement: Settlement, direction: "up" | "down", ispSeconds: number): DeliverySeries {
  const columns = settlement.isps;
  const sign = direction === "up" ? -1 : 1;
  const target = columns.BaselinePower.map((baseline, i) => (baseline === null ? null : baseline + sign * columns.OrderedFlexPower[i]));
  const close = <T,>(values: T[]) => (values.length ? [...values, values[values.length - 1]] : values);
  const last = columns.isp_start.length - 1;
  return {
    time: last < 0 ? [] : [...columns.isp_start, columns.isp_start[last] + ispSeconds],
    metered: close(columns.ActualPower),
    baseline: close(columns.BaselinePower),
    target: close(target),
  };
}

// A net as the parties read it: who pays whom.
export function netText(netMicro: number): string {
  if (netMicro > 0) return `${formatEuros(netMicro)} to the seller`;
  if (netMicro < 0) return `${formatEuros(netMicro)} (the seller owes the buyer ${formatEuros(-netMicro)})`;
  return formatEuros(0);
}

// Which side of a contract the participant is on.
export function sideOf(contract: { buyer: string; seller: string }, participant: string): "buyer" | "seller" | "" {
  if (contract.buyer === participant) return "buyer";
  if (contract.seller === participant) return "seller";
  return "";
}

// The amount a transaction of the history moves, when its payload names one.
export function transactionAmount(transaction: AccountTransaction): number | null {
  const amount = transaction.payload.amount_micro;
  return typeof amount === "number" ? amount : null;
}

export const tradingRoles = ["prosumer", "aggregator", "dso", "tso", "retailer"];
