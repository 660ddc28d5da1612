// Whole processes, timed from outside (spawn to exit): `voxlab embed` with the full-size ECAPA (C=1024, random
// weights) in float32 and int8 against a sherpa-onnx process (bench/sherpa-embed.mjs) on the float32 weights, in the
// graph sherpa-onnx ships (torch.onnx.export's) and in VoxLab's; and
// `voxlab metrics` on 1.1 M trials against parsing the same CSV and sorting its scores. `voxlab embed --threads 2`
// runs two single-thread sessions in model workers; float32 also runs without --threads, as one session with
// ONNX Runtime's choice of intra-op threads (one per core: 2 here), to show what the model workers gain.
//
// The 60 LibriSpeech utterances are written once as 16-bit WAV (lossless: the FLACs are 16-bit), since sherpa-onnx
// reads WAV only; both tools read the same files. Contenders run in rotating order each round; each keeps its
// fastest round (other processes only ever add time). The ratios are the figures to read: on a shared machine the
// seconds themselves move with everyone else's load.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeWavPcm16, loadAudio, mulberry32, sherpaSingleInput } from "../src/index.ts";
import { listFiles, pickDecodable, round2, round3, SHARED } from "./embed.ts";
import { buildFullSize, quantizeForBench } from "./models.ts";
import type { BenchResult } from "./types.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "bin", "voxlab.js");
const SHERPA = join(REPO, "bench", "sherpa-embed.mjs");
const UTTERANCES = 60;
const CALIBRATION = 24;
const THREADS = 2;
const ROUNDS = 3;
const SAMPLE_RATE = 16000;
const TRIALS = 1_100_000;
const METRICS_RUNS = 3;

/** Wall seconds of a child process from spawn to exit; a non-zero exit throws with its stderr. */
function timeProcess(args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done((performance.now() - start) / 1000) : fail(new Error(`${args.join(" ")}: exit ${code}: ${stderr.trim()}`))));
  });
}

/** Fastest of `rounds` rotating rounds of every contender (their files were just written, so they are in the page cache). */
async function fastestRounds(contenders: { name: string; args: string[] }[], rounds: number): Promise<Map<string, number>> {
  const best = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length];
      const seconds = await timeProcess(c.args);
      best.set(c.name, Math.min(best.get(c.name) ?? Infinity, seconds));
    }
  }
  return best;
}

async function benchEmbedProcesses(work: string, metrics: Record<string, number | string>, summary: string[]): Promise<void> {
  const books = await listFiles(join(SHARED, "datasets", "librispeech-cohort", "wav"), ".flac");
  const picked = await pickDecodable(books, UTTERANCES);
  await mkdir(join(work, "wav"));
  const wavs = await Promise.all(
    picked.files.map(async (file, i) => {
      const path = join(work, "wav", `${String(i).padStart(3, "0")}.wav`);
      await writeFile(path, encodeWavPcm16(await loadAudio(file, SAMPLE_RATE), SAMPLE_RATE));
      return path;
    }),
  );
  const list = join(work, "list.txt");
  await writeFile(list, `${wavs.join("\n")}\n`);
  // Calibration: other utterances than the timed ones (the odd-numbered files of the sorted list).
  const { files: calibration } = await pickDecodable(books.filter((_, i) => i % 2 === 1), CALIBRATION);
  const full = await buildFullSize(work);
  const int8 = await quantizeForBench(full, calibration);
  // sherpa-onnx gets the graph it ships (torch.onnx.export's form of SpeechBrain's model) and, to show what is
  // the runtime and what is the graph, also VoxLab's form of the same weights.
  const sherpaModel = join(work, "ecapa-c1024-sherpa.onnx");
  await writeFile(sherpaModel, sherpaSingleInput(await readFile(await buildFullSize(work, "torch-export")), 192));
  const sherpaOnVoxlabGraph = join(work, "ecapa-c1024-sherpa-voxlab-graph.onnx");
  await writeFile(sherpaOnVoxlabGraph, sherpaSingleInput(await readFile(full), 192));
  const sherpa = (model: string): string[] => [SHERPA, model, String(THREADS), list, join(work, "sherpa.f32")];
  const voxlab = (model: string, threads: string[] = ["--threads", String(THREADS)]): string[] => [CLI, "embed", "--model", model, "--list", list, "--out", join(work, "out.npy"), ...threads];
  const best = await fastestRounds(
    [
      { name: "voxlab_fp32", args: voxlab(full) },
      { name: "voxlab_fp32_one_session", args: voxlab(full, []) },
      { name: "voxlab_int8", args: voxlab(int8) },
      { name: "sherpa_fp32", args: sherpa(sherpaModel) },
      { name: "sherpa_fp32_voxlab_graph", args: sherpa(sherpaOnVoxlabGraph) },
    ],
    ROUNDS,
  );
  const sherpaSeconds = best.get("sherpa_fp32")!;
  metrics.process_embed_files = `${picked.files.length} librispeech-cohort utterances (${round2(picked.seconds)} s of audio, every k-th of the sorted list) as 16-bit WAV`;
  metrics.process_embed_notes =
    `ECAPA C=1024 (random weights) as whole processes timed from spawn to exit, ${THREADS} ONNX threads each, fastest of ${ROUNDS} rotating rounds: ` +
    `\`node bin/voxlab.js embed --model <m> --list <list> --out <npy> --threads ${THREADS}\` (${THREADS} single-thread sessions in model workers; ` +
    `float32, and int8 from voxlab model quantize; voxlab_fp32_one_session: float32 without --threads, one session with ONNX Runtime's ` +
    `${THREADS} intra-op threads on this machine) ` +
    `against \`node bench/sherpa-embed.mjs\` (sherpa-onnx SpeakerEmbeddingExtractor on a single-input copy of the same weights in the graph ` +
    `torch.onnx.export writes for SpeechBrain's model, 1-D convolutions: what sherpa-onnx ships; sherpa_fp32_voxlab_graph: on VoxLab's graph ` +
    `of the same weights, 2-D convolutions). ratio = sherpa seconds / voxlab seconds (> 1: VoxLab faster); VoxLab's start-up is included.`;
  const names = ["voxlab_fp32", "voxlab_fp32_one_session", "voxlab_int8", "sherpa_fp32", "sherpa_fp32_voxlab_graph"];
  for (const name of names) metrics[`process_embed_seconds_${name}`] = round2(best.get(name)!);
  const ratio = (name: string, reference = sherpaSeconds): number => round3(reference / best.get(name)!);
  metrics.process_embed_ratio_fp32_vs_sherpa = ratio("voxlab_fp32");
  metrics.process_embed_ratio_fp32_one_session_vs_sherpa = ratio("voxlab_fp32_one_session");
  metrics.process_embed_ratio_int8_vs_sherpa = ratio("voxlab_int8");
  metrics.process_embed_ratio_fp32_vs_sherpa_on_voxlab_graph = ratio("voxlab_fp32", best.get("sherpa_fp32_voxlab_graph")!);
  summary.push(
    `voxlab embed C=1024, ${picked.files.length} utterances (${picked.seconds.toFixed(0)} s): float32 ${best.get("voxlab_fp32")!.toFixed(2)} s, ` +
      `int8 ${best.get("voxlab_int8")!.toFixed(2)} s (float32 in one session: ${best.get("voxlab_fp32_one_session")!.toFixed(2)} s); sherpa-onnx float32 ${sherpaSeconds.toFixed(2)} s ` +
      `(${best.get("sherpa_fp32_voxlab_graph")!.toFixed(2)} s on VoxLab's graph) → ratios ${ratio("voxlab_fp32")} (float32), ${ratio("voxlab_int8")} (int8)`,
  );
}

