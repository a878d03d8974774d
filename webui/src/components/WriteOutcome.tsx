import { ProblemMessage } from "./ProblemMessage";

// What a form's last write came to (useWrite): the node's problem with its code, or the
// line that says what was done.
export function WriteOutcome({ write }: { write: { problem: unknown; done: string } }) {
  return (
    <>
      <ProblemMessage error={write.problem} />
      {write.done && (
        <p className="done" role="status">
          {write.done}
        </p>
      )}
    </>
  );
}
