// Seeded, reproducible trial lists drawn from a manifest.
import { VoxlabError } from "../core/errors.ts";
import { compareEntries, compareText, type DatasetManifest } from "./manifest.ts";
import { mulberry32, randomInt, shuffleInPlace } from "../core/random.ts";
import type { Trial } from "./trial-lists.ts";

export interface TrialGenerationOptions {
  /** PRNG seed (uint32): the same manifest and options give the same trials. */
  seed: number;
  /** Target trials drawn with each utterance as enrollment (fewer when its speaker has too few utterances). Default 1. */
  targetsPerUtterance?: number;
  /** Non-target trials per target trial. Default 1. */
  nontargetRatio?: number;
  /** No target pair from the same session (same recording conditions inflate scores). Default true. */
  excludeSameSession?: boolean;
  /** At most this many target trials whose enrollment is from any one speaker. */
  maxTargetsPerSpeaker?: number;
  /** At most this many trials in all, split between targets and non-targets by `nontargetRatio`. */
  maxTrials?: number;
}

function requireCount(value: number | undefined, what: string, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
    throw new VoxlabError(`generateTrials: ${what} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Draws target and non-target trials from a manifest. Pairs are unordered-unique (a–b and b–a count as
 * one), never pair a file with itself, and non-targets share the enrollment utterances of the targets, so
 * per-speaker balance carries over. The result is sorted by enroll, then test. The manifest's order does
 * not matter. Throws when the manifest allows no target trial at all.
 */
export function generateTrials(manifest: DatasetManifest, options: TrialGenerationOptions): Trial[] {
  const { seed, targetsPerUtterance = 1, nontargetRatio = 1, excludeSameSession = true, maxTargetsPerSpeaker, maxTrials } = options;
  if (!Number.isInteger(seed)) throw new VoxlabError(`generateTrials: seed must be an integer, got ${seed}`);
  requireCount(targetsPerUtterance, "targetsPerUtterance", 1);
  requireCount(maxTargetsPerSpeaker, "maxTargetsPerSpeaker", 1);
  requireCount(maxTrials, "maxTrials", 1);
  if (!(Number.isFinite(nontargetRatio) && nontargetRatio >= 0)) {
    throw new VoxlabError(`generateTrials: nontargetRatio must be a non-negative number, got ${nontargetRatio}`);
  }

  // Sorted by speaker, so each speaker's utterances form one contiguous index range.
  const entries = [...manifest].sort(compareEntries);
  const n = entries.length;
  for (let i = 1; i < n; i++) {
    if (entries[i].path === entries[i - 1].path) throw new VoxlabError(`generateTrials: manifest lists ${entries[i].path} twice`);
  }
  const range = new Map<string, [number, number]>();
  entries.forEach((e, i) => {
    const r = range.get(e.speaker);
    if (r) r[1] = i + 1;
    else range.set(e.speaker, [i, i + 1]);
  });

  const random = mulberry32(seed);
  const used = new Set<number>();
  const pairKey = (a: number, b: number) => Math.min(a, b) * n + Math.max(a, b);
  const claim = (a: number, b: number) => {
    const key = pairKey(a, b);
    if (used.has(key)) return false;
    used.add(key);
    return true;
  };

  // Targets: for each enrollment utterance, a random sample of its speaker's other (other-session) utterances.
  const targetsBySpeaker = new Map<string, Array<[number, number]>>();
  for (let i = 0; i < n; i++) {
    const [lo, hi] = range.get(entries[i].speaker)!;
    const candidates: number[] = [];
    for (let j = lo; j < hi; j++) {
      if (j !== i && !(excludeSameSession && entries[j].session === entries[i].session)) candidates.push(j);
    }
    shuffleInPlace(random, candidates);
    const picked: Array<[number, number]> = [];
    for (const j of candidates) {
      if (picked.length === targetsPerUtterance) break;
      if (claim(i, j)) picked.push([i, j]);
    }
    const list = targetsBySpeaker.get(entries[i].speaker) ?? [];
    targetsBySpeaker.set(entries[i].speaker, list.concat(picked));
  }
  let targets: Array<[number, number]> = [];
  for (const list of targetsBySpeaker.values()) {
    const capped = maxTargetsPerSpeaker !== undefined && list.length > maxTargetsPerSpeaker;
    targets.push(...(capped ? shuffleInPlace(random, list).slice(0, maxTargetsPerSpeaker) : list));
  }
  if (targets.length === 0) {
    const why = excludeSameSession ? "no speaker has utterances in two sessions" : "no speaker has two utterances";
    throw new VoxlabError(`generateTrials: no target trial is possible (${why})`);
  }
  if (maxTrials !== undefined) {
    const maxTargets = Math.max(1, Math.floor(maxTrials / (1 + nontargetRatio)));
    if (targets.length > maxTargets) targets = shuffleInPlace(random, targets).slice(0, maxTargets);
  }

  // Non-targets: enrollments cycle through the targets' (in random order); tests are uniform over the
  // other speakers' utterances. Tiny manifests may run out of unused pairs and yield fewer.
  const wanted = Math.round(targets.length * nontargetRatio);
  const nontargetCount = maxTrials === undefined ? wanted : Math.min(wanted, maxTrials - targets.length);
  const enrollOrder = shuffleInPlace(random, targets.map(([i]) => i));
  const nontargets: Array<[number, number]> = [];
  const ATTEMPTS = 32;
  for (let k = 0; k < nontargetCount; k++) {
    const i = enrollOrder[k % enrollOrder.length];
    const [lo, hi] = range.get(entries[i].speaker)!;
    const others = n - (hi - lo);
    if (others === 0) break; // a single speaker: no non-target exists
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const r = randomInt(random, others);
      const j = r < lo ? r : r + (hi - lo);
      if (claim(i, j)) {
        nontargets.push([i, j]);
        break;
      }
    }
  }

  const trials: Trial[] = [
    ...targets.map(([i, j]): Trial => ({ enroll: entries[i].path, test: entries[j].path, label: 1 })),
    ...nontargets.map(([i, j]): Trial => ({ enroll: entries[i].path, test: entries[j].path, label: 0 })),
  ];
  return trials.sort((a, b) => compareText(a.enroll, b.enroll) || compareText(a.test, b.test));
}
