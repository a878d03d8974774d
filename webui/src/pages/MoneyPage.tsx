import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { fetchAllPages } from "../lib/allPages";
import { useWrite } from "../lib/forms";
import { buyerRoles } from "../lib/operatorForms";
import { parseEuroAmount } from "../lib/euros";
import { Field, invalidProps } from "../components/Field";
import { ProblemMessage } from "../components/ProblemMessage";
import { AccountPanel, money } from "../components/AccountPanel";
import type { Participant } from "./ParticipantsPage";
import "./ledger.css";
import { WriteOutcome } from "../components/WriteOutcome";

interface CreditLine {
  participant: string;
  credit_limit_micro: number;
}

// The operator's money desk: deposits (token.mint) and withdrawals (token.burn) against a
// fiat reference, any participant's account, and the buyers' credit lines.
export function MoneyPage() {
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [account, setAccount] = useState("");
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let ignore = false;  // a slower, older answer must not replace a newer list
    fetchAllPages<Participant>("/participants").then(
      (all) => {
        if (ignore) return;
        setParticipants(all);
        setAccount((current) => current || (all[0]?.public_key ?? ""));
      },
      (failure) => !ignore && setError(failure),
    );
    return () => {
      ignore = true;
    };
  }, [version]);

  const nameOf = (key: string) => participants.find((participant) => participant.public_key === key)?.name ?? key;
  const changed = (key: string) => {
    setAccount(key);
    setVersion((current) => current + 1);
  };

  return (
    <section aria-labelledby="money-heading" className="operator">
      <h1 id="money-heading">Deposits, withdrawals and credit</h1>
      <ProblemMessage error={error} />
      {participants.length === 0 && !error && <p className="empty">No participants yet: admit one on the Participants page first.</p>}
      <MoneyForm kind="deposit" participants={participants} onDone={changed} />
      <MoneyForm kind="withdrawal" participants={participants} onDone={changed} />
      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Accounts</h2>
        <div className="filters">
          <label htmlFor="account-participant">Show the account of</label>
          <select id="account-participant" value={account} onChange={(event) => setAccount(event.target.value)}>
            {participants.map((participant) => (
              <option key={participant.public_key} value={participant.public_key}>
                {participant.name}
              </option>
            ))}
          </select>
        </div>
        {account && <AccountPanel participant={account} label={nameOf(account)} version={version} />}
      </section>
      <CreditLines participants={participants} nameOf={nameOf} />
    </section>
  );
}

function ParticipantSelect({ id, label, participants, value, onChange }: { id: string; label: string; participants: Participant[]; value: string; onChange: (key: string) => void }) {
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">choose…</option>
        {participants.map((participant) => (
          <option key={participant.public_key} value={participant.public_key}>
            {participant.name} ({participant.public_key.slice(0, 8)}…)
          </option>
        ))}
      </select>
    </Field>
  );
}

