import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, api, type Session } from "../lib/api";
import { Field, invalidProps } from "../components/Field";
import { ProblemMessage } from "../components/ProblemMessage";
import { useWrite, useZones } from "../lib/forms";
import { canWrite } from "../lib/roles";
import { technologies, kiloToUnit } from "../lib/assetForm";
import { products } from "../lib/offerForm";
import { parseEuroAmount, type EuroAmount } from "../lib/euros";
import { formatEurosExact, formatKilowatts, formatPricePerMwh, formatPricePerMwPerHour, formatTime } from "../lib/format";
import { readBuyFilter, withinMaxPower, type BuyFilterErrors, type BuyFilterInput } from "../lib/buyFilters";
import {
  peak,
  earliestStart,
  fillPowerRange,
  newRequestId,
  planMatchRequest,
  planPurchase,
  requestBudgetMicro,
  type Offer,
  type RequestShape,
} from "../lib/market";
import type { Contract } from "../lib/activation";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { useMarketParams, useNow } from "../lib/useMarketParams";
import "./buy.css";
import { WriteOutcome } from "../components/WriteOutcome";

const buyerRoles = ["dso", "tso", "retailer"];
const noFilter: BuyFilterInput = {
  zoneId: "",
  direction: "",
  product: "",
  technology: "",
  from: "",
  to: "",
  minPriceEur: "",
  maxPriceEur: "",
  minPowerKw: "",
  maxPowerKw: "",
};

const kwText = (watts: number) => formatKilowatts(watts).replace(/ kW$/, "");

interface WriteOutcome {
  status: string;  // "committed", or "pending" when the block was late (docs/API.md, writes)
}

// A write the node committed (api.ts waits out a late block); one still pending after that
// cannot be built on.
async function committed(write: Promise<WriteOutcome>): Promise<WriteOutcome> {
  const result = await write;
  if (result.status === "pending") throw new ApiError(202, "write.pending", "The node has not committed the write yet; reload in a moment.");
  return result;
}

