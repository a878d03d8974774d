import { useCallback, useEffect, useRef, useState } from "react";
import { api, type Session } from "../lib/api";
import { ProblemMessage } from "../components/ProblemMessage";
import { useWrite } from "../lib/forms";
import { canWrite } from "../lib/roles";
import { formatKilowatts, formatTime } from "../lib/format";
import { useLedgerEvents } from "../lib/ledgerEvents";
import "./buy.css";
import { WriteOutcome } from "../components/WriteOutcome";

interface PendingAsset {
  asset_id: string;
  name: string;
  technology: string;
  zone_id: string;
  max_up_w: number;
  max_down_w: number;
  connection_w: number;
  metering_point_id: string;
  registered_at: number;
}

const reasonLimitBytes = 500;  // asset.prequalify: a reason of 1–500 bytes
const byteLength = (text: string) => new TextEncoder().encode(text).length;

// The DSO's queue: assets in its zones waiting for grid prequalification, each approved or
// rejected with a reason. Read-all roles see every zone's queue, without the buttons.
export function PrequalificationPage({ session }: { session: Session }) {
  const decides = canWrite(session.roles, session.can_sign) && session.roles.includes("dso");
  const [assets, setAssets] = useState<PendingAsset[] | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [reasonErrors, setReasonErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const write = useWrite();
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const request = ++latestRequest.current;
    api.get<{ items: PendingAsset[] }>("/assets?prequalification=pending&limit=500").then(
      (page) => request === latestRequest.current && (setAssets(page.items), setError(null)),
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, []);
  useEffect(load, [load]);
  // Asset events (registrations, updates, decisions) reload the queue.
  const live = useLedgerEvents(["asset"], load);

  async function decide(asset: PendingAsset, decision: "qualified" | "rejected") {
    const reason = (reasons[asset.asset_id] ?? "").trim();
    const tooLong = byteLength(reason) > reasonLimitBytes;
    const missing = decision === "rejected" && !reason;
    setReasonErrors({ ...reasonErrors, [asset.asset_id]: missing ? "a rejection needs a reason" : tooLong ? `at most ${reasonLimitBytes} bytes` : "" });
    if (missing || tooLong) return;
    await write.run(async () => {
      await api.post(`/assets/${encodeURIComponent(asset.asset_id)}/prequalification`, { decision, ...(reason && { reason }) });
      load();
      return decision === "qualified" ? `Asset ${asset.asset_id} prequalified: its owner may offer it.` : `Asset ${asset.asset_id} rejected: ${reason}`;
    });
  }

  return (
    <section aria-labelledby="prequalification-heading">
      <h1 id="prequalification-heading">Prequalification queue</h1>
      <p className="hint">Assets registered in {decides ? "your zones" : "any zone"} that wait for the DSO's decision.</p>
      <p className="hint" data-testid="live">
        {live ? "Live: new and changed assets appear as the node commits them." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error} />
      {assets && assets.length === 0 && (
        <p className="empty">Nothing waits for prequalification. Assets appear here when sellers register them in {decides ? "your" : "a DSO's"} zones.</p>
      )}
      {assets && assets.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Assets waiting for prequalification">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Name</th>
                <th scope="col">Technology</th>
                <th scope="col">Zone</th>
                <th scope="col">Up</th>
                <th scope="col">Down</th>
                <th scope="col">Connection</th>
                <th scope="col">Metering point</th>
                <th scope="col">Registered</th>
                {decides && <th scope="col">Decision</th>}
              </tr>
            </thead>
            <tbody>
              {assets.map((asset) => (
                <tr key={asset.asset_id}>
                  <td>{asset.asset_id}</td>
                  <td>{asset.name}</td>
                  <td>{asset.technology}</td>
                  <td>{asset.zone_id}</td>
                  <td>{formatKilowatts(asset.max_up_w)}</td>
                  <td>{formatKilowatts(asset.max_down_w)}</td>
                  <td>{formatKilowatts(asset.connection_w)}</td>
                  <td>{asset.metering_point_id}</td>
                  <td>{formatTime(asset.registered_at)}</td>
                  {decides && (
                    <td>
                      <div className="row-actions">
                        <button type="button" disabled={write.busy} onClick={() => decide(asset, "qualified")} aria-label={`Approve ${asset.asset_id}`}>
                          Approve
                        </button>
                        <input
                          aria-label={`Reason for ${asset.asset_id}`}
                          placeholder="reason (needed to reject)"
                          value={reasons[asset.asset_id] ?? ""}
                          aria-invalid={reasonErrors[asset.asset_id] ? true : undefined}
                          onChange={(event) => setReasons({ ...reasons, [asset.asset_id]: event.target.value })}
                        />
                        <button type="button" disabled={write.busy} onClick={() => decide(asset, "rejected")} aria-label={`Reject ${asset.asset_id}`}>
                          Reject
                        </button>
                        {reasonErrors[asset.asset_id] && <span className="field-error">{reasonErrors[asset.asset_id]}</span>}
                      </div>
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
