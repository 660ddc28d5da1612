import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { applyCalibration, bayesErrorRates, calibratedMetrics, groupTrials, minDcf, parseCalibration, posteriorOfTarget, readCalibration, readScoresCsv, trainCalibration, VoxlabError, writeCalibration } from "../../src/index.ts";
import { trainingSetHash } from "../../src/calibration/index.ts";
import { referenceActualDcf, referenceCllr, referenceLinearCalibration } from "../helpers/calibration-reference.ts";
import { fixture, needShared } from "../helpers/shared.ts";

const SETS = ["hand", "ties", "gauss-small", "cosine-like"];
// Two optimisers of one smooth convex criterion agree to ~1e-12 here; 1e-6 (relative above 1) is the
// issue's bar and leaves room for the criterion's flat direction on the 9-trial hand set.
const TOLERANCE = 1e-6;
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs reference ${expected}`);

for (const name of SETS) {
  for (const prior of [0.5, 0.1]) {
    test(`calibration parity on ${name} at prior ${prior}: parameters, calibrated Cllr and actual DCFs vs the bisection reference`, { skip: needShared }, async () => {
      const { scores, labels } = await readScoresCsv(fixture("metrics", `${name}.csv`));
      const minCllrReference = (JSON.parse(readFileSync(fixture("metrics", `${name}.json`), "utf8")) as { min_cllr: number }).min_cllr;
      const calibration = trainCalibration(scores, labels, { prior });
      const reference = referenceLinearCalibration({ scores, labels }, prior);
      close(calibration.scale, reference.scale, "scale");
      close(calibration.offset, reference.offset, "offset");
      assert.equal(calibration.prior, prior);

      const llrs = applyCalibration(calibration, scores);
      const referenceLlrs = Float64Array.from(scores, (s) => reference.scale * s + reference.offset);
      const m = calibratedMetrics(llrs, labels);
      close(m.cllr_calibrated, referenceCllr({ scores: referenceLlrs, labels }), "cllr_calibrated");
      close(m["act_dcf_p0.01"], referenceActualDcf({ scores: referenceLlrs, labels }, 0.01), "act_dcf_p0.01");
      close(m["act_dcf_p0.05"], referenceActualDcf({ scores: referenceLlrs, labels }, 0.05), "act_dcf_p0.05");
      // A monotone map leaves minCllr where METRICS.md's fixture has it; calibration can only approach it.
      assert.ok(Math.abs(m.min_cllr - minCllrReference) <= 1e-9, `min_cllr ${m.min_cllr} vs fixture ${minCllrReference}`);
      assert.ok(m.calibration_loss >= 0 && Math.abs(m.calibration_loss - (m.cllr_calibrated - m.min_cllr)) < 1e-15);
    });
  }
}

test("calibration at prior 0.5 lowers Cllr on every fixture (the raw scores are not LLRs)", { skip: needShared }, async () => {
  for (const name of SETS) {
    const { scores, labels } = await readScoresCsv(fixture("metrics", `${name}.csv`));
    const raw = referenceCllr({ scores, labels });
    const calibrated = referenceCllr({ scores: applyCalibration(trainCalibration(scores, labels), scores), labels });
    assert.ok(calibrated < raw, `${name}: calibrated Cllr ${calibrated} not below raw ${raw}`);
  }
});

/**
 * Trials from a known LLR: scores ~ N(±1, 1) + drift·ln(test seconds), so the true llr is
 * 2·s − 2·drift·ln(test seconds): a duration term a linear QMF can represent.
 */
function synthetic(count: number, drift: number): { scores: Float64Array; labels: Uint8Array; enroll: Float64Array; test: Float64Array } {
  let state = 12345;
  const uniform = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const scores = new Float64Array(count);
  const labels = new Uint8Array(count);
  const enroll = new Float64Array(count);
  const test = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    enroll[i] = 1 + 9 * uniform();
    test[i] = 1 + 9 * uniform();
    scores[i] = (labels[i] === 1 ? 1 : -1) + normal() + drift * Math.log(test[i]);
  }
  return { scores, labels, enroll, test };
}

test("a calibration of scores whose true LLR is known recovers it (llr = 2s at prior 0.5)", () => {
  const { scores, labels } = synthetic(40_000, 0);
  const c = trainCalibration(scores, labels);
  // Sampling error of the fit with 40,000 trials is about 0.02.
  assert.ok(Math.abs(c.scale - 2) < 0.08 && Math.abs(c.offset) < 0.08, `scale ${c.scale}, offset ${c.offset}`);
});

test("duration QMF: the fit is a minimum of the criterion, beats the plain fit, and uses the informative side", () => {
  const { scores, labels, enroll, test: testSeconds } = synthetic(20_000, 0.5);
  const durations = { enroll, test: testSeconds };
  const c = trainCalibration(scores, labels, { durations });
  assert.ok(c.qmf !== undefined);
  const criterion = (w: readonly number[]): number => {
    let tar = 0;
    let non = 0;
    for (let i = 0; i < scores.length; i++) {
      const z = w[0] * scores[i] + w[1] * Math.log(enroll[i]) + w[2] * Math.log(testSeconds[i]) + w[3];
      if (labels[i] === 1) tar += Math.log1p(Math.exp(-z));
      else non += Math.log1p(Math.exp(z));
    }
    return (0.5 * tar) / (scores.length / 2) + (0.5 * non) / (scores.length / 2);
  };
  const w = [c.scale, c.qmf.log_enroll_seconds, c.qmf.log_test_seconds, c.offset];
  const best = criterion(w);
  for (let k = 0; k < 4; k++) {
    for (const h of [1e-3, -1e-3]) {
      const moved = w.map((v, j) => (j === k ? v + h : v));
      assert.ok(criterion(moved) > best, `moving weight ${k} by ${h} lowers the criterion`);
    }
  }
  const plain = trainCalibration(scores, labels);
  const plainCllr = referenceCllr({ scores: applyCalibration(plain, scores), labels });
  const qmfCllr = referenceCllr({ scores: applyCalibration(c, scores, durations), labels });
  assert.ok(qmfCllr < plainCllr - 0.01, `QMF Cllr ${qmfCllr} vs plain ${plainCllr}`);
  // The true weights: scale 2, ln(test) −1, ln(enroll) 0, offset 0; sampling error about 0.05 at 20,000 trials.
  assert.ok(Math.abs(c.scale - 2) < 0.15 && Math.abs(c.qmf.log_test_seconds + 1) < 0.15 && Math.abs(c.qmf.log_enroll_seconds) < 0.15, JSON.stringify(c));
  assert.throws(() => applyCalibration(c, scores), /duration quality measures/);
  assert.throws(() => trainCalibration(scores, labels, { durations: { enroll, test: testSeconds.map((d, i) => (i === 7 ? 0 : d)) } }), /test duration of trial 8 is 0/);
});

test("posterior of a target: sigmoid(llr + logit P)", () => {
  assert.equal(posteriorOfTarget(0, 0.5), 0.5);
  assert.ok(Math.abs(posteriorOfTarget(Math.log(99), 0.01) - 0.5) < 1e-12);
  // llr 3 at P = 0.2: odds e^3 · 0.25.
  const odds = Math.exp(3) / 4;
  assert.ok(Math.abs(posteriorOfTarget(3, 0.2) - odds / (1 + odds)) < 1e-15);
  assert.equal(posteriorOfTarget(-800, 0.5), 0);
  assert.equal(posteriorOfTarget(800, 0.5), 1);
  assert.throws(() => posteriorOfTarget(0, 1), VoxlabError);
});

test("bad training sets and priors are refused with one-line errors", () => {
  assert.throws(() => trainCalibration([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), /separate targets from non-targets/);
  assert.throws(() => trainCalibration([0.5, 0.5, 0.5], [0, 1, 1]), VoxlabError);
  assert.throws(() => trainCalibration([0.1, 0.2], [1, 1]), /no non-target trials/);
  assert.throws(() => trainCalibration([0.1, 0.9, 0.3, 0.6], [0, 1, 1, 0], { prior: 1 }), /prior must be in \(0, 1\)/);
  assert.throws(() => trainCalibration([0.1, Number.NaN], [0, 1]), /must be finite/);
});

test("calib.json: written atomically, read back equal, hostile files refused by field", async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-calib-"));
  try {
    const scores = [0.1, 0.5, 0.3, 0.9, 0.25, 0.6];
    const labels = [0, 1, 0, 1, 1, 0];
    const c = trainCalibration(scores, labels, { prior: 0.3, source: "x.csv" });
    assert.equal(c.training.sha256, trainingSetHash(scores, labels));
    assert.notEqual(c.training.sha256, trainingSetHash(scores, [1, 0, 0, 1, 1, 0]));
    assert.deepEqual(c.training, { sha256: c.training.sha256, n_target: 3, n_nontarget: 3, source: "x.csv" });
    const path = join(dir, "calib.json");
    await writeCalibration(path, c);
    assert.deepEqual(await readCalibration(path), c);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    assert.equal(json.format, "voxlab-linear-calibration/1");
    assert.throws(() => parseCalibration("{", "c.json"), /c\.json: invalid JSON/);
    assert.throws(() => parseCalibration(JSON.stringify({ ...json, format: "x" }), "c.json"), /format: .*voxlab calibrate/);
    assert.throws(() => parseCalibration(JSON.stringify({ ...json, scale: "2" }), "c.json"), /^VoxlabError: c\.json: scale: /);
    assert.throws(() => parseCalibration(JSON.stringify({ ...json, prior: 0 }), "c.json"), /c\.json: prior: /);
    assert.throws(() => parseCalibration(JSON.stringify({ ...json, qmf: { log_enroll_seconds: 1 } }), "c.json"), /qmf\.log_test_seconds/);
    await writeFile(join(dir, "metrics.json"), "{\"eer\": 0.1}");
    await assert.rejects(readCalibration(join(dir, "metrics.json")), /format/);
    await assert.rejects(readCalibration(join(dir, "missing.json")), /cannot read the calibration \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("Bayes error rates: actual = counted DCF at the Bayes threshold, minimum = minDCF, both ≤ 1 at the extremes for calibrated scores", { skip: needShared }, async () => {
  const { scores, labels } = await readScoresCsv(fixture("metrics", "gauss-small.csv"));
  const llrs = applyCalibration(trainCalibration(scores, labels), scores);
  const groups = groupTrials(llrs, labels);
  const curve = bayesErrorRates(groups);
  assert.equal(curve.length, 201);
  assert.equal(curve[0].logOdds, -10);
  assert.equal(curve[200].logOdds, 10);
  for (const point of curve.filter((_, i) => i % 10 === 0)) {
    const p = 1 / (1 + Math.exp(-point.logOdds));
    close(point.actual, referenceActualDcf({ scores: llrs, labels }, p), `actual at ${point.logOdds}`);
    assert.ok(Math.abs(point.minimum - minDcf(groups, { pTarget: p }).value) < 1e-12);
    assert.ok(point.minimum <= point.actual + 1e-12);
  }
});
