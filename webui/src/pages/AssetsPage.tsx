import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Field, invalidProps } from "../components/Field";
import { FocusHeading } from "../components/FocusHeading";
import { useWrite, useZones, type Zone } from "../lib/forms";
import { api, ApiError, type Session } from "../lib/api";
import {
  assetChanges,
  emptyAssetForm,
  formFromAsset,
  microToDegrees,
  propertyTypes,
  siteStatuses,
  technicalChanges,
  technologies,
  validateAsset,
  type AssetFormInput,
  type AssetRecord,
  type FieldErrors,
} from "../lib/assetForm";
import { canWrite } from "../lib/roles";
import { formatKilowatts, formatTime } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";
import "./AssetsPage.css";

interface Participant {
  public_key: string;
  name: string;
}

interface WriteResult {
  resource?: AssetRecord;
}

// What each changed member is called in the form, for the re-prequalification warning.
const memberLabels: Record<string, string> = {
  connection_w: "connection",
  max_down_w: "max down",
  max_up_w: "max up",
  metering_point_id: "metering point",
  storage_wh: "storage",
  sub_metering_point_id: "sub-meter",
  technology: "technology",
  zone_id: "zone",
};

// What to do about the update refusals people can fix themselves (PROTOCOL.md, asset.update).
const updateHints: Record<string, string> = {
  "asset.capacity_committed": "Contracts from the current ISP on already use more than the new maximum: lower it once they have ended.",
  "asset.meter_in_use": "Contracts not yet final name this asset's meters as their proof: change the meters once they are settled.",
  "asset.duplicate_metering_point": "That metering point already backs another asset.",
  "asset.meter_kind_mismatch": "That point was first claimed as the other kind of meter (main or sub-meter), and keeps that kind.",
  "asset.not_retailer": "The supplier must be a participant holding the retailer role.",
};

const shortKey = (key: string) => `${key.slice(0, 8)}…`;

// The participants holding `role` (an organisation role, so every session may list them).
function useParticipants(role: string): { participants: Participant[]; problem: unknown } {
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [problem, setProblem] = useState<unknown>(null);
  useEffect(() => {
    api.get<{ items: Participant[] }>(`/participants?role=${role}&limit=500`).then((page) => setParticipants(page.items), setProblem);
  }, [role]);
  return { participants, problem };
}

function emptyMessage(session: Session, sells: boolean, search: string): string {
  if (search) return `No asset matches "${search}". Clear the search to see them all.`;
  if (sells) return "No assets yet. Register your first below.";
  if (session.roles.includes("dso")) return "No assets in your zones yet. Sellers register them there; they then wait for your decision on the Prequalification page.";
  if (session.roles.includes("retailer")) return "No asset names you as its supplier yet. Owners choose their supplier when they register or edit an asset.";
  return "No assets registered yet. Prosumers and aggregators register them; the zone's DSO then prequalifies them.";
}

function siteSummary(asset: AssetRecord): string {
  const site = asset.property;
  if (!site) return "";
  const place = site.latitude_micro !== undefined && site.longitude_micro !== undefined ? `${microToDegrees(site.latitude_micro)}, ${microToDegrees(site.longitude_micro)}` : "";
  return [site.city, place].filter(Boolean).join(" · ");
}

