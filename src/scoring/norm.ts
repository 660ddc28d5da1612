// Score normalisation against a cohort (impostor embeddings): symmetric s-norm and adaptive s-norm.
//
// Each enroll side e and test utterance t is scored against the cohort once (cosine = dot product of
// length-normalised embeddings, a matrix product row by row); the mean μ and standard deviation σ of
// those cohort scores (all of them for s-norm, the top k for AS-norm) normalise every trial using it:
//   s' = ½ · ((s − μ_e)/σ_e + (s − μ_t)/σ_t)
// References (ANCHORS.md §3 "Score normalization as used"):
// - SpeechBrain recipes/VoxCeleb/SpeakerRec/speaker_verification_cosine.py: cosine against training
//   utterance embeddings, `torch.topk(..., k=cohort_size)` (20000 by default), `torch.std`, which is the
//   UNBIASED estimator (divides by n − 1). This is VoxLab's default (`std: "unbiased"`).
// - WeSpeaker wespeaker/bin/score_norm.py: embeddings and cohort length-normalised (after subtracting a
//   mean vector, see `centerEmbedding`), top_n highest scores per row (300 in the VoxCeleb run.sh, the
//   whole cohort for s-norm), `np.std`, which is the BIASED (population) estimator (divides by n):
//   pass `std: "biased"`.
import type { Trial } from "../datasets/trial-lists.ts";
import { VoxlabError } from "../core/errors.ts";
import { directionalNorm, unitVector, type Vector } from "../core/vector.ts";
import type { TrialEmbeddings } from "./score-trials.ts";

/** `unbiased`: divide by n − 1 (torch.std, SpeechBrain); `biased`: divide by n (np.std, WeSpeaker). */
export type StdEstimator = "unbiased" | "biased";

export interface CohortStatsOptions {
  /** Use only each row's `topK` highest cohort scores (AS-norm); default: the whole cohort (s-norm). */
  topK?: number;
  /** Default "unbiased" (SpeechBrain). */
  std?: StdEstimator;
}

/** Per embedding: mean and standard deviation of its (top-k) cohort scores. */
export interface CohortStats {
  mean: Float64Array;
  std: Float64Array;
}

/** The cohort's length-normalised embeddings as one row-major float64 matrix. */
export class Cohort {
  readonly size: number;
  readonly dimension: number;
  private readonly units: Float64Array;

  constructor(embeddings: readonly Vector[]) {
    if (embeddings.length < 2) throw new VoxlabError(`a score-normalisation cohort needs at least 2 embeddings, got ${embeddings.length}`);
    this.size = embeddings.length;
    this.dimension = embeddings[0].length;
    this.units = new Float64Array(this.size * this.dimension);
    embeddings.forEach((e, i) => {
      if (e.length !== this.dimension) throw new VoxlabError(`cohort embedding #${i} has dimension ${e.length}, expected ${this.dimension}`);
      this.units.set(unitVector(e, `cohort embedding #${i}`), i * this.dimension);
    });
  }

  /**
   * Cosine scores of up to BLOCK unit vectors (packed row after row in `queries`, unused rows zero)
   * against every cohort member, into `out[j]`. Scoring several queries per pass over the cohort
   * reads each cohort row once for all of them, which is several times faster than one at a time.
   */
  scoreBlock(queries: Float64Array, out: Float64Array[]): void {
    const d = this.dimension;
    const units = this.units;
    const [o0, o1, o2, o3] = out;
    for (let r = 0, base = 0; r < this.size; r++, base += d) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < d; i++) {
        const c = units[base + i];
        s0 += queries[i] * c;
        s1 += queries[d + i] * c;
        s2 += queries[2 * d + i] * c;
        s3 += queries[3 * d + i] * c;
      }
      o0[r] = s0;
      o1[r] = s1;
      o2[r] = s2;
      o3[r] = s3;
    }
  }
}

/** Queries scored per pass over the cohort (Cohort.scoreBlock). */
const BLOCK = 4;

/**
 * Reorders `values` so that its first `k` entries are its `k` largest (in no particular order):
 * quickselect, O(n) on average, instead of sorting every row.
 */
export function selectTopK(values: Float64Array, k: number): void {
  const target = k - 1;
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i++] = values[j];
        values[j--] = swap;
      }
    }
    // Now [lo, j] ≥ pivot ≥ [i, hi], and anything between j and i equals the pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
}

/** Mean and standard deviation of the first `n` values (two passes, float64). */
export function meanStd(values: ArrayLike<number>, n: number, estimator: StdEstimator): [number, number] {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return [mean, Math.sqrt(squares / (estimator === "unbiased" ? n - 1 : n))];
}

function checkTopK(topK: number | undefined, cohort: Cohort): number {
  if (topK === undefined) return cohort.size;
  if (!(Number.isInteger(topK) && topK >= 2)) throw new VoxlabError(`AS-norm top-k must be an integer ≥ 2, got ${topK}`);
  return Math.min(topK, cohort.size);
}

