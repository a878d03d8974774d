import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, type Session } from "../lib/api";
import { canWrite } from "../lib/roles";
import { useWrite } from "../lib/forms";
import { allRoles, validateAdmission, type AdmitInput } from "../lib/operatorForms";
import { Field, invalidProps } from "../components/Field";
import { ProblemMessage } from "../components/ProblemMessage";
import { AccountPanel } from "../components/AccountPanel";
import { FocusHeading } from "../components/FocusHeading";
import "./ledger.css";
import { WriteOutcome } from "../components/WriteOutcome";

export interface Participant {
  public_key: string;
  name: string;
  roles: string[];
  status: string;
  company_code?: string;
  suspension_reason?: string;
}

// Every admitted participant (the read-all roles see all), filtered by role and status; the
// operator admits, changes roles, suspends and reinstates here.
export function ParticipantsPage({ session }: { session: Session }) {
  const operates = canWrite(session.roles, session.can_sign) && session.roles.includes("operator");
  const [role, setRole] = useState("");
  const [status, setStatus] = useState("");
  const [participants, setParticipants] = useState<Participant[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: "500" });
    if (role) query.set("role", role);
    if (status) query.set("status", status);
    api.get<{ items: Participant[]; next_after: string | null }>(`/participants?${query}`).then(
      (page) => (setParticipants(page.items), setTruncated(page.next_after !== null), setError(null)),
      setError,
    );
  }, [role, status]);
  useEffect(load, [load, version]);

  const chosen = participants?.find((participant) => participant.public_key === selected) ?? null;
  const changed = () => setVersion((current) => current + 1);

  return (
    <section aria-labelledby="participants-heading" className="operator">
      <h1 id="participants-heading">Participants</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter participants">
        <label htmlFor="participant-role-filter">Filter by role</label>
        <select id="participant-role-filter" value={role} onChange={(event) => setRole(event.target.value)}>
          <option value="">any</option>
          {allRoles.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label htmlFor="participant-status-filter">Filter by status</label>
        <select id="participant-status-filter" value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">any</option>
          <option value="active">active</option>
          <option value="suspended">suspended</option>
        </select>
        <a href={`/api/v1/participants?format=csv&limit=500${role ? `&role=${role}` : ""}${status ? `&status=${status}` : ""}`} download="participants.csv">
          Export (CSV)
        </a>
      </form>
      <ProblemMessage error={error} />
      {truncated && <p className="hint">Showing the first 500 participants; filter by role or status to see the others.</p>}
      {participants && participants.length === 0 && (
        <p className="empty">No participant matches these filters{operates ? "; admit one below." : "."}</p>
      )}
      {participants && participants.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Public key</th>
                <th scope="col">Roles</th>
                <th scope="col">Status</th>
                <th scope="col">Company code</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {participants.map((participant) => (
                <tr key={participant.public_key}>
                  <td>{participant.name}</td>
                  <td>
                    <code className="wrap">{participant.public_key}</code>
                  </td>
                  <td>{participant.roles.join(", ")}</td>
                  <td>
                    {participant.status}
                    {participant.suspension_reason && `: ${participant.suspension_reason}`}
                  </td>
                  <td>{participant.company_code ?? ""}</td>
                  <td>
                    <button type="button" onClick={() => setSelected(participant.public_key)} aria-label={`Details of ${participant.name}`} data-reads>
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {chosen && (
        <section className="panel" aria-labelledby="chosen-heading">
          <FocusHeading id="chosen-heading" text={chosen.name} />
          <AccountPanel participant={chosen.public_key} label={chosen.name} version={version} />
          {operates && <ManageParticipant key={chosen.public_key} participant={chosen} onChanged={changed} />}
        </section>
      )}
      {operates && <AdmitParticipant onAdmitted={changed} />}
    </section>
  );
}

function RoleChoices({ idPrefix, legend, roles, onChange, error }: { idPrefix: string; legend: string; roles: string[]; onChange: (roles: string[]) => void; error?: string }) {
  return (
    <fieldset className="role-choices" aria-describedby={error ? `${idPrefix}-error` : undefined}>
      <legend>{legend}</legend>
      {allRoles.map((name) => (
        <label key={name}>
          <input
            type="checkbox"
            checked={roles.includes(name)}
            onChange={(event) => onChange(event.target.checked ? [...roles, name] : roles.filter((held) => held !== name))}
          />
          {name}
        </label>
      ))}
      {error && (
        <span id={`${idPrefix}-error`} className="field-error">
          {error}
        </span>
      )}
    </fieldset>
  );
}

function ManageParticipant({ participant, onChanged }: { participant: Participant; onChanged: () => void }) {
  const [roles, setRoles] = useState(participant.roles);
  const [reason, setReason] = useState("");
  const write = useWrite();
  const path = `/participants/${participant.public_key}`;

  const saveRoles = (event: FormEvent) => {
    event.preventDefault();
    write.run(async () => {
      await api.patch(path, { roles });
      onChanged();
      return `Roles of ${participant.name} set to ${[...roles].sort().join(", ")}.`;
    });
  };
  const suspend = (event: FormEvent) => {
    event.preventDefault();
    write.run(async () => {
      await api.post(`${path}/suspension`, { reason: reason.trim() });
      onChanged();
      return `${participant.name} is suspended: it can sign nothing until reinstated.`;
    });
  };
  const reinstate = () =>
    write.run(async () => {
      await api.del(`${path}/suspension`);
      onChanged();
      return `${participant.name} is active again.`;
    });

  return (
    <div>
      <form onSubmit={saveRoles} className="filters" aria-label={`Roles of ${participant.name}`}>
        <RoleChoices idPrefix="manage-roles" legend={`Roles of ${participant.name}`} roles={roles} onChange={setRoles} />
        <button type="submit" disabled={write.busy || roles.length === 0}>
          Save roles
        </button>
      </form>
      {participant.status === "suspended" ? (
        <button type="button" onClick={reinstate} disabled={write.busy}>
          Reinstate {participant.name}
        </button>
      ) : (
        <form onSubmit={suspend} className="filters" aria-label={`Suspend ${participant.name}`}>
          <label htmlFor="suspension-reason">Suspension reason</label>
          <input id="suspension-reason" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={500} />
          <button type="submit" disabled={write.busy || reason.trim() === ""}>
            Suspend
          </button>
        </form>
      )}
      <WriteOutcome write={write} />
    </div>
  );
}

const emptyAdmission: AdmitInput = { publicKey: "", name: "", roles: [], companyCode: "" };

function AdmitParticipant({ onAdmitted }: { onAdmitted: () => void }) {
  const [form, setForm] = useState<AdmitInput>(emptyAdmission);
  const [errors, setErrors] = useState<Partial<Record<keyof AdmitInput, string>>>({});
  const write = useWrite();

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const { payload, errors: found } = validateAdmission(form);
    setErrors(found);
    if (!payload) return;
    const admitted = await write.run(async () => {
      await api.post("/participants", payload);
      return `${payload.name} admitted as ${payload.roles.join(", ")}.`;
    });
    if (admitted) {
      setForm(emptyAdmission);
      onAdmitted();
    }
  }

  const text = (key: "publicKey" | "name" | "companyCode", label: string) => (
    <Field id={`admit-${key}`} label={label} error={errors[key]}>
      <input id={`admit-${key}`} value={form[key]} {...invalidProps(`admit-${key}`, errors[key])} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
    </Field>
  );

  return (
    <form className="register" onSubmit={submit} aria-labelledby="admit-heading" noValidate>
      <h2 id="admit-heading">Admit a participant</h2>
      {text("publicKey", "Public key")}
      {text("name", "Participant name")}
      {text("companyCode", "Company code (optional)")}
      <RoleChoices idPrefix="admit-roles" legend="Roles" roles={form.roles} onChange={(roles) => setForm({ ...form, roles })} error={errors.roles} />
      <button type="submit" disabled={write.busy}>
        {write.busy ? "Admitting…" : "Admit participant"}
      </button>
      <WriteOutcome write={write} />
    </form>
  );
}
