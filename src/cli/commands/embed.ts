import type { Command } from "commander";
import { defaultModelPath, parseShard, runEmbedJob, shardFromEnvironment, VoxlabError } from "../../index.ts";
import { addComputeFlags, computeOptions, optionalPositive, type ComputeFlags } from "../flags.ts";
import { createProgress } from "../progress.ts";

interface EmbedFlags extends ComputeFlags {
  model?: string;
  out?: string;
  list?: string;
  root?: string;
  shard?: string;
  shards?: string;
  store?: string;
  chunkSeconds?: string;
  skipBad?: boolean;
}

/** `voxlab embed`: raw embeddings [N,D] in argument order, or a shard of a long list into an embedding store. */
export function registerEmbed(program: Command): void {
  addComputeFlags(program
    .command("embed")
    .description("embed audio files with an ONNX speaker model: float32 [N,D] raw embeddings in argument order (--out), and/or into a cache (--store)")
    .argument("[audio...]", "audio files (WAV or FLAC)")
    .option("--model <model.onnx>", "ONNX embedding model with VoxLab metadata or a .voxlab.json sidecar (default: the built-in model)")
    .option("--out <file.npy>", "where to write the [N,D] float32 array (rows in the order of the files)")
    .option("--list <file>", "more files: a text list (one path a line) or a manifest CSV (with --root)")
    .option("--root <dir>", "dataset root that a manifest CSV's paths are relative to")
    .option("--store <dir>", "embedding store: computes only what it lacks, saves as it goes (resumable)")
    .option("--shard <i/N>", "embed only shard i of N (0-based; default from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX)")
    .option("--shards <N>", "shard count for a Kubernetes Indexed Job (JOB_COMPLETION_INDEX gives i)")
    .option("--chunk-seconds <s>", "embed fixed-length chunks and average them (default: the whole utterance)")
    .option("--skip-bad", "with --store: skip unreadable files (listed at the end) instead of stopping"))
    .action(async (audio: string[], flags: EmbedFlags) => {
      const compute = computeOptions(flags);
      const chunkSeconds = optionalPositive(flags.chunkSeconds, "--chunk-seconds", false);
      const shardCount = optionalPositive(flags.shards, "--shards", true);
      const shard = flags.shard ? parseShard(flags.shard) : shardFromEnvironment(process.env, shardCount);
      if (!flags.out && !flags.store) throw new VoxlabError("pass --out <file.npy>, --store <dir>, or both");
      if (flags.skipBad && (flags.out || !flags.store)) throw new VoxlabError("--skip-bad needs --store and no --out (--out must have a row for every file)");
      if (shard && flags.out) throw new VoxlabError("--out writes the whole list: with a shard use --store, then `voxlab store merge`");
      const progress = createProgress();
      try {
        const job = await runEmbedJob({
          files: audio,
          list: flags.list,
          root: flags.root,
          model: flags.model ?? defaultModelPath(),
          compute,
          shard,
          store: flags.store,
          out: flags.out,
          chunkSeconds,
          skipBad: flags.skipBad,
          onProgress: (stage, done, total) => progress.update(stage, done, total),
        });
        progress.stop();
        const bad = job.store?.run.bad ?? [];
        const note = job.store
          ? `; store ${job.store.dir}: ${job.store.run.computed} computed, ${job.store.run.cached} cached${bad.length > 0 ? `, ${bad.length} skipped:\n${bad.map((b) => `  ${b.reason}`).join("\n")}` : ""}`
          : "";
        const what = shard ? `shard ${shard.index}/${shard.count}: ${job.embedded} of ${job.files} files` : `${job.embedded} files`;
        process.stdout.write(`${flags.out ? `${flags.out}: [${job.rows},${job.dimension}] float32 embeddings` : `embedded ${what}`}${note}\n`);
      } finally {
        progress.stop();
      }
    });
}
