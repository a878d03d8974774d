import { useState, type ChangeEvent } from "react";
import { ApiError, api, type Session } from "../lib/api";
import { canWrite } from "../lib/roles";
import { formatKilowatts, formatPricePerMwh, formatPricePerMwPerHour, formatTime } from "../lib/format";
import { gridName } from "../lib/offerForm";
import { checkOfferSheet, offerColumns, offerTemplateCsv, parseCsv, readXlsx, type SheetOffer } from "../lib/offerSheet";
import { useMarketParams } from "../lib/useMarketParams";
import { ProblemMessage } from "./ProblemMessage";
import "./BulkOfferUpload.css";

type Outcome = { created: true } | { created: false; code: string; message: string };

function tomorrow(): string {
  const day = new Date(Date.now() + 86_400_000);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
}

// Reads a chosen file as rows of text cells; throws an Error worded for people when it cannot.
async function readRecords(file: File): Promise<string[][]> {
  if (/\.xlsx$/i.test(file.name)) {
    try {
      return await readXlsx(file);
    } catch (failure) {
      throw new Error(`${file.name} is not a readable XLSX file (${failure instanceof Error ? failure.message : String(failure)})`);
    }
  }
  if (!/\.csv$/i.test(file.name)) throw new Error(`${file.name}: choose a .csv or .xlsx file`);
  const parsed = parseCsv(await file.text());
  if ("problem" in parsed) throw new Error(`${file.name}: ${parsed.problem}`);
  return parsed.records;
}

function downloadTemplate() {
  const link = document.createElement("a");
  link.href = `data:text/csv;charset=utf-8,${encodeURIComponent(offerTemplateCsv(tomorrow()))}`;
  link.download = "offers-template.csv";
  link.click();
}

// A seller lists many offers from one CSV or XLSX file: every row checked with the form's
// rules before anything is sent, then sent one by one, each row with the node's answer.
// Only sellers that may write see it.
export function BulkOfferUpload({ session, onListed }: { session: Session; onListed: () => void }) {
  const sells = canWrite(session.roles, session.can_sign) && session.roles.some((role) => role === "prosumer" || role === "aggregator");
  return sells ? <OfferFileUpload onListed={onListed} /> : null;
}