function MoneyForm({ kind, participants, onDone }: { kind: "deposit" | "withdrawal"; participants: Participant[]; onDone: (key: string) => void }) {
  const [who, setWho] = useState("");
  const [amount, setAmount] = useState("");
  const [reference, setReference] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const write = useWrite();
  const deposit = kind === "deposit";
  const prefix = deposit ? "deposit" : "withdrawal";

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const parsed = parseEuroAmount(amount);
    const found: Record<string, string> = {};
    if (!who) found.who = "choose a participant";
    if ("error" in parsed) found.amount = parsed.error;
    const fiatReference = reference.trim();
    if (fiatReference.length < 1 || new TextEncoder().encode(fiatReference).length > 128) found.reference = "the bank transfer's reference, 1 to 128 bytes";
    setErrors(found);
    if ("error" in parsed || Object.keys(found).length > 0) return;
    const ok = await write.run(async () => {
      if (deposit) await api.post("/deposits", { amount_micro: parsed.micro, fiat_reference: fiatReference, to: who });
      else await api.post("/withdrawals", { amount_micro: parsed.micro, fiat_reference: fiatReference, from: who });
      const name = participants.find((participant) => participant.public_key === who)?.name ?? who;
      return deposit ? `Deposited ${money(parsed.micro)} to ${name}.` : `Withdrew ${money(parsed.micro)} from ${name}.`;
    });
    if (ok) {
      setAmount("");
      setReference("");
      onDone(who);
    }
  }

  return (
    <form className="register" onSubmit={submit} aria-labelledby={`${prefix}-heading`} noValidate>
      <h2 id={`${prefix}-heading`}>{deposit ? "Deposit (mint against fiat received)" : "Withdrawal (burn against fiat paid out)"}</h2>
      <ParticipantSelect id={`${prefix}-who`} label={deposit ? "Deposit to" : "Withdraw from"} participants={participants} value={who} onChange={setWho} />
      {errors.who && <span className="field-error">{errors.who}</span>}
      <Field id={`${prefix}-amount`} label={deposit ? "Deposit amount (EUR)" : "Withdrawal amount (EUR)"} error={errors.amount}>
        <input id={`${prefix}-amount`} inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} {...invalidProps(`${prefix}-amount`, errors.amount)} placeholder="e.g. 100.000000" />
      </Field>
      <Field id={`${prefix}-reference`} label={deposit ? "Deposit fiat reference" : "Withdrawal fiat reference"} error={errors.reference}>
        <input id={`${prefix}-reference`} value={reference} onChange={(event) => setReference(event.target.value)} {...invalidProps(`${prefix}-reference`, errors.reference)} placeholder="bank transfer id" />
      </Field>
      <button type="submit" disabled={write.busy}>
        {deposit ? "Deposit" : "Withdraw"}
      </button>
      <WriteOutcome write={write} />
    </form>
  );
}

function CreditLines({ participants, nameOf }: { participants: Participant[]; nameOf: (key: string) => string }) {
  const [lines, setLines] = useState<CreditLine[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [who, setWho] = useState("");
  const [limit, setLimit] = useState("");
  const [limitError, setLimitError] = useState("");
  const write = useWrite();
  const buyers = participants.filter((participant) => participant.roles.some((role) => buyerRoles.includes(role)));

  const load = useCallback(() => {
    fetchAllPages<CreditLine>("/credit-lines").then((all) => (setLines(all), setError(null)), setError);
  }, []);
  useEffect(load, [load]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const parsed = parseEuroAmount(limit, true);
    setLimitError("error" in parsed ? parsed.error : who ? "" : "choose a buyer");
    if ("error" in parsed || !who) return;
    const ok = await write.run(async () => {
      await api.post("/credit-lines", { limit_micro: parsed.micro, public_key: who });
      return `Credit line of ${nameOf(who)} set to ${money(parsed.micro)}.`;
    });
    if (ok) load();
  }

  return (
    <section aria-labelledby="credit-heading">
      <h2 id="credit-heading">Credit lines</h2>
      <a href="/api/v1/credit-lines?format=csv&limit=500" download="credit-lines.csv">
        Export credit lines (CSV)
      </a>
      <ProblemMessage error={error} />
      {lines && lines.length === 0 && <p className="empty">No credit lines: buyers (DSO, TSO, retailer) can spend only their balance. Set one below.</p>}
      {lines && lines.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Buyer</th>
                <th scope="col">Credit line</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.participant}>
                  <td>{nameOf(line.participant)}</td>
                  <td>{money(line.credit_limit_micro)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="register" onSubmit={submit} aria-labelledby="set-credit-heading" noValidate>
        <h3 id="set-credit-heading">Set a credit line</h3>
        <ParticipantSelect id="credit-who" label="Buyer" participants={buyers} value={who} onChange={setWho} />
        <Field id="credit-limit" label="Credit limit (EUR)" error={limitError}>
          <input id="credit-limit" inputMode="decimal" value={limit} onChange={(event) => setLimit(event.target.value)} {...invalidProps("credit-limit", limitError)} placeholder="0 removes the line" />
        </Field>
        <button type="submit" disabled={write.busy}>
          Set credit line
        </button>
        <WriteOutcome write={write} />
      </form>
    </section>
  );
}
