import { type DatasetManifest } from "./manifest.ts";
import type { Trial } from "./trials.ts";
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
/**
 * Draws target and non-target trials from a manifest. Pairs are unordered-unique (a–b and b–a count as
 * one), never pair a file with itself, and non-targets share the enrollment utterances of the targets, so
 * per-speaker balance carries over. The result is sorted by enroll, then test. The manifest's order does
 * not matter. Throws when the manifest allows no target trial at all.
 */
export declare function generateTrials(manifest: DatasetManifest, options: TrialGenerationOptions): Trial[];
