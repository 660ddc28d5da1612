// Trial lists in the three common text formats, read into one shape, written in the VoxCeleb one.
import { VoxlabError } from "../core/errors.ts";
import { readText, writeFileAtomic } from "../core/fs.ts";
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

export const TRIAL_FORMATS: readonly TrialFormat[] = ["voxceleb", "kaldi", "cnceleb"];

export interface TrialList {
  format: TrialFormat;
  trials: Trial[];
}

/** Enrollment id → the utterance paths whose embeddings form that enrollment. */
export type EnrollMap = Map<string, string[]>;

const LAYOUT: Record<TrialFormat, string> = {
  voxceleb: "<0|1> <enroll> <test>",
  kaldi: "<enroll> <test> <target|nontarget>",
  cnceleb: "<enroll-id> <test> <0|1>",
};

const BINARY_LABEL: Record<string, 0 | 1> = { "0": 0, "1": 1 };
const KALDI_LABEL: Record<string, 0 | 1> = { target: 1, nontarget: 0 };

/** The trial a line's tokens describe in `format`, or undefined when they do not fit it. */
function trialFromTokens(tokens: string[], format: TrialFormat): Trial | undefined {
  if (tokens.length !== 3) return undefined;
  const [a, b, c] = tokens;
  const label = format === "voxceleb" ? BINARY_LABEL[a] : format === "kaldi" ? KALDI_LABEL[c] : BINARY_LABEL[c];
  if (label === undefined) return undefined;
  return format === "voxceleb" ? { enroll: b, test: c, label } : { enroll: a, test: b, label };
}

/** Non-blank lines as [line number, whitespace-separated tokens]; tolerates CRLF, trailing blanks, no final newline. */
function tokenizedLines(text: string): Array<[number, string[]]> {
  const lines: Array<[number, string[]]> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const tokens = line.trim().split(/\s+/);
    if (tokens[0] !== "") lines.push([i + 1, tokens]);
  });
  return lines;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The format whose layout fits a line, trying VoxCeleb first (its label leads, so it cannot be confused). */
export function detectTrialFormat(tokens: string[]): TrialFormat | undefined {
  return TRIAL_FORMATS.find((format) => trialFromTokens(tokens, format) !== undefined);
}

/**
 * Parses a trial list. The format is detected from the first non-blank line unless given; every line must
 * then fit it. `name` (usually the file path) prefixes error messages, which give the line number.
 */
export function parseTrials(text: string, name: string, format?: TrialFormat): TrialList {
  const lines = tokenizedLines(text.replace(/^\uFEFF/, ""));
  if (lines.length === 0) throw new VoxlabError(`${name}: trial list is empty`);
  const [firstLine, firstTokens] = lines[0];
  const chosen = format ?? detectTrialFormat(firstTokens);
  if (!chosen) {
    const layouts = TRIAL_FORMATS.map((f) => `"${LAYOUT[f]}"`).join(", ");
    throw new VoxlabError(`${name}: line ${firstLine}: not a trial line in any known format (${layouts}): "${shorten(firstTokens.join(" "))}"`);
  }
  const trials = lines.map(([line, tokens]) => {
    const trial = trialFromTokens(tokens, chosen);
    if (!trial) throw new VoxlabError(`${name}: line ${line}: expected "${LAYOUT[chosen]}" (${chosen} format), found "${shorten(tokens.join(" "))}"`);
    return trial;
  });
  return { format: chosen, trials };
}

export async function loadTrials(path: string, format?: TrialFormat): Promise<TrialList> {
  return parseTrials(await readText(path), path, format);
}

/** Parses a CN-Celeb `enroll.map`: `<enroll-id> <path> [<path> ...]` per line. */
export function parseEnrollMap(text: string, name = "enroll.map"): EnrollMap {
  const map: EnrollMap = new Map();
  for (const [line, [id, ...paths]] of tokenizedLines(text.replace(/^\uFEFF/, ""))) {
    if (paths.length === 0) throw new VoxlabError(`${name}: line ${line}: enrollment ${id} lists no utterances`);
    if (map.has(id)) throw new VoxlabError(`${name}: line ${line}: enrollment ${id} is listed twice`);
    map.set(id, paths);
  }
  if (map.size === 0) throw new VoxlabError(`${name}: enroll map is empty`);
  return map;
}

export async function loadEnrollMap(path: string): Promise<EnrollMap> {
  return parseEnrollMap(await readText(path), path);
}

/** VoxCeleb-format text, one `<label> <enroll> <test>` line per trial, LF line ends. */
export function formatTrials(trials: Trial[]): string {
  return trials
    .map(({ label, enroll, test }) => {
      if (/\s/.test(enroll) || /\s/.test(test) || enroll === "" || test === "") {
        throw new VoxlabError(`trial "${enroll}" / "${test}": names must be non-empty and free of whitespace to be written`);
      }
      return `${label} ${enroll} ${test}\n`;
    })
    .join("");
}

export async function writeTrials(path: string, trials: Trial[]): Promise<void> {
  await writeFileAtomic(path, formatTrials(trials));
}

/**
 * The utterance paths that trials use but the manifest lacks, each once, in order of first use. Enroll
 * ids found in `enrollMap` are checked through the paths they map to; other enroll values are paths.
 */
export function checkTrialsAgainstManifest(trials: Trial[], manifest: DatasetManifest, enrollMap?: EnrollMap): string[] {
  const known = new Set(manifest.map((e) => e.path));
  const missing = new Set<string>();
  const check = (path: string) => {
    if (!known.has(path)) missing.add(path);
  };
  for (const { enroll, test } of trials) {
    const enrollPaths = enrollMap?.get(enroll);
    if (enrollPaths) enrollPaths.forEach(check);
    else check(enroll);
    check(test);
  }
  return [...missing];
}

/** A one-line error for the result of `checkTrialsAgainstManifest`, naming a few of the missing paths. */
export function missingPathsError(missing: string[], trialsName: string, datasetName: string): VoxlabError {
  const examples = missing.slice(0, 3).join(", ") + (missing.length > 3 ? ", ..." : "");
  const noun = missing.length === 1 ? "utterance is" : "utterances are";
  return new VoxlabError(`${trialsName}: ${missing.length} ${noun} not in the dataset ${datasetName}: ${examples}`);
}
