// An on-disk embedding cache, so re-running an evaluation does not re-run the model (speechbrain#772).
//
// Keys: the model's identity (sha256 of the ONNX bytes, the frontend settings it is fed with, and the
// extraction options that change results) names a folder; inside it, each embedding is keyed by the
// sha256 of the audio file's CONTENT, so a renamed or copied file hits and an edited file misses.
//
// Layout: `<storeDir>/<modelKey>/model.json` (what the key stands for) and shard files `part-<n>.bin`,
// one per flush. A shard is written under a temporary name and then linked to its final name, so a
// killed run (kill -9) leaves at most a stray temporary file, never a partial shard; each shard also
// ends with a sha256 of its contents, so a damaged one is refused rather than read. Shard format
// (little-endian): "VXEMB001", uint32 dim, uint32 count, count × (32-byte content hash, dim float32),
// 32-byte sha256 of everything before it. Opening reads every shard (about 0.8 kB per 192-d record:
// 150 k utterances are ~120 MB) and merges them into one when there are many.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { link, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { VoxlabError, errorMessage, fileError } from "../core/errors.ts";
import type { FrontendName } from "../features/index.ts";
import { writeNpy } from "../core/npy.ts";
import { ensureDir, processAlive, writeFileAtomic } from "../core/fs.ts";
import { openRegularFile } from "../core/regular-file.ts";
import { readModelProperties, type Device } from "../models/embedding-model.ts";
import { parseModelInfo, type MeanNorm } from "../models/metadata.ts";
import type { ExtractOptions, FileEmbedder } from "./extractor.ts";

export interface StoreOptions {
  /** The extractor's chunked extraction (see ExtractOptions.chunkSeconds); it changes the embeddings, so it is part of the key. */
  chunkSeconds?: number;
  /** Where the model runs (EmbeddingModel.device): GPU kernels round differently, so "cuda" embeddings are kept apart. */
  device?: Device;
}

export interface StoreEmbedOptions {
  /** Utterances per ONNX run (default 1; see ExtractOptions.batchSize). Padded batches agree with one-by-one runs to ~1e-7, so it is not part of the key. */
  batchSize?: number;
  /** Padded frames per ONNX run, at most (see ExtractOptions.maxBatchFrames). */
  maxBatchFrames?: number;
  /** Embeddings computed between two writes to disk, at most (default 256). */
  flushEvery?: number;
  /**
   * Seconds of computing after which what is computed is written to disk, even short of flushEvery (default 30,
   * checked after each window of files): a killed run loses at most about this much work, however slow the model.
   */
  flushSeconds?: number;
  /** Files hashed at once (default 8). */
  hashConcurrency?: number;
  /** Called as files are hashed (every file is read once to find its content's key): done, of how many. */
  onHashed?: (done: number, total: number) => void;
  /** Skip files that cannot be read or embedded (listed in `lastRun.bad`) instead of stopping with an error. */
  skipBad?: boolean;
  /** Called as missing embeddings are computed: done, of how many (cache hits are not counted). */
  onProgress?: (done: number, total: number) => void;
}

/** What the last `embedFiles` call did. */
export interface StoreRunStats {
  /** Distinct paths asked for. */
  files: number;
  /** Distinct audio contents among them. */
  contents: number;
  /** Contents found in the store. */
  cached: number;
  /** Contents embedded by the model (and added to the store). */
  computed: number;
  /** Files that could not be read or embedded, with the reason. */
  bad: BadFile[];
}

export interface BadFile {
  path: string;
  reason: string;
}

/** Everything that decides a model's embeddings of a file; its hash names the store folder. */
export interface ModelIdentity {
  modelSha256: string;
  frontend: FrontendName;
  sampleRate: number;
  meanNorm: MeanNorm;
  /** From the metadata; null when only the ONNX input shape gives it (covered by the model hash). */
  nMels: number | null;
  embeddingDim: number;
  chunkSeconds: number | null;
  /** Present only for "cuda", so CPU stores keep the keys they had before devices existed. */
  device?: "cuda";
}

const MAGIC = Buffer.from("VXEMB001", "latin1");
const HEAD = 16;
const HASH_BYTES = 32;
const SHARD_NAME = /^part-(\d+)\.bin$/;
const TEMP_NAME = /^\.part-(\d+)-[0-9a-f]+\.tmp$/;
/** Files per window when the store drives an extractor (at most flushEvery). */
const STORE_FILE_WINDOW = 32;
/** More shards than this at open are merged into one, so opening stays a few file reads. */
const COMPACT_AT = 64;

