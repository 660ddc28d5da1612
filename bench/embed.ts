// End-to-end embedding throughput (decode → frontend → ONNX → embedding) of VoxLab against sherpa-onnx's
// SpeakerEmbeddingExtractor on the same model, files, decoder and ONNX thread count, in one process; and the share
// of VoxLab's time outside session.run. (Model-only speed: model-speed.ts; whole processes: process.ts.)
//
// On a shared machine other processes only ever add time: every contender runs in each round, in rotating
// order, and each keeps its fastest round.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { EmbeddingExtractor, loadAudio, PIPELINE_FILE_WINDOW, sherpaSingleInput } from "../src/index.ts";
import { loadSherpaExtractor, sherpaVersion } from "../test/helpers/sherpa.ts";
import { importCompact } from "./models.ts";
import type { BenchResult } from "./types.ts";

export const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared");
export const COMPACT_DIR = join(SHARED, "fixtures", "speechbrain-ecapa", "c256");
const SPEECH_COMMANDS = 150;
const LIBRISPEECH = 50;
const THREADS = [1, 2];
const ROUNDS = 2;
const FEATURE_WORKERS = 1;
/** Utterances per ONNX run of the batched contender (the default is 1). */
const BATCH = 16;
const SAMPLE_RATE = 16000;

/** Every file under `dir` ending in `ext`, sorted. */
export async function listFiles(dir: string, ext: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith(ext)).map((e) => join(dir, e)).sort();
}

/**
 * `count` files spread evenly over `paths` (every k-th), each with its duration; a file that does not decode is
 * replaced by the next one (the dataset holds a few truncated FLACs). Decoding them here also warms the page cache.
 */
export async function pickDecodable(paths: string[], count: number): Promise<{ files: string[]; seconds: number; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  let seconds = 0;
  for (let i = 0; i < count; i++) {
    for (let k = Math.floor((i * paths.length) / count); k < paths.length; k++) {
      try {
        seconds += (await loadAudio(paths[k], SAMPLE_RATE)).length / SAMPLE_RATE;
        files.push(paths[k]);
        break;
      } catch {
        skipped.push(paths[k]);
      }
    }
  }
  return { files, seconds, skipped };
}

/** Accumulates the wall time spent inside InferenceSession.run, for every session in this process. */
function instrumentSessionRun(): { seconds: () => number; reset: () => void } {
  // The typings describe a factory; at run time it is the session class, whose prototype every session shares.
  const proto = (ort.InferenceSession as unknown as { prototype: Pick<ort.InferenceSession, "run"> }).prototype;
  const original = proto.run;
  let total = 0;
  proto.run = async function (this: ort.InferenceSession, ...args: Parameters<typeof original>) {
    const start = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      total += performance.now() - start;
    }
  } as typeof original;
  return { seconds: () => total / 1000, reset: () => (total = 0) };
}

interface Timing {
  wall: number;
  model: number;
}

async function timed(run: () => Promise<unknown>, session: { seconds: () => number; reset: () => void }): Promise<Timing> {
  session.reset();
  const start = performance.now();
  await run();
  return { wall: (performance.now() - start) / 1000, model: session.seconds() };
}

