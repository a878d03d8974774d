// Notifications from the node's event stream (docs/API.md, events): new requests in the
// viewer's zones, contracts made, activated and settled, settlements and disputes. Kept in
// sessionStorage, per participant, so they last as long as the browser tab's session.
import { formatEuros, formatKilowatts, formatTime } from "./format";

export interface LedgerEvent {
  type: string;
  id: string;
  height: number;
  record: Record<string, unknown>;
}

export interface Notification {
  key: string;  // one per record state, so a replayed event is not shown twice
  height: number;
  kind: "request" | "contract" | "settlement";
  subject: string;
  text: string;
}

const peak = (values: unknown) => (Array.isArray(values) ? values.reduce((highest: number, value) => Math.max(highest, Number(value)), 0) : 0);

// The notification an event brings to `participant`, or null when it is not news for it.
export function notificationFor(event: LedgerEvent, participant: string): Notification | null {
  const record = event.record;
  const base = { height: event.height, subject: event.id };
  if (event.type === "request") {
    // Only a request just posted by someone else: fills and cancellations are not news here.
    if (record.status !== "open" || record.created_height !== event.height || record.buyer === participant) return null;
    return {
      ...base,
      kind: "request",
      key: `request/${event.id}`,
      text: `New request ${event.id} in zone ${record.zone_id}: ${record.direction}, ${record.product}, up to ${formatKilowatts(peak(record.power_w))} from ${formatTime(Number(record.start))}`,
    };
  }
  if (event.type === "contract") {
    if (record.status === "settled") {
      return { ...base, kind: "contract", key: `contract/${event.id}/settled`, text: `Contract ${event.id} is settled` };
    }
    if (record.activated_w !== undefined) {
      const activated = peak(record.activated_w);
      return {
        ...base,
        kind: "contract",
        key: `contract/${event.id}/activated/${event.height}`,
        text: `Contract ${event.id} activated: up to ${formatKilowatts(activated)}`,
      };
    }
    return {
      ...base,
      kind: "contract",
      key: `contract/${event.id}/made`,
      text: `New contract ${event.id} in zone ${record.zone_id}: ${record.direction}, ${record.product}, escrow ${formatEuros(Number(record.escrow_micro))}`,
    };
  }
  if (event.type === "settlement") {
    const net = formatEuros(Number(record.net_micro));
    const version = Number(record.version);
    const dispute = record.dispute as { reason?: string; resolution?: string } | undefined;
    if (record.status === "disputed") {
      return { ...base, kind: "settlement", key: `settlement/${event.id}/disputed`, text: `Settlement of ${event.id} disputed: ${dispute?.reason ?? ""}` };
    }
    if (record.status === "final") {
      const how = dispute?.resolution ? ` (dispute resolved: ${dispute.resolution})` : "";
      return { ...base, kind: "settlement", key: `settlement/${event.id}/final`, text: `Settlement of ${event.id} is final: net ${net}${how}` };
    }
    return {
      ...base,
      kind: "settlement",
      key: `settlement/${event.id}/v${version}`,
      text: version === 1 ? `Contract ${event.id} settled: net ${net} (provisional)` : `Settlement of ${event.id} revised (version ${version}): net ${net}`,
    };
  }
  return null;
}

const maxKept = 200;
const storageKey = (participant: string) => `flexledger.notifications.${participant}`;
const listeners = new Set<() => void>();

export function storedNotifications(participant: string): Notification[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(storageKey(participant)) ?? "[]");
    return Array.isArray(parsed) ? (parsed as Notification[]) : [];
  } catch {
    return [];
  }
}

// Newest first: a newer block first, and within a block the later event first.
export function addNotification(list: Notification[], notification: Notification): Notification[] {
  if (list.some((kept) => kept.key === notification.key)) return list;
  return [notification, ...list].sort((a, b) => b.height - a.height).slice(0, maxKept);
}

export function recordNotification(participant: string, event: LedgerEvent): void {
  const notification = notificationFor(event, participant);
  if (!notification) return;
  const before = storedNotifications(participant);
  const after = addNotification(before, notification);
  if (after === before) return;
  sessionStorage.setItem(storageKey(participant), JSON.stringify(after));
  listeners.forEach((listener) => listener());
}

export function clearNotifications(participant: string): void {
  sessionStorage.removeItem(storageKey(participant));
  listeners.forEach((listener) => listener());
}

export function onNotificationsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
