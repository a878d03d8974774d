import { useEffect, useState, type FormEvent } from "react";
import { Field, invalidProps } from "../components/Field";
import { useWrite, useZones } from "../lib/forms";
import { api } from "../lib/api";
import { baselineMethods, gridName, products, validateOffer, type OfferErrors, type OfferFormInput } from "../lib/offerForm";
import { useMarketParams } from "../lib/useMarketParams";
import { ProblemMessage } from "../components/ProblemMessage";

interface Asset {
  asset_id: string;
  name: string;
}

function today(offsetDays: number): string {
  const day = new Date(Date.now() + offsetDays * 86_400_000);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
}

const blank = (): OfferFormInput => ({
  offerId: "",
  zoneId: "",
  assetIds: [],
  direction: "up",
  product: "energy",
  dateFrom: today(1),
  timeFrom: "17:00",
  dateTo: today(1),
  timeTo: "18:00",
  powerKw: "",
  activationEurPerMwh: "",
  availabilityEurPerMwH: "",
  minActivationPercent: "100",
  expiresMinutesBefore: "60",
  baselineMethod: "meter_before_after",
});

// A seller lists flexibility: which of its prequalified assets, when, how much, at what price.
export function NewOfferForm({ onListed }: { onListed: () => void }) {
  const [form, setForm] = useState<OfferFormInput>(blank);
  const [errors, setErrors] = useState<OfferErrors>({});
  const [assetsProblem, setAssetsProblem] = useState<unknown>(null);
  const [assets, setAssets] = useState<Asset[]>([]);
  const { zones, problem: zonesProblem } = useZones((zoneId) => setForm((current) => (current.zoneId ? current : { ...current, zoneId })));
  const write = useWrite();
  const { params, problem: paramsProblem } = useMarketParams();

  useEffect(() => {
    if (!form.zoneId) return;
    api.get<{ items: Asset[] }>(`/assets?zone_id=${encodeURIComponent(form.zoneId)}&prequalification=qualified&limit=500`).then(
      (page) => setAssets(page.items),
      setAssetsProblem,
    );
  }, [form.zoneId]);

  const set = (changes: Partial<OfferFormInput>) => setForm((current) => ({ ...current, ...changes }));
  const error = (key: keyof OfferFormInput) => errors[key] && <span className="field-error">{errors[key]}</span>;
  const text = (key: keyof OfferFormInput, label: string, type = "text") => (
    <Field id={`offer-${key}`} label={label} error={errors[key]}>
      <input
        id={`offer-${key}`}
        type={type}
        value={form[key] as string}
        inputMode={type === "text" && key !== "offerId" ? "decimal" : undefined}
        {...invalidProps(`offer-${key}`, errors[key])}
        onChange={(event) => set({ [key]: event.target.value })}
      />
    </Field>
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    write.reset();
    if (!params) return;
    const { payload, errors: found } = validateOffer(form, params.isp_seconds, Math.floor(Date.now() / 1000));
    setErrors(found);
    if (!payload) return;
    const listed = await write.run(async () => {
      await api.post("/offers", payload);
      return `Offer ${payload.offer_id} listed.`;
    });
    if (listed) {
      setForm({ ...blank(), zoneId: form.zoneId });
      onListed();
    }
  }

  return (
    <form className="register" onSubmit={submit} aria-labelledby="new-offer-heading" noValidate>
      <h2 id="new-offer-heading">New offer</h2>
      {text("offerId", "Offer id")}
      <div className="field">
        <label htmlFor="offer-zoneId">Zone</label>
        <select id="offer-zoneId" value={form.zoneId} onChange={(event) => set({ zoneId: event.target.value, assetIds: [] })}>
          {zones.map((zone) => (
            <option key={zone.zone_id} value={zone.zone_id}>
              {zone.name} ({zone.zone_id})
            </option>
          ))}
        </select>
        {error("zoneId")}
      </div>
      <fieldset className="field">
        <legend>Assets (prequalified, in this zone)</legend>
        {assets.length === 0 && <span className="hint">None yet: register an asset and have the DSO prequalify it.</span>}
        {assets.map((asset) => (
          <label key={asset.asset_id}>
            <input
              type="checkbox"
              checked={form.assetIds.includes(asset.asset_id)}
              onChange={(event) =>
                set({
                  assetIds: event.target.checked
                    ? [...form.assetIds, asset.asset_id]
                    : form.assetIds.filter((id) => id !== asset.asset_id),
                })
              }
            />{" "}
            {asset.name} ({asset.asset_id})
          </label>
        ))}
        {error("assetIds")}
      </fieldset>
      <div className="field">
        <label htmlFor="offer-direction">Direction</label>
        <select id="offer-direction" value={form.direction} onChange={(event) => set({ direction: event.target.value })}>
          <option value="up">up (more export / less import)</option>
          <option value="down">down (less export / more import)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="offer-product">Product</label>
        <select
          id="offer-product"
          value={form.product}
          onChange={(event) =>
            set({ product: event.target.value, baselineMethod: event.target.value === "capacity_limitation" ? "none" : "meter_before_after" })
          }
        >
          {products.map((product) => (
            <option key={product} value={product}>
              {product}
            </option>
          ))}
        </select>
      </div>
      {text("dateFrom", "From date", "date")}
      {text("timeFrom", "From time", "time")}
      {text("dateTo", "To date", "date")}
      {text("timeTo", "To time", "time")}
      {text("powerKw", "Power (kW)")}
      {form.product !== "capacity_limitation" && text("activationEurPerMwh", "Activation price (EUR/MWh)")}
      {form.product !== "energy" && text("availabilityEurPerMwH", "Availability price (EUR/MW/h)")}
      {text("minActivationPercent", "Minimum activation (%)")}
      {text("expiresMinutesBefore", "Expires (minutes before start)")}
      <div className="field">
        <label htmlFor="offer-baselineMethod">Baseline</label>
        <select id="offer-baselineMethod" value={form.baselineMethod} onChange={(event) => set({ baselineMethod: event.target.value })}>
          {(form.product === "capacity_limitation" ? ["none"] : baselineMethods).map((method) => (
            <option key={method} value={method}>
              {method}
            </option>
          ))}
        </select>
        {error("baselineMethod")}
      </div>
      <p className="hint">
        Times are in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone})
        {params ? `, on the market's ${gridName(params.isp_seconds)} grid.` : "; reading the market's interval length…"}
      </p>
      <button type="submit" disabled={write.busy || !params}>
        {write.busy ? "Listing…" : "List offer"}
      </button>
      <ProblemMessage error={write.problem ?? zonesProblem ?? assetsProblem ?? paramsProblem} />
      {write.done && (
        <p className="done" role="status">
          {write.done}
        </p>
      )}
    </form>
  );
}
