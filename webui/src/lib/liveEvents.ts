// A page that follows the node's event stream (GET /api/v1/events): the named record events
// reload it (coalesced: a block may bring many), and an ended session goes back to the login.
import { useEffect, useRef, useState } from "react";

const refreshDelayMs = 250;

export function useLiveReload(eventNames: readonly string[], reload: () => void, onSessionEnded: () => void): boolean {
  const [live, setLive] = useState(false);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  const sessionEndedRef = useRef(onSessionEnded);
  sessionEndedRef.current = onSessionEnded;
  const names = eventNames.join(",");
  useEffect(() => {
    const events = new EventSource("/api/v1/events");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      if (timer === undefined) timer = setTimeout(() => ((timer = undefined), reloadRef.current()), refreshDelayMs);
    };
    events.addEventListener("open", () => {
      setLive(true);
      refresh();  // after a reconnect, catch up on what was missed
    });
    events.addEventListener("error", () => setLive(false));
    for (const name of names.split(",")) events.addEventListener(name, refresh);
    events.addEventListener("session_ended", () => {
      events.close();
      sessionEndedRef.current();
    });
    return () => {
      events.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [names]);
  return live;
}