/** A scores CSV of `count` trials (one in ten a target), as `voxlab eval` writes them. */
function scoresCsv(count: number): string {
  const random = mulberry32(11);
  const lines = ["enroll,test,score,label"];
  for (let i = 0; i < count; i++) {
    const target = i % 10 === 0 ? 1 : 0;
    lines.push(`id${i % 5000}/s1/00001.wav,id${(i * 7919) % 5000}/s2/00002.wav,${(random() + 0.4 * target).toFixed(6)},${target}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The floor: read the CSV, split lines and fields, convert the score column and sort it. */
async function parseAndSort(path: string): Promise<number> {
  const lines = (await readFile(path, "utf8")).split("\n");
  const scores = new Float64Array(lines.length);
  let n = 0;
  for (let i = 1; i < lines.length; i++) if (lines[i]) scores[n++] = Number(lines[i].split(",")[2]);
  scores.subarray(0, n).sort();
  return n;
}

async function benchMetricsProcess(work: string, metrics: Record<string, number | string>, summary: string[]): Promise<void> {
  const path = join(work, "scores.csv");
  await writeFile(path, scoresCsv(TRIALS));
  // The floor, in this process, and `voxlab metrics` as a process: alternating, fastest of METRICS_RUNS.
  const floorScript = join(work, "parse-sort.mjs");
  await writeFile(
    floorScript,
    `import { readFileSync } from "node:fs";\nconst lines = readFileSync(${JSON.stringify(path)}, "utf8").split("\\n");\n` +
      `const s = new Float64Array(lines.length); let n = 0;\nfor (let i = 1; i < lines.length; i++) if (lines[i]) s[n++] = Number(lines[i].split(",")[2]);\ns.subarray(0, n).sort();\n`,
  );
  let floor = Infinity;
  let floorProcess = Infinity;
  let voxlab = Infinity;
  await parseAndSort(path);
  for (let i = 0; i < METRICS_RUNS; i++) {
    const start = performance.now();
    await parseAndSort(path);
    floor = Math.min(floor, (performance.now() - start) / 1000);
    floorProcess = Math.min(floorProcess, await timeProcess([floorScript]));
    voxlab = Math.min(voxlab, await timeProcess([CLI, "metrics", path, "--json"]));
  }
  metrics.metrics_trials = TRIALS;
  metrics.metrics_parse_sort_seconds = round3(floor);
  metrics.metrics_parse_sort_process_seconds = round3(floorProcess);
  metrics.metrics_process_seconds = round3(voxlab);
  metrics.metrics_ratio_vs_parse_sort = round3(voxlab / floorProcess);
  metrics.metrics_notes =
    `\`voxlab metrics <csv> --json\` as a process (start-up included) against a plain-JS process that reads the CSV, splits lines and fields, ` +
    `converts the score column and sorts it; fastest of ${METRICS_RUNS}. metrics_parse_sort_seconds: the same floor inside this process.`;
  summary.push(
    `voxlab metrics, ${TRIALS} trials: ${voxlab.toFixed(2)} s as a process; parse + sort ${floorProcess.toFixed(2)} s as a process ` +
      `(${floor.toFixed(2)} s in-process) → ratio ${(voxlab / floorProcess).toFixed(2)}`,
  );
}

export async function benchProcess(): Promise<BenchResult> {
  const work = await mkdtemp(join(tmpdir(), "voxlab-bench-process-"));
  try {
    const metrics: Record<string, number | string> = {};
    const summary: string[] = [];
    await benchMetricsProcess(work, metrics, summary);
    await benchEmbedProcesses(work, metrics, summary);
    return { metrics, summary };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
