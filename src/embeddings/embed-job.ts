// What `voxlab embed` does: this job's part of a file list (--shard), embedded through the embedding store or
// straight by the extractor, and written as an [N,D] float32 .npy.
import { VoxlabError } from "../core/errors.ts";
import { writeNpy } from "../core/npy.ts";
import { readFileList } from "../datasets/file-list.ts";
import { EmbeddingExtractor, type ComputeOptions } from "./extractor.ts";
import { selectShard, type Shard } from "./job-split.ts";
import { EmbeddingStore, type StoreRunStats } from "./store/cache.ts";

export interface EmbedJobOptions {
  /** Audio files named one by one. */
  files: readonly string[];
  /** More files: a text list (one path a line) or a manifest CSV (paths under `root`). */
  list?: string;
  root?: string;
  /** The ONNX embedding model. */
  model: string;
  compute: ComputeOptions;
  /** Only this part of the files (the list split across the jobs of a scheduler). */
  shard?: Shard;
  /** Embedding store folder: only what it lacks is computed, and saved as it goes. */
  store?: string;
  /** Where to write the [N,D] float32 embeddings, rows in the order of the files. */
  out?: string;
  /** Embed chunks of this many seconds and average them (see ExtractOptions.chunkSeconds). */
  chunkSeconds?: number;
  /** With a store: skip files that cannot be read or embedded (StoreRunStats.bad) instead of stopping. */
  skipBad?: boolean;
  /** Called as files are hashed (with a store) and as embeddings are computed: done, of how many. */
  onProgress?: (stage: "hashing" | "embedding", done: number, total: number) => void;
}

export interface EmbedJobResult {
  /** Files in the whole list. */
  files: number;
  /** Files of this job (all of them without a shard). */
  embedded: number;
  /** Rows written (or that would be written) to `out`. */
  rows: number;
  dimension: number;
  /** The store folder of the model, and what the store did. */
  store?: { dir: string; run: StoreRunStats };
}

/** Embeds this job's files; the extractor runs with feature workers (`compute`) and is closed when done. */
export async function runEmbedJob(options: EmbedJobOptions): Promise<EmbedJobResult> {
  const files = [...options.files, ...(options.list ? await readFileList(options.list, options.root) : [])];
  if (files.length === 0) throw new VoxlabError("no audio files: name them, or pass --list <file>");
  const mine = options.shard ? selectShard(files, options.shard) : files;
  const extractor = await EmbeddingExtractor.fromCompute(options.model, options.compute);
  try {
    const { batchSize } = options.compute;
    const onProgress = (done: number, total: number): void => options.onProgress?.("embedding", done, total);
    let rows: Float32Array[];
    let store: EmbedJobResult["store"];
    if (options.store) {
      const opened = await EmbeddingStore.open(options.store, options.model, { chunkSeconds: options.chunkSeconds, device: extractor.model.device });
      const byPath = await opened.embedFiles(mine, extractor, {
        batchSize,
        onProgress,
        onHashed: (done, total) => options.onProgress?.("hashing", done, total),
        skipBad: options.skipBad,
      });
      rows = mine.flatMap((p) => byPath.get(p) ?? []);
      store = { dir: opened.dir, run: opened.lastRun };
    } else {
      rows = await extractor.embedFiles(mine, { batchSize, chunkSeconds: options.chunkSeconds, onProgress });
    }
    const dimension = extractor.dimension;
    if (options.out) {
      const data = new Float32Array(rows.length * dimension);
      rows.forEach((row, i) => data.set(row, i * dimension));
      await writeNpy(options.out, { shape: [rows.length, dimension], data });
    }
    return { files: files.length, embedded: mine.length, rows: rows.length, dimension, ...(store ? { store } : {}) };
  } finally {
    await extractor.close();
  }
}
