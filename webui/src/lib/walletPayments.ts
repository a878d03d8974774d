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
  version: string;
  trigger: string;
  at: number;
  amountMicro: number;  // the participant's balance change
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

// What one version moved for `participant`, its `side` of the contract.
function versionPayment(version: SettlementWithMoney, participant: string, side: Side): SettlementPayment {
  const money = version.money;
  return {
    contractId: version.contract_id,
    version: String(version.version),
    trigger: version.trigger,
    at: version.version === 1 ? version.settled_at : (version.revised_at ?? version.settled_at),
    ...("moves" in money ? movesAmount(money.moves, participant) : releaseAmount(money, side)),
  };
}

// The payments of one settlement (every version, GET /settlements/{id}/versions) for
// `participant`, newest first.
export function settlementPayments(versions: readonly SettlementWithMoney[], participant: string, side: Side): SettlementPayment[] {
  return versions.map((version) => versionPayment(version, participant, side)).reverse();
}

// Every payment of the participant's settlements, newest first.
export function walletPayments(settlements: { versions: readonly SettlementWithMoney[]; side: Side }[], participant: string): SettlementPayment[] {
  const payments = settlements.flatMap(({ versions, side }) => settlementPayments(versions, participant, side));
  return payments
    .map((payment, index) => ({ payment, index }))
    .sort((a, b) => b.payment.at - a.payment.at || a.index - b.index)
    .map(({ payment }) => payment);
}
