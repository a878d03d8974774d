import type { ZoneRecord } from "../lib/zones";

// A labelled zone chooser; `allLabel` adds a first option "" for every zone.
export function ZoneSelect({ id, zones, value, onChange, allLabel }: { id: string; zones: readonly ZoneRecord[]; value: string; onChange: (zoneId: string) => void; allLabel?: string }) {
  return (
    <>
      <label htmlFor={id}>Zone</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {allLabel !== undefined && <option value="">{allLabel}</option>}
        {zones.map((zone) => (
          <option key={zone.zone_id} value={zone.zone_id}>
            {zone.name} ({zone.zone_id})
          </option>
        ))}
      </select>
    </>
  );
}
