// The node's event stream (GET /api/v1/events, docs/API.md "Events") for a page that lists
// ledger records: the named events, coalesced, call `onChange`; so does every (re)connect,
// to catch up on what was missed. Returns whether the stream is open.
import { useEffect, useRef, useState } from "react";

const refreshDelayMs = 250;  // one reload for the many events a block may bring

export function useLedgerEvents(eventTypes: readonly string[], onChange: () => void, onSessionEnded: () => void): boolean {
  const [live, setLive] = useState(false);
  const changeRef = useRef(onChange);
  changeRef.current = onChange;
  const sessionEndedRef = useRef(onSessionEnded);
  sessionEndedRef.current = onSessionEnded;
  const typesKey = eventTypes.join(",");
  useEffect(() => {
    const events = new EventSource("/api/v1/events");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      if (timer === undefined) timer = setTimeout(() => ((timer = undefined), changeRef.current()), refreshDelayMs);
    };
    events.addEventListener("open", () => {
      setLive(true);
      refresh();
    });
    events.addEventListener("error", () => setLive(false));
    for (const type of typesKey.split(",")) events.addEventListener(type, refresh);
    events.addEventListener("session_ended", () => {
      events.close();
      sessionEndedRef.current();
    });
    return () => {
      events.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [typesKey]);
  return live;
}
