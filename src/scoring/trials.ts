// Scoring a trial list: cosine between each trial's enroll side and test utterance, each embedding
// length-normalised once however many trials use it. Scores table out as CSV `enroll,test,label,score`.
import Papa from "papaparse";
import type { EnrollMap, Trial } from "../datasets/trials.ts";
import { centroid, type CentroidMethod } from "../enrollment/centroid.ts";
import { VoxlabError } from "../errors.ts";
import { writeFileAtomic } from "../io/npy.ts";
import { dot, unitVector, type Vector } from "./cosine.ts";

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

/** Length-normalised embeddings by id, each computed on first use. */
export class UnitVectorCache {
  private readonly cache = new Map<string, Float64Array>();
  constructor(private readonly lookup: (id: string) => Vector) {}

  get(id: string): Float64Array {
    let unit = this.cache.get(id);
    if (!unit) {
      unit = unitVector(this.lookup(id), id);
      this.cache.set(id, unit);
    }
    return unit;
  }

  /** Every id seen so far, in first-use order. */
  ids(): string[] {
    return [...this.cache.keys()];
  }
}

/** Cosine scores of the trials, in order. */
export function scoreTrials(trials: readonly Trial[], embeddings: TrialEmbeddings): Float64Array {
  const enroll = new UnitVectorCache((id) => embeddings.enroll(id));
  const test = new UnitVectorCache((id) => embeddings.test(id));
  return Float64Array.from(trials, (t) => dot(enroll.get(t.enroll), test.get(t.test)));
}

/** The scores table as CSV with header `enroll,test,label,score` (scores at full float64 precision). */
export function formatScoresCsv(trials: readonly Trial[], scores: ArrayLike<number>): string {
  if (scores.length !== trials.length) throw new VoxlabError(`${trials.length} trials but ${scores.length} scores`);
  const rows = trials.map((t, i) => [t.enroll, t.test, t.label, scores[i]]);
  return `${Papa.unparse({ fields: ["enroll", "test", "label", "score"], data: rows }, { newline: "\n" })}\n`;
}

export async function writeScoresCsv(path: string, trials: readonly Trial[], scores: ArrayLike<number>): Promise<void> {
  await writeFileAtomic(path, formatScoresCsv(trials, scores));
}
