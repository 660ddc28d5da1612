// Scoring a trial list: cosine between each trial's enroll side and test utterance. Scores table out as
// CSV `enroll,test,label,score`.
import Papa from "papaparse";
import type { EnrollMap, Trial } from "../datasets/trial-lists.ts";
import { centroid, type CentroidMethod } from "../enrollment/centroid.ts";
import { VoxlabError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { directionalNorm, dot, type Vector } from "../core/vector.ts";

/** Where a trial's embeddings come from. Both throw a VoxlabError naming what is missing. */
export interface TrialEmbeddings {
  /** The enroll side: an utterance, or an enrollment id (CN-Celeb) standing for several. */
  enroll(id: string): Vector;
  /** The test utterance. */
  test(id: string): Vector;
}

export interface TrialEmbeddingOptions {
  /** Enrollment id → utterances; an enroll side found here is the centroid of their embeddings. */
  enrollMap?: EnrollMap;
  /** How an enrollment id's utterances are combined (default "mean-normalized"). */
  centroid?: CentroidMethod;
}

/**
 * Trial embeddings from an utterance lookup (e.g. trial path → the store's embedding of the file
 * under the dataset's wav root). Enrollment ids in `enrollMap` become centroids, computed once.
 */
export function trialEmbeddings(utterance: (id: string) => Vector | undefined, options: TrialEmbeddingOptions = {}): TrialEmbeddings {
  const centroids = new Map<string, Float32Array>();
  const need = (id: string, role: string): Vector => {
    const e = utterance(id);
    if (!e) throw new VoxlabError(`no embedding for the ${role} utterance "${id}"`);
    return e;
  };
  return {
    enroll(id) {
      const members = options.enrollMap?.get(id);
      if (!members) return need(id, "enroll");
      let c = centroids.get(id);
      if (!c) {
        c = centroid(members.map((m) => need(m, `enrollment "${id}"`)), options.centroid);
        centroids.set(id, c);
      }
      return c;
    },
    test: (id) => need(id, "test"),
  };
}

/** `id`'s norm from `cache`, computed (and checked) on first use. */
function cachedNorm(cache: Map<string, number>, id: string, v: Vector): number {
  let norm = cache.get(id);
  if (norm === undefined) {
    norm = directionalNorm(v, id);
    cache.set(id, norm);
  }
  return norm;
}

/**
 * Cosine scores of the trials, in order: a·b / (|a||b|) on the embeddings as they are. Only the norms are kept
 * per id: a float64 length-normalised copy per enroll and per test side was 3 kB per utterance (300 MB at 100,000).
 */
export function scoreTrials(trials: readonly Trial[], embeddings: TrialEmbeddings): Float64Array {
  const enrollNorms = new Map<string, number>();
  const testNorms = new Map<string, number>();
  return Float64Array.from(trials, ({ enroll, test }) => {
    const e = embeddings.enroll(enroll);
    const t = embeddings.test(test);
    return dot(e, t) / (cachedNorm(enrollNorms, enroll, e) * cachedNorm(testNorms, test, t));
  });
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
    yield `${Papa.unparse(rows, { newline: "\n" })}\n`;
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