// The assets this session may see, searchable by name, asset id or (for read-all roles) the
// owner's company code; sellers register new ones here and edit their own.
export function AssetsPage({ session }: { session: Session }) {
  const [search, setSearch] = useState("");
  const [assets, setAssets] = useState<AssetRecord[] | null>(null);
  const [editing, setEditing] = useState<AssetRecord | null>(null);
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);
  const sells = canWrite(session.roles, session.can_sign) && session.roles.some((role) => role === "prosumer" || role === "aggregator");

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: "500" });
    if (search) query.set("q", search);
    const request = ++latestRequest.current;
    api.get<{ items: AssetRecord[] }>(`/assets?${query}`).then(
      (page) => request === latestRequest.current && (setAssets(page.items), setError(null)),
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [search]);
  useEffect(load, [load]);

  const saved = (asset: AssetRecord | undefined) => {
    if (asset) setEditing(asset);
    load();
  };

  return (
    <section aria-labelledby="assets-heading">
      <h1 id="assets-heading">Assets</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="asset-search">Search</label>
        <input id="asset-search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="name, asset id or company code" />
      </form>
      <ProblemMessage error={error} />
      {assets && assets.length === 0 && <p className="empty">{emptyMessage(session, sells, search)}</p>}
      {assets && assets.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Assets">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Name</th>
                <th scope="col">Technology</th>
                <th scope="col">Zone</th>
                <th scope="col">Up</th>
                <th scope="col">Down</th>
                <th scope="col">Connection</th>
                <th scope="col">Site</th>
                <th scope="col">Prequalification</th>
                {sells && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {assets.map((asset) => (
                <tr key={asset.asset_id}>
                  <td>{asset.asset_id}</td>
                  <td>{asset.name}</td>
                  <td>{asset.technology}</td>
                  <td>{asset.zone_id}</td>
                  <td>{formatKilowatts(asset.max_up_w)}</td>
                  <td>{formatKilowatts(asset.max_down_w)}</td>
                  <td>{formatKilowatts(asset.connection_w)}</td>
                  <td>{siteSummary(asset)}</td>
                  <td>
                    {asset.prequalification.status}
                    {asset.prequalification.reason && `: ${asset.prequalification.reason}`}
                    {asset.prequalification.decided_at !== undefined && ` (${formatTime(asset.prequalification.decided_at)})`}
                  </td>
                  {sells && (
                    <td>
                      {asset.owner === session.participant && (
                        <button type="button" onClick={() => setEditing(asset)} aria-label={`Edit ${asset.asset_id}`}>
                          Edit
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {sells && editing && (
        <>
          <EditAsset key={editing.asset_id} asset={editing} onSaved={saved} onClose={() => setEditing(null)} />
          <AssetConsent key={`consent-${editing.asset_id}`} asset={editing} owner={session.participant} />
        </>
      )}
      {sells && <RegisterAsset onRegistered={load} />}
    </section>
  );
}

interface FieldsProps {
  prefix: string;  // keeps the ids of the register and edit forms apart
  form: AssetFormInput;
  setForm: (form: AssetFormInput) => void;
  errors: FieldErrors;
  zones: Zone[];
  retailers: Participant[];
  withAssetId: boolean;
}

// Every member of asset.register and asset.update, as labelled controls.
function AssetFields({ prefix, form, setForm, errors, zones, retailers, withAssetId }: FieldsProps) {
  const id = (key: keyof AssetFormInput) => `${prefix}-${key}`;
  const text = (key: keyof AssetFormInput, label: string, extra: Record<string, string> = {}) => (
    <Field id={id(key)} label={label} error={errors[key]}>
      <input id={id(key)} value={form[key]} {...invalidProps(id(key), errors[key])} onChange={(event) => setForm({ ...form, [key]: event.target.value })} {...extra} />
    </Field>
  );
  const choice = (key: keyof AssetFormInput, label: string, options: readonly { value: string; text: string }[]) => (
    <Field id={id(key)} label={label} error={errors[key]}>
      <select id={id(key)} value={form[key]} {...invalidProps(id(key), errors[key])} onChange={(event) => setForm({ ...form, [key]: event.target.value })}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
    </Field>
  );
  const plain = (values: readonly string[]) => values.map((value) => ({ value, text: value }));
  const optional = (values: readonly string[]) => [{ value: "", text: "not given" }, ...plain(values)];

  return (
    <>
      {withAssetId && text("assetId", "Asset id", { placeholder: "e.g. my-ev-charger" })}
      {text("name", "Name")}
      {choice("technology", "Technology", plain(technologies))}
      {choice("zoneId", "Zone", zones.map((zone) => ({ value: zone.zone_id, text: `${zone.name} (${zone.zone_id})` })))}
      {text("meteringPointId", "Metering point")}
      {text("subMeteringPointId", "Sub-meter (optional)")}
      {text("maxUpKw", "Max up (kW)", { inputMode: "decimal" })}
      {text("maxDownKw", "Max down (kW)", { inputMode: "decimal" })}
      {text("connectionKw", "Connection (kW)", { inputMode: "decimal" })}
      {text("storageKwh", "Storage (kWh)", { inputMode: "decimal" })}
      {choice("supplier", "Supplier (retailer)", [
        { value: "", text: "none" },
        ...retailers.map((retailer) => ({ value: retailer.public_key, text: `${retailer.name} (${shortKey(retailer.public_key)})` })),
      ])}
      <fieldset>
        <legend>Site (optional)</legend>
        {text("address", "Address")}
        {text("city", "City")}
        {text("postalCode", "Postal code")}
        {text("state", "State or province")}
        {text("country", "Country")}
        {text("serviceOperator", "Service operator")}
        {text("latitude", "Latitude (°)", { inputMode: "decimal", placeholder: "e.g. 39.916473" })}
        {text("longitude", "Longitude (°)", { inputMode: "decimal", placeholder: "e.g. 32.854118" })}
        {choice("propertyType", "Property type", optional(propertyTypes))}
        {choice("siteStatus", "Site status", optional(siteStatuses))}
        {text("targetConnectionDate", "Target connection date", { type: "date" })}
        {text("link", "Link", { type: "url" })}
        <div className="wide">
          <Field id={id("publicInfo")} label="Public information" error={errors.publicInfo}>
            <textarea id={id("publicInfo")} rows={3} value={form.publicInfo} {...invalidProps(id("publicInfo"), errors.publicInfo)} onChange={(event) => setForm({ ...form, publicInfo: event.target.value })} />
          </Field>
        </div>
      </fieldset>
    </>
  );
}

function Outcome({ write }: { write: ReturnType<typeof useWrite> }) {
  const hint = write.problem instanceof ApiError ? updateHints[write.problem.code] : undefined;
  return (
    <>
      <ProblemMessage error={write.problem} />
      {hint && <p className="hint">{hint}</p>}
      {write.done && (
        <p className="done" role="status">
          {write.done}
        </p>
      )}
    </>
  );
}

function RegisterAsset({ onRegistered }: { onRegistered: () => void }) {
  const [form, setForm] = useState<AssetFormInput>(emptyAssetForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const { zones, problem: zonesProblem } = useZones((zoneId) => setForm((current) => (current.zoneId ? current : { ...current, zoneId })));
  const { participants: retailers, problem: retailersProblem } = useParticipants("retailer");
  const write = useWrite();

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const { payload, errors: found } = validateAsset(form);
    setErrors(found);
    if (!payload) return;
    const registered = await write.run(async () => {
      await api.post("/assets", payload);
      return `Asset ${payload.asset_id} registered; its prequalification is pending with the zone's DSO.`;
    });
    if (registered) {
      setForm({ ...emptyAssetForm, zoneId: form.zoneId });
      onRegistered();
    }
  }

  return (
    <form className="register asset-form" onSubmit={submit} aria-labelledby="register-heading" noValidate>
      <h2 id="register-heading">Register an asset</h2>
      {zones.length === 0 && <p className="empty">No zone exists yet: a DSO creates the zones assets register in.</p>}
      <AssetFields prefix="asset" form={form} setForm={setForm} errors={errors} zones={zones} retailers={retailers} withAssetId />
      <button type="submit" disabled={write.busy}>
        {write.busy ? "Registering…" : "Register asset"}
      </button>
      <ProblemMessage error={zonesProblem ?? retailersProblem} />
      <Outcome write={write} />
    </form>
  );
}

// The owner's edit of one asset: only what changed is sent (asset.update).
function EditAsset({ asset, onSaved, onClose }: { asset: AssetRecord; onSaved: (asset: AssetRecord | undefined) => void; onClose: () => void }) {
  const [form, setForm] = useState<AssetFormInput>(() => formFromAsset(asset));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [unchanged, setUnchanged] = useState(false);
  const { zones, problem: zonesProblem } = useZones(() => {});
  const { participants: retailers, problem: retailersProblem } = useParticipants("retailer");
  const write = useWrite();
  const pending = assetChanges(asset, form).changes;
  const requalifies = pending ? technicalChanges(pending) : [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    const { changes, errors: found } = assetChanges(asset, form);
    setErrors(found);
    setUnchanged(changes !== undefined && Object.keys(changes).length === 0);
    if (!changes || Object.keys(changes).length === 0) return;
    let after: AssetRecord | undefined;
    const updated = await write.run(async () => {
      after = (await api.patch<WriteResult>(`/assets/${encodeURIComponent(asset.asset_id)}`, changes)).resource;
      const sent = Object.keys(changes).join(", ");
      return technicalChanges(changes).length > 0
        ? `Asset ${asset.asset_id} updated (${sent}); its prequalification is pending again with the zone's DSO.`
        : `Asset ${asset.asset_id} updated (${sent}).`;
    });
    if (updated) {
      if (after) setForm(formFromAsset(after));
      onSaved(after);
    }
  }

  return (
    <form className="register asset-form" onSubmit={submit} aria-labelledby="edit-heading" noValidate>
      <FocusHeading id="edit-heading" text={`Edit ${asset.asset_id}`} />
      <p className="hint">
        Only the fields you change are sent. Changing the technology, zone, powers, storage or a meter sends prequalification back to pending: the zone's DSO decides again before the
        asset can be offered. The site is replaced as a whole; clearing the sub-meter or supplier removes it.
      </p>
      <AssetFields prefix="edit" form={form} setForm={setForm} errors={errors} zones={zones} retailers={retailers} withAssetId={false} />
      {requalifies.length > 0 && (
        <p className="warning" data-testid="requalify-warning">
          Saving changes the {requalifies.map((member) => memberLabels[member]).join(", ")}: prequalification goes back to pending.
        </p>
      )}
      <button type="submit" disabled={write.busy}>
        {write.busy ? "Saving…" : "Save changes"}
      </button>
      <button type="button" onClick={onClose} data-reads>
        Close
      </button>
      {unchanged && <p className="hint">Nothing changed yet: edit a field, then save.</p>}
      <ProblemMessage error={zonesProblem ?? retailersProblem} />
      <Outcome write={write} />
    </form>
  );
}

// The aggregators the owner lets sell this asset (asset.consent), granted or withdrawn.
function AssetConsent({ asset, owner }: { asset: AssetRecord; owner: string }) {
  const [consents, setConsents] = useState<{ aggregator: string; granted_at: number }[] | null>(null);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState<unknown>(null);
  const { participants: aggregators } = useParticipants("aggregator");
  const write = useWrite();
  const path = `/assets/${encodeURIComponent(asset.asset_id)}/consent`;
  const grantable = aggregators.filter((aggregator) => aggregator.public_key !== owner);
  const nameOf = (key: string) => aggregators.find((aggregator) => aggregator.public_key === key)?.name ?? shortKey(key);

  const load = useCallback(() => {
    api.get<{ consents: { aggregator: string; granted_at: number }[] }>(path).then((answer) => setConsents(answer.consents), setError);
  }, [path]);
  useEffect(load, [load]);

  const consent = (aggregator: string, granted: boolean) =>
    write.run(async () => {
      await api.post(path, { aggregator, granted });
      load();
      return granted ? `${nameOf(aggregator)} may now sell ${asset.asset_id}.` : `${nameOf(aggregator)} may no longer sell ${asset.asset_id}; contracts already made stand.`;
    });

  return (
    <section className="asset-consent" aria-labelledby="consent-heading">
      <h3 id="consent-heading">Aggregators allowed to sell {asset.asset_id}</h3>
      <ProblemMessage error={error} />
      {consents && consents.length === 0 && <p className="empty">None yet. Choose an aggregator below to let it offer this asset's flexibility.</p>}
      {consents && consents.length > 0 && (
        <ul>
          {consents.map((entry) => (
            <li key={entry.aggregator}>
              {nameOf(entry.aggregator)} ({shortKey(entry.aggregator)}), since {formatTime(entry.granted_at)}{" "}
              <button type="button" disabled={write.busy} onClick={() => consent(entry.aggregator, false)} aria-label={`Withdraw consent of ${nameOf(entry.aggregator)}`}>
                Withdraw
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="filters">
        <label htmlFor="consent-aggregator">Aggregator</label>
        <select id="consent-aggregator" value={chosen} onChange={(event) => setChosen(event.target.value)}>
          <option value="">choose…</option>
          {grantable.map((aggregator) => (
            <option key={aggregator.public_key} value={aggregator.public_key}>
              {aggregator.name} ({shortKey(aggregator.public_key)})
            </option>
          ))}
        </select>
        <button type="button" disabled={write.busy || !chosen} onClick={() => consent(chosen, true)}>
          Grant consent
        </button>
      </div>
      <Outcome write={write} />
    </section>
  );
}
