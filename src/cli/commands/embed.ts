import type { Command } from "commander";
import { EmbeddingExtractor } from "../../embeddings/extractor.ts";
import { writeNpy } from "../../io/npy.ts";
import { optionalPositive, parsePositive } from "../flags.ts";
import { createProgress } from "../progress.ts";

interface EmbedFlags {
  model: string;
  out: string;
  threads?: string;
  batchSize: string;
  chunkSeconds?: string;
}

/** `voxlab embed --model <onnx> --out <file.npy> <audio...>`: raw embeddings [N,D], rows in argument order. */
export function registerEmbed(program: Command): void {
  program
    .command("embed")
    .description("embed audio files with an ONNX speaker model; writes float32 [N,D] raw embeddings in argument order")
    .argument("<audio...>", "audio files (WAV or FLAC)")
    .requiredOption("--model <model.onnx>", "ONNX embedding model with VoxLab metadata (or a .voxlab.json sidecar)")
    .requiredOption("--out <file.npy>", "where to write the [N,D] float32 array")
    .option("--threads <n>", "ONNX Runtime intra-op threads (default: ONNX Runtime's choice)")
    .option("--batch-size <n>", "utterances per ONNX run (sorted by length, padded)", "16")
    .option("--chunk-seconds <s>", "embed fixed-length chunks and average them (default: the whole utterance)")
    .action(async (audio: string[], flags: EmbedFlags) => {
      const batchSize = parsePositive(flags.batchSize, "--batch-size", true);
      const chunkSeconds = optionalPositive(flags.chunkSeconds, "--chunk-seconds", false);
      const intraOpThreads = optionalPositive(flags.threads, "--threads", true);
      const extractor = await EmbeddingExtractor.load(flags.model, { intraOpThreads });
      const progress = createProgress();
      try {
        const rows = await extractor.embedFiles(audio, {
          batchSize,
          chunkSeconds,
          onProgress: (done, total) => progress.update("embedding", done, total),
        });
        const dim = extractor.dimension;
        const data = new Float32Array(rows.length * dim);
        rows.forEach((row, i) => data.set(row, i * dim));
        await writeNpy(flags.out, { shape: [rows.length, dim], data });
        process.stdout.write(`${flags.out}: [${rows.length},${dim}] float32 embeddings\n`);
      } finally {
        progress.stop();
        await extractor.close();
      }
    });
}
