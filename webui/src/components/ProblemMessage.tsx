import { ApiError } from "../lib/api";

// An API problem as people read it: what went wrong, with the node's stable code.
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error : new ApiError(0, "client.error", String(error));
  return (
    <p className="problem" role="alert">
      {problem.detail || "The request failed."} <code>{problem.code}</code>
    </p>
  );
}
