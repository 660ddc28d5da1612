import { VoxlabError } from "../errors.ts";
import type { DatasetManifest } from "./manifest.ts";
/** `enroll` is an utterance path, or an enrollment id (CN-Celeb) that an enroll map expands. */
export interface Trial {
    enroll: string;
    test: string;
    /** 1 = same speaker (target), 0 = different speakers (non-target). */
    label: 0 | 1;
}
/**
 * - `voxceleb`: `<0|1> <enroll> <test>` (VoxCeleb1-O, -E, -H)
 * - `kaldi`: `<enroll> <test> <target|nontarget>` (Kaldi, WeSpeaker)
 * - `cnceleb`: `<enroll-id> <test> <0|1>` (CN-Celeb, with an enroll.map)
 */
export type TrialFormat = "voxceleb" | "kaldi" | "cnceleb";
export declare const TRIAL_FORMATS: readonly TrialFormat[];
export interface TrialList {
    format: TrialFormat;
    trials: Trial[];
}
/** Enrollment id → the utterance paths whose embeddings form that enrollment. */
export type EnrollMap = Map<string, string[]>;
/** The format whose layout fits a line, trying VoxCeleb first (its label leads, so it cannot be confused). */
export declare function detectTrialFormat(tokens: string[]): TrialFormat | undefined;
/**
 * Parses a trial list. The format is detected from the first non-blank line unless given; every line must
 * then fit it. `name` (usually the file path) prefixes error messages, which give the line number.
 */
export declare function parseTrials(text: string, name: string, format?: TrialFormat): TrialList;
export declare function loadTrials(path: string, format?: TrialFormat): Promise<TrialList>;
/** Parses a CN-Celeb `enroll.map`: `<enroll-id> <path> [<path> ...]` per line. */
export declare function parseEnrollMap(text: string, name?: string): EnrollMap;
export declare function loadEnrollMap(path: string): Promise<EnrollMap>;
/** VoxCeleb-format text, one `<label> <enroll> <test>` line per trial, LF line ends. */
export declare function formatTrials(trials: Trial[]): string;
export declare function writeTrials(path: string, trials: Trial[]): Promise<void>;
/**
 * The utterance paths that trials use but the manifest lacks, each once, in order of first use. Enroll
 * ids found in `enrollMap` are checked through the paths they map to; other enroll values are paths.
 */
export declare function checkTrialsAgainstManifest(trials: Trial[], manifest: DatasetManifest, enrollMap?: EnrollMap): string[];
/** A one-line error for the result of `checkTrialsAgainstManifest`, naming a few of the missing paths. */
export declare function missingPathsError(missing: string[], trialsName: string, datasetName: string): VoxlabError;