// Offers the buyer may see, filtered on the node (zone, direction, product, technology, time,
// price, least power) and in the browser (largest power); chosen offers are bought in one
// request at their exact pay-as-bid cost, or the node matches a request automatically.
export function BuyPage({ session }: { session: Session }) {
  const buys = canWrite(session.roles, session.can_sign) && session.roles.some((role) => buyerRoles.includes(role));
  const { params, problem: paramsProblem } = useMarketParams();
  const { zones, problem: zonesProblem } = useZones(() => {});
  const now = useNow();
  const [filterInput, setFilterInput] = useState<BuyFilterInput>(noFilter);
  const [filterErrors, setFilterErrors] = useState<BuyFilterErrors>({});
  const [offers, setOffers] = useState<Offer[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<Record<string, string>>({});  // offer id → power (kW) as typed
  const [budgetEur, setBudgetEur] = useState("");
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const write = useWrite();
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const { filter, errors } = readBuyFilter(filterInput);
    setFilterErrors(errors);
    if (!filter) return;
    const request = ++latestRequest.current;
    api.get<{ items: Offer[]; next_after: string | null }>(`/offers?${filter.query}`).then(
      (page) => {
        if (request !== latestRequest.current) return;
        setOffers(page.items.filter((offer) => withinMaxPower(offer, filter.maxPowerW)));
        setTruncated(page.next_after !== null);
        setError(null);
      },
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [filterInput]);
  useEffect(load, [load]);
  const live = useLedgerEvents(["offer"], load);

  const ispSeconds = params?.isp_seconds ?? 0;
  const from = ispSeconds ? earliestStart(now, ispSeconds) : 0;
  const setFilter = (changes: Partial<BuyFilterInput>) => setFilterInput((current) => ({ ...current, ...changes }));
  const choose = (offer: Offer, on: boolean) =>
    setChosen((current) => {
      const next = { ...current };
      if (on) next[offer.offer_id] = kwText(fillPowerRange(offer, from)?.maxW ?? 0);
      else delete next[offer.offer_id];
      return next;
    });

  const chosenOffers = (offers ?? []).filter((offer) => offer.offer_id in chosen);
  const powerProblem = chosenOffers.find((offer) => kiloToUnit(chosen[offer.offer_id]) === null);
  const plan =
    ispSeconds && chosenOffers.length > 0 && !powerProblem
      ? planPurchase(chosenOffers.map((offer) => ({ offer, powerW: kiloToUnit(chosen[offer.offer_id])! })), ispSeconds, from)
      : null;
  const budget = budgetEur.trim() ? parseEuroAmount(budgetEur, true) : null;
  const budgetError = budget && "error" in budget ? budget.error : undefined;
  const overBudget = plan && "totalMicro" in plan && budget && "micro" in budget ? plan.totalMicro - BigInt(budget.micro) : null;

  async function purchase() {
    if (!plan || !("fills" in plan)) return;
    setContracts(null);
    const request = { request_id: newRequestId(Date.now(), Math.random()), ...plan.request };
    await write.run(async () => {
      const made = await buyWith(request, () => api.post<WriteOutcome>(`/requests/${request.request_id}/purchase`, { fills: plan.fills }));
      setContracts(made);
      setChosen({});
      load();
      return `Bought ${made.length} contract${made.length === 1 ? "" : "s"} with request ${request.request_id}.`;
    });
  }

  return (
    <section aria-labelledby="buy-heading" className="buy">
      <h1 id="buy-heading">Buy flexibility</h1>
      <form className="filters buy-filters" aria-label="Filter offers" onSubmit={(event) => event.preventDefault()}>
        <Field id="buy-zone" label="Zone">
          <select id="buy-zone" value={filterInput.zoneId} onChange={(event) => setFilter({ zoneId: event.target.value })}>
            <option value="">any zone</option>
            {zones.map((zone) => (
              <option key={zone.zone_id} value={zone.zone_id}>
                {zone.name} ({zone.zone_id})
              </option>
            ))}
          </select>
        </Field>
        <Field id="buy-direction" label="Direction">
          <select id="buy-direction" value={filterInput.direction} onChange={(event) => setFilter({ direction: event.target.value })}>
            <option value="">any</option>
            <option value="up">up</option>
            <option value="down">down</option>
          </select>
        </Field>
        <Field id="buy-product" label="Product">
          <select id="buy-product" value={filterInput.product} onChange={(event) => setFilter({ product: event.target.value })}>
            <option value="">any</option>
            {products.map((product) => (
              <option key={product}>{product}</option>
            ))}
          </select>
        </Field>
        <Field id="buy-technology" label="Technology">
          <select id="buy-technology" value={filterInput.technology} onChange={(event) => setFilter({ technology: event.target.value })}>
            <option value="">any</option>
            {technologies.map((technology) => (
              <option key={technology}>{technology}</option>
            ))}
          </select>
        </Field>
        {(
          [
            ["from", "From", "datetime-local"],
            ["to", "To", "datetime-local"],
            ["minPriceEur", "Lowest price (EUR)", "text"],
            ["maxPriceEur", "Highest price (EUR)", "text"],
            ["minPowerKw", "Least power (kW)", "text"],
            ["maxPowerKw", "Most power (kW)", "text"],
          ] as const
        ).map(([key, label, type]) => (
          <Field key={key} id={`buy-${key}`} label={label} error={filterErrors[key]}>
            <input
              id={`buy-${key}`}
              type={type}
              inputMode={type === "text" ? "decimal" : undefined}
              value={filterInput[key]}
              {...invalidProps(`buy-${key}`, filterErrors[key])}
              onChange={(event) => setFilter({ [key]: event.target.value })}
            />
          </Field>
        ))}
      </form>
      <p className="hint">
        Prices filter on the primary price: activation (EUR/MWh) for energy, availability (EUR/MW/h) otherwise. Times are in your time
        zone ({Intl.DateTimeFormat().resolvedOptions().timeZone}).
      </p>
      <p className="hint" data-testid="live">
        {live ? "Live: offers change as the node commits blocks." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error ?? paramsProblem ?? zonesProblem} />
      {truncated && <p className="hint">Showing the first 500 offers; narrow the filters to see the others.</p>}
      {offers && offers.length === 0 && (
        <p className="empty">No open offer matches these filters. Widen them, or wait: offers appear here as sellers list them.</p>
      )}
      {offers && offers.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Offers">
            <thead>
              <tr>
                {buys && <th scope="col">Buy</th>}
                <th scope="col">Offer</th>
                <th scope="col">Zone</th>
                <th scope="col">Direction</th>
                <th scope="col">Product</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Unsold (peak)</th>
                <th scope="col">Price</th>
                {buys && <th scope="col">Power to buy (kW)</th>}
              </tr>
            </thead>
            <tbody>
              {offers.map((offer) => {
                const range = ispSeconds ? fillPowerRange(offer, from) : null;
                const selected = offer.offer_id in chosen;
                return (
                  <tr key={offer.offer_id}>
                    {buys && (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select offer ${offer.offer_id}`}
                          checked={selected}
                          disabled={!range && !selected}
                          onChange={(event) => choose(offer, event.target.checked)}
                        />
                      </td>
                    )}
                    <td>{offer.offer_id}</td>
                    <td>{offer.zone_id}</td>
                    <td>{offer.direction}</td>
                    <td>{offer.product}</td>
                    <td>{formatTime(offer.start)}</td>
                    <td>{formatTime(offer.end)}</td>
                    <td>{formatKilowatts(peak(offer.remaining_w))}</td>
                    <td>
                      <OfferPrices offer={offer} />
                    </td>
                    {buys && (
                      <td>
                        {selected ? (
                          <input
                            className="power"
                            aria-label={`Power for ${offer.offer_id} (kW)`}
                            inputMode="decimal"
                            value={chosen[offer.offer_id]}
                            onChange={(event) => setChosen({ ...chosen, [offer.offer_id]: event.target.value })}
                          />
                        ) : range ? (
                          <span className="hint">
                            {range.minW > 1 ? `${formatKilowatts(range.minW)}–` : "up to "}
                            {formatKilowatts(range.maxW)}
                          </span>
                        ) : (
                          <span className="hint">nothing left to buy</span>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {buys && chosenOffers.length > 0 && (
        <section className="buy-summary" aria-labelledby="summary-heading">
          <h2 id="summary-heading">Your selection</h2>
          {powerProblem && <p className="problem">Power for {powerProblem.offer_id}: kW, up to 3 decimals.</p>}
          {plan && "error" in plan && <p className="problem">{plan.error}</p>}
          {plan && "costs" in plan && (
            <>
              <ul>
                {plan.costs.map(({ offer_id, costMicro }) => (
                  <li key={offer_id}>
                    {offer_id}: {formatKilowatts(plan.fills.find((fill) => fill.offer_id === offer_id)!.power_w)} —{" "}
                    <span data-testid={`cost-${offer_id}`}>{formatEurosExact(costMicro)}</span>
                  </li>
                ))}
              </ul>
              <p>
                Total cost: <strong data-testid="total-cost">{formatEurosExact(plan.totalMicro)}</strong> for{" "}
                {formatTime(plan.request.start)} – {formatTime(plan.request.end)}
              </p>
              <p className="hint">
                Each ISP costs power × ISP length × price (activation per MWh, plus availability per MW·h for a reservation), rounded to the
                micro-unit per ISP as the ledger does. Held while buying: <span data-testid="held">{formatEurosExact(plan.budgetMicro)}</span>{" "}
                (the request's power at its maximum prices); what is not spent goes back at once.
              </p>
            </>
          )}
          <Field id="buy-budget" label="Budget (EUR)" error={budgetError}>
            <input id="buy-budget" inputMode="decimal" value={budgetEur} onChange={(event) => setBudgetEur(event.target.value)} {...invalidProps("buy-budget", budgetError)} />
          </Field>
          {overBudget !== null && (
            <p data-testid="budget-check" className={overBudget > 0n ? "problem" : "done"}>
              {overBudget > 0n ? `Over budget by ${formatEurosExact(overBudget)}.` : `Within budget: ${formatEurosExact(-overBudget)} to spare.`}
            </p>
          )}
          <button type="button" onClick={purchase} disabled={write.busy || !plan || !("fills" in plan) || (overBudget !== null && overBudget > 0n)}>
            {write.busy ? "Buying…" : "Purchase"}
          </button>
        </section>
      )}
      {buys && ispSeconds > 0 && (
        <AutoMatch filter={filterInput} ispSeconds={ispSeconds} earliest={from} write={write} onMatched={(made) => (setContracts(made), load())} />
      )}
      <WriteOutcome write={write} />
      {contracts && <ContractsMade contracts={contracts} />}
    </section>
  );
}

function OfferPrices({ offer }: { offer: Offer }) {
  const { activation_price_micro_per_mwh: activation, availability_price_micro_per_mw_h: availability } = offer.prices;
  return (
    <>
      {availability !== undefined && <span>availability {formatPricePerMwPerHour(availability)}</span>}
      {availability !== undefined && activation !== undefined && <br />}
      {activation !== undefined && formatPricePerMwh(activation)}
    </>
  );
}

// Makes the request, then runs `fill` on it (a purchase or a match) and returns the
// contracts made. When filling fails, the request is cancelled at once so its budget is not
// left held, and the problem names what became of it.
async function buyWith(request: RequestShape & { request_id: string }, fill: () => Promise<WriteOutcome>): Promise<Contract[]> {
  await committed(api.post<WriteOutcome>("/requests", request));
  try {
    await committed(fill());
  } catch (failure) {
    const cancelled = await api.del(`/requests/${request.request_id}`).then(
      () => true,
      () => false,
    );
    if (!(failure instanceof ApiError)) throw failure;
    const after = cancelled ? `request ${request.request_id} cancelled, its budget is back` : `request ${request.request_id} is still open: cancel it on the Requests page`;
    throw new ApiError(failure.status, failure.code, `${failure.detail || "The purchase failed."} (${after})`);
  }
  const page = await api.get<{ items: Contract[] }>(`/contracts?request_id=${encodeURIComponent(request.request_id)}&limit=500`);
  return page.items;
}

function AutoMatch({
  filter,
  ispSeconds,
  earliest,
  write,
  onMatched,
}: {
  filter: BuyFilterInput;
  ispSeconds: number;
  earliest: number;
  write: ReturnType<typeof useWrite>;
  onMatched: (contracts: Contract[]) => void;
}) {
  const [powerKw, setPowerKw] = useState("");
  const [activationEur, setActivationEur] = useState("");
  const [availabilityEur, setAvailabilityEur] = useState("");
  const { filter: read } = readBuyFilter(filter);
  const from = Number(read?.query.get("from") ?? NaN);
  const to = Number(read?.query.get("to") ?? NaN);
  const powerW = kiloToUnit(powerKw);
  const activation = activationEur.trim() ? parseEuroAmount(activationEur, true) : null;
  const availability = availabilityEur.trim() ? parseEuroAmount(availabilityEur, true) : null;
  const micro = (amount: EuroAmount | null) => (amount && "micro" in amount ? amount.micro : null);
  const problem = (amount: EuroAmount | null) => (amount && "error" in amount ? amount.error : undefined);
  const plan =
    Number.isFinite(from) && Number.isFinite(to) && powerW !== null
      ? planMatchRequest(
          {
            zone_id: filter.zoneId,
            direction: filter.direction,
            product: filter.product,
            from,
            to,
            powerW,
            maxActivationMicro: micro(activation),
            maxAvailabilityMicro: micro(availability),
          },
          ispSeconds,
          earliest,
        )
      : { error: "Choose a time window (From, To) in the filters and the power you need." };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if ("error" in plan) return;
    const request = { request_id: newRequestId(Date.now(), Math.random()), ...plan };
    await write.run(async () => {
      const made = await buyWith(request, () => api.post<WriteOutcome>(`/requests/${request.request_id}/match`, {}));
      onMatched(made);
      return `Matching made ${made.length} contract${made.length === 1 ? "" : "s"} for request ${request.request_id}; what it could not fill stays open until ${formatTime(request.start)}.`;
    });
  }

  return (
    <form className="register" aria-labelledby="match-heading" onSubmit={submit} noValidate>
      <h2 id="match-heading">Auto-match</h2>
      <p className="hint">
        The node buys the cheapest offers of the filtered zone, direction and product in the filtered window, up to your power and prices.
      </p>
      <Field id="match-power" label="Power needed (kW)">
        <input id="match-power" inputMode="decimal" value={powerKw} onChange={(event) => setPowerKw(event.target.value)} />
      </Field>
      {filter.product !== "capacity_limitation" && (
        <Field id="match-activation" label="Maximum activation price (EUR/MWh)" error={problem(activation)}>
          <input id="match-activation" inputMode="decimal" value={activationEur} onChange={(event) => setActivationEur(event.target.value)} {...invalidProps("match-activation", problem(activation))} />
        </Field>
      )}
      {filter.product !== "energy" && (
        <Field id="match-availability" label="Maximum availability price (EUR/MW/h)" error={problem(availability)}>
          <input id="match-availability" inputMode="decimal" value={availabilityEur} onChange={(event) => setAvailabilityEur(event.target.value)} {...invalidProps("match-availability", problem(availability))} />
        </Field>
      )}
      {"error" in plan ? (
        <p className="hint">{plan.error}</p>
      ) : (
        <p>
          Held while matching: <strong data-testid="match-budget">{formatEurosExact(requestBudgetMicro(plan, ispSeconds))}</strong> for{" "}
          {formatTime(plan.start)} – {formatTime(plan.end)}
        </p>
      )}
      <button type="submit" disabled={write.busy || "error" in plan}>
        {write.busy ? "Matching…" : "Auto-match"}
      </button>
    </form>
  );
}

function ContractsMade({ contracts }: { contracts: Contract[] }) {
  return (
    <section aria-labelledby="made-heading">
      <h2 id="made-heading">Contracts made</h2>
      <div className="table-wrap">
        <table aria-label="Contracts made">
          <thead>
            <tr>
              <th scope="col">Contract</th>
              <th scope="col">Offer</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Power (peak)</th>
              <th scope="col">Cost</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {contracts.map((contract) => (
              <tr key={contract.contract_id}>
                <td>{contract.contract_id}</td>
                <td>{contract.offer_id}</td>
                <td>{formatTime(contract.start)}</td>
                <td>{formatTime(contract.end)}</td>
                <td>{formatKilowatts(peak(contract.power_w))}</td>
                <td>{formatEurosExact(contract.escrow_micro)}</td>
                <td>{contract.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
