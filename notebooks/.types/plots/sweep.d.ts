import type { TopLevelSpec } from "vega-lite";
import { type DcfCost, type Labels } from "../metrics/index.ts";
export interface ThresholdSweepOptions {
    /** The DCFs to draw, normalised (default P_target 0.01 and 0.05, unit costs). */
    costs?: readonly DcfCost[];
    title?: string;
    width?: number;
    height?: number;
}
export interface SweepRow {
    series: string;
    threshold: number;
    value: number;
}
/**
 * Miss rate, false-alarm rate and normalised DCFs at the operating points (accept score >= t), in
 * long form (one row per series and threshold), decimated to what a plot can show.
 */
export declare function thresholdSweepData(scores: ArrayLike<number>, labels: Labels, costs?: readonly DcfCost[]): SweepRow[];
/**
 * Miss rate, false-alarm rate and normalised DCFs against the decision threshold. The y axis stops
 * at 1: a normalised DCF above 1 is worse than rejecting everything.
 */
export declare function thresholdSweepSpec(scores: ArrayLike<number>, labels: Labels, { costs, title, width, height }?: ThresholdSweepOptions): TopLevelSpec;
