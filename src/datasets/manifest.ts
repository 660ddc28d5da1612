// Dataset manifests: one row per utterance of a VoxCeleb-style tree, as a value and as a CSV file.
import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, printable, VoxlabError } from "../core/errors.ts";
import { readText, writeFileAtomic } from "../core/fs.ts";
import { papaparse } from "../core/lazy-modules.ts";
import { readAudioHeader } from "../audio/header.ts";

/** One utterance: `path` is relative to the wav root with POSIX separators (`<speaker>/<session>/<file>`). */
export interface ManifestEntry {
  path: string;
  speaker: string;
  session: string;
  /** Seconds, from the file header. */
  duration: number;
}

export type DatasetManifest = ManifestEntry[];

/** A file left out of a scan, and why (one line naming it). */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ScanOptions {
  /** Called after each file header is read. */
  onProgress?: (done: number, total: number) => void;
  /**
   * When given, files that cannot be used (an unreadable header, a name no trial list or CSV row can hold)
   * are added here and left out, instead of stopping the scan.
   */
  skipped?: SkippedFile[];
  /** Appended to the error for such a file when `skipped` is not given (e.g. how to skip it instead). */
  skipHint?: string;
}

/** Trial lists split on whitespace and manifest rows are lines: a name holding either cannot be listed. */
const UNLISTABLE = /[\s\p{Cc}]/u;

const MANIFEST_COLUMNS = ["path", "speaker", "session", "duration"] as const;

const AUDIO_EXTENSION = /\.(wav|flac)$/i;
/** Header reads in flight at once: enough to hide file-open latency without exhausting descriptors. */
const CONCURRENCY = 32;

