/**
 * Indices of the points worth drawing on a curve given by coordinate arrays of equal length: the
 * first, the last, and every point that lies more than `step` (in every coordinate's units, Chebyshev
 * distance) from the last point kept. On a monotone curve (DET, ROC, error rates against threshold)
 * each dropped point lies between two kept ones and within `step` of the drawn polyline, so the
 * shape survives while a million-trial curve shrinks to what a screen can show.
 */
export declare function decimate(coordinates: readonly ArrayLike<number>[], step: number): number[];
/** probit(p), clamped to [lower, upper] so rates 0 and 1 (probit ±inf) stay drawable off-axis. */
export declare function clampedProbit(p: number, lower: number, upper: number): number;
/** A rate as a short percentage label: 0.001 -> "0.1", 0.4 -> "40". */
export declare function percentLabel(rate: number): string;
/** Rounds for compact inline data: figures need no more than 6 significant digits. */
export declare function round6(value: number): number;
