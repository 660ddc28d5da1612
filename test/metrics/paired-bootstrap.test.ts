import assert from "node:assert/strict";
import { test } from "node:test";
import { eer, minDcf, pairedSpeakerBootstrap, pairedVerdict, VoxlabError, type PairedTrials, type TrialGroups } from "../../src/index.ts";
import { mulberry32 } from "../../src/core/random.ts";

/** Φ(x) through erfc (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7: far below the EER's sampling error). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * One simulated experiment with speaker-level random effects. Speaker s has U utterances; target trials
 * are its utterance pairs, non-target trials one per ordered pair of speakers. System X ∈ {A, B} scores
 *   target (s):       mu_X + SPK·a_s^X + NOISE·ε
 *   non-target (e,t): SPK_NON·(c_e^X + c_t^X) + NOISE·ε
 * where each speaker effect is half shared by the two systems (correlation 0.5) and ε is per trial and
 * system. Marginally targets ~ N(mu_X, SPK² + NOISE²), non-targets ~ N(0, 2·SPK_NON² + NOISE²), so the
 * population EER is Φ(−mu_X / (σ_tar + σ_non)) (where the two Gaussians' miss and false-alarm rates meet).
 */
const SPK = 1;
const SPK_NON = 0.5;
const NOISE = 0.7;
const MU = { a: 2.5, b: 2.8 };
const SIGMA_TAR = Math.sqrt(SPK ** 2 + NOISE ** 2);
const SIGMA_NON = Math.sqrt(2 * SPK_NON ** 2 + NOISE ** 2);
const eerOnly = (g: TrialGroups) => ({ eer: eer(g) });
const trueEer = (mu: number) => normalCdf(-mu / (SIGMA_TAR + SIGMA_NON));

function simulate(speakers: number, utterances: number, seed: number): PairedTrials {
  const random = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const effect = () => {
    const shared = normal();
    return { a: Math.SQRT1_2 * (shared + normal()), b: Math.SQRT1_2 * (shared + normal()) };
  };
  const targetEffect = Array.from({ length: speakers }, effect);
  const nontargetEffect = Array.from({ length: speakers }, effect);
  const a: number[] = [];
  const b: number[] = [];
  const labels: number[] = [];
  const enrollSpeakers: string[] = [];
  const testSpeakers: string[] = [];
  const add = (e: number, t: number, target: boolean) => {
    const base = target ? { a: SPK * targetEffect[e].a, b: SPK * targetEffect[e].b } : {
      a: SPK_NON * (nontargetEffect[e].a + nontargetEffect[t].a),
      b: SPK_NON * (nontargetEffect[e].b + nontargetEffect[t].b),
    };
    a.push((target ? MU.a : 0) + base.a + NOISE * normal());
    b.push((target ? MU.b : 0) + base.b + NOISE * normal());
    labels.push(target ? 1 : 0);
    enrollSpeakers.push(`spk${e}`);
    testSpeakers.push(`spk${t}`);
  };
  for (let s = 0; s < speakers; s++) for (let i = 0; i < utterances; i++) for (let j = i + 1; j < utterances; j++) add(s, s, true);
  for (let e = 0; e < speakers; e++) for (let t = 0; t < speakers; t++) if (e !== t) add(e, t, false);
  return { a, b, labels, enrollSpeakers, testSpeakers };
}

test("paired speaker bootstrap: 95 % intervals of ΔEER cover the true difference in about 95 % of simulated experiments", { timeout: 120_000 }, () => {
  const truth = trueEer(MU.b) - trueEer(MU.a); // −0.0264
  const replicates = 200;
  let covered = 0;
  let naiveCovered = 0;
  let significant = 0;
  for (let r = 0; r < replicates; r++) {
    const trials = simulate(40, 4, 1000 + r); // 240 targets, 1560 non-targets
    const { eer: d } = pairedSpeakerBootstrap(trials, eerOnly, { iterations: 200, seed: r });
    if (d.lower <= truth && truth <= d.upper) covered++;
    if (d.upper < 0) significant++;
    // The same trials resampled one by one (each trial its own cluster): blind to the speaker effects.
    const ids = Array.from({ length: trials.labels.length }, (_, i) => String(i));
    const naive = pairedSpeakerBootstrap({ ...trials, enrollSpeakers: ids, testSpeakers: ids }, eerOnly, { iterations: 200, seed: r }).eer;
    if (naive.lower <= truth && truth <= naive.upper) naiveCovered++;
  }
  // 200 replicates: the coverage estimate's binomial standard error at 95 % is 1.5 points, so a correct
  // interval lands in [90.5 %, 99.5 %] (±3 SE) but for one case in 370.
  const coverage = covered / replicates;
  assert.ok(coverage >= 0.905 && coverage <= 0.995, `speaker bootstrap coverage ${coverage}`);
  // The trial bootstrap ignores that a speaker's trials move together: its intervals are too narrow.
  const naiveCoverage = naiveCovered / replicates;
  assert.ok(naiveCoverage < 0.85, `trial bootstrap coverage ${naiveCoverage} (expected well under 95 %)`);
  // A 2.6-point EER gain is real but small beside the speaker-to-speaker spread: sometimes detected, not always.
  assert.ok(significant > 0 && significant < replicates, `significant in ${significant} of ${replicates}`);
  console.log(`coverage: speaker bootstrap ${coverage}, trial bootstrap ${naiveCoverage}; B better (interval < 0) in ${significant}/${replicates}`);
});

