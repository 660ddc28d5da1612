import type { TopLevelSpec } from "vega-lite";
import { detTicks, probit } from "../metrics/index.ts";
import { clampedProbit, decimate, percentLabel, round6 } from "./sample.ts";

/**
 * One system's error trade-off to draw: its operating points as rates (e.g. `{ name, ...detCurve(groups) }`),
 * and its EER to mark.
 */
export interface CurveInput {
  name: string;
  pfa: ArrayLike<number>;
  pmiss: ArrayLike<number>;
  eer?: number;
}

export interface DetPlotOptions {
  /** Mark each curve's EER point (default true; curves without `eer` get none). */
  eerPoints?: boolean;
  title?: string;
  width?: number;
  height?: number;
}

/** Rows of the inline datasets, exported so tests and other figures can read the plotted values. */
export interface CurvePointRow {
  curve: string;
  order: number;
  x: number;
  y: number;
  pfa: number;
  pmiss: number;
}

export interface EerPointRow {
  curve: string;
  eer: number;
  x: number;
  y: number;
}

/** The highest rate on both DET axes: beyond 50 % a system is worse than chance. */
const DET_TOP = 0.5;
/** How far past the axes rates 0 and 1 are drawn (in normal deviates) before the clip cuts them. */
const DET_OVERHANG = 1;
/** Drop points that move less than this on the probit axes (about 1 px on a 360 px plot). */
const DET_STEP = 0.01;

/** The largest trial count that the curves' smallest non-zero rate implies (1 / rate). */
function resolvedTrials(rates: ArrayLike<number>[]): number {
  let smallest = 1;
  for (const values of rates) for (let i = 0; i < values.length; i++) if (values[i] > 0) smallest = Math.min(smallest, values[i]);
  return Math.round(1 / smallest);
}

/** A legend label that carries the EER, so overlaid systems compare at a glance. */
function curveLabel(curve: CurveInput): string {
  return curve.eer === undefined ? curve.name : `${curve.name} (EER ${percentLabel(curve.eer)} %)`;
}

/** A vega expression mapping each tick position to its label (axis values are probit positions). */
function tickLabelExpr(ticks: readonly number[]): string {
  return ticks.reduceRight(
    (otherwise, tick) => `abs(datum.value - ${probit(tick)}) < 1e-9 ? '${percentLabel(tick)}' : ${otherwise}`,
    "''",
  );
}

function probitAxis(title: string, ticks: readonly number[], crowded = false) {
  return {
    title,
    // The 0.01 %–0.05 % ticks sit close together: slant them so their labels do not touch.
    ...(crowded ? { labelAngle: -40, labelAlign: "right" as const } : {}),
    values: ticks.map(probit),
    // Vega thins explicit tick values down to tickCount, so ask for all of them.
    tickCount: ticks.length,
    labelExpr: tickLabelExpr(ticks),
    // Every tick is labelled: the probit scale is unreadable with labels dropped.
    labelOverlap: false,
    labelFlush: false,
    labelFontSize: 9,
    grid: true,
  };
}

/** What a DET plot draws, in probit units: shared by the vega-lite figure and the interactive one. */
export interface DetPlotData {
  points: CurvePointRow[];
  eers: EerPointRow[];
  /** Tick rates of the Pfa (x) and Pmiss (y) axes. */
  pfaTicks: number[];
  pmissTicks: number[];
  xDomain: [number, number];
  yDomain: [number, number];
  /** The Pmiss = Pfa line across the plot. */
  diagonal: { x: number; y: number }[];
}

/**
 * A DET plot's data: probit(Pfa), probit(Pmiss) of each curve, decimated to what the plot can
 * show, with rates 0 and 1 (probit ±inf) clamped just past the axes; ticks at 0.1 %–40 %
 * (0.01 %–0.05 % too where the curves resolve such rates).
 */
export function detPlotData(curves: readonly CurveInput[], eerPoints = true): DetPlotData {
  const pfaTicks = detTicks(resolvedTrials(curves.map((c) => c.pfa)));
  const pmissTicks = detTicks(resolvedTrials(curves.map((c) => c.pmiss)));
  const xDomain: [number, number] = [probit(pfaTicks[0]), probit(DET_TOP)];
  const yDomain: [number, number] = [probit(pmissTicks[0]), probit(DET_TOP)];

  const points: CurvePointRow[] = [];
  for (const curve of curves) {
    const xs = Array.from(curve.pfa, (p) => clampedProbit(p, xDomain[0] - DET_OVERHANG, xDomain[1] + DET_OVERHANG));
    const ys = Array.from(curve.pmiss, (p) => clampedProbit(p, yDomain[0] - DET_OVERHANG, yDomain[1] + DET_OVERHANG));
    const label = curveLabel(curve);
    decimate([xs, ys], DET_STEP).forEach((i, order) => {
      points.push({ curve: label, order, x: round6(xs[i]), y: round6(ys[i]), pfa: curve.pfa[i], pmiss: curve.pmiss[i] });
    });
  }
  const eers: EerPointRow[] = [];
  for (const curve of curves) {
    if (eerPoints && curve.eer !== undefined) eers.push({ curve: curveLabel(curve), eer: curve.eer, x: probit(curve.eer), y: probit(curve.eer) });
  }
  const low = Math.min(xDomain[0], yDomain[0]);
  return { points, eers, pfaTicks, pmissTicks, xDomain, yDomain, diagonal: [{ x: low, y: low }, { x: probit(DET_TOP), y: probit(DET_TOP) }] };
}

