// Peak memory of `voxlab eval` against the number of utterance paths: the real CLI, as a child process, on a
// VoxCeleb-style tree of 10,000 and of 100,000 paths with two trials per path (a target and a non-target). The
// child's peak RSS (getrusage ru_maxrss, read at its exit, every thread included) is what counts.
//
// Every path is a real WAV file, but they are hard links to a few hundred distinct speech-commands clips: the
// embedding store is keyed by content, so only those get embedded (the model's time stays the same at both sizes)
// while the scan, header reads, hashing, manifest, trials, per-path embedding lookup, scoring, metrics, bootstrap,
// plots and report all handle every path and trial. So that the store is as large as a real corpus's, it starts
// with N records of other (made-up) contents. What remains of the growth is what eval holds per path.
//
// Runs alone with `npx tsx bench/eval-memory.ts`.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { link, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultModelPath, EmbeddingStore, encodeWavPcm16, loadAudio, mulberry32, randomInt, type Random } from "../src/index.ts";
import { listFiles, pickDecodable } from "./embed.ts";
import type { BenchResult } from "./types.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLIPS_DIR = join(REPO, "..", "shared", "datasets", "speech-commands", "wav");
const CLI = join(REPO, "bin", "voxlab.js");
const SAMPLE_RATE = 16000;
/** Distinct audio contents behind all the paths (speech-commands clips, 1 s each). */
const DISTINCT_CLIPS = 300;
/** Each speaker: SESSIONS folders of UTTERANCES_PER_SESSION files, like VoxCeleb's <id>/<video>/<nnnnn>.wav. */
const SESSIONS = 10;
const UTTERANCES_PER_SESSION = 10;
const PER_SPEAKER = SESSIONS * UTTERANCES_PER_SESSION;
const SIZES = [10_000, 100_000] as const;
const SEED = 7;
const LINKS_IN_FLIGHT = 64;
/** What scales with N and cannot be avoided: one 192-d float32 embedding per path. */
const EMBEDDING_BYTES = 192 * 4;
/** A 192-d record of a store shard: the 32-byte content hash and the embedding. */
const STORE_RECORD_BYTES = 32 + EMBEDDING_BYTES;

const MiB = 2 ** 20;
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** `count` decodable speech-commands clips (spread over the sorted list, as the embed bench picks them) as 16 kHz WAVs in `dir`. */
async function writeClipPool(dir: string, count: number): Promise<string[]> {
  const { files } = await pickDecodable(await listFiles(CLIPS_DIR, ".flac"), count);
  await mkdir(dir, { recursive: true });
  return Promise.all(
    files.map(async (file, i) => {
      const path = join(dir, `clip-${String(i).padStart(4, "0")}.wav`);
      await writeFile(path, encodeWavPcm16(await loadAudio(file, SAMPLE_RATE), SAMPLE_RATE));
      return path;
    }),
  );
}

/** The relative path of utterance `u` (0-based): speaker u / PER_SPEAKER, then session and file within it. */
function utterancePath(u: number): string {
  const speaker = Math.floor(u / PER_SPEAKER);
  const within = u % PER_SPEAKER;
  const session = Math.floor(within / UTTERANCES_PER_SESSION);
  return `id${String(speaker).padStart(5, "0")}/s${String(session).padStart(2, "0")}/${String(within % UTTERANCES_PER_SESSION).padStart(5, "0")}.wav`;
}

/** `<root>/wav/<speaker>/<session>/<utt>.wav` for `count` utterances, each a hard link to a clip of the pool. */
async function writeLinkedTree(root: string, count: number, pool: readonly string[]): Promise<void> {
  for (let speaker = 0; speaker < count / PER_SPEAKER; speaker++) {
    for (let s = 0; s < SESSIONS; s++) await mkdir(join(root, "wav", dirname(utterancePath(speaker * PER_SPEAKER + s * UTTERANCES_PER_SESSION))), { recursive: true });
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const u = next++;
      await link(pool[u % pool.length], join(root, "wav", utterancePath(u)));
    }
  };
  await Promise.all(Array.from({ length: LINKS_IN_FLIGHT }, worker));
}

/** A target (same speaker, other session) and a non-target (other speaker) trial per utterance, VoxCeleb format. */
function trialLines(count: number, random: Random): string {
  const speakers = count / PER_SPEAKER;
  const lines: string[] = [];
  for (let u = 0; u < count; u++) {
    const speaker = Math.floor(u / PER_SPEAKER);
    const session = Math.floor((u % PER_SPEAKER) / UTTERANCES_PER_SESSION);
    const otherSession = (session + 1 + randomInt(random, SESSIONS - 1)) % SESSIONS;
    const target = speaker * PER_SPEAKER + otherSession * UTTERANCES_PER_SESSION + randomInt(random, UTTERANCES_PER_SESSION);
    const otherSpeaker = (speaker + 1 + randomInt(random, speakers - 1)) % speakers;
    const nontarget = otherSpeaker * PER_SPEAKER + randomInt(random, PER_SPEAKER);
    lines.push(`1 ${utterancePath(u)} ${utterancePath(target)}\n`, `0 ${utterancePath(u)} ${utterancePath(nontarget)}\n`);
  }
  return lines.join("");
}

/**
 * Fills a store as embedding a corpus of `count` distinct files would have: `count` records (made-up content
 * hashes, random embeddings) in one shard, so eval holds a store the size of a real corpus's.
 */
async function prefillStore(storeDir: string, count: number, random: Random): Promise<void> {
  const store = await EmbeddingStore.open(storeDir, defaultModelPath());
  await store.add(
    Array.from({ length: count }, (_, i): [string, Float32Array] => [
      createHash("sha256").update(`corpus file ${i}`).digest("hex"),
      Float32Array.from({ length: store.dimension }, () => random() - 0.5),
    ]),
  );
}

