import { useRef, useState, type ChangeEvent } from "react";
import { api, ApiError } from "../lib/api";
import { uncheckedInBrowser, verifyChain, type BlockDetail, type Digest, type Genesis, type VerifyOutcome } from "../lib/chainVerify";
import { ProblemMessage } from "./ProblemMessage";

interface Status {
  chain_id: string;
  height: number;
  genesis_hash: string;
}

const rateLimitPauseMs = 1_000;  // the node answers 429 with Retry-After: 1

async function readWithRetry<T>(path: string): Promise<T> {
  for (;;) {
    try {
      return await api.get<T>(path);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "http.rate_limited")) throw error;
      await new Promise((resolve) => setTimeout(resolve, rateLimitPauseMs));
    }
  }
}

async function allDigests(): Promise<Digest[]> {
  const digests: Digest[] = [];
  let after: string | null = null;
  do {
    const query: string = after ? `&after=${encodeURIComponent(after)}` : "";
    const page: { items: Digest[]; next_after: string | null } = await readWithRetry(`/digests?limit=500${query}`);
    digests.push(...page.items);
    after = page.next_after;
  } while (after);
  return digests;
}

// The auditor's browser re-verifies the chain from the node's genesis to the tip the node
// reports when the run starts, block by block, and names the first bad height; a genesis file
// the auditor received from the consortium, if loaded, must be identical to the node's.
export function VerifyChainPanel() {
  const [receivedGenesis, setReceivedGenesis] = useState<Genesis | null>(null);
  const [genesisNote, setGenesisNote] = useState("");
  const [progress, setProgress] = useState<{ height: number; tip: number } | null>(null);
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<VerifyOutcome | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const cancelRequested = useRef(false);

  async function loadGenesis(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setReceivedGenesis(null);
    setGenesisNote("");
    if (!file) return;
    try {
      const parsed = JSON.parse(await file.text()) as Genesis;
      setReceivedGenesis(parsed);
      setGenesisNote(
        `Your genesis file of chain ${parsed.chain_id} with ${Array.isArray(parsed.validators) ? parsed.validators.length : 0} validator(s) is loaded: the run compares it with the node's genesis first.`,
      );
    } catch (error) {
      setGenesisNote(`${file.name} is not JSON: ${String(error)}`);
    }
  }

  async function run() {
    cancelRequested.current = false;
    setRunning(true);
    setOutcome(null);
    setProblem(null);
    setProgress(null);
    try {
      const status = await api.get<Status>("/status");
      setProgress({ height: 0, tip: status.height });
      const result = await verifyChain(
        {
          tip: status.height,
          genesisHash: status.genesis_hash,
          chainId: status.chain_id,
          block: (height) => readWithRetry<BlockDetail>(`/blocks/${height}`),
          digests: allDigests,
          genesis: () => readWithRetry<Genesis>("/genesis"),
        },
        receivedGenesis,
        (height, tip) => setProgress({ height, tip }),
        () => cancelRequested.current,
      );
      setOutcome(result);
    } catch (error) {
      setProblem(error);  // the node could not be read: nothing is said about the chain
    } finally {
      setRunning(false);
    }
  }

  return (
    <section className="verify" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify chain</h2>
      <p className="hint">
        Your browser fetches the node's genesis and every block from it to the current tip and re-checks them itself
        (PROTOCOL.md §10): that the genesis hashes to the node's genesis hash and to block 1's previous hash, block hashes
        and the previous-hash links, heights, chain id and times, each transaction's id and signature, the transaction
        root, the validator set hash and the proposer against the genesis validators, that every commit is signed by
        genesis validators holding more than 2/3 of their power, and the daily digests' transaction roots and app hashes.
      </p>
      <div className="filters">
        <label htmlFor="genesis-file">Compare with a genesis file you received from the consortium (optional)</label>
        <input id="genesis-file" type="file" accept="application/json,.json" onChange={loadGenesis} disabled={running} data-reads />
        <button type="button" onClick={run} disabled={running} data-reads>
          Verify chain
        </button>
        {running && (
          <button type="button" onClick={() => (cancelRequested.current = true)} data-reads>
            Cancel
          </button>
        )}
      </div>
      {genesisNote && <p className="hint">{genesisNote}</p>}
      {progress && (
        <div className="verify-progress">
          <progress aria-label="Verification progress" max={Math.max(progress.tip, 1)} value={progress.height} />
          <span>
            height {progress.height} of {progress.tip}
          </span>
        </div>
      )}
      <ProblemMessage error={problem} />
      {outcome && <OutcomeLine outcome={outcome} />}
      <details>
        <summary>What the browser cannot check</summary>
        <ul>
          {uncheckedInBrowser.map((check) => (
            <li key={check}>{check}</li>
          ))}
          {!receivedGenesis && (
            <li>
              that the node's genesis is the consortium's: a node could serve another genesis with a chain built on it. Load a genesis file you
              received from the consortium to compare them.
            </li>
          )}
        </ul>
      </details>
    </section>
  );
}

function OutcomeLine({ outcome }: { outcome: VerifyOutcome }) {
  if (outcome.kind === "failed") {
    return (
      <p className="problem" role="status">
        First bad height {outcome.height}
        {outcome.height === 0 && " (the genesis)"}: {outcome.reason}
      </p>
    );
  }
  if (outcome.kind === "cancelled") {
    return (
      <p className="hint" role="status">
        Cancelled: verified up to height {outcome.height}.
      </p>
    );
  }
  return (
    <p className="done" role="status">
      Verified up to height {outcome.height} against the node's genesis ({outcome.validators} validator(s)): validator set, proposers and
      commit quorum (more than 2/3 of the validators' power) checked on every block;{" "}
      {outcome.comparedWithReceived
        ? "the genesis file you received is identical to the node's."
        : "the node's genesis was not compared with a genesis file from the consortium."}{" "}
      {outcome.digestsChecked} daily digest(s) re-checked. Contract re-execution (app hashes, receipt codes) is not done in the browser.
    </p>
  );
}