/**
 * A DET plot: Pmiss against Pfa on normal-deviate (probit) axes, drawn as probit values on linear
 * axes (see `detPlotData`). Several curves overlay for comparisons; each EER point is marked; the
 * dashed diagonal is Pmiss = Pfa.
 */
export function detPlotSpec(curves: readonly CurveInput[], { eerPoints = true, title, width = 400, height = 400 }: DetPlotOptions = {}): TopLevelSpec {
  const { points, eers, pfaTicks, pmissTicks, xDomain, yDomain, diagonal } = detPlotData(curves, eerPoints);
  const x = { field: "x", type: "quantitative" as const, scale: { domain: xDomain, nice: false, zero: false } };
  const y = { field: "y", type: "quantitative" as const, scale: { domain: yDomain, nice: false, zero: false } };
  const color = { field: "curve", type: "nominal" as const, title: null, legend: { orient: "bottom-left" as const, labelLimit: 320 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(title === undefined ? {} : { title }),
    width,
    height,
    datasets: { curves: points, eer: eers, diagonal },
    layer: [
      {
        data: { name: "diagonal" },
        mark: { type: "line", clip: true, color: "#999", strokeDash: [4, 4], strokeWidth: 1 },
        encoding: { x: { ...x, axis: probitAxis("False alarm rate (%)", pfaTicks, pfaTicks[0] < 0.001) }, y: { ...y, axis: probitAxis("Miss rate (%)", pmissTicks) } },
      },
      {
        data: { name: "curves" },
        mark: { type: "line", clip: true, strokeWidth: 2 },
        encoding: {
          x,
          y,
          color,
          order: { field: "order", type: "quantitative" },
          tooltip: [{ field: "curve" }, { field: "pfa", format: ".4%" }, { field: "pmiss", format: ".4%" }],
        },
      },
      {
        data: { name: "eer" },
        mark: { type: "point", shape: "diamond", filled: true, size: 90, clip: true, stroke: "black", strokeWidth: 1 },
        encoding: { x, y, color, tooltip: [{ field: "curve" }, { field: "eer", title: "EER", format: ".3%" }] },
      },
    ],
  };
}

export interface RocPlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** Drop ROC points that move less than this (rates; about 1 px on a 360 px plot). */
const ROC_STEP = 0.003;

/**
 * A ROC plot: true-accept rate (1 − Pmiss) against false-accept rate on linear axes, curves
 * overlaid, with the chance diagonal.
 */
export function rocSpec(curves: readonly CurveInput[], { title, width = 360, height = 360 }: RocPlotOptions = {}): TopLevelSpec {
  const points: CurvePointRow[] = [];
  for (const curve of curves) {
    const tar = Array.from(curve.pmiss, (p) => 1 - p);
    const label = curveLabel(curve);
    decimate([curve.pfa, tar], ROC_STEP).forEach((i, order) => {
      points.push({ curve: label, order, x: round6(curve.pfa[i]), y: round6(tar[i]), pfa: curve.pfa[i], pmiss: curve.pmiss[i] });
    });
  }
  const unit = { domain: [0, 1], nice: false };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(title === undefined ? {} : { title }),
    width,
    height,
    datasets: { curves: points, diagonal: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
    layer: [
      {
        data: { name: "diagonal" },
        mark: { type: "line", color: "#999", strokeDash: [4, 4], strokeWidth: 1 },
        encoding: {
          x: { field: "x", type: "quantitative", scale: unit, axis: { title: "False accept rate", format: "%", labelFlush: false } },
          y: { field: "y", type: "quantitative", scale: unit, axis: { title: "True accept rate (1 − miss rate)", format: "%" } },
        },
      },
      {
        data: { name: "curves" },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "x", type: "quantitative", scale: unit },
          y: { field: "y", type: "quantitative", scale: unit },
          color: { field: "curve", type: "nominal", title: null, legend: { orient: "bottom-right", labelLimit: 320 } },
          order: { field: "order", type: "quantitative" },
          tooltip: [{ field: "curve" }, { field: "pfa", format: ".4%" }, { field: "pmiss", format: ".4%" }],
        },
      },
    ],
  };
}
