// Activating a reservation (docs/PROTOCOL.md §9, contract.activate): which of its ISPs the
// buyer may still activate, and the exact payload for the ones chosen.
import { formatTime } from "./format";

export interface Contract {
  contract_id: string;
  offer_id: string;
  request_id: string;
  zone_id: string;
  direction: string;
  product: string;
  start: number;
  end: number;
  isp_seconds: number;
  power_w: number[];  // reserved, per ISP
  activated_w?: number[];  // absent until the first activation
  escrow_micro: number;
  status: string;
  buyer: string;
  seller: string;
}

export type ClosedReason = "settled" | "nothing_reserved" | "gate_closed";

export interface ActivationIsp {
  ispStart: number;
  reservedW: number;
  activatedW: number;
  gateClosesAt: number;  // the last block time at which this ISP may be activated
  closed: ClosedReason | null;
}

export function activationIsps(contract: Contract, nowSeconds: number, gateSeconds: number): ActivationIsp[] {
  return contract.power_w.map((reservedW, index) => {
    const ispStart = contract.start + index * contract.isp_seconds;
    const gateClosesAt = ispStart - gateSeconds;
    const closed: ClosedReason | null =
      contract.status === "settled" ? "settled" : reservedW === 0 ? "nothing_reserved" : nowSeconds > gateClosesAt ? "gate_closed" : null;
    return { ispStart, reservedW, activatedW: contract.activated_w?.[index] ?? 0, gateClosesAt, closed };
  });
}

// The activations for the chosen ISPs at one power (0 W withdraws an activation).
export function planActivations(
  isps: readonly ActivationIsp[],
  chosen: ReadonlySet<number>,
  powerW: number | null,
): { activations?: { isp_start: number; power_w: number }[]; error?: string } {
  const picked = isps.filter((isp) => chosen.has(isp.ispStart));
  if (picked.length === 0) return { error: "Choose at least one ISP." };
  if (powerW === null) return { error: "Power in kW, up to 3 decimals." };
  const closed = picked.find((isp) => isp.closed !== null);
  if (closed) return { error: `The ISP starting at ${formatTime(closed.ispStart)} can no longer be activated.` };
  const smallest = Math.min(...picked.map((isp) => isp.reservedW));
  if (powerW > smallest) return { error: `At most ${smallest} W: the least reserved power among the chosen ISPs.` };
  return { activations: picked.map((isp) => ({ isp_start: isp.ispStart, power_w: powerW })) };
}
