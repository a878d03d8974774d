// The chain's genesis market parameters (GET /api/v1/params): fixed for the chain's life,
// so each page that needs them (ISP grid, activation gate) reads them once.
import { useEffect, useState } from "react";
import { api } from "./api";

export interface MarketParams {
  isp_seconds: number;
  activation_gate_seconds: number;
  currency: string;
}

export function useMarketParams(): { params: MarketParams | null; problem: unknown } {
  const [params, setParams] = useState<MarketParams | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  useEffect(() => {
    api.get<MarketParams>("/params").then(setParams, setProblem);
  }, []);
  return { params, problem };
}

// The browser's clock in UTC seconds, ticking, so gates and the earliest ISP move on screen.
export function useNow(tickMs = 5_000): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), tickMs);
    return () => clearInterval(timer);
  }, [tickMs]);
  return now;
}
