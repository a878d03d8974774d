import { useCallback, useEffect, useRef, useState } from "react";
import { api, type Session } from "../lib/api";
import { formatEuros, formatTime } from "../lib/format";
import { netText, type Contract, type Page, type SettlementSummary } from "../lib/settlement";
import { downloadText, fetchCsv } from "../lib/csvExport";
import { useLedgerEvents } from "../lib/ledgerEvents";
import { ProblemMessage } from "../components/ProblemMessage";
import { SettlementDetail } from "../components/SettlementDetail";
import "../components/SettlementDetail.css";

const pageSize = 100;

// The settlements this session may read, live: status, net, fee and finality; one opens into
// its per-ISP delivery, with the dispute form for a party and the resolution form for the
// operator. The list exports as CSV with the node's own columns.
export function SettlementsPage({ session }: { session: Session }) {
  const [status, setStatus] = useState("");
  const [settlements, setSettlements] = useState<SettlementSummary[] | null>(null);
  const [nextAfter, setNextAfter] = useState<string | null>(null);
  const [selected, setSelected] = useState<Contract | null>(null);
  const [eventCount, setEventCount] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [exportProblem, setExportProblem] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);
  const latestRequest = useRef(0);

  const filterQuery = useCallback(() => {
    const query = new URLSearchParams();
    if (status) query.set("status", status);
    return query;
  }, [status]);

  const fetchPage = useCallback(
    (after: string | null, append: boolean) => {
      const query = filterQuery();
      query.set("limit", String(pageSize));
      if (after) query.set("after", after);
      const request = ++latestRequest.current;
      api.get<Page<SettlementSummary>>(`/settlements?${query}`).then(
        (page) => {
          if (request !== latestRequest.current) return;
          setSettlements((before) => (append ? [...(before ?? []), ...page.items] : page.items));
          setNextAfter(page.next_after);
          setError(null);
        },
        (failure) => request === latestRequest.current && setError(failure),
      );
    },
    [filterQuery],
  );
  const load = useCallback(() => fetchPage(null, false), [fetchPage]);
  useEffect(load, [load]);

  const live = useLedgerEvents(["settlement"],
    () => {
      load();
      setEventCount((count) => count + 1);
    });

  const latestOpen = useRef(0);
  const open = (contractId: string) => {
    const request = ++latestOpen.current;  // only the last contract asked for (or a close) wins
    api.get<Contract>(`/contracts/${encodeURIComponent(contractId)}`).then(
      (contract) => request === latestOpen.current && (setSelected(contract), setError(null)),
      (failure) => request === latestOpen.current && setError(failure),
    );
  };
  const close = () => {
    ++latestOpen.current;
    setSelected(null);
  };

  const csvName = `settlements${status ? `-${status}` : ""}.csv`;
  const exportCsv = () => {
    setExporting(true);
    setExportProblem(null);
    const query = filterQuery().toString();
    fetchCsv(`/settlements${query ? `?${query}` : ""}`)
      .then((text) => downloadText(text, csvName), setExportProblem)
      .finally(() => setExporting(false));
  };

  return (
    <section aria-labelledby="settlements-heading">
      <h1 id="settlements-heading">Settlements</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter settlements">
        <label htmlFor="settlement-status">Filter by status</label>
        <select id="settlement-status" value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">any</option>
          <option value="provisional">provisional</option>
          <option value="disputed">disputed</option>
          <option value="final">final</option>
        </select>
        {/* A download link (the first 500 rows without script); the script fetches every page. */}
        <a
          href={`/api/v1/settlements?${new URLSearchParams([...filterQuery(), ["format", "csv"], ["limit", "500"]])}`}
          download={csvName}
          aria-disabled={exporting}
          onClick={(event) => {
            event.preventDefault();
            if (!exporting) exportCsv();
          }}
        >
          {exporting ? "Exporting…" : "Export CSV"}
        </a>
      </form>
      <ProblemMessage error={exportProblem} />
      <p className="hint" data-testid="live">
        {live ? "Live: settlements appear and change as the node commits them." : "Connecting to the node's event stream…"}
      </p>
      <ProblemMessage error={error} />
      {settlements && settlements.length === 0 && (
        <p className="empty">
          No settlements {status ? `with status ${status}` : "yet"}. A contract settles once the readings of its ISPs are on the ledger, or at its deadline.
        </p>
      )}
      {settlements && settlements.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Settlements">
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Status</th>
                <th scope="col">Net</th>
                <th scope="col">Fee</th>
                <th scope="col">Version</th>
                <th scope="col">Settled</th>
                <th scope="col">Final at</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {settlements.map((settlement) => (
                <tr key={settlement.contract_id}>
                  <td>{settlement.contract_id}</td>
                  <td>{settlement.status}</td>
                  <td>{netText(settlement.net_micro)}</td>
                  <td>{formatEuros(settlement.fee_micro)}</td>
                  <td>{settlement.version}</td>
                  <td>{formatTime(settlement.settled_at)}</td>
                  <td>{formatTime(settlement.final_at)}</td>
                  <td>
                    <button type="button" data-reads onClick={() => open(settlement.contract_id)} aria-label={`Breakdown of ${settlement.contract_id}`}>
                      Breakdown
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextAfter && (
        <button type="button" data-reads onClick={() => fetchPage(nextAfter, true)}>
          Show more settlements
        </button>
      )}
      {selected && (
        <article aria-label={`Breakdown of ${selected.contract_id}`}>
          <button type="button" data-reads onClick={close}>
            Close breakdown
          </button>
          <SettlementDetail session={session} contract={selected} version={eventCount} />
        </article>
      )}
    </section>
  );
}
