import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { DeliverySeries } from "../lib/settlement";
import { formatKilowatts, timeAxisLabel } from "../lib/format";

// Metered power against the baseline and the ordered target, one step per ISP (uPlot draws
// the values; the numbers people rely on are in the table next to it).
export function DeliveryChart({ series, label }: { series: DeliverySeries; label: string }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element || series.time.length === 0) return;
    const steps = uPlot.paths.stepped!({ align: 1 });
    const power = (value: number | null) => (value === null ? "no data" : formatKilowatts(Math.round(value)));
    const width = () => Math.max(280, Math.min(element.clientWidth || 640, 960));
    const chart = new uPlot(
      {
        width: width(),
        height: 280,
        scales: { x: { time: true } },
        axes: [{ label: timeAxisLabel() }, { label: "kW", values: (_, ticks) => ticks.map((tick) => String(tick / 1000)) }],
        series: [
          {},
          { label: "Metered", stroke: "#12384f", width: 2, paths: steps, value: (_, value) => power(value) },
          { label: "Baseline", stroke: "#8a6d00", width: 2, dash: [6, 4], paths: steps, value: (_, value) => power(value) },
          { label: "Ordered target", stroke: "#1c7e3a", width: 2, dash: [2, 3], paths: steps, value: (_, value) => power(value) },
        ],
      },
      [series.time, series.metered, series.baseline, series.target],
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: 280 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [series]);

  return <div ref={container} className="delivery-chart" role="img" aria-label={`${label}, over ${timeAxisLabel()}`} data-testid="delivery-chart" />;
}
