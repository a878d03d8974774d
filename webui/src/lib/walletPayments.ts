// The money settlements moved to or from one participant, for its wallet: GET
// /accounts/{p}/transfers lists only transactions that name the participant, and a seller's
// settlement income is paid by the metering company's meter.submit (or a correction, or the
// operator's resolution). Shaped from the settlement records' `money` member (PROTOCOL.md §8,
// settlement; §9, settlement money). Integers only.
import { formatEurosExact } from "./format";

// One payment of "paying what is owed": `paid_micro` is what left `from`'s available balance.
export interface SettlementMove {
  amount_micro: number;
  debt_cancelled_micro?: number;
  debt_micro?: number;
  from: string;
  paid_micro: number;
  to: string;
}

// Version 1 releases the escrow; later versions move the difference.
export type SettlementMoney =
  | { escrow_micro: number; fee_micro: number; paid_to_seller_micro: number; returned_to_buyer_micro: number }
  | { charged_to_seller_micro: number; debt_micro?: number; escrow_micro: number; fee_micro: number; returned_to_buyer_micro: number }
  | { moves: SettlementMove[] };

export interface SettlementWithMoney {
  contract_id: string;
  version: number;
  trigger: string;
  net_micro: number;
  fee_micro: number;
  settled_at: number;
  revised_at?: number;
  money: SettlementMoney;
}

export type Side = "seller" | "buyer";

export interface SettlementPayment {
  contractId: string;
  // "1–2" for versions the API no longer serves and that cannot be worked out.
  version: string;
  trigger: string | null;  // null: not served for an earlier version
  at: number | null;
  amountMicro: number | null;  // the participant's balance change; null when it cannot be known
  note: string;
}

function releaseAmount(money: Exclude<SettlementMoney, { moves: SettlementMove[] }>, side: Side): { amountMicro: number; note: string } {
  if (side === "buyer") {
    // The buyer's escrow E leaves its held balance and `returned_to_buyer_micro` comes back.
    const note = "debt_micro" in money && money.debt_micro ? `the seller still owes ${formatEurosExact(money.debt_micro)}` : "";
    return { amountMicro: money.returned_to_buyer_micro - money.escrow_micro, note };
  }
  if ("paid_to_seller_micro" in money) return { amountMicro: money.paid_to_seller_micro, note: "" };
  const note = money.debt_micro ? `still owes ${formatEurosExact(money.debt_micro)}` : "";
  return { amountMicro: -money.charged_to_seller_micro, note };
}

function movesAmount(moves: SettlementMove[], participant: string): { amountMicro: number; note: string } {
  let amountMicro = 0;
  const notes: string[] = [];
  for (const move of moves) {
    if (move.to === participant) amountMicro += move.paid_micro;
    if (move.from === participant) amountMicro -= move.paid_micro;
    if (move.debt_micro && move.from === participant && move.to !== participant) notes.push(`still owes ${formatEurosExact(move.debt_micro)}`);
    if (move.debt_micro && move.to === participant && move.from !== participant) notes.push(`is still owed ${formatEurosExact(move.debt_micro)}`);
  }
  return { amountMicro, note: notes.join("; ") };
}

// Version 1's payment, worked out from version 2's moves (the API serves only the latest
// version): the first move is the net's difference, a second one the fee's (a fee changes only
// with the net). Exact when version 1's net N was ≥ 0: the seller got N − fee, the buyer paid N.
// Below 0 the seller paid what its balance allowed, which no record still shows.
function firstVersionFromSecond(record: SettlementWithMoney, moves: SettlementMove[], participant: string, side: Side): SettlementPayment {
  const [netMove, feeMove] = moves;
  let previousNet = record.net_micro;
  let previousFee = record.fee_micro;
  if (netMove) {
    const sellerPaid = side === "seller" ? netMove.from === participant : netMove.to === participant;
    previousNet += sellerPaid ? netMove.amount_micro : -netMove.amount_micro;
  }
  if (feeMove) previousFee += feeMove.from === participant ? -feeMove.amount_micro : feeMove.amount_micro;
  const base = { contractId: record.contract_id, version: "1", trigger: null, at: record.settled_at };
  if (previousNet < 0)
    return { ...base, amountMicro: null, note: `net ${formatEurosExact(previousNet)}: what the seller could pay of it is no longer served` };
  return { ...base, amountMicro: side === "seller" ? previousNet - previousFee : -previousNet, note: "worked out from version 2" };
}

// The payments of one settlement for `participant`, its `side` of the contract, newest first.
export function settlementPayments(record: SettlementWithMoney, participant: string, side: Side): SettlementPayment[] {
  const money = record.money;
  if (!("moves" in money)) {
    return [{ contractId: record.contract_id, version: "1", trigger: record.trigger, at: record.settled_at, ...releaseAmount(money, side) }];
  }
  const latest: SettlementPayment = {
    contractId: record.contract_id,
    version: String(record.version),
    trigger: record.trigger,
    at: record.revised_at ?? null,
    ...movesAmount(money.moves, participant),
  };
  if (record.version === 2) return [latest, firstVersionFromSecond(record, money.moves, participant, side)];
  const earlier = `1–${record.version - 1}`;
  return [latest, { contractId: record.contract_id, version: earlier, trigger: null, at: null, amountMicro: null, note: "earlier versions are not served by the API" }];
}

// Every payment of the participant's settlements, newest first (unknown times last).
export function walletPayments(records: { record: SettlementWithMoney; side: Side }[], participant: string): SettlementPayment[] {
  const payments = records.flatMap(({ record, side }) => settlementPayments(record, participant, side));
  return payments
    .map((payment, index) => ({ payment, index }))
    .sort((a, b) => (b.payment.at ?? -1) - (a.payment.at ?? -1) || a.index - b.index)
    .map(({ payment }) => payment);
}
