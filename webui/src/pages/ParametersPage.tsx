import { useEffect, useState } from "react";
import { api } from "../lib/api";
import { formatEuros } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";
import "./ledger.css";

type Params = Record<string, number | string | boolean>;

const seconds = (value: number) => `${value} s`;
const ppm = (value: number) => `${value} ppm`;

// What each member of PROTOCOL.md §6's parameter table means, and how its value reads.
const meanings: Record<string, { meaning: string; show?: (value: number) => string }> = {
  activation_gate_seconds: { meaning: "activations and nominations for an ISP must be in a block this long before it starts", show: seconds },
  currency: { meaning: "the settlement currency; amounts are in its micro-units" },
  dispute_window_seconds: { meaning: "after a first settlement, how long corrections re-run it and either party may dispute it", show: seconds },
  fee_account: { meaning: "receives the operator's fee" },
  fee_basis_points: { meaning: "the operator's fee, in 1/10,000 of a non-negative settlement, taken from the seller's payment", show: (value) => `${value} bp` },
  isp_seconds: { meaning: "the imbalance settlement period: orders, readings and activations are on this grid", show: seconds },
  penalty_micro_per_mwh: { meaning: "penalty per MWh of deficiency; 0 disables penalties", show: (value) => `${formatEuros(value)}/MWh (${value} micro)` },
  reading_margin_ppm: { meaning: "how far a reading may exceed the asset's connection capacity over the ISP", show: ppm },
  require_prequalification: { meaning: "whether an asset needs its DSO's qualified decision before an offer or contract may use it" },
  settlement_deadline_seconds: { meaning: "a contract settles this long after its end (time for the last readings)", show: seconds },
  tolerance_ppm: { meaning: "a deficiency up to this share of the ordered power counts as delivered", show: ppm },
  wait_for_readings: { meaning: "at the deadline: true keeps waiting for readings, false counts missing data as not delivered" },
};

// The market parameters (GET /params): read-only, since they are fixed in the genesis.
export function ParametersPage() {
  const [params, setParams] = useState<Params | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.get<Params>("/params").then(setParams, setError);
  }, []);

  return (
    <section aria-labelledby="params-heading" className="operator">
      <h1 id="params-heading">Market parameters</h1>
      <p className="hint">
        These are fixed in the chain's genesis document: no transaction changes them, so there is nothing to edit here. A
        change needs a new genesis, agreed by the consortium.
      </p>
      <ProblemMessage error={error} />
      {params && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(params).map(([name, value]) => {
                const described = meanings[name];
                return (
                  <tr key={name}>
                    <th scope="row">
                      <code>{name}</code>
                    </th>
                    <td>{typeof value === "number" && described?.show ? described.show(value) : String(value)}</td>
                    <td>{described?.meaning ?? "not described in PROTOCOL.md §6"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