interface EvalRun {
  peakRssMiB: number;
  wallSeconds: number;
  trials: number;
}

/** Runs `voxlab eval` in a child node whose exit hook writes its peak RSS (KiB, all threads) to a file. */
async function runEval(work: string, root: string, trials: string, name: string): Promise<EvalRun> {
  const hook = join(work, "peak-rss-hook.mjs");
  const rssFile = join(work, `${name}.maxrss`);
  await writeFile(
    hook,
    `import { writeFileSync } from "node:fs";\n` +
      `process.on("exit", () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const args = ["--import", pathToFileURL(hook).href, CLI, "eval", "--data", root, "--trials", trials];
  args.push("--out", join(work, `${name}-out`), "--store", join(work, `${name}-store`), "--threads", "1");
  const start = performance.now();
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let text = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    child.on("error", fail);
    child.on("close", (code) => (code === 0 ? done() : fail(new Error(`voxlab eval (${name}) exited with ${code}: ${text.trim().split("\n").at(-1)}`))));
  });
  const wallSeconds = (performance.now() - start) / 1000;
  const maxRssKiB = Number(await readFile(rssFile, "utf8"));
  const scores = await readFile(join(work, `${name}-out`, "scores.csv"), "utf8");
  return { peakRssMiB: maxRssKiB / 1024, wallSeconds, trials: scores.split("\n").length - 2 };
}

export async function benchEvalMemory(): Promise<BenchResult> {
  const work = await mkdtemp(join(tmpdir(), "voxlab-bench-eval-memory-"));
  try {
    return await runBench(work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function runBench(work: string): Promise<BenchResult> {
  const pool = await writeClipPool(join(work, "clips"), DISTINCT_CLIPS);
  const runs = new Map<number, EvalRun>();
  for (const size of SIZES) {
    const root = join(work, `data-${size}`);
    await writeLinkedTree(root, size, pool);
    const trials = join(work, `trials-${size}.txt`);
    await writeFile(trials, trialLines(size, mulberry32(SEED)));
    await prefillStore(join(work, `eval-${size}-store`), size, mulberry32(SEED));
    runs.set(size, await runEval(work, root, trials, `eval-${size}`));
    await rm(root, { recursive: true, force: true });
  }
  const small = runs.get(SIZES[0])!;
  const large = runs.get(SIZES[1])!;
  const marginalBytesPerPath = ((large.peakRssMiB - small.peakRssMiB) * MiB) / (SIZES[1] - SIZES[0]);
  const metrics: Record<string, number | string> = {
    eval_memory_setup:
      `voxlab eval --threads 1 (default model, interactive report, 200 bootstrap resamples) on wav/<speaker>/<session>/<utt>.wav trees of ` +
      `${SIZES.join(" and ")} paths (${SESSIONS} sessions x ${UTTERANCES_PER_SESSION} utterances per speaker), hard links to ${pool.length} ` +
      `distinct 1 s speech-commands clips (as 16-bit WAV), 2 trials per path (a target from another session, a non-target); ` +
      `peak RSS = the child's getrusage maxRSS at exit (every thread of the process). Each run's store starts with N records of ` +
      `made-up contents (one shard), as after embedding a corpus of N distinct files; the clips themselves are embedded in the run.`,
    eval_peak_rss_mib_10k: round1(small.peakRssMiB),
    eval_peak_rss_mib_100k: round1(large.peakRssMiB),
    eval_peak_rss_ratio_100k_vs_10k: Math.round((large.peakRssMiB / small.peakRssMiB) * 100) / 100,
    eval_peak_rss_kib_per_path_100k: round1((large.peakRssMiB * 1024) / SIZES[1]),
    eval_marginal_rss_bytes_per_path: Math.round(marginalBytesPerPath),
    eval_wall_s_10k: round1(small.wallSeconds),
    eval_wall_s_100k: round1(large.wallSeconds),
    eval_trials_10k: small.trials,
    eval_trials_100k: large.trials,
    eval_memory_notes:
      `What grows with N, per path: the store's record (${STORE_RECORD_BYTES} bytes and its key) and eval's copy of the path's embedding ` +
      `(${EMBEDDING_BYTES} bytes of float32 at 192-d, ${round1((SIZES[1] * EMBEDDING_BYTES) / MiB)} MiB at 100k, released once the trials are scored), ` +
      `the manifest row, the trials and their scores. None of these is avoidable while the whole store is read into memory. Audio is decoded ` +
      `a window of files at a time, scores.csv is written 10,000 rows at a time, and the figures are binned or decimated, so they do not grow with N.`,
  };
  const summary = [
    `${SIZES[0]} paths, ${small.trials} trials: peak RSS ${small.peakRssMiB.toFixed(0)} MiB, ${small.wallSeconds.toFixed(1)} s`,
    `${SIZES[1]} paths, ${large.trials} trials: peak RSS ${large.peakRssMiB.toFixed(0)} MiB, ${large.wallSeconds.toFixed(1)} s`,
    `10x the paths -> ${(large.peakRssMiB / small.peakRssMiB).toFixed(2)}x the peak; ${(marginalBytesPerPath / 1024).toFixed(1)} KiB per extra path ` +
      `(an embedding alone is ${EMBEDDING_BYTES} bytes)`,
  ];
  return { metrics, summary };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { metrics, summary } = await benchEvalMemory();
  process.stdout.write(`${summary.join("\n")}\n${JSON.stringify(metrics, null, 2)}\n`);
}
