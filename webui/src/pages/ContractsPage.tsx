import { useCallback, useEffect, useRef, useState } from "react";
import { api, type Session } from "../lib/api";
import { formatEuros, formatKilowatts, formatPricePerMwh, formatPricePerMwPerHour, formatTime } from "../lib/format";
import { sideOf, type Activation, type Contract, type Page } from "../lib/settlement";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { ProblemMessage } from "../components/ProblemMessage";
import { SettlementDetail } from "../components/SettlementDetail";
import "../components/SettlementDetail.css";
import { peak } from "../lib/market";

const pageSize = 100;

function Prices({ prices }: { prices: Contract["prices"] }) {
  return (
    <>
      {prices.availability_price_micro_per_mw_h !== undefined && <span>availability {formatPricePerMwPerHour(prices.availability_price_micro_per_mw_h)} </span>}
      {prices.activation_price_micro_per_mwh !== undefined && <span>{formatPricePerMwh(prices.activation_price_micro_per_mwh)}</span>}
    </>
  );
}

// The contracts this session is party to (all of them for the read-all roles, its customers'
// for a retailer), live; one opens into its terms, activations, delivery and settlement.
export function ContractsPage({ session }: { session: Session }) {
  const [status, setStatus] = useState("");
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const [nextAfter, setNextAfter] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState("");
  const [eventCount, setEventCount] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (status) query.set("status", status);
    const request = ++latestRequest.current;
    api.get<Page<Contract>>(`/contracts?${query}`).then(
      (page) => {
        if (request !== latestRequest.current) return;
        setContracts(page.items);
        setNextAfter(page.next_after);
        setError(null);
      },
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [status]);
  useEffect(load, [load]);

  const loadMore = () => {
    if (!nextAfter) return;
    const query = new URLSearchParams({ limit: String(pageSize), after: nextAfter });
    if (status) query.set("status", status);
    const request = ++latestRequest.current;
    api.get<Page<Contract>>(`/contracts?${query}`).then(
      (page) => {
        if (request !== latestRequest.current) return;
        setContracts((before) => [...(before ?? []), ...page.items]);
        setNextAfter(page.next_after);
      },
      setError,
    );
  };

  const live = useLedgerEvents(["contract", "settlement"],
    () => {
      load();
      setEventCount((count) => count + 1);
    });
  const selected = contracts?.find((contract) => contract.contract_id === selectedId);

  return (
    <section aria-labelledby="contracts-heading">
      <h1 id="contracts-heading">Contracts</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter contracts">
        <label htmlFor="contract-status">Filter by status</label>
        <select id="contract-status" value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">any</option>
          <option value="reserved">reserved</option>
          <option value="active">active</option>
          <option value="settled">settled</option>
        </select>
      </form>
      <p className="hint" data-testid="live">
        {live ? "Live: contracts update as the node commits them." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error} />
      {contracts && contracts.length === 0 && (
        <p className="empty">
          No contracts {status ? `with status ${status}` : "yet"}.{" "}
          {session.roles.some((role) => ["dso", "tso", "retailer"].includes(role))
            ? "Buy offers for one of your requests to make one."
            : session.roles.some((role) => ["prosumer", "aggregator"].includes(role))
              ? "They appear here when a buyer buys one of your offers."
              : "They appear here as buyers buy offers."}
        </p>
      )}
      {contracts && contracts.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Contracts">
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">My side</th>
                <th scope="col">Status</th>
                <th scope="col">Zone</th>
                <th scope="col">Direction</th>
                <th scope="col">Product</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Power (peak)</th>
                <th scope="col">Price</th>
                <th scope="col">Escrow</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {contracts.map((contract) => (
                <tr key={contract.contract_id} aria-selected={contract.contract_id === selectedId}>
                  <td>{contract.contract_id}</td>
                  <td>{sideOf(contract, session.participant) || "—"}</td>
                  <td>{contract.status}</td>
                  <td>{contract.zone_id}</td>
                  <td>{contract.direction}</td>
                  <td>{contract.product}</td>
                  <td>{formatTime(contract.start)}</td>
                  <td>{formatTime(contract.end)}</td>
                  <td>{formatKilowatts(peak(contract.power_w))}</td>
                  <td>
                    <Prices prices={contract.prices} />
                  </td>
                  <td>{formatEuros(contract.escrow_micro)}</td>
                  <td>
                    <button type="button" data-reads onClick={() => setSelectedId(contract.contract_id)} aria-label={`Details of ${contract.contract_id}`}>
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextAfter && (
        <button type="button" data-reads onClick={loadMore}>
          Show more contracts
        </button>
      )}
      {selected && <ContractDetail session={session} contract={selected} version={eventCount} onClose={() => setSelectedId("")} />}
    </section>
  );
}

function ContractDetail({ session, contract, version, onClose }: { session: Session; contract: Contract; version: number; onClose: () => void }) {
  const [activations, setActivations] = useState<Activation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    api.get<Page<Activation>>(`/contracts/${encodeURIComponent(contract.contract_id)}/activations`).then(
      (page) => current && (setActivations(page.items), setError(null)),
      (failure) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [contract.contract_id, version]);

  return (
    <article className="contract-detail" aria-labelledby="contract-detail-heading">
      <h2 id="contract-detail-heading">Contract {contract.contract_id}</h2>
      <button type="button" data-reads onClick={onClose}>
        Close details
      </button>
      <dl className="facts">
        <dt>Offer / request</dt>
        <dd>
          {contract.offer_id} / {contract.request_id}
        </dd>
        <dt>Buyer</dt>
        <dd>
          <code>{contract.buyer}</code>
        </dd>
        <dt>Seller</dt>
        <dd>
          <code>{contract.seller}</code>
        </dd>
        <dt>Window</dt>
        <dd>
          {formatTime(contract.start)} – {formatTime(contract.end)}, {contract.power_w.length} ISPs of {contract.isp_seconds / 60} min
        </dd>
        <dt>Assets</dt>
        <dd>{Object.keys(contract.allocation).join(", ")}</dd>
        <dt>Baseline</dt>
        <dd>
          {contract.baseline.method.replace(/_/g, " ")}
          {contract.baseline.params && Object.keys(contract.baseline.params).length > 0 && ` (${Object.entries(contract.baseline.params).map(([name, value]) => `${name} ${value}`).join(", ")})`}
        </dd>
        <dt>Escrow</dt>
        <dd>{formatEuros(contract.escrow_micro)}</dd>
        <dt>Settlement deadline</dt>
        <dd>{formatTime(contract.settle_by)}</dd>
      </dl>
      <h3>Activations</h3>
      <ProblemMessage error={error} />
      {activations && activations.length === 0 && (
        <p className="empty">
          {contract.product === "reservation"
            ? "None yet: the buyer activates reserved ISPs before the activation gate."
            : "An energy or capacity-limitation contract is active when made; it has no activations."}
        </p>
      )}
      {activations && activations.length > 0 && (
        <div className="table-scroll">
          <table aria-label={`Activations of ${contract.contract_id}`}>
            <thead>
              <tr>
                <th scope="col">ISP from</th>
                <th scope="col">Activated power</th>
              </tr>
            </thead>
            <tbody>
              {activations.map((activation) => (
                <tr key={activation.isp_start}>
                  <td>{formatTime(activation.isp_start)}</td>
                  <td>{formatKilowatts(activation.power_w)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Delivery</h3>
      <SettlementDetail session={session} contract={contract} version={version} />
    </article>
  );
}
