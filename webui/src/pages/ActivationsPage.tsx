import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Session } from "../lib/api";
import { fetchAllPages } from "../lib/allPages";
import { ProblemMessage } from "../components/ProblemMessage";
import { useWrite } from "../lib/forms";
import { canWrite } from "../lib/roles";
import { kiloToUnit } from "../lib/assetForm";
import { formatEurosExact, formatKilowatts, formatTime } from "../lib/format";
import { activationIsps, planActivations, type ActivationIsp, type ClosedReason, type Contract } from "../lib/activation";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { useMarketParams, useNow } from "../lib/useMarketParams";
import "./buy.css";
import { WriteOutcome } from "../components/WriteOutcome";
import { peak } from "../lib/market";

const buyerRoles = ["dso", "tso", "retailer"];

function closedText(reason: ClosedReason, isp: ActivationIsp): string {
  if (reason === "settled") return "the contract is settled";
  if (reason === "nothing_reserved") return "nothing reserved in this ISP";
  return `gate closed at ${formatTime(isp.gateClosesAt)}`;
}

// A buyer's reservations: capacity reserved ahead that it activates ISP by ISP, each before
// the market's activation gate. Read-all roles see every reservation, without the form.
export function ActivationsPage({ session }: { session: Session }) {
  const activates = canWrite(session.roles, session.can_sign) && session.roles.some((role) => buyerRoles.includes(role));
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const [selectedId, setSelectedId] = useState("");
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const request = ++latestRequest.current;
    // The node filters by buyer; GET /contracts has no product filter, so that one is done here, on every page.
    fetchAllPages<Contract>("/contracts", activates ? { buyer: session.participant } : {}).then(
      (all) => {
        if (request !== latestRequest.current) return;
        setContracts(all.filter((contract) => contract.product === "reservation"));
        setError(null);
      },
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [activates, session.participant]);
  useEffect(load, [load]);
  const live = useLedgerEvents(["contract"], load);
  const selected = contracts?.find((contract) => contract.contract_id === selectedId) ?? null;

  return (
    <section aria-labelledby="activations-heading">
      <h1 id="activations-heading">Activations</h1>
      <p className="hint" data-testid="live">
        {live ? "Live: contracts change as the node commits blocks." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error} />
      {contracts && contracts.length === 0 && (
        <p className="empty">
          {activates ? "No reservations yet. Buy reservation offers on the Buy page, then activate them here." : "No reservations yet. They appear here once a buyer buys reservation offers on the Buy page."}
        </p>
      )}
      {contracts && contracts.length > 0 && (
        <div className="filters">
          <label htmlFor="activation-contract">{activates ? "Contract to activate" : "Contract to show"}</label>
          <select id="activation-contract" value={selectedId} onChange={(event) => setSelectedId(event.target.value)}>
            <option value="">choose a reservation</option>
            {contracts.map((contract) => (
              <option key={contract.contract_id} value={contract.contract_id}>
                {contract.contract_id} ({formatTime(contract.start)})
              </option>
            ))}
          </select>
        </div>
      )}
      {contracts && contracts.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Reservations">
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Zone</th>
                <th scope="col">Direction</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Reserved (peak)</th>
                <th scope="col">Activated (peak)</th>
                <th scope="col">Cost</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {contracts.map((contract) => (
                <tr key={contract.contract_id}>
                  <td>{contract.contract_id}</td>
                  <td>{contract.zone_id}</td>
                  <td>{contract.direction}</td>
                  <td>{formatTime(contract.start)}</td>
                  <td>{formatTime(contract.end)}</td>
                  <td>{formatKilowatts(peak(contract.power_w))}</td>
                  <td>{formatKilowatts(peak(contract.activated_w ?? []))}</td>
                  <td>{formatEurosExact(contract.escrow_micro)}</td>
                  <td>{contract.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <ContractActivations key={selected.contract_id} contract={selected} activates={activates} />}
    </section>
  );
}

function ContractActivations({ contract, activates }: { contract: Contract; activates: boolean }) {
  const { params, problem: paramsProblem } = useMarketParams();
  const now = useNow();
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [powerKw, setPowerKw] = useState(formatKilowatts(peak(contract.power_w)).replace(/ kW$/, ""));
  const [formError, setFormError] = useState("");
  const [activations, setActivations] = useState<{ isp_start: number; power_w: number }[] | null>(null);
  const [listProblem, setListProblem] = useState<unknown>(null);
  const write = useWrite();

  const loadActivations = useCallback(() => {
    api.get<{ items: { isp_start: number; power_w: number }[] }>(`/contracts/${contract.contract_id}/activations`).then(
      (page) => (setActivations(page.items), setListProblem(null)),
      setListProblem,
    );
  }, [contract.contract_id]);
  // the contract record changes with each activation: reload its list then
  useEffect(loadActivations, [loadActivations, contract.activated_w?.join(",")]);

  const gate = params?.activation_gate_seconds ?? null;
  const isps = gate === null ? [] : activationIsps(contract, now, gate);
  const toggle = (ispStart: number, on: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(ispStart);
      else next.delete(ispStart);
      return next;
    });

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const { activations: payload, error } = planActivations(isps, chosen, kiloToUnit(powerKw));
    setFormError(error ?? "");
    if (!payload) return;
    const done = await write.run(async () => {
      await api.post(`/contracts/${contract.contract_id}/activations`, { activations: payload });
      return `Activated ${payload.length} ISP${payload.length === 1 ? "" : "s"} of ${contract.contract_id} at ${formatKilowatts(payload[0].power_w)}.`;
    });
    if (done) setChosen(new Set());
  }

  return (
    <section aria-labelledby="contract-heading">
      <h2 id="contract-heading">Contract {contract.contract_id}</h2>
      <ProblemMessage error={paramsProblem ?? listProblem} />
      {gate !== null && (
        <p className="hint">
          An ISP can be activated until {gate % 60 === 0 ? `${gate / 60} min` : `${gate} s`} before it starts (the market's activation
          gate); an ISP that cannot be chosen says why. 0 kW withdraws an activation.
        </p>
      )}
      <form onSubmit={submit} aria-label={`Activate ${contract.contract_id}`} noValidate>
        <div className="table-wrap">
          <table aria-label="ISPs">
            <thead>
              <tr>
                {activates && <th scope="col">Choose</th>}
                <th scope="col">ISP start</th>
                <th scope="col">Reserved</th>
                <th scope="col">Activated</th>
                <th scope="col">Can be activated</th>
              </tr>
            </thead>
            <tbody>
              {isps.map((isp) => (
                <tr key={isp.ispStart}>
                  {activates && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Activate ISP ${formatTime(isp.ispStart)}`}
                        disabled={isp.closed !== null}
                        checked={chosen.has(isp.ispStart)}
                        onChange={(event) => toggle(isp.ispStart, event.target.checked)}
                      />
                    </td>
                  )}
                  <td>{formatTime(isp.ispStart)}</td>
                  <td>{formatKilowatts(isp.reservedW)}</td>
                  <td>{formatKilowatts(isp.activatedW)}</td>
                  <td>{isp.closed === null ? `until ${formatTime(isp.gateClosesAt)}` : <span className="closed-reason">no: {closedText(isp.closed, isp)}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {activates && (
          <div className="row-actions">
            <label htmlFor="activation-power">Power to activate (kW)</label>
            <input id="activation-power" className="power" inputMode="decimal" value={powerKw} onChange={(event) => setPowerKw(event.target.value)} />
            <button type="submit" disabled={write.busy}>
              {write.busy ? "Activating…" : `Activate ${chosen.size} ISP${chosen.size === 1 ? "" : "s"}`}
            </button>
          </div>
        )}
        {formError && <p className="problem">{formError}</p>}
        <WriteOutcome write={write} />
      </form>
      <h3>Activations on the ledger</h3>
      {activations && activations.length === 0 && <p className="empty">None yet{activates ? ": choose ISPs above and activate them." : "."}</p>}
      {activations && activations.length > 0 && (
        <ul aria-label="Activations">
          {activations.map((activation) => (
            <li key={activation.isp_start}>
              {formatTime(activation.isp_start)}: {formatKilowatts(activation.power_w)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
