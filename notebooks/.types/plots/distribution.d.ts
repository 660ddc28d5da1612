import type { TopLevelSpec } from "vega-lite";
import type { Labels } from "../metrics/index.ts";
/** A decision threshold to draw on a score axis. */
export interface NamedThreshold {
    name: string;
    value: number;
}
export interface ScoreDistributionOptions {
    thresholds?: readonly NamedThreshold[];
    /** Histogram bins over the score range (default 60). */
    bins?: number;
    title?: string;
    width?: number;
    height?: number;
}
declare const CLASSES: readonly ["target", "non-target"];
type TrialClass = (typeof CLASSES)[number];
export interface HistogramRow {
    class: TrialClass;
    start: number;
    end: number;
    /** Trials in the bin / (trials of the class · bin width): the classes compare despite their sizes. */
    density: number;
}
export interface DensityRow {
    class: TrialClass;
    score: number;
    density: number;
}
/** Per-class histogram densities on shared bins spanning [lower, upper]. */
export declare function histogram(values: Float64Array, lower: number, upper: number, bins: number): Float64Array;
/** Silverman's rule-of-thumb bandwidth, 0.9·min(sd, IQR/1.34)·n^(−1/5), robust to a skewed class. */
export declare function silvermanBandwidth(values: Float64Array): number;
/**
 * Gaussian kernel density on `grid` evenly spaced points over [lower, upper]: the values are first
 * linearly binned onto the grid, then convolved with the kernel cut at 4 bandwidths, so a million
 * scores cost O(n + grid · kernel width) instead of O(n · grid).
 */
export declare function kernelDensity(values: Float64Array, lower: number, upper: number, grid?: number): Float64Array;
/** What a score distribution plot draws: per-class histogram densities and kernel density lines. */
export interface ScoreDistributionData {
    histogram: HistogramRow[];
    density: DensityRow[];
    /** The score range the bins span. */
    lower: number;
    upper: number;
}
export declare function scoreDistributionData(scores: ArrayLike<number>, labels: Labels, bins?: number): ScoreDistributionData;
/**
 * Target and non-target score histograms (each normalised to unit area) with a kernel density line
 * per class, and a labelled vertical rule at each threshold.
 */
export declare function scoreDistributionSpec(scores: ArrayLike<number>, labels: Labels, { thresholds, bins, title, width, height }?: ScoreDistributionOptions): TopLevelSpec;
export {};
