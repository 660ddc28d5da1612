import assert from "node:assert/strict";
import { test } from "node:test";
import { generateTrials, scanDataset, type DatasetManifest, type ManifestEntry, type Trial } from "../../src/datasets/index.ts";
import { dataset, needShared } from "../helpers/shared.ts";

/** `speakers` × `sessions` × `utterances` entries, listed in a scrambled (non-sorted) order. */
function syntheticManifest(speakers: number, sessions: number, utterances: number): DatasetManifest {
  const entries: ManifestEntry[] = [];
  for (let u = 0; u < utterances; u++) {
    for (let p = speakers - 1; p >= 0; p--) {
      for (let s = 0; s < sessions; s++) {
        entries.push({ path: `spk${p}/sess${s}/${u}.wav`, speaker: `spk${p}`, session: `sess${s}`, duration: 1 });
      }
    }
  }
  return entries;
}

/** Checks every invariant a generated list must hold, against the manifest's own speaker and session columns. */
function assertWellFormed(trials: Trial[], manifest: DatasetManifest, excludeSameSession: boolean): void {
  const byPath = new Map(manifest.map((e) => [e.path, e]));
  const pairs = new Set<string>();
  for (const t of trials) {
    const enroll = byPath.get(t.enroll);
    const probe = byPath.get(t.test);
    assert.ok(enroll && probe, `${t.enroll} / ${t.test} come from the manifest`);
    assert.notEqual(t.enroll, t.test, "no file is paired with itself");
    assert.equal(t.label, enroll.speaker === probe.speaker ? 1 : 0, `label of ${t.enroll} / ${t.test}`);
    if (excludeSameSession && t.label === 1) assert.notEqual(enroll.session, probe.session, `same-session target ${t.enroll} / ${t.test}`);
    const key = [t.enroll, t.test].sort().join(" ");
    assert.ok(!pairs.has(key), `duplicate pair ${key}`);
    pairs.add(key);
  }
}

const count = (trials: Trial[], label: 0 | 1) => trials.filter((t) => t.label === label).length;

test("generate: the same seed gives the same list whatever the manifest order; another seed differs", () => {
  const manifest = syntheticManifest(20, 3, 4);
  const a = generateTrials(manifest, { seed: 7 });
  assert.deepEqual(generateTrials([...manifest].reverse(), { seed: 7 }), a);
  assert.notDeepEqual(generateTrials(manifest, { seed: 8 }), a);
  assertWellFormed(a, manifest, true);
  // One target per utterance as enrollment (a pair already drawn from its other side is not repeated).
  assert.ok(count(a, 1) > manifest.length / 2 && count(a, 1) <= manifest.length);
  const sorted = [...a].sort((x, y) => (x.enroll < y.enroll ? -1 : x.enroll > y.enroll ? 1 : x.test < y.test ? -1 : x.test > y.test ? 1 : 0));
  assert.deepEqual(a, sorted, "sorted by enroll, then test");
});

test("generate: target/non-target ratio, targets per utterance, caps", () => {
  const manifest = syntheticManifest(30, 4, 5);
  for (const nontargetRatio of [1, 2.5, 0]) {
    const trials = generateTrials(manifest, { seed: 1, nontargetRatio, targetsPerUtterance: 3 });
    assertWellFormed(trials, manifest, true);
    assert.equal(count(trials, 0), Math.round(count(trials, 1) * nontargetRatio), `ratio ${nontargetRatio}`);
    const perEnroll = new Map<string, number>();
    for (const t of trials) if (t.label === 1) perEnroll.set(t.enroll, (perEnroll.get(t.enroll) ?? 0) + 1);
    assert.ok(Math.max(...perEnroll.values()) <= 3);
    assert.ok(count(trials, 1) > 2 * manifest.length, "most utterances get three targets");
  }
  const capped = generateTrials(manifest, { seed: 1, targetsPerUtterance: 3, maxTargetsPerSpeaker: 10 });
  assert.equal(count(capped, 1), 30 * 10);
  for (let p = 0; p < 30; p++) {
    assert.equal(capped.filter((t) => t.label === 1 && t.enroll.startsWith(`spk${p}/`)).length, 10);
  }
  const limited = generateTrials(manifest, { seed: 1, nontargetRatio: 3, maxTrials: 1001 });
  assert.equal(count(limited, 1), 250); // floor(1001 / (1 + 3))
  assert.equal(count(limited, 0), 750);
  assertWellFormed(limited, manifest, true);
});

test("generate: same-session targets only when allowed; exact pairs on a tiny set", () => {
  const manifest = syntheticManifest(10, 2, 6);
  const open = generateTrials(manifest, { seed: 3, excludeSameSession: false, targetsPerUtterance: 4 });
  assertWellFormed(open, manifest, false);
  const session = (path: string) => path.split("/")[1];
  assert.ok(open.some((t) => t.label === 1 && session(t.enroll) === session(t.test)), "allowed, so some occur");

  // Two speakers with one utterance in each of two sessions: the only targets are the two cross-session pairs.
  const tiny: DatasetManifest = ["a/s1/1.wav", "a/s2/1.wav", "b/s1/1.wav", "b/s2/1.wav"].map((path) => ({
    path,
    speaker: path[0],
    session: path.slice(2, 4),
    duration: 1,
  }));
  const trials = generateTrials(tiny, { seed: 99 });
  assert.deepEqual(
    trials.filter((t) => t.label === 1).map((t) => [t.enroll, t.test].sort().join(" ")),
    ["a/s1/1.wav a/s2/1.wav", "b/s1/1.wav b/s2/1.wav"],
  );
  assert.equal(count(trials, 0), 2);
  assertWellFormed(trials, tiny, true);
});

test("generate: refuses impossible requests and bad options", () => {
  const oneSession = syntheticManifest(5, 1, 3);
  assert.throws(() => generateTrials(oneSession, { seed: 1 }), /no target trial is possible \(no speaker has utterances in two sessions\)/);
  assert.equal(count(generateTrials(oneSession, { seed: 1, excludeSameSession: false }), 1) > 0, true);
  const manifest = syntheticManifest(3, 2, 2);
  assert.throws(() => generateTrials(manifest, { seed: 1.5 }), /seed must be an integer/);
  assert.throws(() => generateTrials(manifest, { seed: 1, targetsPerUtterance: 0 }), /targetsPerUtterance must be an integer >= 1/);
  assert.throws(() => generateTrials(manifest, { seed: 1, nontargetRatio: -1 }), /nontargetRatio must be a non-negative number/);
  assert.throws(() => generateTrials([...manifest, manifest[0]], { seed: 1 }), /manifest lists spk\d\/sess\d\/\d\.wav twice/);
});

test("generate: a list over the real speech-commands manifest", { skip: needShared }, async () => {
  const manifest = await scanDataset(dataset("speech-commands"));
  const trials = generateTrials(manifest, { seed: 2024, targetsPerUtterance: 2, nontargetRatio: 1, maxTrials: 5000 });
  assert.equal(trials.length, 5000);
  assert.equal(count(trials, 1), 2500);
  assertWellFormed(trials, manifest, true);
  assert.deepEqual(generateTrials(manifest, { seed: 2024, targetsPerUtterance: 2, maxTrials: 5000 }), trials);
});
