// The node's event stream (GET /api/v1/events, docs/API.md "Events"), opened once per logged-in
// tab by <LedgerEventsProvider> and shared by every page: a page names the event types that
// change what it shows and gets one coalesced reload per burst (and after every reconnect, to
// catch up on what was missed). Notifications are recorded here, whichever page is open, and
// an ended session goes back to the login.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { recordNotification, type LedgerEvent } from "./notifications";

const refreshDelayMs = 250;  // one reload for the many events a block may bring
const streamTypes = ["block", "asset", "offer", "request", "contract", "settlement"];
const notifyingTypes = ["request", "contract", "settlement"];

// "open" is a (re)connect; the others are the stream's event types.
type Listener = (type: string) => void;

interface Stream {
  subscribe: (listener: Listener) => () => void;
  live: boolean;
}

const StreamContext = createContext<Stream | null>(null);

export function LedgerEventsProvider(props: { participant: string; onSessionEnded: () => void; children: ReactNode }) {
  const { participant } = props;
  const [live, setLive] = useState(false);
  const listeners = useRef(new Set<Listener>());
  const sessionEndedRef = useRef(props.onSessionEnded);
  sessionEndedRef.current = props.onSessionEnded;

  useEffect(() => {
    const source = new EventSource("/api/v1/events");
    const emit = (type: string) => listeners.current.forEach((listener) => listener(type));
    source.addEventListener("open", () => {
      setLive(true);
      emit("open");
    });
    source.addEventListener("error", () => setLive(false));
    for (const type of streamTypes) {
      source.addEventListener(type, (message: MessageEvent<string>) => {
        if (notifyingTypes.includes(type)) recordNotification(participant, JSON.parse(message.data) as LedgerEvent);
        emit(type);
      });
    }
    source.addEventListener("session_ended", () => {
      source.close();
      setLive(false);
      sessionEndedRef.current();
    });
    return () => source.close();
  }, [participant]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
  return <StreamContext.Provider value={{ subscribe, live }}>{props.children}</StreamContext.Provider>;
}

// Calls `onChange` once per burst of events of `types` and after each reconnect; returns
// whether the stream is open. Outside a provider it never calls and reports not live.
export function useLedgerEvents(types: readonly string[], onChange: () => void): boolean {
  const stream = useContext(StreamContext);
  const subscribe = stream?.subscribe;
  const changeRef = useRef(onChange);
  changeRef.current = onChange;
  const typesKey = types.join(",");
  useEffect(() => {
    if (!subscribe) return;
    const wanted = typesKey.split(",");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribe((type) => {
      if (type !== "open" && !wanted.includes(type)) return;
      if (timer === undefined) timer = setTimeout(() => ((timer = undefined), changeRef.current()), refreshDelayMs);
    });
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [subscribe, typesKey]);
  return stream?.live ?? false;
}
