import { useEffect, useState } from "react";
import { api, type Session } from "../lib/api";
import { canWrite } from "../lib/roles";
import { formatTime } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";

interface Peer {
  address: string;
  direction: "inbound" | "outbound";
  height: number;
  public_key: string;
  validator: boolean;
}

interface NodeStatus {
  chain_id: string;
  height: number;
  app_hash: string;
  last_block_time: number;
  version: string;
  peers: Peer[];
  sync: { catching_up: boolean; height: number; target_height: number };
  consensus: { height: number; round: number; step: string; role: "validator" | "full" };
}

const statusRefreshMs = 2000;

// Who is logged in, what the session may do, and the node it talks to.
export function HomePage({ session }: { session: Session }) {
  const [status, setStatus] = useState<NodeStatus | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    // Polled, so a node that is catching up shows its progress as it goes.
    let live = true;
    const load = () =>
      api.get<NodeStatus>("/status").then(
        (next) => live && (setStatus(next), setError(null)),
        (problem) => live && setError(problem),
      );
    load();
    const timer = window.setInterval(load, statusRefreshMs);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);

  const writes = canWrite(session.roles, session.can_sign);
  return (
    <section aria-labelledby="home-heading">
      <h1 id="home-heading">Welcome, {session.user}</h1>
      <dl className="facts">
        <dt>Roles</dt>
        <dd data-testid="roles">{session.roles.join(", ") || "none"}</dd>
        <dt>Participant key</dt>
        <dd>
          <code>{session.participant}</code>
        </dd>
        <dt>Session</dt>
        <dd data-testid="session-mode">{writes ? "may sign transactions through this node" : "read-only: this session writes nothing"}</dd>
        <dt>Session ends</dt>
        <dd>{formatTime(session.expires_at)}</dd>
      </dl>
      <h2>Node</h2>
      <ProblemMessage error={error} />
      {status && (
        <dl className="facts">
          <dt>Chain</dt>
          <dd>{status.chain_id}</dd>
          <dt>Height</dt>
          <dd data-testid="height">{status.height}</dd>
          <dt>Last block</dt>
          <dd>{formatTime(status.last_block_time)}</dd>
          <dt>App hash</dt>
          <dd>
            <code>{status.app_hash}</code>
          </dd>
          <dt>Role</dt>
          <dd data-testid="node-role">
            {status.consensus.role === "validator" ? "validator" : "full node (verifies every commit)"}
            {status.consensus.round >= 0 && `, deciding height ${status.consensus.height} in round ${status.consensus.round} (${status.consensus.step})`}
          </dd>
          <dt>Sync</dt>
          <dd data-testid="sync">
            {status.sync.catching_up ? (
              <>
                catching up: {status.sync.height} of {status.sync.target_height}{" "}
                <progress max={status.sync.target_height} value={status.sync.height} aria-label="Sync progress" />
              </>
            ) : (
              "up to date with its peers"
            )}
          </dd>
        </dl>
      )}
      {status && status.peers.length > 0 && (
        <table aria-label="Peers">
          <thead>
            <tr>
              <th>Peer key</th>
              <th>Kind</th>
              <th>Height</th>
              <th>Address</th>
              <th>Direction</th>
            </tr>
          </thead>
          <tbody>
            {status.peers.map((peer) => (
              <tr key={peer.public_key}>
                <td>
                  <code title={peer.public_key}>{peer.public_key.slice(0, 16)}…</code>
                </td>
                <td>{peer.validator ? "validator" : "full node"}</td>
                <td>{peer.height}</td>
                <td>{peer.address}</td>
                <td>{peer.direction}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {status && status.peers.length === 0 && <p>No peers connected.</p>}
    </section>
  );
}
