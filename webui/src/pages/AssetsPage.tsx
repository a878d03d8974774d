import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Field, invalidProps } from "../components/Field";
import { useWrite, useZones } from "../lib/forms";
import { api, type Session } from "../lib/api";
import { technologies, validateAsset, type AssetFormInput, type FieldErrors } from "../lib/assetForm";
import { canWrite } from "../lib/roles";
import { formatKilowatts, formatTime } from "../lib/format";
import { ProblemMessage } from "../components/ProblemMessage";

interface Asset {
  asset_id: string;
  name: string;
  technology: string;
  zone_id: string;
  owner: string;
  max_up_w: number;
  max_down_w: number;
  connection_w: number;
  storage_wh: number;
  metering_point_id: string;
  prequalification: { status: string; reason?: string; decided_at?: number };
}

const emptyForm: AssetFormInput = {
  assetId: "",
  name: "",
  technology: "ev_charger",
  zoneId: "",
  meteringPointId: "",
  subMeteringPointId: "",
  maxUpKw: "",
  maxDownKw: "",
  connectionKw: "",
  storageKwh: "0",
};

// The assets this session may see, searchable by name, asset id or (for read-all roles) the
// owner's company code; sellers register new ones here.
export function AssetsPage({ session }: { session: Session }) {
  const [search, setSearch] = useState("");
  const [assets, setAssets] = useState<Asset[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const latestRequest = useRef(0);
  const sells = canWrite(session.roles, session.can_sign) && session.roles.some((role) => role === "prosumer" || role === "aggregator");

  const load = useCallback(() => {
    const query = new URLSearchParams({ limit: "500" });
    if (search) query.set("q", search);
    const request = ++latestRequest.current;
    api.get<{ items: Asset[] }>(`/assets?${query}`).then(
      (page) => request === latestRequest.current && (setAssets(page.items), setError(null)),
      (failure) => request === latestRequest.current && setError(failure),
    );
  }, [search]);
  useEffect(load, [load]);

  return (
    <section aria-labelledby="assets-heading">
      <h1 id="assets-heading">Assets</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="asset-search">Search</label>
        <input id="asset-search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="name, asset id or company code" />
      </form>
      <ProblemMessage error={error} />
      {assets && assets.length === 0 && (
        <p className="empty">{sells ? "No assets yet. Register your first below." : "No assets to show."}</p>
      )}
      {assets && assets.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Asset</th>
              <th scope="col">Name</th>
              <th scope="col">Technology</th>
              <th scope="col">Zone</th>
              <th scope="col">Up</th>
              <th scope="col">Down</th>
              <th scope="col">Connection</th>
              <th scope="col">Prequalification</th>
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
                <td>
                  {asset.prequalification.status}
                  {asset.prequalification.reason && `: ${asset.prequalification.reason}`}
                  {asset.prequalification.decided_at !== undefined && ` (${formatTime(asset.prequalification.decided_at)})`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sells && <RegisterAsset onRegistered={load} />}
    </section>
  );
}

function RegisterAsset({ onRegistered }: { onRegistered: () => void }) {
  const [form, setForm] = useState<AssetFormInput>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const { zones, problem: zonesProblem } = useZones((zoneId) => setForm((current) => (current.zoneId ? current : { ...current, zoneId })));
  const write = useWrite();

  const field = (key: keyof AssetFormInput, label: string, extra: Record<string, string> = {}) => (
    <Field id={`asset-${key}`} label={label} error={errors[key]}>
      <input
        id={`asset-${key}`}
        value={form[key]}
        {...invalidProps(`asset-${key}`, errors[key])}
        onChange={(event) => setForm({ ...form, [key]: event.target.value })}
        {...extra}
      />
    </Field>
  );

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
      setForm({ ...emptyForm, zoneId: form.zoneId });
      onRegistered();
    }
  }

  return (
    <form className="register" onSubmit={submit} aria-labelledby="register-heading" noValidate>
      <h2 id="register-heading">Register an asset</h2>
      {zones.length === 0 && <p className="empty">No zone exists yet: a DSO creates the zones assets register in.</p>}
      {field("assetId", "Asset id", { placeholder: "e.g. my-ev-charger" })}
      {field("name", "Name")}
      <Field id="asset-technology" label="Technology">
        <select id="asset-technology" value={form.technology} onChange={(event) => setForm({ ...form, technology: event.target.value })}>
          {technologies.map((technology) => (
            <option key={technology} value={technology}>
              {technology}
            </option>
          ))}
        </select>
      </Field>
      <Field id="asset-zoneId" label="Zone" error={errors.zoneId}>
        <select id="asset-zoneId" value={form.zoneId} onChange={(event) => setForm({ ...form, zoneId: event.target.value })}>
          {zones.map((zone) => (
            <option key={zone.zone_id} value={zone.zone_id}>
              {zone.name} ({zone.zone_id})
            </option>
          ))}
        </select>
      </Field>
      {field("meteringPointId", "Metering point")}
      {field("subMeteringPointId", "Sub-meter (optional)")}
      {field("maxUpKw", "Max up (kW)", { inputMode: "decimal" })}
      {field("maxDownKw", "Max down (kW)", { inputMode: "decimal" })}
      {field("connectionKw", "Connection (kW)", { inputMode: "decimal" })}
      {field("storageKwh", "Storage (kWh)", { inputMode: "decimal" })}
      <button type="submit" disabled={write.busy}>
        {write.busy ? "Registering…" : "Register asset"}
      </button>
      <ProblemMessage error={write.problem ?? zonesProblem} />
      {write.done && (
        <p className="done" role="status">
          {write.done}
        </p>
      )}
    </form>
  );
}