/** sha256 (hex) of a regular file's bytes, streamed (a device or FIFO is refused, never read). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const { handle } = await openRegularFile(path);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } catch (err) {
    throw new VoxlabError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new VoxlabError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** The identity of the model at `modelPath` (its metadata_props, overridden by a sidecar, as the loader reads them). */
export async function modelIdentity(modelPath: string, options: StoreOptions = {}): Promise<ModelIdentity> {
  const bytes = await readOptional(modelPath);
  if (!bytes) throw new VoxlabError(`${modelPath}: cannot read (ENOENT)`);
  const props = await readModelProperties(modelPath, bytes);
  // The feature dimension may come from the graph's input shape only; the model hash covers that.
  const info = parseModelInfo(props, modelPath, 0);
  const chunk = options.chunkSeconds;
  if (chunk !== undefined && !(chunk > 0 && Number.isFinite(chunk))) throw new VoxlabError(`chunk length must be positive, got ${chunk} s`);
  return {
    modelSha256: createHash("sha256").update(bytes).digest("hex"),
    frontend: info.frontend,
    sampleRate: info.sampleRate,
    meanNorm: info.meanNorm,
    nMels: props.n_mels === undefined ? null : info.nMels,
    embeddingDim: info.embeddingDim,
    chunkSeconds: chunk ?? null,
    ...(options.device === "cuda" ? { device: "cuda" as const } : {}),
  };
}

/** The store folder name of an identity: a prefix of the sha256 of its canonical JSON. */
export function modelKey(identity: ModelIdentity): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(identity).sort(([a], [b]) => (a < b ? -1 : 1))));
  return createHash("sha256").update(canonical).digest("hex").slice(0, 20);
}

/** Encodes records as one shard (see the format above). */
export function encodeShard(dim: number, records: ReadonlyArray<readonly [string, Float32Array]>): Buffer {
  const recordBytes = HASH_BYTES + 4 * dim;
  const out = Buffer.alloc(HEAD + records.length * recordBytes + HASH_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(dim, 8);
  out.writeUInt32LE(records.length, 12);
  records.forEach(([hash, embedding], r) => {
    const at = HEAD + r * recordBytes;
    out.write(hash, at, HASH_BYTES, "hex");
    Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength).copy(out, at + HASH_BYTES);
  });
  createHash("sha256").update(out.subarray(0, out.length - HASH_BYTES)).digest().copy(out, out.length - HASH_BYTES);
  return out;
}

/** Decodes and checks a shard; a wrong size, dimension or checksum is a VoxlabError naming the file. */
export function decodeShard(bytes: Buffer, dim: number, name: string): Array<[string, Float32Array]> {
  const corrupt = (why: string): VoxlabError => new VoxlabError(`${name}: corrupt embedding-store shard (${why}); delete it to recompute its embeddings`);
  if (bytes.length < HEAD + HASH_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt("bad header");
  const shardDim = bytes.readUInt32LE(8);
  const count = bytes.readUInt32LE(12);
  if (shardDim !== dim) throw new VoxlabError(`${name}: embedding-store shard holds ${shardDim}-d embeddings, the model gives ${dim}-d`);
  const recordBytes = HASH_BYTES + 4 * dim;
  if (bytes.length !== HEAD + count * recordBytes + HASH_BYTES) throw corrupt(`${bytes.length} bytes for ${count} records`);
  const body = bytes.subarray(0, bytes.length - HASH_BYTES);
  if (!createHash("sha256").update(body).digest().equals(bytes.subarray(body.length))) throw corrupt("checksum mismatch");
  // Each embedding is a view into the shard's bytes (its floats sit at multiples of 4 from the start): a copy is
  // made only when the bytes themselves start off a 4-byte boundary. A second copy would double what opening costs.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Array.from({ length: count }, (_, r): [string, Float32Array] => {
    const at = HEAD + r * recordBytes;
    return [bytes.toString("hex", at, at + HASH_BYTES), new Float32Array(aligned.buffer, aligned.byteOffset + at + HASH_BYTES, dim)];
  });
}

/**
 * Writes a temporary file, then links it to the first free `part-<n>.bin` from `startAt` on (never
 * overwriting another process's shard, so several runs may share a store). Returns the name and the next number.
 */
