import { useCallback, useEffect, useState } from "react";
import { api, type Session } from "../lib/api";
import { formatKilowatts, formatPricePerMwh, formatPricePerMwPerHour, formatTime } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";

interface Offer {
  offer_id: string;
  zone_id: string;
  direction: string;
  product: string;
  start: number;
  end: number;
  power_w: number[];  // per ISP
  remaining_w: number[];  // per ISP, what is not sold yet
  status: string;
  seller: string;
  prices: { activation_price_micro_per_mwh?: number; availability_price_micro_per_mw_h?: number };
}

const peak = (values: number[]) => values.reduce((highest, value) => Math.max(highest, value), 0);

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
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: "100" });
    if (zone) query.set("zone_id", zone);
    if (direction) query.set("direction", direction);
    api.get<OfferPage>(`/offers?${query}`).then((page) => {
      setOffers(page.items);
      setError(null);
    }, setError);
  }, [zone, direction]);

  useEffect(load, [load]);

  useEffect(() => {
    const events = new EventSource("/api/v1/events");
    events.addEventListener("offer", load);
    return () => events.close();
  }, [load]);

  return (
    <section aria-labelledby="offers-heading">
      <h1 id="offers-heading">Offers</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter offers">
        <label htmlFor="zone-filter">Zone</label>
        <input id="zone-filter" value={zone} onChange={(event) => setZone(event.target.value.trim())} placeholder="any zone" />
        <label htmlFor="direction-filter">Direction</label>
        <select id="direction-filter" value={direction} onChange={(event) => setDirection(event.target.value)}>
          <option value="">any</option>
          <option value="up">up</option>
          <option value="down">down</option>
        </select>
      </form>
      <ProblemMessage error={error} />
      {offers && offers.length === 0 && (
        <p className="empty">
          No offers {zone ? `in zone ${zone}` : "yet"}.{" "}
          {session.roles.some((role) => role === "prosumer" || role === "aggregator")
            ? "Register an asset and list its flexibility to see it here."
            : "Offers appear here as sellers list them."}
        </p>
      )}
      {offers && offers.length > 0 && (
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
                  {offer.product === "energy"
                    ? formatPricePerMwh(offer.prices.activation_price_micro_per_mwh ?? 0)
                    : formatPricePerMwPerHour(offer.prices.availability_price_micro_per_mw_h ?? 0)}
                </td>
                <td>{offer.status}</td>
                <td>{offer.seller === "redacted" ? <em>hidden</em> : <code>{offer.seller.slice(0, 12)}…</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
