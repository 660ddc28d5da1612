// Scoring a trial list: cosine between each trial's enroll side and test utterance.
import type { EnrollMap, Trial } from "../datasets/trial-lists.ts";
import { centroid, type CentroidMethod } from "../enrollment/centroid.ts";
import { VoxlabError } from "../core/errors.ts";
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
