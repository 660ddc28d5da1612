// Enrolled speakers: one centroid per speaker (kept as a float64 sum + count so enrollment can grow
// utterance by utterance), verification against a threshold and top-k identification, saved as JSON.
import { VoxlabError } from "../core/errors.ts";
import { readJson, writeFileAtomic } from "../core/fs.ts";
import { dot, unitVector, type Vector } from "../core/vector.ts";
import { accumulate, centroidFromSum, parseCentroidMethod, type CentroidMethod } from "./centroid.ts";

/**
 * SpeechBrain's default cosine threshold (speechbrain#2145: "why 0.25?"). Scores depend on the
 * model and the data: tune it on your own trials (the metrics' threshold reports) before relying on it.
 */
export const DEFAULT_THRESHOLD = 0.25;

export interface SpeakerProfile {
  speaker: string;
  /** Enrollment utterances so far. */
  count: number;
  /** Running float64 sum (of normalised or raw embeddings, as the method accumulates). */
  sum: Float64Array;
  centroid: Float32Array;
}

export interface ProfilesOptions {
  method?: CentroidMethod;
  /** Cosine threshold that `verify` accepts at (default DEFAULT_THRESHOLD). */
  threshold?: number;
}

export interface VerifyResult {
  score: number;
  accepted: boolean;
  threshold: number;
}

export interface SpeakerMatch {
  speaker: string;
  score: number;
}

/** The JSON file layout. Float arrays are base64 of little-endian bytes (exact, compact). */
export interface ProfilesFile {
  format: typeof FORMAT;
  version: 1;
  method: CentroidMethod;
  threshold: number;
  dimension: number | null;
  profiles: Array<{ speaker: string; count: number; sum: string; centroid: string }>;
}

const FORMAT = "voxlab-speaker-profiles";