async function writeNumberedShard(dir: string, bytes: Buffer, startAt: number): Promise<{ name: string; next: number }> {
  const temp = join(dir, `.part-${process.pid}-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}.tmp`);
  let n = startAt;
  try {
    await writeFile(temp, bytes);
    for (;;) {
      const name = `part-${String(n++).padStart(6, "0")}.bin`;
      try {
        await link(temp, join(dir, name));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") continue;
        // Filesystems without hard links: a rename is still atomic.
        if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") await rename(temp, join(dir, name));
        else throw err;
      }
      return { name, next: n };
    }
  } catch (err) {
    throw fileError(dir, "cannot write to the embedding store", err);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

export interface MergeSummary {
  models: number;
  shards: number;
  embeddings: number;
}

/**
 * Merges embedding stores (e.g. one per shard of a Slurm array) into `dest`: every shard file of every
 * model folder is checked, then added under a fresh name. Duplicates are harmless (dropped on load).
 */
export async function mergeStores(dest: string, sources: readonly string[]): Promise<MergeSummary> {
  const summary: MergeSummary = { models: 0, shards: 0, embeddings: 0 };
  for (const source of sources) {
    if (resolve(source) === resolve(dest)) continue;
    let keys: string[];
    try {
      keys = (await readdir(source, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (err) {
      throw new VoxlabError(`${source}: cannot read the embedding store (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    const models = keys.filter((k) => existsSync(join(source, k, "model.json")));
    if (models.length === 0) throw new VoxlabError(`${source}: not an embedding store (no <model>/model.json inside)`);
    for (const key of models) {
      const manifest = await readFile(join(source, key, "model.json"), "utf8");
      const identity = (JSON.parse(manifest) as { identity: ModelIdentity }).identity;
      if (modelKey(identity) !== key) throw new VoxlabError(`${join(source, key, "model.json")}: does not match its folder name; the store is damaged`);
      const target = join(dest, key);
      await ensureDir(target, "embedding store");
      if (!existsSync(join(target, "model.json"))) await writeFileAtomic(join(target, "model.json"), manifest);
      let next = 0;
      for (const name of (await readdir(join(source, key))).filter((n) => SHARD_NAME.test(n))) {
        const bytes = await readFile(join(source, key, name));
        summary.embeddings += decodeShard(bytes, identity.embeddingDim, join(source, key, name)).length;
        next = (await writeNumberedShard(target, bytes, next)).next;
        summary.shards++;
      }
      summary.models++;
    }
  }
  return summary;
}

export class EmbeddingStore {
  /** Counts of the last `embedFiles` call. */
  lastRun: StoreRunStats = { files: 0, contents: 0, cached: 0, computed: 0, bad: [] };
  private readonly records = new Map<string, Float32Array>();
  private readonly shards: string[] = [];
  private nextShard = 0;

  private constructor(
    /** `<storeDir>/<modelKey>`. */
    readonly dir: string,
    readonly modelPath: string,
    readonly identity: ModelIdentity,
  ) {}

  /** Opens (creating if needed) the store of `modelPath`'s embeddings under `storeDir`, and reads it. */
  static async open(storeDir: string, modelPath: string, options: StoreOptions = {}): Promise<EmbeddingStore> {
    const identity = await modelIdentity(modelPath, options);
    const store = new EmbeddingStore(join(storeDir, modelKey(identity)), modelPath, identity);
    await store.load();
    return store;
  }

  get dimension(): number {
    return this.identity.embeddingDim;
  }

  /** Embeddings held. */
  get size(): number {
    return this.records.size;
  }

  has(contentHash: string): boolean {
    return this.records.has(contentHash);
  }

  /** The embedding of the audio whose bytes hash to `contentHash` (a copy), if stored. */
  get(contentHash: string): Float32Array | undefined {
    return this.records.get(contentHash)?.slice();
  }

  /** Adds embeddings (content hash → raw embedding) and writes them to disk as one shard. */
  async add(entries: Iterable<readonly [string, Float32Array]>): Promise<void> {
    const fresh: Array<readonly [string, Float32Array]> = [];
    for (const [hash, embedding] of entries) {
      if (!/^[0-9a-f]{64}$/.test(hash)) throw new VoxlabError(`embedding store: "${hash}" is not a sha256 hex digest`);
      if (embedding.length !== this.dimension) throw new VoxlabError(`embedding store ${this.dir}: embedding of ${hash.slice(0, 12)}… has dimension ${embedding.length}, the model ${this.dimension}`);
      if (!embedding.every(Number.isFinite)) throw new VoxlabError(`embedding store ${this.dir}: embedding of ${hash.slice(0, 12)}… is not finite`);
      if (!this.records.has(hash)) fresh.push([hash, embedding.slice()]);
    }
    if (fresh.length === 0) return;
    await this.writeShard(encodeShard(this.dimension, fresh));
    for (const [hash, embedding] of fresh) this.records.set(hash, embedding);
  }

  /**
   * Raw embeddings of audio files (path → embedding, in first-seen order): every file is hashed, the
   * ones whose content is not stored are embedded by `extractor` (which must run this store's model)
   * and written to disk every `flushEvery` embeddings or `flushSeconds`, so a killed run resumes where it stopped.
   */
  async embedFiles(paths: readonly string[], extractor: FileEmbedder, options: StoreEmbedOptions = {}): Promise<Map<string, Float32Array>> {
    const flushEvery = options.flushEvery ?? 256;
    if (!(Number.isInteger(flushEvery) && flushEvery >= 1)) throw new VoxlabError(`flushEvery must be a positive integer, got ${flushEvery}`);
    await this.checkExtractor(extractor);
    const files = [...new Set(paths)];
    const bad: BadFile[] = [];
    const fail = (path: string, err: unknown): undefined => {
      if (!(err instanceof VoxlabError)) throw err;
      bad.push({ path, reason: err.message });
      return undefined;
    };
    let hashed = 0;
    const hashes = await mapLimit(files, options.hashConcurrency ?? 8, async (path) => {
      const hash = await hashFile(path).catch((err: unknown) => fail(path, err));
      options.onHashed?.(++hashed, files.length);
      return hash;
    });
    // One file per missing content: copies of a file are embedded once.
    const missing = new Map<string, string>();
    files.forEach((path, i) => {
      const hash = hashes[i];
      if (hash !== undefined && !this.records.has(hash) && !missing.has(hash)) missing.set(hash, path);
    });
    const todo = [...missing];
    // One extractor call over everything missing, so decoding keeps running ahead of the model; each window's
    // embeddings come back through onWindow and go to disk every flushEvery embeddings or flushSeconds.
    const fileWindow = Math.min(STORE_FILE_WINDOW, flushEvery);
    const flushMs = 1000 * (options.flushSeconds ?? 30);
    let pending: [string, Float32Array][] = [];
    let computed = 0;
    let lastFlush = performance.now();
    const flush = async (): Promise<void> => {
      await this.add(pending);
      computed += pending.length;
      pending = [];
      lastFlush = performance.now();
    };
    const extractOptions = (from: number, onWindow?: ExtractOptions["onWindow"]): ExtractOptions => ({
      batchSize: options.batchSize,
      maxBatchFrames: options.maxBatchFrames,
      chunkSeconds: this.identity.chunkSeconds ?? undefined,
      fileWindow,
      onProgress: (done) => options.onProgress?.(from + done, todo.length),
      onWindow,
    });
    // A failed write (disk full) is not a bad file: it ends the run.
    let writeFailure: unknown;
    let cursor = 0;
    while (cursor < todo.length) {
      const from = cursor;
      try {
        await extractor.embedFiles(
          todo.slice(from).map(([, path]) => path),
          extractOptions(from, async (start, rows) => {
            rows.forEach((row, i) => pending.push([todo[from + start + i][0], row]));
            cursor = from + start + rows.length;
            if (pending.length >= flushEvery || performance.now() - lastFlush >= flushMs) {
              await flush().catch((e: unknown) => {
                writeFailure = e;
                throw e;
              });
            }
          }),
        );
      } catch (err) {
        if (err === writeFailure || !(err instanceof VoxlabError)) throw err;
        // A bad file in the window at `cursor`: embed its files one by one, so every good one is still kept.
        const window = todo.slice(cursor, cursor + fileWindow);
        for (const [hash, path] of window) {
          const row = (await extractor.embedFiles([path], extractOptions(cursor)).catch((e: unknown) => fail(path, e)))?.[0];
          if (row) pending.push([hash, row]);
        }
        cursor += window.length;
      }
    }
    await flush();
    const contents = new Set(hashes.filter((h) => h !== undefined)).size;
    this.lastRun = { files: files.length, contents, cached: contents - todo.length, computed, bad };
    if (bad.length > 0 && !options.skipBad) {
      throw new VoxlabError(`${bad[0].reason}${bad.length > 1 ? ` (and ${bad.length - 1} more bad files)` : ""}; the other embeddings are saved — fix or remove it, or pass --skip-bad`);
    }
    const result = new Map<string, Float32Array>();
    files.forEach((path, i) => {
      const hash = hashes[i];
      const embedding = hash === undefined ? undefined : this.records.get(hash);
      if (embedding) result.set(path, embedding.slice());
    });
    return result;
  }

  /** Merges all shards into one (duplicates dropped); old shards are deleted only after the new one is in place. */
  async compact(): Promise<void> {
    if (this.shards.length <= 1) return;
    const old = [...this.shards];
    this.shards.length = 0;
    await this.writeShard(encodeShard(this.dimension, [...this.records]));
    await Promise.all(old.map((name) => unlink(join(this.dir, name)).catch(() => undefined)));
  }

  private async load(): Promise<void> {
    await ensureDir(this.dir, "embedding store");
    const manifestPath = join(this.dir, "model.json");
    const manifest = await readOptional(manifestPath);
    if (manifest) {
      let stored: unknown;
      try {
        stored = (JSON.parse(manifest.toString("utf8")) as { identity?: unknown }).identity;
      } catch (err) {
        throw new VoxlabError(`${manifestPath}: invalid JSON (${errorMessage(err)})`);
      }
      if (modelKey(stored as ModelIdentity) !== modelKey(this.identity)) {
        throw new VoxlabError(`${manifestPath}: describes a different model than ${this.modelPath}; the store folder is damaged`);
      }
    } else {
      const text = JSON.stringify({ format: "voxlab-embedding-store", version: 1, identity: this.identity, createdFrom: resolve(this.modelPath) }, null, 1);
      await writeFileAtomic(manifestPath, `${text}\n`);
    }
    const names = await readdir(this.dir);
    // Temporary files of runs that died before renaming them are garbage.
    for (const name of names) {
      const pid = TEMP_NAME.exec(name)?.[1];
      if (pid && !processAlive(Number(pid))) await unlink(join(this.dir, name)).catch(() => undefined);
    }
    const shardNames = names.filter((n) => SHARD_NAME.test(n)).sort((a, b) => Number(SHARD_NAME.exec(a)![1]) - Number(SHARD_NAME.exec(b)![1]));
    for (const name of shardNames) {
      const bytes = await readFile(join(this.dir, name));
      for (const [hash, embedding] of decodeShard(bytes, this.dimension, join(this.dir, name))) {
        if (!this.records.has(hash)) this.records.set(hash, embedding);
      }
      this.shards.push(name);
      this.nextShard = Math.max(this.nextShard, Number(SHARD_NAME.exec(name)![1]) + 1);
    }
    if (this.shards.length > COMPACT_AT) await this.compact();
  }

  private async writeShard(bytes: Buffer): Promise<void> {
    const { name, next } = await writeNumberedShard(this.dir, bytes, this.nextShard);
    this.nextShard = next;
    this.shards.push(name);
  }

  /** The extractor must run this store's model: same frontend settings and dimension, same ONNX bytes. */
  private async checkExtractor(extractor: FileEmbedder): Promise<void> {
    const { info, path } = extractor.model;
    const id = this.identity;
    const storeDevice = id.device ?? "cpu";
    if (storeDevice !== extractor.model.device) throw new VoxlabError(`the extractor runs on ${extractor.model.device}, but the embedding store ${this.dir} holds ${storeDevice} embeddings`);
    const same = info.frontend === id.frontend && info.sampleRate === id.sampleRate && info.meanNorm === id.meanNorm && info.embeddingDim === id.embeddingDim;
    const sameBytes = resolve(path) === resolve(this.modelPath) || (await hashFile(path)) === id.modelSha256;
    if (!same || !sameBytes) throw new VoxlabError(`the extractor runs ${path}, but the embedding store ${this.dir} holds embeddings of ${this.modelPath}`);
  }
}

/**
 * Writes embeddings as an [N,D] float32 `.npy` (rows in the map's order) plus a text file of the
 * matching paths, one per line (default `<npy without .npy>.paths.txt`); returns the list's path.
 */
export async function writeEmbeddingTable(npyPath: string, embeddings: ReadonlyMap<string, Float32Array>, listPath = `${npyPath.replace(/\.npy$/i, "")}.paths.txt`): Promise<string> {
  const rows = [...embeddings];
  const dim = rows[0]?.[1].length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach(([path, e], i) => {
    if (e.length !== dim) throw new VoxlabError(`${npyPath}: embedding of ${path} has dimension ${e.length}, expected ${dim}`);
    if (/[\r\n]/.test(path)) throw new VoxlabError(`${listPath}: path ${JSON.stringify(path)} holds a line break`);
    data.set(e, i * dim);
  });
  await writeNpy(npyPath, { shape: [rows.length, dim], data });
  await writeFileAtomic(listPath, rows.map(([path]) => `${path}\n`).join(""));
  return listPath;
}