/** sherpa-onnx as its examples use it, one file at a time; the files are decoded by VoxLab's decoder. */
async function sherpaEmbedFiles(model: string, threads: number, files: string[]): Promise<void> {
  const extractor = loadSherpaExtractor(model, threads);
  for (const path of files) {
    const stream = extractor.createStream();
    stream.acceptWaveform({ samples: await loadAudio(path, SAMPLE_RATE), sampleRate: SAMPLE_RATE });
    stream.inputFinished();
    extractor.compute(stream);
  }
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export async function benchEmbed(): Promise<BenchResult> {
  const work = await mkdtemp(join(tmpdir(), "voxlab-bench-embed-"));
  try {
    return await runBench(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function runBench(work: string): Promise<BenchResult> {
  const compact = await importCompact(COMPACT_DIR, work);
  const sherpaModel = join(work, "c256-sherpa.onnx");
  await writeFile(sherpaModel, sherpaSingleInput(await readFile(compact), 192));
  const clips = await pickDecodable(await listFiles(join(SHARED, "datasets", "speech-commands", "wav"), ".flac"), SPEECH_COMMANDS);
  const books = await pickDecodable(await listFiles(join(SHARED, "datasets", "librispeech-cohort", "wav"), ".flac"), LIBRISPEECH);
  const files = [...clips.files, ...books.files];
  const audioSeconds = clips.seconds + books.seconds;
  const skipped = [...clips.skipped, ...books.skipped].map((p) => relative(SHARED, p));

  const session = instrumentSessionRun();
  const metrics: Record<string, number | string> = {
    embed_files: `${SPEECH_COMMANDS} speech-commands clips (1 s) + ${LIBRISPEECH} librispeech-cohort utterances (whole, 2-17 s), every k-th of the sorted lists; FLAC`,
    embed_files_count: files.length,
    embed_files_skipped_undecodable: skipped.join(" ") || "none",
    embed_audio_seconds: round2(audioSeconds),
    embed_model: "fixtures/speechbrain-ecapa/c256 (random weights, SpeechBrain ECAPA architecture, 192-d), imported by VoxLab",
    embed_notes:
      `utterances/s, fastest of ${ROUNDS} interleaved rounds each. Same decoder for both (VoxLab loadAudio; sherpa-onnx's readWave reads WAV only). ` +
      `sherpa-onnx ${sherpaVersion()} computes its own features (kaldi-native-fbank, povey window, global-mean CMN) on a single-input copy ` +
      `of the same ONNX graph (lengths computed from the input shape; framework=3d-speaker metadata), one utterance per call as its API does. ` +
      `VoxLab as the CLI runs it by default: SpeechBrain fbank, one utterance per ONNX run (bit-reproducible), EmbeddingExtractor with ${FEATURE_WORKERS} feature ` +
      `worker thread(s) decoding and featurising beside ONNX (window ${PIPELINE_FILE_WINDOW} files); _batched: the same with length-sorted padded ` +
      `batches of ${BATCH} (--batch-size ${BATCH}); _sequential: one utterance per run, decoding on the main thread. The ONNX intra-op thread count is the same for all. ` +
      `overhead_outside_model = 1 - (time inside session.run) / (end-to-end wall time).`,
  };
  const summary: string[] = [];
  const ratios: number[] = [];
  for (const threads of THREADS) {
    const sequential = await EmbeddingExtractor.load(compact, { intraOpThreads: threads });
    const pipelined = await EmbeddingExtractor.load(compact, { intraOpThreads: threads, featureWorkers: FEATURE_WORKERS });
    const contenders: { name: string; run: () => Promise<unknown> }[] = [
      { name: "voxlab", run: () => pipelined.embedFiles(files) },
      { name: "voxlab_batched", run: () => pipelined.embedFiles(files, { batchSize: BATCH }) },
      { name: "voxlab_sequential", run: () => sequential.embedFiles(files) },
      { name: "sherpa", run: () => sherpaEmbedFiles(sherpaModel, threads, files) },
    ];
    // Warm-up: thread pools, JIT, the decoders' WebAssembly.
    for (const c of contenders) await c.run();
    const best = new Map<string, Timing>();
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(k + round) % contenders.length];
        const t = await timed(c.run, session);
        if (!best.has(c.name) || t.wall < best.get(c.name)!.wall) best.set(c.name, t);
      }
    }
    await Promise.all([sequential.close(), pipelined.close()]);
    const rate = (name: string): number => files.length / best.get(name)!.wall;
    const overhead = (name: string): number => 1 - best.get(name)!.model / best.get(name)!.wall;
    const ratio = rate("voxlab") / rate("sherpa");
    ratios.push(ratio);
    const suffix = `_${threads}t`;
    metrics[`embed_voxlab_utt_per_s${suffix}`] = round2(rate("voxlab"));
    metrics[`embed_voxlab_batched_utt_per_s${suffix}`] = round2(rate("voxlab_batched"));
    metrics[`embed_voxlab_sequential_utt_per_s${suffix}`] = round2(rate("voxlab_sequential"));
    metrics[`embed_sherpa_utt_per_s${suffix}`] = round2(rate("sherpa"));
    metrics[`embed_ratio_vs_sherpa${suffix}`] = round3(ratio);
    metrics[`embed_ratio_vs_sherpa_batched${suffix}`] = round3(rate("voxlab_batched") / rate("sherpa"));
    metrics[`embed_ratio_vs_sherpa_sequential${suffix}`] = round3(rate("voxlab_sequential") / rate("sherpa"));
    metrics[`overhead_outside_model${suffix}`] = round3(overhead("voxlab"));
    metrics[`overhead_outside_model_batched${suffix}`] = round3(overhead("voxlab_batched"));
    metrics[`overhead_outside_model_sequential${suffix}`] = round3(overhead("voxlab_sequential"));
    summary.push(
      `${threads} ONNX thread(s): VoxLab ${rate("voxlab").toFixed(1)} utt/s (batches of ${BATCH} ${rate("voxlab_batched").toFixed(1)}, ` +
        `without worker ${rate("voxlab_sequential").toFixed(1)}), ` +
        `sherpa-onnx ${rate("sherpa").toFixed(1)} utt/s → ratio ${ratio.toFixed(2)}; outside session.run ${(100 * overhead("voxlab")).toFixed(0)}% ` +
        `(sequential ${(100 * overhead("voxlab_sequential")).toFixed(0)}%)`,
    );
  }
  // Headline numbers: the worse thread count, so a target met is met at both.
  metrics.embed_ratio_vs_sherpa = round3(Math.min(...ratios));
  metrics.overhead_outside_model = Math.max(...THREADS.map((t) => metrics[`overhead_outside_model_${t}t`] as number));

  metrics.embed_load_average_1min_after = round2(loadavg()[0]);
  summary.unshift(`${files.length} files, ${audioSeconds.toFixed(0)} s of audio (speech-commands + librispeech-cohort; ${skipped.length} undecodable skipped):`);
  return { metrics, summary };
}
