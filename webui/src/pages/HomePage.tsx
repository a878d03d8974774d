import { useEffect, useState } from "react";
import { api, type Session } from "../lib/api";
import { canWrite } from "../lib/roles";
import { formatTime } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";

interface NodeStatus {
  chain_id: string;
  height: number;
  app_hash: string;
  last_block_time: number;
  version: string;
}

// Who is logged in, what the session may do, and the node it talks to.
export function HomePage({ session }: { session: Session }) {
  const [status, setStatus] = useState<NodeStatus | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.get<NodeStatus>("/status").then(setStatus, setError);
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
        </dl>
      )}
    </section>
  );
}
