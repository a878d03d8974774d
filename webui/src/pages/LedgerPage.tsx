import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { formatTime } from "../lib/format";
import type { BlockDetail, BlockTransaction, Digest } from "../lib/chainVerify";
import { ProblemMessage } from "../components/ProblemMessage";
import { VerifyChainPanel } from "../components/VerifyChainPanel";
import { FocusHeading } from "../components/FocusHeading";
import "./ledger.css";

interface BlockSummary {
  height: number;
  hash: string;
  app_hash: string;
  proposer: string;
  time: number;
  transactions: number;
}

interface Page<T> {
  items: T[];
  next_after: string | null;
}

// GET /txs/{id}: a committed transaction with its place, or one still in the mempool.
type TransactionLookup = (BlockTransaction & { status: "committed" }) | { id: string; status: "pending" };

const blocksPerPage = 20;
const short = (hex: string) => `${hex.slice(0, 12)}…`;

// The ledger explorer for auditors, regulators and the operator: blocks, a block's header,
// transactions and commit, a transaction by id, the daily digests, and the chain re-check.
// Its buttons only read; they carry data-reads so that read-only checks can tell them from writes.
export function LedgerPage() {
  const [openHeight, setOpenHeight] = useState<number | null>(null);
  return (
    <section aria-labelledby="ledger-heading" className="ledger">
      <h1 id="ledger-heading">Ledger</h1>
      <VerifyChainPanel />
      <BlockList onOpen={setOpenHeight} />
      {openHeight !== null && <BlockView height={openHeight} onClose={() => setOpenHeight(null)} />}
      <FindTransaction />
      <DigestList />
    </section>
  );
}

