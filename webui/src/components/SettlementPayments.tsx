import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../lib/api";
import { formatEurosExact, formatTime } from "../lib/format";
import { useLedgerEvents } from "../lib/ledgerEvents";
import type { Page } from "../lib/settlement";
import { walletPayments, type SettlementWithMoney, type Side } from "../lib/walletPayments";
import { ProblemMessage } from "./ProblemMessage";

const pageSize = 500;

type VersionedSettlement = { versions: SettlementWithMoney[]; side: Side };

// A settlement past version 1 has moved money more than once: its superseded versions hold
// what each moved.
async function withVersions(record: SettlementWithMoney, side: Side): Promise<VersionedSettlement> {
  if (record.version === 1) return { versions: [record], side };
  const { items } = await api.get<{ items: SettlementWithMoney[] }>(`/settlements/${encodeURIComponent(record.contract_id)}/versions`);
  return { versions: items, side };
}

async function allSettlements(side: Side, participant: string): Promise<VersionedSettlement[]> {
  const records: SettlementWithMoney[] = [];
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ [side]: participant, limit: String(pageSize) });
    if (after) query.set("after", after);
    const page: Page<SettlementWithMoney> = await api.get<Page<SettlementWithMoney>>(`/settlements?${query}`);
    records.push(...page.items);
    after = page.next_after;
  } while (after);
  return Promise.all(records.map((record) => withVersions(record, side)));
}

const signedEuros = (micro: number) => `${micro > 0 ? "+" : ""}${formatEurosExact(micro)}`;

// What the participant's settlements paid it or charged it, version by version, newest first:
// its transaction history cannot show these, since the meter readings or the operator's
// resolution that move the money do not name it. Reloads when a settlement changes.
export function SettlementPayments({ participant }: { participant: string }) {
  const [records, setRecords] = useState<VersionedSettlement[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);

  const load = useCallback(() => {
    const request = ++latestRequest.current;
    Promise.all([allSettlements("seller", participant), allSettlements("buyer", participant)]).then(
      ([sold, bought]) => request === latestRequest.current && (setRecords([...sold, ...bought]), setError(null)),
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [participant]);
  useEffect(load, [load]);
  useLedgerEvents(["settlement"], load);

  const payments = useMemo(() => (records ? walletPayments(records, participant) : null), [records, participant]);

  return (
    <section aria-labelledby="settlement-payments-heading">
      <h2 id="settlement-payments-heading">Settlement payments</h2>
      <p className="hint">
        What each settlement version moved to or from this account, exactly; paid by the meter readings, a correction or the operator's
        resolution, so not in the transactions above.
      </p>
      <ProblemMessage error={error} />
      {payments && payments.length === 0 && (
        <p className="empty">
          No settlement payments yet. A contract pays once its readings settle it: see <a href="#/settlements">Settlements</a>.
        </p>
      )}
      {payments && payments.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Settlement payments">
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Version</th>
                <th scope="col">Trigger</th>
                <th scope="col">Time</th>
                <th scope="col">Amount</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {payments.map((payment) => (
                <tr key={`${payment.contractId}/${payment.version}`}>
                  <td>{payment.contractId}</td>
                  <td>{payment.version}</td>
                  <td>{payment.trigger.replace(/_/g, " ")}</td>
                  <td>{formatTime(payment.at)}</td>
                  <td>{signedEuros(payment.amountMicro)}</td>
                  <td>{payment.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
