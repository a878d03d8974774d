import { useEffect, useState } from "react";
import { ApiError, currentSession, logOut, onUnauthorized, type Session } from "./lib/api";
import { pagesFor } from "./lib/roles";
import { pages as allPages } from "./pages/registry";
import { LedgerEventsProvider } from "./lib/ledgerEvents";
import { useRoute } from "./lib/route";
import { ProblemMessage } from "./components/ProblemMessage";
import { LoginPage } from "./pages/LoginPage";

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const path = useRoute();

  useEffect(() => {
    currentSession().then(setSession, (failure) => {
      setError(failure);
      setSession(null);
    });
    onUnauthorized(() => {
      setError(new ApiError(401, "auth.invalid_session", "Your session ended. Log in again."));
      setSession(null);
    });
  }, []);

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (!session) return <LoginPage onLoggedIn={setSession} initialError={error} />;

  const pages = pagesFor(session.roles, allPages);
  const page = pages.find((candidate) => candidate.path === path) ?? pages[0];
  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">FlexLedger</span>
        <nav aria-label="Pages">
          {pages.map((link) => (
            <a key={link.path} href={`#${link.path}`} aria-current={link.path === page.path ? "page" : undefined}>
              {link.title}
            </a>
          ))}
        </nav>
        <span className="who">
          {session.user} ({session.roles.join(", ") || "no role"})
        </span>
        <button
          type="button"
          onClick={() =>
            logOut().then(() => {
              setError(null);
              setSession(null);
            }, setError)
          }
        >
          Log out
        </button>
      </header>
      <main>
        <ProblemMessage error={error} />
        <LedgerEventsProvider participant={session.participant} onSessionEnded={() => setSession(null)}>
          {page.render({ session })}
        </LedgerEventsProvider>
      </main>
    </div>
  );
}
