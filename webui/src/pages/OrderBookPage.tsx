import { useCallback, useEffect, useRef, useState } from "react";
import "./MarketPages.css";
import { api } from "../lib/api";
import { formatEurosSignificant, formatKilowatts, formatTime } from "../lib/format";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { directions, type Direction } from "../lib/outlook";
import { initialZone, rememberZone, useZoneRecords } from "../lib/zones";
import { ProblemMessage } from "../components/ProblemMessage";
import { ZoneSelect } from "../components/ZoneSelect";
import { peak } from "../lib/market";

interface Prices {
  activation_price_micro_per_mwh?: number;
  availability_price_micro_per_mw_h?: number;
}

interface BookOffer {
  offer_id: string;
  product: string;
  start: number;
  end: number;
  remaining_w: number[];
  prices: Prices;
  seller: string;
  min_activation_ppm: number;
}

interface BookRequest {
  request_id: string;
  direction: Direction;
  product: string;
  start: number;
  end: number;
  remaining_w: number[];
  max_prices: Prices;
}

const products = ["energy", "reservation", "capacity_limitation"] as const;

type FullBook = { aggregated?: undefined; zone_id: string; offers: Record<Direction, Record<string, BookOffer[]>>; requests: BookRequest[] };
type AggregatedBook = {
  aggregated: true;
  zone_id: string;
  offers: Record<Direction, Record<string, { count: number; largest_remaining_w: number }>>;
  requests: { count: number };
};


// Prices exactly as the ledger holds them, per MWh (activation) and per MW and hour (availability).
function PriceCell({ prices }: { prices: Prices }) {
  const parts: string[] = [];
  if (prices.activation_price_micro_per_mwh !== undefined) parts.push(`activation ${formatEurosSignificant(prices.activation_price_micro_per_mwh)}/MWh`);
  if (prices.availability_price_micro_per_mw_h !== undefined) parts.push(`availability ${formatEurosSignificant(prices.availability_price_micro_per_mw_h)}/MW/h`);
  return <td>{parts.join("; ")}</td>;
}

// A zone's locational order book for one direction: the open offers per product, cheapest
// first (the order matching takes them in), and the open requests; or, for a viewer the
// node shows only aggregates, the count and the largest power on offer.
export function OrderBookPage() {
  const { zones, problem: zonesProblem } = useZoneRecords();
  const [zoneId, setZoneId] = useState("");
  const [direction, setDirection] = useState<Direction>("up");
  const [book, setBook] = useState<FullBook | AggregatedBook | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const latestRequest = useRef(0);

  useEffect(() => {
    if (zones && !zoneId) setZoneId(initialZone(zones));
  }, [zones, zoneId]);

  const load = useCallback(() => {
    if (!zoneId) return;
    const request = ++latestRequest.current;  // an older answer arriving late is dropped
    api.get<FullBook | AggregatedBook>(`/zones/${encodeURIComponent(zoneId)}/orderbook`).then(
      (answer) => request === latestRequest.current && (setBook(answer), setProblem(null)),
      (failure) => request === latestRequest.current && setProblem(failure),
    );
  }, [zoneId]);
  useEffect(load, [load]);
  const live = useLedgerEvents(["offer", "request", "contract"], load);

  return (
    <section aria-labelledby="orderbook-heading">
      <h1 id="orderbook-heading">Order book</h1>
      <ProblemMessage error={zonesProblem} />
      {zones && zones.length === 0 && <p className="empty">No congestion zones yet, so no order book. A DSO defines the zones first.</p>}
      {zones && zones.length > 0 && (
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Choose the book">
          <ZoneSelect id="orderbook-zone" zones={zones} value={zoneId} onChange={(id) => (setZoneId(id), rememberZone(id))} />
          <label htmlFor="orderbook-direction">Direction</label>
          <select id="orderbook-direction" value={direction} onChange={(event) => setDirection(event.target.value as Direction)}>
            {directions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </form>
      )}
      <p className="hint" data-testid="live">
        {live ? "Live: the book follows the node's commits." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={problem} />
      {book && book.zone_id === zoneId && (book.aggregated ? <Aggregates book={book} direction={direction} /> : <FullSide book={book} direction={direction} />)}
    </section>
  );
}

function Aggregates({ book, direction }: { book: AggregatedBook; direction: Direction }) {
  return (
    <div className="book-side">
      <p className="hint">You see this zone's book in aggregate: the node shows its offers to the zone's DSO, TSOs, sellers with assets in it and the read-all roles.</p>
      <div className="table-scroll">
        <table aria-label={`Aggregated ${direction} offers`}>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" className="number">Open offers</th>
              <th scope="col" className="number">Largest power on offer</th>
            </tr>
          </thead>
          <tbody>
            {products.map((product) => (
              <tr key={product}>
                <td>{product}</td>
                <td className="number">{book.offers[direction]?.[product]?.count ?? 0}</td>
                <td className="number">{formatKilowatts(book.offers[direction]?.[product]?.largest_remaining_w ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>Open requests in this zone (both directions): {book.requests.count}</p>
    </div>
  );
}

function FullSide({ book, direction }: { book: FullBook; direction: Direction }) {
  const offers = products.flatMap((product) => book.offers[direction]?.[product] ?? []);
  const requests = book.requests.filter((request) => request.direction === direction);
  return (
    <div className="book-side">
      <h2>Offers ({direction})</h2>
      {offers.length === 0 ? (
        <p className="empty">No open {direction} offers in this zone. Sellers with prequalified assets here list them on the Offers page.</p>
      ) : (
        <div className="table-scroll">
          <table aria-label={`Open ${direction} offers`}>
            <thead>
              <tr>
                <th scope="col">Offer</th>
                <th scope="col">Product</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col" className="number">Unsold (peak)</th>
                <th scope="col">Price</th>
                <th scope="col">Seller</th>
              </tr>
            </thead>
            <tbody>
              {offers.map((offer) => (
                <tr key={offer.offer_id}>
                  <td>{offer.offer_id}</td>
                  <td>{offer.product}</td>
                  <td>{formatTime(offer.start)}</td>
                  <td>{formatTime(offer.end)}</td>
                  <td className="number">{formatKilowatts(peak(offer.remaining_w))}</td>
                  <PriceCell prices={offer.prices} />
                  <td>{offer.seller === "redacted" ? <em>hidden</em> : <code>{offer.seller.slice(0, 12)}…</code>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Requests ({direction})</h2>
      {requests.length === 0 ? (
        <p className="empty">No open {direction} requests in this zone that you may see.</p>
      ) : (
        <div className="table-scroll">
          <table aria-label={`Open ${direction} requests`}>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Product</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col" className="number">Still needed (peak)</th>
                <th scope="col">Maximum price</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((request) => (
                <tr key={request.request_id}>
                  <td>{request.request_id}</td>
                  <td>{request.product}</td>
                  <td>{formatTime(request.start)}</td>
                  <td>{formatTime(request.end)}</td>
                  <td className="number">{formatKilowatts(peak(request.remaining_w))}</td>
                  <PriceCell prices={request.max_prices} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
