import assert from "node:assert/strict";
import { test } from "node:test";
import { cosineScore, l2Normalize, scoreTrials, trialEmbeddings, VoxlabError, type Trial } from "../../src/index.ts";

const f32 = (...x: number[]): Float32Array => Float32Array.from(x);

test("cosineScore: hand-computed 2-d and 3-d values, scale invariance", () => {
  assert.equal(cosineScore(f32(3, 4), f32(4, 3)), 24 / 25);
  assert.ok(Math.abs(cosineScore(f32(1, 2, 2), f32(2, 0, 0)) - 1 / 3) < 1e-15);
  assert.equal(cosineScore(f32(1, 0), f32(-5, 0)), -1);
  assert.equal(cosineScore(f32(0, 7), f32(1, 0)), 0);
});

test("cosineScore accumulates in float64: 1e8 + 1 − 1e8 is not lost", () => {
  // In float32, 1e8 + 1 rounds back to 1e8 and the dot product would be 0.
  const a = f32(1e8, 1, -1e8);
  const b = f32(1, 1, 1);
  const expected = 1 / (Math.sqrt(2e16 + 1) * Math.sqrt(3));
  assert.ok(Math.abs(cosineScore(a, b) - expected) / expected < 1e-12);
});

test("cosineScore / l2Normalize refuse zero vectors and mismatched dimensions with a VoxlabError", () => {
  assert.throws(() => cosineScore(f32(0, 0), f32(1, 0)), VoxlabError);
  assert.throws(() => cosineScore(f32(1, 0), f32(1, 0, 0)), /dimensions differ: 2 vs 3/);
  assert.throws(() => l2Normalize(f32(0, 0, 0)), VoxlabError);
  assert.deepEqual(Array.from(l2Normalize(f32(3, 4))), [Math.fround(0.6), Math.fround(0.8)]);
});

const utterances = new Map<string, Float32Array>([
  ["a/1.wav", f32(1, 0)],
  ["a/2.wav", f32(0, 3)],
  ["b/1.wav", f32(3, 4)],
]);

test("scoreTrials: utterance and enroll-map (centroid) enroll sides, scores in trial order", () => {
  const trials: Trial[] = [
    { enroll: "a/1.wav", test: "b/1.wav", label: 0 },
    { enroll: "a-enroll", test: "a/1.wav", label: 1 },
    { enroll: "b/1.wav", test: "a/2.wav", label: 0 },
  ];
  const lookup = trialEmbeddings((id) => utterances.get(id), { enrollMap: new Map([["a-enroll", ["a/1.wav", "a/2.wav"]]]) });
  const scores = scoreTrials(trials, lookup);
  // a-enroll = normalise([1,0] + [0,1]) = [1,1]/√2; its cosine with [1,0] is 1/√2.
  const expected = [0.6, Math.SQRT1_2, 0.8];
  scores.forEach((s, i) => assert.ok(Math.abs(s - expected[i]) < 1e-7, `trial ${i}: ${s} vs ${expected[i]}`));
  // raw-mean centroid of the same pair is [0.5, 1.5]: cosine with [1,0] = 0.5/√2.5.
  const raw = scoreTrials([trials[1]], trialEmbeddings((id) => utterances.get(id), { enrollMap: new Map([["a-enroll", ["a/1.wav", "a/2.wav"]]]), centroid: "raw-mean" }));
  assert.ok(Math.abs(raw[0] - 0.5 / Math.sqrt(2.5)) < 1e-7);
});

test("scoreTrials: a missing utterance is a VoxlabError naming it", () => {
  const lookup = trialEmbeddings((id) => utterances.get(id), { enrollMap: new Map([["x-enroll", ["a/1.wav", "gone.wav"]]]) });
  assert.throws(() => scoreTrials([{ enroll: "a/1.wav", test: "nope.wav", label: 1 }], lookup), /test utterance "nope.wav"/);
  assert.throws(() => scoreTrials([{ enroll: "x-enroll", test: "a/1.wav", label: 1 }], lookup), /enrollment "x-enroll" utterance "gone.wav"/);
});
