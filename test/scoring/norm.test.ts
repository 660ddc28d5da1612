import assert from "node:assert/strict";
import { test } from "node:test";
import { asNorm, Cohort, cohortStats, cosineScore, scoreTrials, sNorm, trialEmbeddings, VoxlabError, type Trial } from "../../src/index.ts";
import { meanStd, selectTopK } from "../../src/scoring/index.ts";

const f32 = (...x: number[]): Float32Array => Float32Array.from(x);
const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} vs ${expected}`);

// Cohort (unnormalised on purpose): unit directions [1,0], [0,1], [-1,0], [0.6,0.8].
const cohort = new Cohort([f32(1, 0), f32(0, 2), f32(-3, 0), f32(3, 4)]);
const embeddings = new Map([
  ["e", f32(1, 0)],
  ["t", f32(0, 2)],
  ["t2", f32(4, 3)],
]);
const lookup = trialEmbeddings((id) => embeddings.get(id));
const trials: Trial[] = [
  { enroll: "e", test: "t", label: 0 },
  { enroll: "e", test: "t2", label: 1 },
];
// Cohort scores worked out by hand (cosines with the cohort directions):
//   e  = [1,0]     : 1, 0, -1, 0.6
//   t  = [0,1]     : 0, 1, 0, 0.8
//   t2 = [0.8,0.6] : 0.8, 0.6, -0.8, 0.96
// Trial scores: cos(e,t) = 0, cos(e,t2) = 0.8.
// Whole cohort: e mean 0.15, Σ(x−μ)² = 0.85² + 0.15² + 1.15² + 0.45² = 2.27;
//               t mean 0.45, Σ(x−μ)² = 0.45² + 0.55² + 0.45² + 0.35² = 0.83;
//               t2 mean 0.39, Σ(x−μ)² = 0.41² + 0.21² + 1.19² + 0.57² = 1.9532.
// Top 2: e {1, 0.6}: mean 0.8, Σ = 0.08;  t {1, 0.8}: mean 0.9, Σ = 0.02;  t2 {0.96, 0.8}: mean 0.88, Σ = 0.0128.

test("Cohort statistics: hand-computed means and both standard deviations", () => {
  const unbiased = cohortStats([embeddings.get("e")!, embeddings.get("t")!], cohort);
  close(unbiased.mean[0], 0.15, "mean e");
  close(unbiased.std[0], Math.sqrt(2.27 / 3), "unbiased std e (n−1, torch.std)");
  close(unbiased.mean[1], 0.45, "mean t");
  close(unbiased.std[1], Math.sqrt(0.83 / 3), "unbiased std t");
  const biased = cohortStats([embeddings.get("e")!], cohort, { std: "biased" });
  close(biased.std[0], Math.sqrt(2.27 / 4), "biased std e (n, np.std)");
  const top2 = cohortStats([embeddings.get("e")!, embeddings.get("t2")!], cohort, { topK: 2, std: "biased" });
  close(top2.mean[0], 0.8, "top-2 mean e");
  close(top2.std[0], 0.2, "top-2 biased std e");
  close(top2.mean[1], 0.88, "top-2 mean t2");
  close(top2.std[1], 0.08, "top-2 biased std t2");
});

test("s-norm: ½((s−μe)/σe + (s−μt)/σt) over the whole cohort, unbiased by default", () => {
  const scores = scoreTrials(trials, lookup);
  close(scores[0], 0, "cos(e,t)");
  close(scores[1], 0.8, "cos(e,t2)");
  const normed = sNorm(trials, scores, lookup, cohort);
  close(normed[0], 0.5 * ((0 - 0.15) / Math.sqrt(2.27 / 3) + (0 - 0.45) / Math.sqrt(0.83 / 3)), "s-norm trial 0");
  close(normed[1], 0.5 * ((0.8 - 0.15) / Math.sqrt(2.27 / 3) + (0.8 - 0.39) / Math.sqrt(1.9532 / 3)), "s-norm trial 1");
  const biased = sNorm(trials, scores, lookup, cohort, { std: "biased" });
  close(biased[0], 0.5 * ((0 - 0.15) / Math.sqrt(2.27 / 4) + (0 - 0.45) / Math.sqrt(0.83 / 4)), "biased s-norm trial 0");
});

test("AS-norm: statistics of each side's top-k cohort scores", () => {
  const scores = scoreTrials(trials, lookup);
  // Biased (WeSpeaker): e σ = 0.2, t σ = 0.1, t2 σ = 0.08, so the values are round.
  const wespeaker = asNorm(trials, scores, lookup, cohort, 2, { std: "biased" });
  close(wespeaker[0], 0.5 * ((0 - 0.8) / 0.2 + (0 - 0.9) / 0.1), "as-norm trial 0");
  close(wespeaker[0], -6.5, "as-norm trial 0 (value)");
  close(wespeaker[1], -0.5, "as-norm trial 1: ½(0/0.2 + (0.8−0.88)/0.08)");
  const speechbrain = asNorm(trials, scores, lookup, cohort, 2);
  close(speechbrain[0], 0.5 * (-0.8 / Math.sqrt(0.08) - 0.9 / Math.sqrt(0.02)), "unbiased as-norm trial 0");
  // A top-k at least the cohort size is plain s-norm.
  assert.deepEqual(asNorm(trials, scores, lookup, cohort, 10), sNorm(trials, scores, lookup, cohort));
});

test("score normalisation refuses bad cohorts, bad k and degenerate spreads", () => {
  assert.throws(() => new Cohort([f32(1, 0)]), /at least 2 embeddings/);
  assert.throws(() => new Cohort([f32(1, 0), f32(1, 0, 0)]), /dimension 3, expected 2/);
  const scores = scoreTrials(trials, lookup);
  assert.throws(() => asNorm(trials, scores, lookup, cohort, 1), /top-k must be an integer ≥ 2/);
  assert.throws(() => asNorm(trials, scores, lookup, cohort, 2.5), VoxlabError);
  const flat = new Cohort([f32(1, 1), f32(2, 2)]);
  assert.throws(() => sNorm(trials, scores, lookup, flat), /"e" have no spread/);
  assert.throws(() => sNorm(trials, [1], lookup, cohort), /2 trials but 1 scores/);
});

test("selectTopK: the first k entries are the k largest, with ties and any k", () => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(random() * 60);
    // Values on a coarse grid so ties are common.
    const values = Float64Array.from({ length: n }, () => Math.round(random() * 8) / 8);
    const sortedDesc = Array.from(values).sort((a, b) => b - a);
    const k = 1 + Math.floor(random() * n);
    const work = values.slice();
    selectTopK(work, k);
    assert.deepEqual(Array.from(work.subarray(0, k)).sort((a, b) => b - a), sortedDesc.slice(0, k), `n=${n} k=${k}`);
    assert.deepEqual(Array.from(work).sort((a, b) => b - a), sortedDesc, "a permutation");
  }
});

test("meanStd: unbiased divides by n−1, biased by n", () => {
  const [mean, unbiased] = meanStd([2, 4, 4, 4, 5, 5, 7, 9], 8, "unbiased");
  assert.equal(mean, 5);
  close(unbiased, Math.sqrt(32 / 7), "unbiased");
  assert.equal(meanStd([2, 4, 4, 4, 5, 5, 7, 9], 8, "biased")[1], 2);
});

test("cohortStats over many embeddings (several scoring blocks) equals a brute-force sort per embedding", () => {
  let seed = 3;
  const next = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const vectors = (n: number, d: number): Float32Array[] => Array.from({ length: n }, () => Float32Array.from({ length: d }, next));
  const members = vectors(37, 5);
  const queries = vectors(11, 5);
  const big = new Cohort(members);
  for (const topK of [undefined, 6]) {
    const stats = cohortStats(queries, big, { topK, std: "unbiased" });
    queries.forEach((q, i) => {
      const scores = members.map((m) => cosineScore(q, m)).sort((a, b) => b - a).slice(0, topK ?? members.length);
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (scores.length - 1));
      close(stats.mean[i], mean, `query ${i} mean (top ${topK})`);
      close(stats.std[i], std, `query ${i} std (top ${topK})`);
    });
  }
  assert.throws(() => cohortStats([Float32Array.of(1, 2)], big), /dimension 2, the cohort 5/);
});

test("scoring and normalisation refuse a zero embedding, naming its utterance", () => {
  const withZero = trialEmbeddings((id) => (id === "z" ? f32(0, 0) : embeddings.get(id)));
  const zeroTest: Trial[] = [...trials, { enroll: "e", test: "z", label: 0 }];
  assert.throws(() => scoreTrials(zeroTest, withZero), /^VoxlabError: z: cannot length-normalise a vector of norm 0$/);
  assert.throws(() => sNorm(zeroTest, [0, 0.8, 0], withZero, cohort), /z: cannot length-normalise/);
  assert.throws(() => asNorm([{ enroll: "z", test: "t", label: 0 }], [0], withZero, cohort, 2), /z: cannot length-normalise/);
});
