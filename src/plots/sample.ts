import { probit } from "../metrics/index.ts";

/**
 * Indices of the points worth drawing on a curve given by coordinate arrays of equal length: the
 * first, the last, and every point that lies more than `step` (in every coordinate's units, Chebyshev
 * distance) from the last point kept. On a monotone curve (DET, ROC, error rates against threshold)
 * each dropped point lies between two kept ones and within `step` of the drawn polyline, so the
 * shape survives while a million-trial curve shrinks to what a screen can show.
 */
export function decimate(coordinates: readonly ArrayLike<number>[], step: number): number[] {
  const count = coordinates[0]?.length ?? 0;
  if (count === 0) return [];
  const kept = [0];
  let last = 0;
  for (let i = 1; i < count - 1; i++) {
    if (coordinates.some((axis) => Math.abs(axis[i] - axis[last]) > step)) {
      kept.push(i);
      last = i;
    }
  }
  if (count > 1) kept.push(count - 1);
  return kept;
}

/** probit(p), clamped to [lower, upper] so rates 0 and 1 (probit ±inf) stay drawable off-axis. */
export function clampedProbit(p: number, lower: number, upper: number): number {
  return Math.min(upper, Math.max(lower, probit(p)));
}

/** A rate as a short percentage label: 0.001 -> "0.1", 0.4 -> "40". */
export function percentLabel(rate: number): string {
  return String(Number((rate * 100).toPrecision(4)));
}

/** Rounds for compact inline data: figures need no more than 6 significant digits. */
export function round6(value: number): number {
  return Number(value.toPrecision(6));
}
