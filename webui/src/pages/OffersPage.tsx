import { useCallback, useEffect, useRef, useState } from "react";
import { api, type Session } from "../lib/api";
import { formatKilowatts, formatPricePerMwh, formatPricePerMwPerHour, formatTime } from "../lib/format";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { peak, type Offer } from "../lib/market";
import { ProblemMessage } from "../components/ProblemMessage";
import { canWrite } from "../lib/roles";
import { NewOfferForm } from "./NewOfferForm";
import { BulkOfferUpload } from "../components/BulkOfferUpload";

const pageSize = 100;


interface OfferPage {
  items: Offer[];
  next_after: string | null;
}

// The offers this session may see (redacted where the API redacts them), filtered by zone
// and direction; new offers appear as the node's event stream announces them.
export function OffersPage({ session }: { session: Session }) {
  const [zone, setZone] = useState("");
  const [direction, setDirection] = useState("");
  const [offers, setOffers] = useState<Offer[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (zone) query.set("zone_id", zone);
    if (direction) query.set("direction", direction);
    const request = ++latestRequest.current;  // an older answer arriving late is dropped
    api.get<OfferPage>(`/offers?${query}`).then(
      (page) => {
        if (request !== latestRequest.current) return;
        setOffers(page.items);
        setTruncated(page.next_after !== null);
        setError(null);
      },
      (failure) => {
        if (request === latestRequest.current) setError(failure);
      },
    );
  }, [zone, direction]);

  useEffect(load, [load]);

  // Offer events (coalesced) reload the current filter.
  const live = useLedgerEvents(["offer"], load);

  return (
    <section aria-labelledby="offers-heading">
      <h1 id="offers-heading">Offers</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter offers">
        <label htmlFor="zone-filter">Filter by zone</label>
        <input id="zone-filter" value={zone} onChange={(event) => setZone(event.target.value.trim())} placeholder="any zone" />
        <label htmlFor="direction-filter">Filter by direction</label>
        <select id="direction-filter" value={direction} onChange={(event) => setDirection(event.target.value)}>
          <option value="">any</option>
          <option value="up">up</option>
          <option value="down">down</option>
        </select>
      </form>
      <p className="hint" data-testid="live">{live ? "Live: new offers appear as the node commits them." : "Connecting to the node's event stream…"}</p>
      <ProblemMessage error={error} />
      {truncated && <p className="hint">Showing the first {pageSize} offers; narrow the filters to see the others.</p>}
      {offers && offers.length === 0 && (
        <p className="empty">
          No offers {zone ? `in zone ${zone}` : "yet"}.{" "}
          {session.roles.some((role) => role === "prosumer" || role === "aggregator")
            ? "Register an asset and list its flexibility to see it here."
            : "Offers appear here as sellers list them."}
        </p>
      )}
      {offers && offers.length > 0 && (
        <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Offer</th>
              <th scope="col">Zone</th>
              <th scope="col">Direction</th>
              <th scope="col">Product</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Power (peak)</th>
              <th scope="col">Unsold (peak)</th>
              <th scope="col">Price</th>
              <th scope="col">Status</th>
              <th scope="col">Seller</th>
            </tr>
          </thead>
          <tbody>
            {offers.map((offer) => (
              <tr key={offer.offer_id}>
                <td>{offer.offer_id}</td>
                <td>{offer.zone_id}</td>
                <td>{offer.direction}</td>
                <td>{offer.product}</td>
                <td>{formatTime(offer.start)}</td>
                <td>{formatTime(offer.end)}</td>
                <td>{formatKilowatts(peak(offer.power_w))}</td>
                <td>{formatKilowatts(peak(offer.remaining_w))}</td>
                <td>
                  {offer.prices.availability_price_micro_per_mw_h !== undefined && (
                    <span>availability {formatPricePerMwPerHour(offer.prices.availability_price_micro_per_mw_h)}</span>
                  )}
                  {offer.prices.availability_price_micro_per_mw_h !== undefined &&
                    offer.prices.activation_price_micro_per_mwh !== undefined && <br />}
                  {offer.prices.activation_price_micro_per_mwh !== undefined &&
                    formatPricePerMwh(offer.prices.activation_price_micro_per_mwh)}
                </td>
                <td>{offer.status}</td>
                <td>{offer.seller === "redacted" ? <em>hidden</em> : <code>{offer.seller.slice(0, 12)}…</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {canWrite(session.roles, session.can_sign) && session.roles.some((role) => role === "prosumer" || role === "aggregator") && (
        <NewOfferForm onListed={load} />
      )}
      <BulkOfferUpload session={session} onListed={load} />
    </section>
  );
}