/** Cohort score statistics of each (not necessarily normalised) embedding. */
export function cohortStats(embeddings: readonly Vector[], cohort: Cohort, options: CohortStatsOptions = {}): CohortStats {
  const k = checkTopK(options.topK, cohort);
  const estimator = options.std ?? "unbiased";
  const d = cohort.dimension;
  const rows = Array.from({ length: BLOCK }, () => new Float64Array(cohort.size));
  const block = new Float64Array(BLOCK * d);
  const stats = { mean: new Float64Array(embeddings.length), std: new Float64Array(embeddings.length) };
  for (let start = 0; start < embeddings.length; start += BLOCK) {
    const count = Math.min(BLOCK, embeddings.length - start);
    block.fill(0);
    for (let j = 0; j < count; j++) {
      const e = embeddings[start + j];
      if (e.length !== d) throw new VoxlabError(`embedding #${start + j} has dimension ${e.length}, the cohort ${d}`);
      block.set(unitVector(e), j * d);
    }
    cohort.scoreBlock(block, rows);
    for (let j = 0; j < count; j++) {
      if (k < cohort.size) selectTopK(rows[j], k);
      [stats.mean[start + j], stats.std[start + j]] = meanStd(rows[j], k, estimator);
    }
  }
  return stats;
}

/** ½ · ((s − μ_e)/σ_e + (s − μ_t)/σ_t). */
export function sNormScore(score: number, enrollMean: number, enrollStd: number, testMean: number, testStd: number): number {
  return 0.5 * ((score - enrollMean) / enrollStd + (score - testMean) / testStd);
}

export interface ScoreNormOptions {
  /** Default "unbiased" (SpeechBrain's torch.std); "biased" is WeSpeaker's np.std. */
  std?: StdEstimator;
}

/** Per id: cohort stats of its embedding, each computed once. */
function statsById(embeddingOf: ReadonlyMap<string, Vector>, cohort: Cohort, options: CohortStatsOptions): Map<string, [number, number]> {
  const ids = [...embeddingOf.keys()];
  const { mean, std } = cohortStats([...embeddingOf.values()], cohort, options);
  const byId = new Map<string, [number, number]>();
  ids.forEach((id, i) => {
    if (!(std[i] > 0)) throw new VoxlabError(`the cohort scores of "${id}" have no spread; use a larger or more varied cohort`);
    byId.set(id, [mean[i], std[i]]);
  });
  return byId;
}

/** `v`, once it is known to have a direction (a zero vector is refused, naming `id`). */
function checkedDirection(v: Vector, id: string): Vector {
  directionalNorm(v, id);
  return v;
}

/** Normalises trial scores with cohort statistics of the top `topK` scores (undefined: all). */
export function normalizeScores(
  trials: readonly Trial[],
  scores: ArrayLike<number>,
  embeddings: TrialEmbeddings,
  cohort: Cohort,
  options: CohortStatsOptions = {},
): Float64Array {
  if (scores.length !== trials.length) throw new VoxlabError(`${trials.length} trials but ${scores.length} scores`);
  // The embeddings themselves, not length-normalised copies (cohortStats normalises a block at a time):
  // float64 unit vectors of every enroll and test side were 3 kB per utterance.
  const enroll = new Map<string, Vector>();
  const test = new Map<string, Vector>();
  for (const t of trials) {
    if (!enroll.has(t.enroll)) enroll.set(t.enroll, checkedDirection(embeddings.enroll(t.enroll), t.enroll));
    if (!test.has(t.test)) test.set(t.test, checkedDirection(embeddings.test(t.test), t.test));
  }
  const enrollStats = statsById(enroll, cohort, options);
  const testStats = statsById(test, cohort, options);
  return Float64Array.from(trials, (t, i) => {
    const [me, se] = enrollStats.get(t.enroll)!;
    const [mt, st] = testStats.get(t.test)!;
    return sNormScore(scores[i], me, se, mt, st);
  });
}

/** Symmetric score normalisation with the whole cohort. */
export function sNorm(trials: readonly Trial[], scores: ArrayLike<number>, embeddings: TrialEmbeddings, cohort: Cohort, options: ScoreNormOptions = {}): Float64Array {
  return normalizeScores(trials, scores, embeddings, cohort, { std: options.std });
}

/** Adaptive s-norm: each side's statistics over its `topK` most similar cohort members. */
export function asNorm(
  trials: readonly Trial[],
  scores: ArrayLike<number>,
  embeddings: TrialEmbeddings,
  cohort: Cohort,
  topK: number,
  options: ScoreNormOptions = {},
): Float64Array {
  return normalizeScores(trials, scores, embeddings, cohort, { topK, std: options.std });
}

/** The mean embedding (WeSpeaker subtracts such a mean, of a large set, before cosine scoring). */
export function meanEmbedding(embeddings: readonly Vector[]): Float32Array {
  if (embeddings.length === 0) throw new VoxlabError("the mean of no embeddings is undefined");
  const sum = new Float64Array(embeddings[0].length);
  embeddings.forEach((e, n) => {
    if (e.length !== sum.length) throw new VoxlabError(`embedding #${n} has dimension ${e.length}, expected ${sum.length}`);
    for (let i = 0; i < sum.length; i++) sum[i] += e[i];
  });
  return Float32Array.from(sum, (x) => x / embeddings.length);
}

/** `e − mean` for one embedding (apply it to trial and cohort embeddings alike). */
export function centerEmbedding(e: Vector, mean: Vector): Float32Array {
  if (e.length !== mean.length) throw new VoxlabError(`embedding has dimension ${e.length}, the mean ${mean.length}`);
  return Float32Array.from(e, (x, i) => x - mean[i]);
}
