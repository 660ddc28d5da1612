import { probit } from "../metrics/index.ts";
import type { DetPlotData, ScoreDistributionData, SweepRow } from "../plots/index.ts";
import { percentLabel } from "../plots/sample.ts";

/** A plotly.js figure as `Plotly.newPlot(div, data, layout)` takes it (plain JSON). */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** Plotly reads trace names and labels as a small HTML subset: escape them so names show as written. */
function plotlyText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const BASE_LAYOUT = { margin: { l: 60, r: 20, t: 20, b: 50 }, hovermode: "closest", legend: { bgcolor: "rgba(255,255,255,0.8)" } };

function groupBy<T, K extends keyof T>(rows: readonly T[], key: K): Map<T[K], T[]> {
  const groups = new Map<T[K], T[]>();
  for (const r of rows) {
    const list = groups.get(r[key]);
    if (list === undefined) groups.set(r[key], [r]);
    else list.push(r);
  }
  return groups;
}

function probitAxis(title: string, ticks: readonly number[], domain: readonly number[]) {
  return { title: { text: title }, tickvals: ticks.map(probit), ticktext: ticks.map(percentLabel), range: domain, zeroline: false };
}

/** The DET plot of `detPlotData`, zoomable, with the rates under the pointer. */
export function plotlyDet(det: DetPlotData): PlotlyFigure {
  const data: Record<string, unknown>[] = [
    { type: "scatter", mode: "lines", x: det.diagonal.map((d) => d.x), y: det.diagonal.map((d) => d.y), line: { color: "#999", dash: "dash", width: 1 }, hoverinfo: "skip", showlegend: false },
  ];
  for (const [curve, rows] of groupBy(det.points, "curve")) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: plotlyText(curve),
      x: rows.map((r) => r.x),
      y: rows.map((r) => r.y),
      customdata: rows.map((r) => [r.pfa, r.pmiss]),
      hovertemplate: "Pfa %{customdata[0]:.3%}<br>Pmiss %{customdata[1]:.3%}",
    });
  }
  data.push({
    type: "scatter",
    mode: "markers",
    name: "EER",
    x: det.eers.map((e) => e.x),
    y: det.eers.map((e) => e.y),
    text: det.eers.map((e) => plotlyText(e.curve)),
    customdata: det.eers.map((e) => e.eer),
    marker: { symbol: "diamond", size: 10, color: "black" },
    hovertemplate: "%{text}<br>EER %{customdata:.3%}<extra></extra>",
  });
  return {
    data,
    layout: { ...BASE_LAYOUT, xaxis: probitAxis("False alarm rate (%)", det.pfaTicks, det.xDomain), yaxis: probitAxis("Miss rate (%)", det.pmissTicks, det.yDomain) },
  };
}

/** Error rates and DCFs against the threshold, as steps. */
export function plotlyThresholdSweep(rows: readonly SweepRow[]): PlotlyFigure {
  const data = [...groupBy(rows, "series")].map(([series, points]) => ({
    type: "scatter",
    mode: "lines",
    name: plotlyText(series),
    x: points.map((p) => p.threshold),
    y: points.map((p) => p.value),
    line: { shape: "hv" },
  }));
  return {
    data,
    layout: { ...BASE_LAYOUT, hovermode: "x unified", xaxis: { title: { text: "Threshold (accept score ≥ t)" } }, yaxis: { title: { text: "Rate / normalised DCF" }, range: [0, 1] } },
  };
}

const CLASS_COLORS: Record<string, string> = { target: "#1f77b4", "non-target": "#d62728" };

/** Per-class histograms and density lines; thresholds as labelled vertical lines. */
export function plotlyScoreDistribution(dist: ScoreDistributionData, thresholds: readonly { name: string; value: number }[]): PlotlyFigure {
  const data: Record<string, unknown>[] = [];
  for (const [name, bins] of groupBy(dist.histogram, "class")) {
    data.push({
      type: "bar",
      name,
      x: bins.map((b) => (b.start + b.end) / 2),
      y: bins.map((b) => b.density),
      width: bins.map((b) => b.end - b.start),
      marker: { color: CLASS_COLORS[name], opacity: 0.35 },
    });
  }
  for (const [name, points] of groupBy(dist.density, "class")) {
    data.push({ type: "scatter", mode: "lines", name: `${name} density`, x: points.map((p) => p.score), y: points.map((p) => p.density), line: { color: CLASS_COLORS[name] } });
  }
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      barmode: "overlay",
      xaxis: { title: { text: "Score" } },
      yaxis: { title: { text: "Density" } },
      shapes: thresholds.map((t) => ({ type: "line", xref: "x", yref: "paper", x0: t.value, x1: t.value, y0: 0, y1: 1, line: { dash: "dash", color: "black", width: 1 } })),
      annotations: thresholds.map((t) => ({ x: t.value, y: 1, xref: "x", yref: "paper", text: plotlyText(t.name), textangle: -90, xanchor: "right", yanchor: "top", showarrow: false })),
    },
  };
}
