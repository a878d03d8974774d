import { useCallback, useEffect, useRef, useState } from "react";
import { api, type Session } from "../lib/api";
import { ProblemMessage } from "../components/ProblemMessage";
import { useWrite } from "../lib/forms";
import { canWrite } from "../lib/roles";
import { formatEurosExact, formatKilowatts, formatTime } from "../lib/format";
import { useLedgerEvents } from "../lib/ledgerEvents";
import "./buy.css";
import { WriteOutcome } from "../components/WriteOutcome";
import { peak } from "../lib/market";

interface BuyRequest {
  request_id: string;
  zone_id: string;
  direction: string;
  product: string;
  start: number;
  end: number;
  expires_at: number;
  power_w: number[];
  remaining_w: number[];
  budget_micro: number;  // what is still held
  max_cost_micro: number;  // what was held at creation
  status: string;
  buyer: string;
  created_height: number;
}

const buyerRoles = ["dso", "tso", "retailer"];

// A buyer's requests (read-all roles see every one), with the budget each still holds; open
// ones can be cancelled, which returns that budget. Follows request and contract events.
export function RequestsPage({ session }: { session: Session }) {
  const isBuyer = session.roles.some((role) => buyerRoles.includes(role));
  const writes = canWrite(session.roles, session.can_sign) && isBuyer;
  const [status, setStatus] = useState("");
  const [requests, setRequests] = useState<BuyRequest[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const write = useWrite();
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: "500" });
    if (isBuyer) query.set("buyer", session.participant);  // a DSO also sees others' requests in its zones
    if (status) query.set("status", status);
    const request = ++latestRequest.current;
    api.get<{ items: BuyRequest[]; next_after: string | null }>(`/requests?${query}`).then(
      (page) => {
        if (request !== latestRequest.current) return;
        setRequests([...page.items].sort((a, b) => b.created_height - a.created_height));  // newest first
        setTruncated(page.next_after !== null);
        setError(null);
      },
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [isBuyer, session.participant, status]);
  useEffect(load, [load]);
  const live = useLedgerEvents(["request", "contract"], load);

  async function cancel(request: BuyRequest) {
    await write.run(async () => {
      await api.del(`/requests/${encodeURIComponent(request.request_id)}`);
      load();
      return `Request ${request.request_id} cancelled; ${formatEurosExact(request.budget_micro)} is available again.`;
    });
  }

  return (
    <section aria-labelledby="requests-heading">
      <h1 id="requests-heading">{isBuyer ? "My requests" : "Requests"}</h1>
      <form className="filters" aria-label="Filter requests" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="requests-status">Status</label>
        <select id="requests-status" value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">any</option>
          {["open", "filled", "cancelled", "expired"].map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
      </form>
      <p className="hint" data-testid="live">
        {live ? "Live: requests change as the node commits blocks." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error} />
      {truncated && <p className="hint">Showing 500 requests; filter by status to see the others.</p>}
      {requests && requests.length === 0 && (
        <p className="empty">{writes ? "No requests yet. Buy offers or auto-match on the Buy page to make one." : "No requests yet. Buyers (DSO, TSO, retailer) post them from the Buy page; they appear here."}</p>
      )}
      {requests && requests.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Requests">
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Zone</th>
                <th scope="col">Direction</th>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Power (peak)</th>
                <th scope="col">Remaining (peak)</th>
                <th scope="col">Budget held</th>
                <th scope="col">Held at first</th>
                {writes && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {requests.map((request) => (
                <tr key={request.request_id}>
                  <td>{request.request_id}</td>
                  <td>{request.zone_id}</td>
                  <td>{request.direction}</td>
                  <td>{request.product}</td>
                  <td>{request.status}</td>
                  <td>{formatTime(request.start)}</td>
                  <td>{formatTime(request.end)}</td>
                  <td>{formatKilowatts(peak(request.power_w))}</td>
                  <td>{formatKilowatts(peak(request.remaining_w))}</td>
                  <td>{formatEurosExact(request.budget_micro)}</td>
                  <td>{formatEurosExact(request.max_cost_micro)}</td>
                  {writes && (
                    <td>
                      {request.status === "open" && request.buyer === session.participant && (
                        <button type="button" disabled={write.busy} onClick={() => cancel(request)} aria-label={`Cancel request ${request.request_id}`}>
                          Cancel
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <WriteOutcome write={write} />
    </section>
  );
}
