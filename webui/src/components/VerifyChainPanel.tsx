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

// The auditor's browser re-verifies the chain from genesis to the tip the node reports when
// the run starts, block by block, and names the first bad height.
export function VerifyChainPanel() {
  const [genesis, setGenesis] = useState<Genesis | null>(null);
  const [genesisNote, setGenesisNote] = useState("");
  const [progress, setProgress] = useState<{ height: number; tip: number } | null>(null);
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<VerifyOutcome | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const cancelRequested = useRef(false);

  async function loadGenesis(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setGenesis(null);
    setGenesisNote("");
    if (!file) return;
    try {
      const parsed = JSON.parse(await file.text()) as Genesis;
      setGenesis(parsed);
      setGenesisNote(`Genesis of chain ${parsed.chain_id} with ${Array.isArray(parsed.validators) ? parsed.validators.length : 0} validator(s) loaded.`);
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
        },
        genesis,
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
        Your browser fetches every block from genesis to the current tip and re-checks it itself (PROTOCOL.md §10): block
        hashes and the previous-hash links, heights, chain id and times, each transaction's id and signature, the
        transaction root, the commit signatures, and the daily digests' transaction roots and app hashes. With the genesis
        file (from the consortium, not from this node) it also checks the genesis hash, the validator set hash, the
        proposer, and that the commits are signed by more than 2/3 of the genesis validators' power.
      </p>
      <div className="filters">
        <label htmlFor="genesis-file">Genesis file (optional)</label>
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
      {outcome && <OutcomeLine outcome={outcome} withGenesis={genesis !== null} />}
      <details>
        <summary>What the browser cannot check</summary>
        <ul>
          {uncheckedInBrowser.map((check) => (
            <li key={check}>{check}</li>
          ))}
          {!genesis && <li>without the genesis file: validator membership, quorum power, the validator set hash and the genesis hash itself (taken from the node's status)</li>}
        </ul>
      </details>
    </section>
  );
}

function OutcomeLine({ outcome, withGenesis }: { outcome: VerifyOutcome; withGenesis: boolean }) {
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
      Verified up to height {outcome.height}
      {withGenesis ? ", against the genesis validators" : ", without the genesis file (validator membership and quorum not checked)"}; {outcome.digestsChecked} daily
      digest(s) re-checked. Contract re-execution (app hashes, receipt codes) is not done in the browser.
    </p>
  );
}
