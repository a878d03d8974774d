import { useEffect, useState } from "react";
import type { Session } from "../lib/api";
import { clearNotifications, onNotificationsChanged, storedNotifications, type Notification } from "../lib/notifications";
import { useLedgerEvents } from "../lib/ledgerEvents";
import "../components/SettlementDetail.css";

const pageFor: Record<Notification["kind"], string> = { request: "#/offers", contract: "#/contracts", settlement: "#/settlements" };

// What the node's event stream announced this browser session, newest first: requests in
// my zones, contracts made, activated and settled, settlements, disputes and finality.
export function NotificationsPage({ session }: { session: Session }) {
  const [notifications, setNotifications] = useState(() => storedNotifications(session.participant));
  useEffect(() => onNotificationsChanged(() => setNotifications(storedNotifications(session.participant))), [session.participant]);
  const live = useLedgerEvents([], () => {});

  return (
    <section aria-labelledby="notifications-heading">
      <h1 id="notifications-heading">Notifications</h1>
      <p className="hint" data-testid="live">
        {live
          ? "Live. Collected on every page since you logged in, and kept until you close the tab."
          : "Connecting to the node's event stream…"}
      </p>
      {notifications.length === 0 ? (
        <p className="empty">Nothing yet. New requests in your zones, contracts, activations, settlements and disputes appear here as the node commits them.</p>
      ) : (
        <>
          <ol className="notification-list" aria-label="Notifications">
            {notifications.map((notification) => (
              <li key={notification.key} data-kind={notification.kind}>
                <a href={pageFor[notification.kind]}>{notification.text}</a> <span className="hint">(block {notification.height})</span>
              </li>
            ))}
          </ol>
          <button type="button" data-reads onClick={() => clearNotifications(session.participant)}>
            Clear notifications
          </button>
        </>
      )}
    </section>
  );
}
