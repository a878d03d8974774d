// The node's REST API (docs/API.md), as the dashboard uses it: same-origin, the session in
// an HttpOnly cookie, the CSRF token sent on every write, errors as problems with a code.

export interface Session {
  user: string;
  participant: string;
  roles: string[];
  can_sign: boolean;
  csrf_token: string;
  expires_at: number;
  node_participant: string;
}

// An API error: RFC 9457 problem+json with the node's stable code, or a network failure.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

// The problem of a failed response, whatever its body holds.
export function problemOf(status: number, body: unknown): ApiError {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const code = typeof record.code === "string" ? record.code : `http.${status}`;
    const detail = typeof record.detail === "string" ? record.detail : typeof record.title === "string" ? record.title : "";
    return new ApiError(status, code, detail);
  }
  return new ApiError(status, `http.${status}`, typeof body === "string" ? body.slice(0, 200) : "");
}

let csrfToken = "";
let unauthorized: () => void = () => {};

// Called when the node answers 401 to a logged-in page (the session expired or was ended):
// the app goes back to the login page.
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network.unreachable", `the node does not answer (${String(error)})`);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text for the problem
  }
  if (!response.ok) {
    if (response.status === 401 && path !== "/auth/login" && path !== "/auth/me") {
      csrfToken = "";
      unauthorized();
    }
    throw problemOf(response.status, parsed);
  }
  if (response.status === 202 && method !== "GET") return (await awaitCommit(parsed)) as T;
  return parsed as T;
}

interface Receipt {
  status: string;
  height?: number;
  result?: { code: string; message: string };
}

const commitPollMs = 500;
const commitWaitMs = 30_000;

// A node-signed write whose block was late answers 202 {"status":"pending","tx_id"}
// (docs/API.md, writes). Building on it (a purchase after its request, say) or cancelling
// it needs its outcome, so the receipt is polled until the block commits it: the write's
// result, or the contract's rejection as a problem.
async function awaitCommit(pending: unknown): Promise<unknown> {
  const txId = (pending as { tx_id?: unknown } | null)?.tx_id;
  if (typeof txId !== "string") return pending;
  const deadline = Date.now() + commitWaitMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, commitPollMs));
    // Only read-all roles see a pending transaction; for the others it is 404 until committed.
    const receipt = await request<Receipt>("GET", `/txs/${encodeURIComponent(txId)}`).catch((failure: unknown): Receipt => {
      if (failure instanceof ApiError && failure.status === 404) return { status: "pending" };
      throw failure;
    });
    if (receipt.status !== "committed") continue;
    if (receipt.result && receipt.result.code !== "ok") throw new ApiError(400, receipt.result.code, receipt.result.message);
    return { tx_id: txId, height: receipt.height, status: "committed", result: receipt.result };
  }
  throw new ApiError(202, "write.pending", `The node has not committed transaction ${txId} after ${commitWaitMs / 1000} s; check it later.`);
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body: unknown = {}) => request<T>("POST", path, body),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  del: <T>(path: string) => request<T>("DELETE", path),
};

export async function logIn(user: string, password: string): Promise<Session> {
  const session = await api.post<Session>("/auth/login", { user, password });
  csrfToken = session.csrf_token;
  return session;
}

// The current session after a reload; null when logged out or expired.
export async function currentSession(): Promise<Session | null> {
  try {
    const session = await api.get<Session>("/auth/me");
    csrfToken = session.csrf_token;
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

// Ends the session; one the node no longer knows (401) is ended already.
export async function logOut(): Promise<void> {
  try {
    await api.post("/auth/logout");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  csrfToken = "";
}
