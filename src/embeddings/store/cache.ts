// An on-disk embedding cache, so re-running an evaluation does not re-run the model (speechbrain#772).
//
// Keys: the model's identity (models/identity.ts) names a folder; inside it, each embedding is keyed by the
// sha256 of the audio file's CONTENT, so a renamed or copied file hits and an edited file misses.
//
// Layout: `<storeDir>/<modelKey>/model.json` (what the key stands for) and record files `part-<n>.bin`, one per
// flush (record-file.ts). Opening reads every record file (about 0.8 kB per 192-d record: 150 k utterances are
// ~120 MB) and merges them into one when there are many.
import { existsSync } from "node:fs";
import { readdir, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { mapLimit } from "../../core/concurrency.ts";
import { VoxlabError } from "../../core/errors.ts";
import { ensureDir, processAlive, readJson, readUserFile, writeFileAtomic } from "../../core/fs.ts";
import { hashFile } from "../../core/hash.ts";
import { modelIdentity, modelKey, type ModelIdentity, type ModelIdentityOptions } from "../../models/identity.ts";
import type { ExtractOptions, FileEmbedder } from "../extractor.ts";
import { decodeRecordFile, encodeRecordFile, RECORD_FILE_NAME, recordFileNumber, TEMP_RECORD_FILE_NAME, writeRecordFile } from "./record-file.ts";

/** What picks a store folder besides the model: the options that change its embeddings. */
export type StoreOptions = ModelIdentityOptions;

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

/** Files per window when the store drives an extractor (at most flushEvery). */
const STORE_FILE_WINDOW = 32;
/** More record files than this at open are merged into one, so opening stays a few file reads. */
const COMPACT_AT = 64;

export class EmbeddingStore {
  /** Counts of the last `embedFiles` call. */
  lastRun: StoreRunStats = { files: 0, contents: 0, cached: 0, computed: 0, bad: [] };
  private readonly records = new Map<string, Float32Array>();
  /** Names of the record files on disk. */
  private readonly recordFiles: string[] = [];
  private nextRecordFile = 0;

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

  /** Adds embeddings (content hash → raw embedding) and writes them to disk as one record file. */
  async add(entries: Iterable<readonly [string, Float32Array]>): Promise<void> {
    const fresh: Array<readonly [string, Float32Array]> = [];
    for (const [hash, embedding] of entries) {
      if (!/^[0-9a-f]{64}$/.test(hash)) throw new VoxlabError(`embedding store: "${hash}" is not a sha256 hex digest`);
      if (embedding.length !== this.dimension) throw new VoxlabError(`embedding store ${this.dir}: embedding of ${hash.slice(0, 12)}… has dimension ${embedding.length}, the model ${this.dimension}`);
      if (!embedding.every(Number.isFinite)) throw new VoxlabError(`embedding store ${this.dir}: embedding of ${hash.slice(0, 12)}… is not finite`);
      if (!this.records.has(hash)) fresh.push([hash, embedding.slice()]);
    }
    if (fresh.length === 0) return;
    await this.writeRecords(fresh);
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

  /** Merges all record files into one (duplicates dropped); old ones are deleted only after the new one is in place. */
  async compact(): Promise<void> {
    if (this.recordFiles.length <= 1) return;
    const old = [...this.recordFiles];
    this.recordFiles.length = 0;
    await this.writeRecords([...this.records]);
    await Promise.all(old.map((name) => unlink(join(this.dir, name)).catch(() => undefined)));
  }

  private async load(): Promise<void> {
    await ensureDir(this.dir, "embedding store");
    const manifestPath = join(this.dir, "model.json");
    if (existsSync(manifestPath)) {
      const stored = ((await readJson(manifestPath)) as { identity: ModelIdentity }).identity;
      if (modelKey(stored) !== modelKey(this.identity)) {
        throw new VoxlabError(`${manifestPath}: describes a different model than ${this.modelPath}; the store folder is damaged`);
      }
    } else {
      const text = JSON.stringify({ format: "voxlab-embedding-store", version: 1, identity: this.identity, createdFrom: resolve(this.modelPath) }, null, 1);
      await writeFileAtomic(manifestPath, `${text}\n`);
    }
    const names = await readdir(this.dir);
    // Temporary files of runs that died before renaming them are garbage.
    for (const name of names) {
      const pid = TEMP_RECORD_FILE_NAME.exec(name)?.[1];
      if (pid && !processAlive(Number(pid))) await unlink(join(this.dir, name)).catch(() => undefined);
    }
    const recordFiles = names.filter((n) => RECORD_FILE_NAME.test(n)).sort((a, b) => recordFileNumber(a) - recordFileNumber(b));
    for (const name of recordFiles) {
      const bytes = await readUserFile(join(this.dir, name));
      for (const [hash, embedding] of decodeRecordFile(bytes, this.dimension, join(this.dir, name))) {
        if (!this.records.has(hash)) this.records.set(hash, embedding);
      }
      this.recordFiles.push(name);
      this.nextRecordFile = Math.max(this.nextRecordFile, recordFileNumber(name) + 1);
    }
    if (this.recordFiles.length > COMPACT_AT) await this.compact();
  }

  private async writeRecords(records: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    const { name, next } = await writeRecordFile(this.dir, encodeRecordFile(this.dimension, records), this.nextRecordFile);
    this.nextRecordFile = next;
    this.recordFiles.push(name);
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
