import { useState, type FormEvent } from "react";
import { logIn, type Session } from "../lib/api";
import { ProblemMessage } from "../components/ProblemMessage";

export function LoginPage({ onLoggedIn, initialError }: { onLoggedIn: (session: Session) => void; initialError?: unknown }) {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(initialError ?? null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await logIn(user, password));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>FlexLedger</h1>
      <form onSubmit={submit} aria-label="Log in">
        <label htmlFor="user">User</label>
        <input id="user" autoComplete="username" required value={user} onChange={(event) => setUser(event.target.value)} />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        <ProblemMessage error={error} />
        <p className="hint">
          With <code>make demo</code> the node prints one login per role when it starts (<code>dev.login</code>); they are also in{" "}
          <code>data/dev_logins.json</code>.
        </p>
      </form>
    </main>
  );
}
