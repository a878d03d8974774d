// A uPlot line chart over UTC seconds (shown in the browser's time zone). Values are scaled
// for drawing only; the page's table holds the exact figures.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./TimeSeriesChart.css";
import { timeAxisLabel } from "../lib/format";

export interface ChartLine {
  label: string;
  values: (number | null)[];
  colour: string;
}

const height = 240;

export function TimeSeriesChart({ title, x, lines, unit, stepped = false }: { title: string; x: number[]; lines: ChartLine[]; unit: string; stepped?: boolean }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element || x.length === 0) return;
    // alignGaps 1: a step runs up to the gap that follows it.
    const steps = stepped ? uPlot.paths.stepped!({ align: 1, alignGaps: 1 }) : undefined;
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 280),
        height,
        scales: { x: { time: true } },
        axes: [{ label: timeAxisLabel() }, { label: unit, size: 70 }],
        series: [{}, ...lines.map((line) => ({ label: line.label, stroke: line.colour, width: 2, paths: steps, spanGaps: false }))],
      },
      [x, ...lines.map((line) => line.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 280), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [x, lines, unit, stepped]);
  return (
    <figure className="time-series-chart">
      <figcaption>{title}</figcaption>
      <div ref={container} role="img" aria-label={`${title} (chart over ${timeAxisLabel()}; the table below has the same figures)`} />
    </figure>
  );
}
