// `voxlab store merge`: the embedding stores of a split job (one per `--shard i/N`) combined into one.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { VoxlabError } from "../../core/errors.ts";
import { ensureDir, readJson, readUserFile, writeFileAtomic } from "../../core/fs.ts";
import { modelKey, type ModelIdentity } from "../../models/identity.ts";
import { decodeRecordFile, RECORD_FILE_NAME, writeRecordFile } from "./record-file.ts";

export interface MergeSummary {
  models: number;
  recordFiles: number;
  embeddings: number;
}

/**
 * Merges embedding stores (e.g. one per job of a Slurm array) into `dest`: every record file of every
 * model folder is checked, then added under a fresh name. Duplicates are harmless (dropped on load).
 */
export async function mergeStores(dest: string, sources: readonly string[]): Promise<MergeSummary> {
  const summary: MergeSummary = { models: 0, recordFiles: 0, embeddings: 0 };
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
      const manifestPath = join(source, key, "model.json");
      const identity = ((await readJson(manifestPath)) as { identity: ModelIdentity }).identity;
      if (modelKey(identity) !== key) throw new VoxlabError(`${manifestPath}: does not match its folder name; the store is damaged`);
      const target = join(dest, key);
      await ensureDir(target, "embedding store");
      if (!existsSync(join(target, "model.json"))) await writeFileAtomic(join(target, "model.json"), await readUserFile(manifestPath));
      let next = 0;
      for (const name of (await readdir(join(source, key))).filter((n) => RECORD_FILE_NAME.test(n))) {
        const bytes = await readUserFile(join(source, key, name));
        summary.embeddings += decodeRecordFile(bytes, identity.embeddingDim, join(source, key, name)).length;
        next = (await writeRecordFile(target, bytes, next)).next;
        summary.recordFiles++;
      }
      summary.models++;
    }
  }
  return summary;
}