test("paired speaker bootstrap: paired, seeded, reproducible; a shift of all scores changes no EER", () => {
  const trials = simulate(20, 4, 5);
  const metrics = (g: TrialGroups) => ({ eer: eer(g), dcf: minDcf(g, { pTarget: 0.05 }).value });
  const first = pairedSpeakerBootstrap(trials, metrics, { iterations: 300, seed: 3 });
  assert.deepEqual(pairedSpeakerBootstrap(trials, metrics, { iterations: 300, seed: 3 }), first);
  assert.notDeepEqual(pairedSpeakerBootstrap(trials, metrics, { iterations: 300, seed: 4 }).eer, first.eer);
  assert.equal(first.eer.speakers, 20);
  assert.equal(first.eer.difference, first.eer.b - first.eer.a);
  assert.ok(first.eer.lower <= first.eer.upper && first.dcf.lower <= first.dcf.upper);
  // B = A + 1 on every trial ranks the trials as A does: every resample's ΔEER is exactly 0.
  const shifted = pairedSpeakerBootstrap({ ...trials, b: Array.from(trials.a, (s) => s + 1) }, eerOnly, { iterations: 100 }).eer;
  assert.deepEqual([shifted.difference, shifted.lower, shifted.upper], [0, 0, 0]);
});

test("paired speaker bootstrap: a resample without both classes is drawn again", () => {
  // Two speakers, one target trial each and the non-targets between them. A draw of (2, 0) or (0, 2)
  // leaves no non-target (weight 2·0 = 0) and is redrawn, so every kept draw is (1, 1): the trials
  // themselves, and the interval is the point estimate.
  const trials: PairedTrials = {
    a: [0.9, 0.2, 0.5, 0.1],
    b: [0.3, 0.8, 0.4, 0.6],
    labels: [1, 1, 0, 0],
    enrollSpeakers: ["x", "y", "x", "y"],
    testSpeakers: ["x", "y", "y", "x"],
  };
  const d = pairedSpeakerBootstrap(trials, eerOnly, { iterations: 50, seed: 1 }).eer;
  // By hand: A ranks targets 0.9 and 0.2 around non-targets 0.5, 0.1: EER 1/2. B: targets 0.3 and 0.8,
  // non-targets 0.4, 0.6: EER 1/2. Difference 0.
  assert.deepEqual([d.a, d.b, d.lower, d.upper], [0.5, 0.5, 0, 0]);
  assert.equal(pairedVerdict(d), "no significant difference: the interval contains 0");
  assert.equal(pairedVerdict({ lower: -0.02, upper: -0.001 }, "cosine", "as-norm"), "as-norm is better than cosine: the interval excludes 0");
  assert.equal(pairedVerdict({ lower: 0.001, upper: 0.02 }), "A is better than B: the interval excludes 0");
});

test("paired speaker bootstrap: bad inputs are one-line errors", () => {
  const one: PairedTrials = { a: [1, 0], b: [1, 0], labels: [1, 0], enrollSpeakers: ["s", "s"], testSpeakers: ["s", "s"] };
  assert.throws(() => pairedSpeakerBootstrap(one, eerOnly), (err: Error) => err instanceof VoxlabError && /needs at least 2/.test(err.message));
  assert.throws(() => pairedSpeakerBootstrap({ ...one, b: [1] }, eerOnly), /1 scores, 2 labels|2 and 1 scores/);
  assert.throws(() => pairedSpeakerBootstrap({ ...one, a: [1, NaN] }, eerOnly), /system A: score of trial 2 is NaN/);
  assert.throws(() => pairedSpeakerBootstrap(one, eerOnly, { iterations: 0 }), RangeError);
});
