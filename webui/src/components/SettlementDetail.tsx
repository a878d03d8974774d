import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { api, ApiError, type Session } from "../lib/api";
import { formatEuros, formatEurosExact, formatKilowatts, formatTime } from "../lib/format";
import { canWrite } from "../lib/roles";
import { parseSignedEuroAmount } from "../lib/euros";
import { useWrite } from "../lib/forms";
import { deliverySeries, formatEnergy, ispNetSum, ispRows, netText, sideOf, tradingRoles, type Contract, type Settlement } from "../lib/settlement";
import { ProblemMessage } from "./ProblemMessage";
import { DeliveryChart } from "./DeliveryChart";
import { Field, invalidProps } from "./Field";
import "./SettlementDetail.css";

const power = (watts: number | null) => (watts === null ? "no data" : formatKilowatts(watts));
// The node counts a reason's UTF-8 bytes (1 … 1,000); maxLength counts UTF-16 units.
const reasonTooLong = (reason: string) => new TextEncoder().encode(reason).length > 1000;

// A contract's delivery and settlement: the chart and per-ISP table from its settlement
// record, the money, and the dispute and resolution forms for those who may use them.
// `version` changes when the page heard a settlement or contract event: it reloads then.
export function SettlementDetail({ session, contract, version }: { session: Session; contract: Contract; version: number }) {
  const [settlement, setSettlement] = useState<Settlement | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  // A form's success line lives here: the form itself goes away with the status it changed.
  const [done, setDone] = useState("");
  const latestRequest = useRef(0);
  useEffect(() => setDone(""), [contract.contract_id]);

  const load = useCallback(() => {
    const request = ++latestRequest.current;
    api.get<Settlement>(`/settlements/${encodeURIComponent(contract.contract_id)}`).then(
      (record) => request === latestRequest.current && (setSettlement(record), setError(null)),
      (failure) => {
        if (request !== latestRequest.current) return;
        // Not settled yet is a state, not a failure.
        if (failure instanceof ApiError && failure.status === 404) (setSettlement(null), setError(null));
        else setError(failure);
      },
    );
  }, [contract.contract_id]);
  useEffect(load, [load, version, contract.status]);

  const rows = useMemo(() => (settlement ? ispRows(settlement, contract.isp_seconds) : []), [settlement, contract.isp_seconds]);
  const ispSum = useMemo(() => ispNetSum(rows), [rows]);
  const series = useMemo(() => (settlement ? deliverySeries(settlement, contract.direction, contract.isp_seconds) : null), [settlement, contract]);

  if (error) return <ProblemMessage error={error} />;
  if (settlement === undefined) return <p className="loading">Loading the settlement…</p>;
  if (settlement === null)
    return (
      <p className="empty">
        Not settled yet. It settles when the readings of its ISPs (and of the history its baseline reads) are on the ledger, or at its deadline{" "}
        {formatTime(contract.settle_by)}, counting missing readings as not delivered.
      </p>
    );

  const writes = canWrite(session.roles, session.can_sign);
  const party = sideOf(contract, session.participant) !== "";
  const mayDispute = writes && party && session.roles.some((role) => tradingRoles.includes(role)) && settlement.status === "provisional";
  const mayResolve = writes && session.roles.includes("operator") && settlement.status === "disputed";

  return (
    <div className="settlement-detail">
      <h3>Settlement of {contract.contract_id}</h3>
      <dl className="facts" data-testid="settlement-facts">
        <dt>Status</dt>
        <dd data-testid="settlement-status">{settlement.status}</dd>
        <dt>Net</dt>
        <dd data-testid="settlement-net">{netText(settlement.net_micro)}</dd>
        <dt>Operator's fee</dt>
        <dd>{formatEuros(settlement.fee_micro)}</dd>
        <dt>Delivered</dt>
        <dd>
          {formatEnergy(settlement.totals.DeliveredFlexPower, contract.isp_seconds)} of{" "}
          {formatEnergy(settlement.totals.OrderedFlexPower, contract.isp_seconds)} ordered
        </dd>
        <dt>Version</dt>
        <dd>
          {settlement.version} ({settlement.trigger.replace(/_/g, " ")})
        </dd>
        <dt>Settled</dt>
        <dd>{formatTime(settlement.settled_at)}</dd>
        {settlement.revised_at !== undefined && (
          <>
            <dt>Revised</dt>
            <dd>{formatTime(settlement.revised_at)}</dd>
          </>
        )}
        <dt>Final</dt>
        <dd>{settlement.status === "final" ? "yes" : `${settlement.status === "disputed" ? "when the operator resolves the dispute" : "from"} ${formatTime(settlement.final_at)}`}</dd>
        {settlement.dispute && (
          <>
            <dt>Dispute</dt>
            <dd>
              opened {formatTime(settlement.dispute.opened_at)} by {sideOf(contract, settlement.dispute.opened_by) || "a party"}: “{settlement.dispute.reason}”
              {settlement.dispute.resolution && (
                <>
                  ; resolved ({settlement.dispute.resolution}) {formatTime(settlement.dispute.resolved_at ?? 0)}: “{settlement.dispute.resolution_reason}”
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      {series && <DeliveryChart series={series} label={`Metered power, baseline and ordered target of ${contract.contract_id} per ISP`} />}
      <div className="table-scroll">
        <table aria-label={`Delivery per ISP of ${contract.contract_id}`}>
          <thead>
            <tr>
              <th scope="col">ISP from</th>
              <th scope="col">Baseline</th>
              <th scope="col">Metered</th>
              <th scope="col">Ordered</th>
              <th scope="col">Delivered</th>
              <th scope="col">Delivered energy</th>
              <th scope="col">Deficiency</th>
              <th scope="col">Deficient energy</th>
              <th scope="col">Price</th>
              <th scope="col">Penalty</th>
              <th scope="col">Net</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.ispStart}>
                <td>{formatTime(row.ispStart)}</td>
                <td>{power(row.baselineW)}</td>
                <td>{power(row.actualW)}</td>
                <td>{power(row.orderedW)}</td>
                <td>{power(row.deliveredW)}</td>
                <td>{row.deliveredEnergy}</td>
                <td>{power(row.deficiencyW)}</td>
                <td>{row.deficientEnergy}</td>
                <td>{formatEurosExact(row.priceMicro)}</td>
                <td>{formatEurosExact(row.penaltyMicro)}</td>
                <td>{formatEurosExact(row.netMicro)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {BigInt(settlement.net_micro) !== ispSum && (
        <p className="hint">
          The net differs from the sum of the ISPs, {formatEurosExact(ispSum)}: it was adjusted by the operator, or clamped to the escrow.
        </p>
      )}
      {mayDispute && <DisputeForm contractId={contract.contract_id} onDone={(message) => (setDone(message), load())} />}
      {mayResolve && <ResolveForm contractId={contract.contract_id} escrowMicro={contract.escrow_micro} onDone={(message) => (setDone(message), load())} />}
      {done && (
        <p className="done" role="status">
          {done}
        </p>
      )}
    </div>
  );
}

function DisputeForm({ contractId, onDone }: { contractId: string; onDone: (message: string) => void }) {
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState("");
  const write = useWrite();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (!trimmed) return setReasonError("Say why you dispute it.");
    if (reasonTooLong(trimmed)) return setReasonError("At most 1,000 bytes.");
    setReasonError("");
    const message = `Settlement of ${contractId} disputed. The operator will resolve it.`;
    void write
      .run(async () => {
        await api.post(`/settlements/${encodeURIComponent(contractId)}/dispute`, { reason: trimmed });
        return message;
      })
      .then((ok) => ok && onDone(message));
  };
  return (
    <form className="settlement-form" aria-label="Dispute settlement" onSubmit={submit} noValidate>
      <Field id="dispute-reason" label="Reason for the dispute" error={reasonError}>
        <textarea id="dispute-reason" value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} {...invalidProps("dispute-reason", reasonError)} />
      </Field>
      <button type="submit" disabled={write.busy}>
        Dispute
      </button>
      <ProblemMessage error={write.problem} />
    </form>
  );
}

function ResolveForm({ contractId, escrowMicro, onDone }: { contractId: string; escrowMicro: number; onDone: (message: string) => void }) {
  const [resolution, setResolution] = useState<"rerun" | "adjust">("rerun");
  const [reason, setReason] = useState("");
  const [net, setNet] = useState("");
  const [errors, setErrors] = useState<{ reason?: string; net?: string }>({});
  const write = useWrite();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: { reason?: string; net?: string } = {};
    const trimmed = reason.trim();
    if (!trimmed) found.reason = "Give the reason for the resolution.";
    else if (reasonTooLong(trimmed)) found.reason = "At most 1,000 bytes.";
    const parsed = parseSignedEuroAmount(net);
    // PROTOCOL §9: an adjusted net lies in [−(2^53 − 1 − E), E], E the escrow.
    const lowest = -(Number.MAX_SAFE_INTEGER - escrowMicro);
    if (resolution === "adjust") {
      if ("error" in parsed) found.net = parsed.error;
      else if (parsed.micro > escrowMicro) found.net = `At most the escrow, ${formatEurosExact(escrowMicro)}.`;
      else if (parsed.micro < lowest) found.net = `At least ${formatEurosExact(lowest)}.`;
    }
    setErrors(found);
    if (found.reason || found.net) return;
    const body = resolution === "adjust" && "micro" in parsed ? { resolution, reason: trimmed, net_micro: parsed.micro } : { resolution, reason: trimmed };
    const message = `Dispute on ${contractId} resolved (${resolution}); the settlement is final.`;
    void write
      .run(async () => {
        await api.post(`/settlements/${encodeURIComponent(contractId)}/resolution`, body);
        return message;
      })
      .then((ok) => ok && onDone(message));
  };
  return (
    <form className="settlement-form" aria-label="Resolve dispute" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Resolution</legend>
        <label>
          <input type="radio" name="resolution" checked={resolution === "rerun"} onChange={() => setResolution("rerun")} /> Re-run with the data on the
          ledger now
        </label>
        <label>
          <input type="radio" name="resolution" checked={resolution === "adjust"} onChange={() => setResolution("adjust")} /> Adjust the net
        </label>
      </fieldset>
      {resolution === "adjust" && (
        <Field id="resolve-net" label="New net (EUR, negative when the seller pays)" error={errors.net}>
          <input id="resolve-net" inputMode="decimal" value={net} onChange={(event) => setNet(event.target.value)} {...invalidProps("resolve-net", errors.net)} />
        </Field>
      )}
      <Field id="resolve-reason" label="Reason for the resolution" error={errors.reason}>
        <textarea id="resolve-reason" value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} {...invalidProps("resolve-reason", errors.reason)} />
      </Field>
      <button type="submit" disabled={write.busy}>
        Resolve
      </button>
      <ProblemMessage error={write.problem} />
    </form>
  );
}