function BlockList({ onOpen }: { onOpen: (height: number) => void }) {
  const [before, setBefore] = useState<string | null>(null);
  const [page, setPage] = useState<Page<BlockSummary> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [heightText, setHeightText] = useState("");

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: String(blocksPerPage) });
    if (before) query.set("before", before);
    api.get<Page<BlockSummary>>(`/blocks?${query}`).then((answer) => (setPage(answer), setError(null)), setError);
  }, [before]);
  useEffect(load, [load]);

  const csvQuery = new URLSearchParams({ format: "csv", limit: "100" });
  if (before) csvQuery.set("before", before);

  function openTyped(event: FormEvent) {
    event.preventDefault();
    const height = Number(heightText);
    if (Number.isSafeInteger(height) && height >= 1) onOpen(height);
  }

  return (
    <section aria-labelledby="blocks-heading">
      <h2 id="blocks-heading">Blocks</h2>
      <div className="filters">
        <form onSubmit={openTyped} className="filters">
          <label htmlFor="block-height">Block height</label>
          <input id="block-height" inputMode="numeric" value={heightText} onChange={(event) => setHeightText(event.target.value.trim())} />
          <button type="submit" data-reads>
            Open block
          </button>
        </form>
        <button type="button" onClick={() => (before === null ? load() : setBefore(null))} data-reads>
          Newest blocks
        </button>
        <a href={`/api/v1/blocks?${csvQuery}`} download="blocks.csv">
          Export these blocks (CSV, up to 100)
        </a>
      </div>
      <ProblemMessage error={error} />
      {page && page.items.length === 0 && <p className="empty">No blocks yet: the first block is made when the first transaction arrives.</p>}
      {page && page.items.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Height</th>
                <th scope="col">Time</th>
                <th scope="col">Transactions</th>
                <th scope="col">Block hash</th>
                <th scope="col">Proposer</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((block) => (
                <tr key={block.height}>
                  <td>{block.height}</td>
                  <td>{formatTime(block.time)}</td>
                  <td>{block.transactions}</td>
                  <td>
                    <code title={block.hash}>{short(block.hash)}</code>
                  </td>
                  <td>
                    <code title={block.proposer}>{short(block.proposer)}</code>
                  </td>
                  <td>
                    <button type="button" onClick={() => onOpen(block.height)} aria-label={`Details of block ${block.height}`} data-reads>
                      Open
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page?.next_after && (
        <button type="button" onClick={() => setBefore(page.next_after)} data-reads>
          Older blocks
        </button>
      )}
    </section>
  );
}

function BlockView({ height, onClose }: { height: number; onClose: () => void }) {
  const [block, setBlock] = useState<BlockDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let ignore = false;  // a late answer for the previously opened block is dropped
    setBlock(null);
    setError(null);
    api.get<BlockDetail>(`/blocks/${height}`).then(
      (answer) => !ignore && setBlock(answer),
      (failure) => !ignore && setError(failure),
    );
    return () => {
      ignore = true;
    };
  }, [height]);

  return (
    <section aria-labelledby="block-heading" className="panel">
      <FocusHeading id="block-heading" text={`Block ${height}`} />
      <button type="button" onClick={onClose} data-reads>
        Close block {height}
      </button>
      <ProblemMessage error={error} />
      {block && (
        <>
          <dl className="facts">
            <dt>Block hash</dt>
            <dd><code>{block.hash}</code></dd>
            <dt>Time</dt>
            <dd>{formatTime(block.header.time)} ({block.header.time} UTC seconds)</dd>
            <dt>Chain</dt>
            <dd>{block.header.chain_id}</dd>
            <dt>Previous hash</dt>
            <dd><code>{block.header.previous_hash}</code></dd>
            <dt>Transaction root</dt>
            <dd><code>{block.header.tx_root}</code></dd>
            <dt>App hash</dt>
            <dd><code>{block.header.app_hash}</code></dd>
            <dt>Validator set hash</dt>
            <dd><code>{block.header.validator_set_hash}</code></dd>
            <dt>Proposer</dt>
            <dd><code>{block.header.proposer}</code></dd>
          </dl>
          <h3>Transactions</h3>
          {block.transactions.length === 0 ? (
            <p className="empty">This block holds no transactions.</p>
          ) : (
            <TransactionTable rows={block.transactions} />
          )}
          <h3>Commit (round {block.commit.round})</h3>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Validator</th>
                  <th scope="col">Signature over the precommit of {short(block.commit.block_hash)}</th>
                </tr>
              </thead>
              <tbody>
                {block.commit.signatures.map((entry) => (
                  <tr key={entry.validator}>
                    <td><code>{entry.validator}</code></td>
                    <td><code className="wrap">{entry.signature}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function TransactionTable({ rows }: { rows: BlockTransaction[] }) {
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Id</th>
            <th scope="col">Type</th>
            <th scope="col">Signer</th>
            <th scope="col">Nonce</th>
            <th scope="col">Result</th>
            <th scope="col">Payload</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td>{row.position}</td>
              <td><code title={row.id}>{short(row.id)}</code></td>
              <td>{row.tx.type}</td>
              <td><code title={row.tx.signer}>{short(row.tx.signer)}</code></td>
              <td>{row.tx.nonce}</td>
              <td>
                <code>{row.result.code}</code>
                {row.result.message && ` ${row.result.message}`}
              </td>
              <td>
                <details>
                  <summary>payload</summary>
                  <pre>{JSON.stringify(row.tx.payload, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FindTransaction() {
  const [id, setId] = useState("");
  const [found, setFound] = useState<TransactionLookup | null>(null);
  const [error, setError] = useState<unknown>(null);

  function find(event: FormEvent) {
    event.preventDefault();
    setFound(null);
    setError(null);
    api.get<TransactionLookup>(`/txs/${encodeURIComponent(id.trim())}`).then(setFound, setError);
  }

  return (
    <section aria-labelledby="find-tx-heading">
      <h2 id="find-tx-heading">Find a transaction</h2>
      <form className="filters" role="search" onSubmit={find}>
        <label htmlFor="tx-id">Transaction id</label>
        <input id="tx-id" value={id} onChange={(event) => setId(event.target.value)} placeholder="64 hex digits" size={40} />
        <button type="submit" data-reads>
          Find transaction
        </button>
      </form>
      <ProblemMessage error={error} />
      {found?.status === "pending" && <p className="hint">Transaction {found.id} is waiting in the mempool for its block.</p>}
      {found?.status === "committed" && (
        <>
          <p>
            In block {found.height} at position {found.position}.
          </p>
          <TransactionTable rows={[found]} />
        </>
      )}
    </section>
  );
}

function DigestList() {
  const [after, setAfter] = useState<string | null>(null);
  const [page, setPage] = useState<Page<Digest> | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const query = new URLSearchParams({ limit: "31" });
    if (after) query.set("after", after);
    api.get<Page<Digest>>(`/digests?${query}`).then(setPage, setError);
  }, [after]);

  return (
    <section aria-labelledby="digests-heading">
      <h2 id="digests-heading">Daily digests</h2>
      <p className="hint">
        Each UTC day's Merkle root of its transactions and the app hash after its last block, written by the first block
        of a later day. <a href="/api/v1/digests?format=csv&limit=500" download="digests.csv">Export digests (CSV, up to 500)</a>
      </p>
      <ProblemMessage error={error} />
      {page && page.items.length === 0 && <p className="empty">No digest yet: a day's digest appears once a block of a later UTC day is made.</p>}
      {page && page.items.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Date (UTC)</th>
                <th scope="col">Heights</th>
                <th scope="col">Transactions</th>
                <th scope="col">Contracts</th>
                <th scope="col">Settled</th>
                <th scope="col">Settled energy</th>
                <th scope="col">Settled value (micro)</th>
                <th scope="col">Transaction root</th>
                <th scope="col">App hash</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((digest) => (
                <tr key={digest.date}>
                  <td>{digest.date}</td>
                  <td>
                    {digest.first_height}–{digest.last_height}
                  </td>
                  <td>{digest.transactions}</td>
                  <td>{digest.contracts}</td>
                  <td>{digest.settled_contracts}</td>
                  <td>{digest.settled_energy_wh} Wh</td>
                  <td>{digest.settled_value_micro}</td>
                  <td><code title={digest.tx_root}>{short(digest.tx_root)}</code></td>
                  <td><code title={digest.app_hash}>{short(digest.app_hash)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page?.next_after && (
        <button type="button" onClick={() => setAfter(page.next_after)} data-reads>
          Later digests
        </button>
      )}
    </section>
  );
}
