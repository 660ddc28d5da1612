// Model-only speed of the compact (C=256) and full-size (C=1024) ECAPA, float32 and int8 (`voxlab model quantize`),
// at 1 and 2 ONNX Runtime threads, against their MAC counts. Float32 and int8 runs alternate, so load from other
// processes hits both alike; each keeps its fastest run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ecapaParameterShapes, loadEmbeddingModel, SPKREC_ECAPA_VOXCELEB, type EcapaConfig, type EmbeddingModel } from "../src/index.ts";
import { COMPACT_DIR, listFiles, pickDecodable, round2, round3, SHARED } from "./embed.ts";
import { buildFullSize, importCompact, quantizeForBench } from "./models.ts";
import type { BenchResult } from "./types.ts";

const COMPACT: EcapaConfig = { ...SPKREC_ECAPA_VOXCELEB, channels: [256, 256, 256, 256, 768], attentionChannels: 64, seChannels: 128 };
const THREADS = [1, 2];
const FRAMES_PER_SECOND = 100;
/** A batch of this many rows of this many frames (4 s); fastest of MODEL_RUNS. */
const MODEL_BATCH = 4;
const MODEL_FRAMES = 401;
const MODEL_RUNS = 7;
/** Calibration utterances for the int8 copies (librispeech-cohort, at most 8 s each). */
const CALIBRATION = 24;

/**
 * MACs per frame of the convolutions that run on every frame (SE and the final linear layer run once per
 * utterance and are left out): ANCHORS §1.7 gives 18.74 M for the full-size model.
 */
export function ecapaMacsPerFrame(c: EcapaConfig): number {
  let macs = 0;
  for (const [key, shape] of ecapaParameterShapes(c)) {
    if (shape.length === 3 && key.endsWith(".weight") && !key.includes("se_block") && !key.startsWith("fc.")) macs += shape[0] * shape[1] * shape[2];
  }
  return macs;
}

/** Seconds of compute per second of audio for each model: fastest of MODEL_RUNS alternating runs. */
async function secondsPerAudioSecond(paths: string[], threads: number): Promise<number[]> {
  const models: EmbeddingModel[] = [];
  for (const path of paths) models.push(await loadEmbeddingModel(path, { intraOpThreads: threads }));
  const row = { data: Float32Array.from({ length: MODEL_FRAMES * 80 }, (_, i) => Math.sin(i * 0.37)), frames: MODEL_FRAMES };
  const batch = Array.from({ length: MODEL_BATCH }, () => row);
  for (const m of models) await m.embedFeatures(batch);
  const fastest = models.map(() => Infinity);
  for (let i = 0; i < MODEL_RUNS; i++) {
    for (let k = 0; k < models.length; k++) {
      const start = performance.now();
      await models[k].embedFeatures(batch);
      fastest[k] = Math.min(fastest[k], (performance.now() - start) / 1000);
    }
  }
  await Promise.all(models.map((m) => m.close()));
  return fastest.map((s) => s / ((MODEL_BATCH * MODEL_FRAMES) / FRAMES_PER_SECOND));
}

export async function benchModelSpeed(): Promise<BenchResult> {
  const work = await mkdtemp(join(tmpdir(), "voxlab-bench-model-"));
  try {
    const books = await listFiles(join(SHARED, "datasets", "librispeech-cohort", "wav"), ".flac");
    const { files: calibration } = await pickDecodable(books.slice(1), CALIBRATION);
    const metrics: Record<string, number | string> = {};
    const summary: string[] = [];
    const compact = await importCompact(COMPACT_DIR, work);
    const full = await buildFullSize(work);
    // The same weights in torch.onnx.export's form of SpeechBrain's model (what sherpa-onnx ships), float32.
    const fullExported = await buildFullSize(work, "torch-export");
    for (const [name, path, config, exported] of [
      ["c256", compact, COMPACT, undefined],
      ["c1024", full, SPKREC_ECAPA_VOXCELEB, fullExported],
    ] as const) {
      const int8 = await quantizeForBench(path, calibration);
      const gmacPerAudioSecond = (ecapaMacsPerFrame(config) * FRAMES_PER_SECOND) / 1e9;
      metrics[`model_gmac_per_audio_s_${name}`] = round3(gmacPerAudioSecond);
      for (const threads of THREADS) {
        const [fp32, q8, fp32Exported] = await secondsPerAudioSecond(exported ? [path, int8, exported] : [path, int8], threads);
        const at = `${name}_${threads}t`;
        metrics[`model_ms_per_audio_s_${at}`] = round2(1000 * fp32);
        metrics[`model_gmac_per_s_${at}`] = round2(gmacPerAudioSecond / fp32);
        metrics[`model_int8_ms_per_audio_s_${at}`] = round2(1000 * q8);
        metrics[`model_int8_speedup_${at}`] = round3(fp32 / q8);
        let versusExported = "";
        if (fp32Exported !== undefined) {
          metrics[`model_torch_export_ms_per_audio_s_${at}`] = round2(1000 * fp32Exported);
          metrics[`model_speedup_vs_torch_export_${at}`] = round3(fp32Exported / fp32);
          versusExported = `; torch.onnx.export's graph ${(1000 * fp32Exported).toFixed(1)} ms (VoxLab's graph ${(fp32Exported / fp32).toFixed(2)}x)`;
        }
        summary.push(
          `${name} (${gmacPerAudioSecond.toFixed(2)} GMAC per audio s), ${threads} thread(s): float32 ${(1000 * fp32).toFixed(1)} ms per audio s ` +
            `(${(gmacPerAudioSecond / fp32).toFixed(1)} GMAC/s), int8 ${(1000 * q8).toFixed(1)} ms → ${(fp32 / q8).toFixed(2)}x${versusExported}`,
        );
      }
    }
    // Headline: the worse thread count at full size, so a target met is met at both.
    metrics.model_int8_speedup_c1024 = Math.min(...THREADS.map((t) => metrics[`model_int8_speedup_c1024_${t}t`] as number));
    metrics.model_notes =
      `batch ${MODEL_BATCH} x ${MODEL_FRAMES} frames, fastest of ${MODEL_RUNS} alternating float32/int8 runs; MACs = per-frame convolutions at ` +
      `${FRAMES_PER_SECOND} frames/s (ANCHORS §1.7: 1.89 GMAC/s for c1024), SpeechBrain's count: VoxLab's graph runs two thirds of the ` +
      `attention's first conv once per utterance, so its GMAC/s are effective rates. torch_export: the same float32 weights in the graph ` +
      `torch.onnx.export writes (1-D convolutions). int8: voxlab model quantize, calibrated on ${calibration.length} ` +
      `librispeech-cohort utterances (default float32 layers). AVX2+FMA peak is 16 fp32 MAC per cycle per core (about 40-48 GMAC/s per core at 2.5-3 GHz).`;
    return { metrics, summary };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
