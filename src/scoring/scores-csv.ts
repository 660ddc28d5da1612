// The scores table as CSV: written by evaluations (`enroll,test,label,score`), read by metrics, calibrate and compare.
import type { Trial } from "../datasets/trial-lists.ts";
import { printable, VoxlabError } from "../core/errors.ts";
import { readText, writeFileAtomic } from "../core/fs.ts";
import { papaparse } from "../core/lazy-modules.ts";

/** A scores table: one trial per row; label 1 = target (same speaker), 0 = non-target. */
export interface ScoresTable {
  scores: Float64Array;
  labels: Uint8Array;
  /** The trials' two sides, when the file has `enroll` and `test` columns (as `voxlab eval` writes). */
  trials?: { enroll: string[]; test: string[] };
}

/** Counts of `ch` in `text`. */
function countOf(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * The lines of CSV text that needs no CSV parser: no quotes, and LF or CRLF line ends only (not mixed). Splitting
 * such text at line ends and commas gives exactly Papa Parse's rows, at a fraction of its time; other text
 * (quoted fields, bare CR line ends) gets null and goes through Papa Parse.
 */
function plainLines(text: string): string[] | null {
  if (text.includes('"')) return null;
  const cr = countOf(text, "\r");
  if (cr === 0) return text.split("\n");
  if (cr !== countOf(text, "\n") || cr !== countOf(text, "\r\n")) return null;
  return text.split("\r\n");
}

/** Row i (0 = header) of the text, as fields. */
type RowReader = { count: number; row: (i: number) => string[] };

function csvRows(text: string, source: string): RowReader {
  const lines = plainLines(text);
  if (lines) return { count: lines.length, row: (i) => lines[i].split(",") };
  const parsed = papaparse().parse<string[]>(text, { delimiter: ",", header: false, skipEmptyLines: false });
  const firstError = parsed.errors[0];
  if (firstError) {
    const line = firstError.row === undefined ? "" : ` (line ${firstError.row + 1})`;
    throw new VoxlabError(`${source}: not a valid CSV file${line}: ${firstError.message}`);
  }
  return { count: parsed.data.length, row: (i) => parsed.data[i] };
}

export interface ScoresCsvOptions {
  /** Keep the `enroll` and `test` columns as the trials' names (default true); `voxlab metrics` needs only scores. */
  trials?: boolean;
}

/**
 * Parses a CSV with a header holding `score` and `label` columns; `enroll` and `test` columns, when
 * both are there (and options.trials is not false), are kept as the trials' names; others are allowed and
 * ignored. LF or CRLF line ends; blank lines are skipped. Errors name the line.
 */
export function parseScoresCsv(text: string, source: string, options: ScoresCsvOptions = {}): ScoresTable {
  const rows = csvRows(text, source);
  const header = (rows.count > 0 ? rows.row(0) : []).map((name) => name.trim().replace(/^\uFEFF/, ""));
  const scoreColumn = header.indexOf("score");
  const labelColumn = header.indexOf("label");
  if (scoreColumn < 0 || labelColumn < 0) {
    throw new VoxlabError(`${source}: line 1 must be a header with "score" and "label" columns, got "${printable(header.join(","))}"`);
  }
  const scores = new Float64Array(rows.count);
  const labels = new Uint8Array(rows.count);
  const enrollColumn = header.indexOf("enroll");
  const testColumn = header.indexOf("test");
  const trials = options.trials !== false && enrollColumn >= 0 && testColumn >= 0 ? { enroll: [] as string[], test: [] as string[] } : undefined;
  let count = 0;
  // Row i is line i + 1 (scores files have no quoted line breaks).
  for (let i = 1; i < rows.count; i++) {
    const row = rows.row(i);
    if (row.length === 1 && row[0].trim() === "") continue;
    const where = `${source}: line ${i + 1}`;
    if (row.length !== header.length) throw new VoxlabError(`${where}: ${row.length} fields, the header has ${header.length}`);
    const scoreText = row[scoreColumn].trim();
    const score = Number(scoreText);
    if (scoreText === "" || !Number.isFinite(score)) throw new VoxlabError(`${where}: score "${printable(scoreText)}" is not a finite number`);
    const labelText = row[labelColumn].trim();
    if (labelText !== "0" && labelText !== "1") {
      throw new VoxlabError(`${where}: label "${printable(labelText)}" must be 0 (non-target) or 1 (target)`);
    }
    scores[count] = score;
    labels[count] = labelText === "1" ? 1 : 0;
    trials?.enroll.push(row[enrollColumn]);
    trials?.test.push(row[testColumn]);
    count++;
  }
  return { scores: scores.slice(0, count), labels: labels.slice(0, count), ...(trials === undefined ? {} : { trials }) };
}

export async function readScoresCsv(path: string, options: ScoresCsvOptions = {}): Promise<ScoresTable> {
  return parseScoresCsv(await readText(path, "scores file"), path, options);
}

const SCORE_COLUMNS = ["enroll", "test", "label", "score"];
/** Rows formatted at once when the table is written: a few MB of text, however many trials there are. */
const CSV_CHUNK_ROWS = 10_000;

function checkScoreCount(trials: readonly Trial[], scores: ArrayLike<number>): void {
  if (scores.length !== trials.length) throw new VoxlabError(`${trials.length} trials but ${scores.length} scores`);
}

/** The scores table as CSV text in pieces: the header line, then the rows CSV_CHUNK_ROWS at a time. */
function* scoresCsvChunks(trials: readonly Trial[], scores: ArrayLike<number>): Generator<string> {
  yield `${SCORE_COLUMNS.join(",")}\n`;
  for (let start = 0; start < trials.length; start += CSV_CHUNK_ROWS) {
    const rows = trials.slice(start, start + CSV_CHUNK_ROWS).map((t, i) => [t.enroll, t.test, t.label, scores[start + i]]);
    yield `${papaparse().unparse(rows, { newline: "\n" })}\n`;
  }
}

/** The scores table as CSV with header `enroll,test,label,score` (scores at full float64 precision). */
export function formatScoresCsv(trials: readonly Trial[], scores: ArrayLike<number>): string {
  checkScoreCount(trials, scores);
  return [...scoresCsvChunks(trials, scores)].join("");
}

/** Writes the scores table a chunk at a time, so the whole text is never held at once. */
export async function writeScoresCsv(path: string, trials: readonly Trial[], scores: ArrayLike<number>): Promise<void> {
  checkScoreCount(trials, scores);
  await writeFileAtomic(path, scoresCsvChunks(trials, scores));
}
