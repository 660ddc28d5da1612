import type { TopLevelSpec } from "vega-lite";
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
    diagonal: {
        x: number;
        y: number;
    }[];
}
/**
 * A DET plot's data: probit(Pfa), probit(Pmiss) of each curve, decimated to what the plot can
 * show, with rates 0 and 1 (probit ±inf) clamped just past the axes; ticks at 0.1 %–40 %
 * (0.01 %–0.05 % too where the curves resolve such rates).
 */
export declare function detPlotData(curves: readonly CurveInput[], eerPoints?: boolean): DetPlotData;
/**
 * A DET plot: Pmiss against Pfa on normal-deviate (probit) axes, drawn as probit values on linear
 * axes (see `detPlotData`). Several curves overlay for comparisons; each EER point is marked; the
 * dashed diagonal is Pmiss = Pfa.
 */
export declare function detPlotSpec(curves: readonly CurveInput[], { eerPoints, title, width, height }?: DetPlotOptions): TopLevelSpec;
export interface RocPlotOptions {
    title?: string;
    width?: number;
    height?: number;
}
/**
 * A ROC plot: true-accept rate (1 − Pmiss) against false-accept rate on linear axes, curves
 * overlaid, with the chance diagonal.
 */
export declare function rocSpec(curves: readonly CurveInput[], { title, width, height }?: RocPlotOptions): TopLevelSpec;