const toBase64 = (a: Float32Array | Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

function fromBase64<T extends Float32Array | Float64Array>(text: unknown, make: (b: ArrayBuffer) => T, size: number, what: string): T {
  if (typeof text !== "string") throw new VoxlabError(`${what} is not a base64 string`);
  const bytes = Buffer.from(text, "base64");
  const itemSize = make(new ArrayBuffer(0)).BYTES_PER_ELEMENT;
  if (bytes.length !== size * itemSize) throw new VoxlabError(`${what} holds ${bytes.length} bytes, expected ${size * itemSize}`);
  return make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

interface Entry extends SpeakerProfile {
  /** The centroid's unit vector, for scoring. */
  unit: Float64Array;
}

export class SpeakerProfiles {
  readonly method: CentroidMethod;
  threshold: number;
  private dim: number | null = null;
  private readonly entries = new Map<string, Entry>();

  constructor(options: ProfilesOptions = {}) {
    this.method = options.method ?? "mean-normalized";
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    if (!Number.isFinite(this.threshold)) throw new VoxlabError(`threshold must be a finite number, got ${this.threshold}`);
  }

  /** Profiles from embeddings grouped by speaker (e.g. a dataset's enrollment utterances). */
  static build(groups: Iterable<readonly [string, readonly Vector[]]>, options: ProfilesOptions = {}): SpeakerProfiles {
    const profiles = new SpeakerProfiles(options);
    for (const [speaker, embeddings] of groups) profiles.enroll(speaker, embeddings);
    return profiles;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Embedding dimension, once a speaker is enrolled. */
  get dimension(): number | null {
    return this.dim;
  }

  speakers(): string[] {
    return [...this.entries.keys()];
  }

  has(speaker: string): boolean {
    return this.entries.has(speaker);
  }

  get(speaker: string): SpeakerProfile | undefined {
    const entry = this.entries.get(speaker);
    return entry && { speaker, count: entry.count, sum: entry.sum.slice(), centroid: entry.centroid.slice() };
  }

  /** Adds utterance embeddings to `speaker` (creating the profile); the centroid is updated. */
  enroll(speaker: string, embeddings: readonly Vector[]): SpeakerProfile {
    if (speaker === "") throw new VoxlabError("a speaker profile needs a non-empty name");
    if (embeddings.length === 0) throw new VoxlabError(`${speaker}: no embeddings to enroll`);
    const dim = this.dim ?? embeddings[0].length;
    const old = this.entries.get(speaker);
    const sum = old ? old.sum.slice() : new Float64Array(dim);
    // Accumulate into a copy, so a bad embedding leaves the profile as it was.
    embeddings.forEach((e, i) => accumulate(sum, e, this.method, `${speaker}: embedding #${i}`));
    this.dim = dim;
    this.set(speaker, sum, (old?.count ?? 0) + embeddings.length);
    return this.get(speaker)!;
  }

  remove(speaker: string): boolean {
    return this.entries.delete(speaker);
  }

  centroid(speaker: string): Float32Array {
    return this.entry(speaker).centroid.slice();
  }

  /** Cosine score of `embedding` against the speaker's centroid, accepted when ≥ the threshold. */
  verify(speaker: string, embedding: Vector, threshold = this.threshold): VerifyResult {
    const score = dot(this.entry(speaker).unit, this.query(embedding));
    return { score, accepted: score >= threshold, threshold };
  }

  /** The `k` best-scoring speakers for `embedding`, best first (ties by name). */
  identify(embedding: Vector, k = 1): SpeakerMatch[] {
    if (!(Number.isInteger(k) && k >= 1)) throw new VoxlabError(`identify: k must be a positive integer, got ${k}`);
    const query = this.query(embedding);
    const matches = [...this.entries].map(([speaker, e]) => ({ speaker, score: dot(e.unit, query) }));
    matches.sort((a, b) => b.score - a.score || (a.speaker < b.speaker ? -1 : a.speaker > b.speaker ? 1 : 0));
    return matches.slice(0, k);
  }

  toJSON(): ProfilesFile {
    return {
      format: FORMAT,
      version: 1,
      method: this.method,
      threshold: this.threshold,
      dimension: this.dim,
      profiles: [...this.entries].map(([speaker, e]) => ({ speaker, count: e.count, sum: toBase64(e.sum), centroid: toBase64(e.centroid) })),
    };
  }

  /** Reads `toJSON` output; the centroids are recomputed from the sums and must match the stored ones. */
  static fromJSON(json: unknown, source = "profiles"): SpeakerProfiles {
    const file = json as Partial<ProfilesFile> | null;
    if (file === null || typeof file !== "object" || file.format !== FORMAT) throw new VoxlabError(`${source}: not a VoxLab speaker-profiles file`);
    if (file.version !== 1) throw new VoxlabError(`${source}: unsupported speaker-profiles version ${String(file.version)}`);
    const profiles = new SpeakerProfiles({ method: parseCentroidMethod(String(file.method), `${source}: method`), threshold: Number(file.threshold) });
    if (!Array.isArray(file.profiles)) throw new VoxlabError(`${source}: "profiles" is not a list`);
    const dim = Number(file.dimension);
    if (file.profiles.length > 0 && !(Number.isInteger(dim) && dim > 0)) throw new VoxlabError(`${source}: bad dimension ${String(file.dimension)}`);
    for (const [i, p] of file.profiles.entries()) {
      const where = `${source}: profile #${i}`;
      if (typeof p?.speaker !== "string" || p.speaker === "") throw new VoxlabError(`${where} has no speaker name`);
      if (profiles.entries.has(p.speaker)) throw new VoxlabError(`${where}: speaker "${p.speaker}" appears twice`);
      if (!(Number.isInteger(p.count) && p.count >= 1)) throw new VoxlabError(`${where} (${p.speaker}): bad count ${String(p.count)}`);
      const sum = fromBase64(p.sum, (b) => new Float64Array(b), dim, `${where} (${p.speaker}): sum`);
      const stored = fromBase64(p.centroid, (b) => new Float32Array(b), dim, `${where} (${p.speaker}): centroid`);
      profiles.dim = dim;
      const entry = profiles.set(p.speaker, sum, p.count);
      if (entry.centroid.some((x, j) => x !== stored[j])) throw new VoxlabError(`${where} (${p.speaker}): the centroid does not match the sum (corrupt file)`);
    }
    return profiles;
  }

  /** Writes the profiles as JSON (atomically: a temporary file, then a rename). */
  async save(path: string): Promise<void> {
    await writeFileAtomic(path, `${JSON.stringify(this.toJSON(), null, 1)}\n`);
  }

  static async load(path: string): Promise<SpeakerProfiles> {
    const json = await readJson(path);
    return SpeakerProfiles.fromJSON(json, path);
  }

  private set(speaker: string, sum: Float64Array, count: number): Entry {
    const centroid = centroidFromSum(sum, count, this.method);
    const entry = { speaker, count, sum, centroid, unit: unitVector(centroid, speaker) };
    this.entries.set(speaker, entry);
    return entry;
  }

  private entry(speaker: string): Entry {
    const entry = this.entries.get(speaker);
    if (!entry) throw new VoxlabError(`no enrolled speaker "${speaker}"`);
    return entry;
  }

  private query(embedding: Vector): Float64Array {
    if (this.dim !== null && embedding.length !== this.dim) throw new VoxlabError(`embedding has dimension ${embedding.length}, the profiles ${this.dim}`);
    return unitVector(embedding, "query embedding");
  }
}
