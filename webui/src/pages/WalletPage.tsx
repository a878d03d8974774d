import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Session } from "../lib/api";
import { formatEuros } from "../lib/format";
import { canWrite, readOnlyRoles } from "../lib/roles";
import { useWrite } from "../lib/forms";
import { parseEuroAmount } from "../lib/euros";
import { fetchAllPages } from "../lib/allPages";
import { transactionAmount, type Account, type AccountTransaction, type Page } from "../lib/settlement";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { ProblemMessage } from "../components/ProblemMessage";
import { Field, invalidProps } from "../components/Field";
import { SettlementPayments } from "../components/SettlementPayments";
import "../components/SettlementDetail.css";
import { WriteOutcome } from "../components/WriteOutcome";

interface Participant {
  public_key: string;
  name: string;
  roles: string[];
}

const historyPageSize = 50;
const readsAll = (roles: readonly string[]) => roles.some((role) => [...readOnlyRoles, "operator"].includes(role));
const shortKey = (key: string) => `${key.slice(0, 12)}…`;

// A participant's balances and the transactions that name it, newest first, refreshed after
// every block; transfers for the roles that may send money. Read-all roles may look at any
// participant's account.
export function WalletPage({ session }: { session: Session }) {
  const [participant, setParticipant] = useState(session.participant);
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [account, setAccount] = useState<Account | null>(null);
  const [history, setHistory] = useState<AccountTransaction[] | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);  // the `after` of each page seen, to go back
  const [nextAfter, setNextAfter] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    fetchAllPages<Participant>("/participants").then(setParticipants, setError);
  }, []);

  const load = useCallback(() => {
    const request = ++latestRequest.current;
    const key = encodeURIComponent(participant);
    const query = new URLSearchParams({ limit: String(historyPageSize) });
    if (after) query.set("after", after);
    Promise.all([api.get<Account>(`/accounts/${key}`), api.get<Page<AccountTransaction>>(`/accounts/${key}/transfers?${query}`)]).then(
      ([balances, page]) => {
        if (request !== latestRequest.current) return;
        setAccount(balances);
        setHistory(page.items);
        setNextAfter(page.next_after);
        setError(null);
      },
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [participant, after]);
  useEffect(load, [load]);

  const live = useLedgerEvents(["block"], load);
  const nameOf = (key: string) => (key === session.participant ? "me" : (participants.find((known) => known.public_key === key)?.name ?? shortKey(key)));
  const mayTransfer = canWrite(session.roles, session.can_sign) && participant === session.participant;

  return (
    <section aria-labelledby="wallet-heading">
      <h1 id="wallet-heading">Wallet</h1>
      {readsAll(session.roles) && (
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Choose account">
          <label htmlFor="wallet-participant">Account of</label>
          <select
            id="wallet-participant"
            value={participant}
            onChange={(event) => {
              setParticipant(event.target.value);
              setCursors([null]);
            }}
          >
            {!participants.some((known) => known.public_key === session.participant) && <option value={session.participant}>me</option>}
            {participants.map((known) => (
              <option key={known.public_key} value={known.public_key}>
                {known.name} ({known.roles.join(", ")})
              </option>
            ))}
          </select>
        </form>
      )}
      <p className="hint" data-testid="live">
        {live ? "Live: balances refresh after every block." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error} />
      {account && (
        <div className="wallet-card">
          <dl className="balances" aria-label="Balances">
            <div>
              <dt>Available</dt>
              <dd data-testid="available">{formatEuros(account.available_micro)}</dd>
            </div>
            <div>
              <dt>Held in escrow</dt>
              <dd data-testid="held">{formatEuros(account.held_micro)}</dd>
            </div>
            <div>
              <dt>Credit limit</dt>
              <dd>{formatEuros(account.credit_limit_micro)}</dd>
            </div>
            <div>
              <dt>Last nonce</dt>
              <dd>{account.last_nonce}</dd>
            </div>
          </dl>
          <p className="hint">
            <code>{account.participant}</code>
          </p>
        </div>
      )}
      <h2>Transactions</h2>
      <p className="hint">
        Committed transactions that name this account. Settlement payments move with the meter readings that settle a contract: see{" "}
        <a href="#/settlements">Settlements</a>.
      </p>
      {history && history.length === 0 && <p className="empty">No transactions yet.{mayTransfer ? " Send a transfer below, or trade." : ""}</p>}
      {history && history.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Transactions">
            <thead>
              <tr>
                <th scope="col">Block</th>
                <th scope="col">Type</th>
                <th scope="col">Signer</th>
                <th scope="col">To</th>
                <th scope="col">Amount</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {history.map((transaction) => {
                const amount = transactionAmount(transaction);
                const to = transaction.payload.to;
                return (
                  <tr key={transaction.id}>
                    <td>{transaction.height}</td>
                    <td>{transaction.type}</td>
                    <td>{nameOf(transaction.signer)}</td>
                    <td>{typeof to === "string" ? nameOf(to) : ""}</td>
                    <td>{amount === null ? "" : formatEuros(amount)}</td>
                    <td>{transaction.result === "ok" ? "ok" : <code>{transaction.result}</code>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="filters">
        {cursors.length > 1 && (
          <button type="button" data-reads onClick={() => setCursors((seen) => seen.slice(0, -1))}>
            Newer transactions
          </button>
        )}
        {nextAfter && (
          <button type="button" data-reads onClick={() => setCursors((seen) => [...seen, nextAfter])}>
            Older transactions
          </button>
        )}
      </div>
      <SettlementPayments participant={participant} />
      {mayTransfer && <TransferForm participants={participants.filter((known) => known.public_key !== session.participant)} onSent={load} />}
    </section>
  );
}

function TransferForm({ participants, onSent }: { participants: Participant[]; onSent: () => void }) {
  const [to, setTo] = useState("");
  const [amount, setAmount] = useState("");
  const [memo, setMemo] = useState("");
  const [errors, setErrors] = useState<{ to?: string; amount?: string; memo?: string }>({});
  const write = useWrite();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    const recipient = to.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(recipient)) found.to = "Choose a participant or paste its public key (64 hex digits).";
    const parsed = parseEuroAmount(amount);
    if ("error" in parsed) found.amount = parsed.error;
    if (new TextEncoder().encode(memo.trim()).length > 256) found.memo = "At most 256 bytes.";
    setErrors(found);
    if (found.to || found.memo || "error" in parsed) return;
    const amountMicro = parsed.micro;
    const body = memo.trim() ? { to: recipient, amount_micro: amountMicro, memo: memo.trim() } : { to: recipient, amount_micro: amountMicro };
    void write
      .run(async () => {
        await api.post("/transfers", body);
        return `Sent ${formatEuros(amountMicro)}.`;
      })
      .then((ok) => {
        if (!ok) return;
        setAmount("");
        setMemo("");
        onSent();
      });
  };

  return (
    <form className="register" aria-label="Transfer" onSubmit={submit} noValidate>
      <h2>Send money</h2>
      <Field id="transfer-to" label="Recipient (public key)" error={errors.to}>
        <input id="transfer-to" list="transfer-participants" value={to} onChange={(event) => setTo(event.target.value)} {...invalidProps("transfer-to", errors.to)} />
        <datalist id="transfer-participants">
          {participants.map((known) => (
            <option key={known.public_key} value={known.public_key}>
              {known.name}
            </option>
          ))}
        </datalist>
      </Field>
      <Field id="transfer-amount" label="Amount (EUR)" error={errors.amount}>
        <input id="transfer-amount" inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} {...invalidProps("transfer-amount", errors.amount)} />
      </Field>
      <Field id="transfer-memo" label="Memo (optional)" error={errors.memo}>
        <input id="transfer-memo" value={memo} onChange={(event) => setMemo(event.target.value)} {...invalidProps("transfer-memo", errors.memo)} />
      </Field>
      <button type="submit" disabled={write.busy}>
        Send
      </button>
      <WriteOutcome write={write} />
    </form>
  );
}
