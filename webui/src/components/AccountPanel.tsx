import { useEffect, useState } from "react";
import { api } from "../lib/api";
import { formatEuros } from "../lib/format";
import { ProblemMessage } from "./ProblemMessage";

interface Account {
  participant: string;
  available_micro: number;
  held_micro: number;
  credit_limit_micro: number;
  last_nonce: number;
}

// An amount as people read it, with the exact ledger integer beside it.
export const money = (micro: number) => `${formatEuros(micro)} (${micro} micro)`;

// One participant's token account (GET /accounts/{key}); `version` changes reload it after a write.
export function AccountPanel({ participant, label, version = 0 }: { participant: string; label: string; version?: number }) {
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let ignore = false;  // a late answer for the previous participant must not show under the new name
    setAccount(null);
    setError(null);
    api.get<Account>(`/accounts/${participant}`).then(
      (answer) => !ignore && setAccount(answer),
      (failure) => !ignore && (setAccount(null), setError(failure)),
    );
    return () => {
      ignore = true;
    };
  }, [participant, version]);

  return (
    <section className="panel" aria-label={`Account of ${label}`}>
      <h3>Account of {label}</h3>
      <ProblemMessage error={error} />
      {account && (
        <dl className="facts">
          <dt>Available</dt>
          <dd data-testid="available">{money(account.available_micro)}</dd>
          <dt>Held in escrow</dt>
          <dd>{money(account.held_micro)}</dd>
          <dt>Credit line</dt>
          <dd>{money(account.credit_limit_micro)}</dd>
          <dt>Last nonce</dt>
          <dd>{account.last_nonce}</dd>
          <dt>Key</dt>
          <dd>
            <code>{account.participant}</code>
          </dd>
        </dl>
      )}
      {account && (
        <a href={`/api/v1/accounts/${participant}/transfers?format=csv&limit=500`} download={`transactions-${participant.slice(0, 8)}.csv`}>
          Export its latest 500 transactions (CSV)
        </a>
      )}
    </section>
  );
}