function OfferFileUpload({ onListed }: { onListed: () => void }) {
  const { params, problem: paramsProblem } = useMarketParams();
  const [fileName, setFileName] = useState("");
  const [fileProblem, setFileProblem] = useState("");
  const [offers, setOffers] = useState<SheetOffer[]>([]);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);  // by position in offers, as answered
  const [sending, setSending] = useState(false);

  const valid = offers.length > 0 && offers.every((offer) => offer.payload);
  const problems = offers.flatMap((offer) => offer.problems.map((problem) => ({ row: offer.row, ...problem })));
  const created = outcomes.filter((outcome) => outcome.created).length;
  const finished = offers.length > 0 && outcomes.length === offers.length;

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = "";  // so that choosing the corrected file under the same name reads it again
    setFileName(file?.name ?? "");
    setFileProblem("");
    setOffers([]);
    setOutcomes([]);
    if (!file || !params) return;
    try {
      const checked = checkOfferSheet(await readRecords(file), params.isp_seconds, Math.floor(Date.now() / 1000));
      if ("problem" in checked) setFileProblem(`${file.name}: ${checked.problem}`);
      else setOffers(checked.offers);
    } catch (failure) {
      setFileProblem(failure instanceof Error ? failure.message : String(failure));
    }
  }

  async function submit() {
    setSending(true);
    for (const offer of offers) {
      let outcome: Outcome;
      try {
        await api.post("/offers", offer.payload);
        outcome = { created: true };
      } catch (failure) {
        const problem = failure instanceof ApiError ? failure : new ApiError(0, "client.error", String(failure));
        outcome = { created: false, code: problem.code, message: problem.detail };
      }
      setOutcomes((earlier) => [...earlier, outcome]);
    }
    setSending(false);
    onListed();
  }

  return (
    <section className="bulk-upload" aria-labelledby="bulk-heading">
      <h2 id="bulk-heading">Bulk upload from a CSV or XLSX file</h2>
      <p className="hint">
        One offer per row of a .csv or .xlsx file, the first row naming the columns. Every row is checked as the New offer form
        checks it before anything is sent; times are in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone})
        {params ? `, on the market's ${gridName(params.isp_seconds)} grid` : ""}.
      </p>
      <details>
        <summary>Columns</summary>
        <div className="table-scroll">
          <table aria-label="Columns of an offer file">
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">What it holds</th>
              </tr>
            </thead>
            <tbody>
              {offerColumns.map((column) => (
                <tr key={column.name}>
                  <td>
                    <code>{column.name}</code>
                  </td>
                  <td>{column.meaning}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <div className="bulk-controls">
        <button type="button" data-reads onClick={downloadTemplate}>
          Download the CSV template
        </button>
        <label htmlFor="bulk-file">Offer file (.csv or .xlsx)</label>
        <input
          id="bulk-file"
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={!params || sending}
          onChange={choose}
        />
      </div>
      <ProblemMessage error={paramsProblem} />
      {offers.length > 0 && (
        <p className="hint">
          {fileName}: {offers.length === 1 ? "1 offer" : `${offers.length} offers`} read; row numbers are the file's (the header is row 1).
        </p>
      )}
      {fileProblem && (
        <p className="problem" role="alert">
          {fileProblem}
        </p>
      )}
      {problems.length > 0 && (
        <>
          <p role="alert" className="problem">
            {problems.length === 1 ? "1 problem" : `${problems.length} problems`} in{" "}
            {offers.filter((offer) => !offer.payload).length} of {offers.length} rows: fix the file and choose it again. Nothing was
            sent.
          </p>
          <div className="table-scroll">
            <table aria-label="Problems in the file">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Column</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {problems.map((problem, index) => (
                  <tr key={index}>
                    <td>{problem.row}</td>
                    <td>
                      <code>{problem.column}</code>
                    </td>
                    <td>{problem.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {offers.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Offers in the file">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Offer</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Power</th>
                <th scope="col">Price</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {offers.map((offer, index) => {
                const outcome = outcomes[index];
                return (
                  <tr key={offer.row}>
                    <td>{offer.row}</td>
                    <td>{offer.offerId}</td>
                    <td>{offer.payload && formatTime(offer.payload.start)}</td>
                    <td>{offer.payload && formatTime(offer.payload.end)}</td>
                    <td>{offer.payload && formatKilowatts(offer.payload.power_w)}</td>
                    <td>
                      {offer.payload?.availability_price_micro_per_mw_h !== undefined && (
                        <span>availability {formatPricePerMwPerHour(offer.payload.availability_price_micro_per_mw_h)} </span>
                      )}
                      {offer.payload?.activation_price_micro_per_mwh !== undefined &&
                        formatPricePerMwh(offer.payload.activation_price_micro_per_mwh)}
                    </td>
                    <td>
                      {!offer.payload && <span className="field-error">{offer.problems.length === 1 ? "1 problem" : `${offer.problems.length} problems`}</span>}
                      {offer.payload && !outcome && (sending ? "waiting" : "ready")}
                      {outcome?.created && <span className="done">created</span>}
                      {outcome && !outcome.created && (
                        <span className="field-error">
                          refused: {outcome.message} <code>{outcome.code}</code>
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {offers.length > 0 && (
        <div className="bulk-controls">
          <button type="button" disabled={!valid || sending || finished} onClick={submit}>
            {valid ? `Submit ${offers.length} ${offers.length === 1 ? "offer" : "offers"}` : "Submit (fix the problems first)"}
          </button>
          {(sending || finished) && (
            <>
              <progress max={offers.length} value={outcomes.length} aria-label="Offers sent" />
              <span>
                {outcomes.length} of {offers.length} sent
              </span>
            </>
          )}
        </div>
      )}
      {finished && (
        <p role="status" className={created === offers.length ? "done" : "problem"}>
          {created} of {offers.length} offers created
          {created < offers.length ? `; ${offers.length - created} refused by the node (see each row's code).` : "."}
        </p>
      )}
    </section>
  );
}
