// What the dashboard's write forms share: the zones to choose from, and one write at a time
// with its outcome (a problem with the node's code, or a line saying what was done).
import { useEffect, useState } from "react";
import { api } from "./api";

export interface Zone {
  zone_id: string;
  name: string;
}

// Every zone (zones are public), and a setter called with the first when there is one.
export function useZones(onFirst: (zoneId: string) => void): { zones: Zone[]; problem: unknown } {
  const [zones, setZones] = useState<Zone[]>([]);
  const [problem, setProblem] = useState<unknown>(null);
  useEffect(() => {
    api.get<{ items: Zone[] }>("/zones?limit=500").then((page) => {
      setZones(page.items);
      if (page.items.length > 0) onFirst(page.items[0].zone_id);
    }, setProblem);
    // once per form: onFirst only seeds the initial choice
  }, []);
  return { zones, problem };
}

export function useWrite() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState("");
  // Runs `write`, which returns the line to show when it succeeded.
  async function run(write: () => Promise<string>): Promise<boolean> {
    setBusy(true);
    setProblem(null);
    setDone("");
    try {
      setDone(await write());
      return true;
    } catch (failure) {
      setProblem(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, done, run, reset: () => (setProblem(null), setDone("")) };
}