/** Orders by speaker, then session, then path, comparing UTF-16 code units (locale-independent). */
export function compareEntries(a: ManifestEntry, b: ManifestEntry): number {
  return compareText(a.speaker, b.speaker) || compareText(a.session, b.session) || compareText(a.path, b.path);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/** Visible entries of a folder; symbolic links count as what they point to (corpora are often linked in). */
async function listDir(dir: string): Promise<DirEntry[]> {
  let entries: Dirent[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith("."));
  } catch (err) {
    throw new VoxlabError(`${dir}: cannot read directory (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return Promise.all(
    entries.map(async (e) => {
      if (!e.isSymbolicLink()) return { name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() };
      const target = await stat(join(dir, e.name)).catch(() => undefined); // a dangling link is neither
      return { name: e.name, isDirectory: target?.isDirectory() ?? false, isFile: target?.isFile() ?? false };
    }),
  );
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds `<speaker>/<session>/<utt>.{wav,flac}` under `wavRoot`. Audio at any other depth means the tree
 * is not laid out as expected, which is reported rather than silently skipped; so are audio names at
 * utterance depth that are no regular file (a FIFO, device, socket or folder), returned apart.
 */
async function findUtterances(wavRoot: string, layoutHint: string): Promise<{ found: string[][]; notFiles: string[][] }> {
  const found: string[][] = [];
  const notFiles: string[][] = [];
  const misplaced = (rel: string) =>
    new VoxlabError(`${wavRoot}: audio file ${rel} is not at <speaker>/<session>/<utterance> depth (${layoutHint})`);
  for (const speaker of await listDir(wavRoot)) {
    if (!speaker.isDirectory) {
      if (AUDIO_EXTENSION.test(speaker.name)) throw misplaced(speaker.name);
      continue;
    }
    for (const session of await listDir(join(wavRoot, speaker.name))) {
      if (!session.isDirectory) {
        if (AUDIO_EXTENSION.test(session.name)) throw misplaced(`${speaker.name}/${session.name}`);
        continue;
      }
      for (const utt of await listDir(join(wavRoot, speaker.name, session.name))) {
        if (AUDIO_EXTENSION.test(utt.name)) (utt.isFile ? found : notFiles).push([speaker.name, session.name, utt.name]);
      }
    }
  }
  return { found, notFiles };
}

/** The folder holding `<speaker>/` folders: `<root>/wav` when present, else `<root>` itself. */
export async function wavRootOf(root: string): Promise<string> {
  if (!(await isDirectory(root))) throw new VoxlabError(`${root}: dataset root is not a directory`);
  const wav = join(root, "wav");
  return (await isDirectory(wav)) ? wav : root;
}

/**
 * Scans a VoxCeleb-style dataset (`<root>/wav/<speaker>/<session>/<utt>.{wav,flac}`, or the same three
 * levels directly under `<root>`) into a manifest sorted by speaker, session and path.
 */
export async function scanDataset(root: string, options: ScanOptions = {}): Promise<DatasetManifest> {
  const wavRoot = await wavRootOf(root);
  const layoutHint = "expected wav/<speaker>/<session>/<utterance>.{wav,flac} or the same three levels under the root";
  const { found, notFiles } = await findUtterances(wavRoot, layoutHint);
  if (found.length === 0) throw new VoxlabError(`${root}: no audio files found (${layoutHint})`);
  const skip = (path: string, reason: string): void => {
    if (!options.skipped) throw new VoxlabError(`${reason}${options.skipHint ?? ""}`);
    options.skipped.push({ path, reason: printable(reason) });
  };
  for (const parts of notFiles) {
    const path = join(wavRoot, ...parts);
    skip(path, `${path}: not a regular file (a folder, FIFO, device or socket); VoxLab reads audio from regular files only`);
  }
  // Before any header is read (and long before any embedding), so a run never ends on a name it cannot write.
  const utterances = found.filter((parts) => {
    const path = join(wavRoot, ...parts);
    if (!UNLISTABLE.test(parts.join("/"))) return true;
    skip(path, `${path}: the name holds whitespace or control characters, which no trial list or CSV row can carry; rename the file`);
    return false;
  });
  const manifest: (ManifestEntry | undefined)[] = new Array(utterances.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < utterances.length) {
      const i = next++;
      const [speaker, session, file] = utterances[i];
      const path = join(wavRoot, speaker, session, file);
      try {
        const { duration } = await readAudioHeader(path);
        manifest[i] = { path: `${speaker}/${session}/${file}`, speaker, session, duration };
      } catch (err) {
        skip(path, err instanceof VoxlabError ? err.message : `${path}: ${errorMessage(err)}`);
      }
      options.onProgress?.(++done, utterances.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, utterances.length) }, worker));
  const usable = manifest.filter((e): e is ManifestEntry => e !== undefined);
  if (usable.length === 0) throw new VoxlabError(`${root}: none of the ${found.length} audio files could be read`);
  return usable.sort(compareEntries);
}

/** The canonical CSV text of a manifest (what `saveManifest` writes; LF line ends, final newline). */
export function manifestToCsv(manifest: DatasetManifest): string {
  const rows = manifest.map((e) => [e.path, e.speaker, e.session, String(e.duration)]);
  return papaparse().unparse({ fields: [...MANIFEST_COLUMNS], data: rows }, { newline: "\n" }) + "\n";
}

/** sha256 (hex) of the canonical CSV: two manifests hash equal exactly when they list the same rows in the same order. */
export function manifestHash(manifest: DatasetManifest): string {
  return createHash("sha256").update(manifestToCsv(manifest)).digest("hex");
}

export async function saveManifest(path: string, manifest: DatasetManifest): Promise<void> {
  await writeFileAtomic(path, manifestToCsv(manifest));
}

/** Parses manifest CSV text; `name` (usually the file path) prefixes error messages, with line numbers. */
export function parseManifestCsv(text: string, name: string): DatasetManifest {
  const parsed = papaparse().parse<string[]>(text.replace(/^\uFEFF/, ""), { header: false });
  // Papaparse reports quoting errors per row; rows map to lines because manifest fields hold no newlines.
  const firstError = parsed.errors.find((e) => e.type === "Quotes" || e.type === "FieldMismatch");
  if (firstError) throw new VoxlabError(`${name}: line ${(firstError.row ?? 0) + 1}: ${firstError.message}`);
  const rows = parsed.data;
  const header = rows[0]?.map((h) => h.trim());
  if (!header || header.join(",") !== MANIFEST_COLUMNS.join(",")) {
    throw new VoxlabError(`${name}: line 1: header must be ${MANIFEST_COLUMNS.join(",")}, found ${header ? printable(header.join(",")) : "nothing"}`);
  }
  const manifest: DatasetManifest = [];
  const seen = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i];
    const line = i + 1;
    if (row.length === 1 && row[0].trim() === "") continue; // blank line (also the final newline)
    if (row.length !== MANIFEST_COLUMNS.length) {
      throw new VoxlabError(`${name}: line ${line}: expected ${MANIFEST_COLUMNS.length} fields, found ${row.length}`);
    }
    const [path, speaker, session, durationText] = row.map((f) => f.trim());
    for (const [column, value] of [["path", path], ["speaker", speaker], ["session", session]]) {
      if (value === "") throw new VoxlabError(`${name}: line ${line}: empty ${column}`);
    }
    const duration = Number(durationText);
    if (durationText === "" || !Number.isFinite(duration) || duration < 0) {
      throw new VoxlabError(`${name}: line ${line}: duration "${printable(durationText)}" is not a non-negative number`);
    }
    const earlier = seen.get(path);
    if (earlier !== undefined) throw new VoxlabError(`${name}: line ${line}: path ${printable(path)} already listed on line ${earlier}`);
    seen.set(path, line);
    manifest.push({ path, speaker, session, duration });
  }
  return manifest;
}

export async function loadManifest(path: string): Promise<DatasetManifest> {
  return parseManifestCsv(await readText(path), path);
}
