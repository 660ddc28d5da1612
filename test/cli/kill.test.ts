// `kill -9` at seeded pseudo-random moments during `voxlab embed`, `eval` and `run` (real CLI processes),
// then reruns until one completes: the final outputs equal an uninterrupted run's byte for byte, nothing the
// store already held is embedded again, and every output file on disk when a rerun starts is complete.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { hashFile } from "../../src/core/hash.ts";
import { decodeRecordFile } from "../../src/embeddings/store/record-file.ts";
import { EmbeddingStore, importSpeechbrainModel, loadAudio } from "../../src/index.ts";
import { encodeWavPcm16 } from "../../src/audio/encode-wav.ts";
import { mulberry32 } from "../../src/core/random.ts";
import { fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";

const CLI = ["--import", "tsx", "src/cli/main.ts"];
/** Kills that must land before and after the first complete rerun (a process may end before its kill moment). */
const KILLS = 3;
/** Processes started with a kill moment, at most, per command. */
const MAX_ROUNDS = 16;
/** A VoxCeleb-style tree of 6 "speakers" × 2 sessions × 3 clips: 36 distinct 0.75 s WAV files. */
const SPEAKERS = 6;
const SESSIONS = 2;
const CLIPS_PER_SESSION = 3;
/** The clips are cut from one 16 kHz recording (resampling would cost more than the model), 0.25 s apart. */
const CLIP_SAMPLES = 12_000;
const CLIP_HOP = 4_000;
// The default --batch-size (1: each utterance alone in its ONNX run, so a rerun's embeddings cannot depend on
// which utterances share its batches) is what is tested; one ONNX thread keeps the CPU use down.
const ENGINE = ["--threads", "1"];

let work = "";
let distinct = 0;
const model = () => join(work, "c128.onnx");
const data = () => join(work, "data");
const list = () => join(work, "files.txt");
const config = () => join(work, "kill.yaml");

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-cli-kill-"));
  if (!hasShared) return;
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model(), { license: "test-only" });
  const speech = await loadAudio(fixture("audio", "libri-10s.wav"));
  const files: string[] = [];
  for (let speaker = 0; speaker < SPEAKERS; speaker++) {
    for (let session = 0; session < SESSIONS; session++) {
      const dir = join(data(), "wav", `id${speaker}`, `session${session}`);
      await mkdir(dir, { recursive: true });
      for (let clip = 0; clip < CLIPS_PER_SESSION; clip++) {
        const start = files.length * CLIP_HOP;
        files.push(join(dir, `${clip}.wav`));
        await writeFile(files[files.length - 1], encodeWavPcm16(speech.subarray(start, start + CLIP_SAMPLES), 16000));
      }
    }
  }
  await writeFile(list(), `${files.join("\n")}\n`);
  distinct = new Set(await Promise.all(files.map(hashFile))).size;
  await writeFile(config(), "name: kill\nseed: 3\ndataset: data\nmodel: c128.onnx\noutputs: { interactive: false, bootstrapIterations: 20 }\n");
});
after(() => rm(work, { recursive: true, force: true }));

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The temporary file whose appearance triggered the kill. */
  trigger?: string;
}

/** When to SIGKILL a process: this long after the spawn, or as soon as a new writer's temporary file shows in these folders. */
type Kill = { atMs: number } | { onTemporaryIn: string[] };

/** Writers' temporary files (`*.tmp`, any depth) under the folders. */
async function temporariesUnder(dirs: readonly string[]): Promise<string[]> {
  const found = await Promise.all(dirs.map(async (dir) => (await readdir(dir, { recursive: true }).catch(() => [])).map((n) => join(dir, n))));
  return found.flat().filter((n) => n.endsWith(".tmp"));
}

/** Runs the CLI, killing it as `kill` says if it is still running then. */
async function launch(args: string[], kill?: Kill): Promise<Finished> {
  const old = new Set(kill && "onTemporaryIn" in kill ? await temporariesUnder(kill.onTemporaryIn) : []);
  const started = performance.now();
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  const timer = kill && "atMs" in kill ? setTimeout(() => child.kill("SIGKILL"), kill.atMs) : undefined;
  let stdout = "";
  let stderr = "";
  let trigger: string | undefined;
  let running = true;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<Finished>((resolve) =>
    child.on("close", (code, signal) => {
      running = false;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, trigger });
    }),
  );
  if (kill && "onTemporaryIn" in kill) {
    while (running && trigger === undefined) {
      trigger = (await temporariesUnder(kill.onTemporaryIn)).find((n) => !old.has(n));
      if (trigger !== undefined) child.kill("SIGKILL");
      else await sleep(1);
    }
  }
  return closed;
}

/** `N computed, M cached` (embed) or `N computed, M from the cache` (eval, run). */
function embeddingCounts(stdout: string): { computed: number; cached: number } {
  const m = /(\d+) computed, (\d+) (?:cached|from the cache)/.exec(stdout);
  assert.ok(m, `no embedding counts in: ${stdout}`);
  return { computed: Number(m[1]), cached: Number(m[2]) };
}

/** Opens the store as a rerun would (it must open), and counts the records in its record files. */
async function storeState(storeDir: string): Promise<{ size: number; records: number }> {
  const store = await EmbeddingStore.open(storeDir, model());
  let records = 0;
  for (const name of (await readdir(store.dir)).filter((n) => /^part-\d+\.bin$/.test(n))) {
    records += decodeRecordFile(await readFile(join(store.dir, name)), store.dimension, name).length;
  }
  return { size: store.size, records };
}

/**
 * What must not change between two runs of the same inputs: the bytes, except report.html's cache counts
 * and date, and provenance.json's times, paths and git state (it must still parse completely).
 */
async function comparable(path: string): Promise<Buffer> {
  const bytes = await readFile(path);
  if (path.endsWith("report.html")) {
    const text = bytes.toString("utf8");
    assert.ok(text.endsWith("</html>\n"), `${path} is cut short`);
    return Buffer.from(text.replace(/\d+ computed, \d+ from the cache/, "COUNTS").replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, "DATE"));
  }
  if (path.endsWith("provenance.json")) {
    const p = JSON.parse(bytes.toString("utf8")) as { model: unknown; dataset: unknown; trials: { sha256: string; count: number }; seed: number; finishedAt: string };
    assert.ok(p.finishedAt, `${path} has no finishedAt`);
    return Buffer.from(JSON.stringify([p.model, p.dataset, p.trials.sha256, p.trials.count, p.seed]));
  }
  return bytes;
}

/**
 * Every file in `dir` is either a writer's temporary (`*.tmp`, never read) or equal to the uninterrupted
 * run's file of that name; a `complete` folder also has every file the reference has. Returns how many
 * files it checked, and the temporaries.
 */
async function checkOutputDir(dir: string, referenceDir: string, complete: boolean): Promise<{ files: number; temporaries: string[] }> {
  const names = (await readdir(dir)).sort();
  const expected = (await readdir(referenceDir)).sort();
  const temporaries = names.filter((n) => n.endsWith(".tmp"));
  const files = names.filter((n) => !n.endsWith(".tmp"));
  for (const name of files) {
    assert.ok(expected.includes(name), `${join(dir, name)}: not written by an uninterrupted run`);
    const [got, want] = await Promise.all([comparable(join(dir, name)), comparable(join(referenceDir, name))]);
    assert.ok(got.equals(want), `${join(dir, name)} differs from the uninterrupted run's (a partial file?)`);
  }
  if (complete) assert.deepEqual(files, expected, `${dir}: files missing`);
  return { files: files.length, temporaries: temporaries.map((n) => join(dir, n)) };
}

interface CliCase {
  args(store: string, out: string): string[];
  /** The folders below `out` that hold outputs, each with whether it must be complete (`finished`: a process has run to its end into `out`). */
  outputDirs(out: string, finished: boolean): Promise<Array<{ dir: string; complete: boolean }>>;
}

const embedCase: CliCase = {
  args: (store, out) => ["embed", "--model", model(), "--list", list(), "--store", store, "--out", join(out, "e.npy"), ...ENGINE],
  outputDirs: (out, finished) => Promise.resolve([{ dir: out, complete: finished }]),
};

const evalCase: CliCase = {
  args: (store, out) => ["eval", "--data", data(), "--model", model(), "--store", store, "--out", out, "--no-interactive", "--bootstrap", "20", ...ENGINE],
  outputDirs: (out, finished) => Promise.resolve(existsSync(out) ? [{ dir: out, complete: finished }] : []),
};

/** `run` writes `<out>/kill/<run-id>.partial/` and renames it when done: a folder without the suffix is complete. */
const runCase: CliCase = {
  args: (store, out) => ["run", config(), "--out", out, "--store", store, ...ENGINE],
  outputDirs: async (out) => {
    const experiment = join(out, "kill");
    if (!existsSync(experiment)) return [];
    return (await readdir(experiment)).map((name) => ({ dir: join(experiment, name), complete: !name.endsWith(".partial") }));
  },
};

/**
 * The uninterrupted reference run; then, in a fresh store and output folder: a process killed the moment
 * its first temporary file appears (the store's model.json or first record file, or an output, mid-write), more
 * killed at seeded moments until KILLS kills have landed, a rerun to the end (unless one ran to its end
 * already), again one killed at its first temporary file (now an output being rewritten) and more at seeded
 * moments up to 2 × KILLS kills, and a last rerun to the end. The store and the outputs are checked after
 * every process. A seeded kill moment is a fraction, from 0.2 (node and tsx are still loading: nothing can
 * be written yet) to 0.95, of how long the last process that ran to its end took (the reference's at first;
 * reruns with the embeddings cached are faster, and the machine's load changes).
 */
async function killAndResume(t: TestContext, name: string, c: CliCase, seed: number): Promise<void> {
  const root = join(work, name);
  await mkdir(join(root, "out"), { recursive: true });
  await mkdir(join(root, "reference-out"), { recursive: true });
  const reference = await launch(c.args(join(root, "reference-store"), join(root, "reference-out")));
  assert.equal(reference.code, 0, reference.stderr);
  assert.deepEqual(embeddingCounts(reference.stdout), { computed: distinct, cached: 0 });
  const referenceDirs = (await c.outputDirs(join(root, "reference-out"), true)).filter((d) => d.complete);
  assert.equal(referenceDirs.length, 1, "the reference run wrote one complete output folder");
  const referenceDir = referenceDirs[0].dir;
  t.diagnostic(`reference: ${Math.round(reference.ms)} ms`);

  const store = join(root, "store");
  const out = join(root, "out");
  const random = mulberry32(seed);
  let completed = false;
  const temporaries = new Set<string>();
  /** One process: its embedding counts must add exactly what the store lacked, and its outputs must check. */
  const step = async (kill?: Kill): Promise<Finished> => {
    const before = (await storeState(store)).size;
    const finished = await launch(c.args(store, out), kill);
    const after = await storeState(store);
    if (finished.signal !== "SIGKILL") {
      assert.equal(finished.code, 0, finished.stderr);
      assert.deepEqual(embeddingCounts(finished.stdout), { computed: distinct - before, cached: before }, "a rerun embeds exactly what the store lacks");
      completed = true;
    }
    assert.equal(after.records, after.size, "no embedding is stored twice (none was recomputed)");
    let outputs = 0;
    for (const { dir, complete } of await c.outputDirs(out, completed)) {
      const found = await checkOutputDir(dir, referenceDir, complete);
      outputs += found.files;
      for (const temporary of found.temporaries) temporaries.add(temporary);
    }
    const when = !kill ? "not killed" : "atMs" in kill ? `kill at ${Math.round(kill.atMs)} ms` : `kill at the first temporary file (${finished.trigger ? relative(root, finished.trigger) : "none appeared"})`;
    t.diagnostic(`${when}: ${finished.signal ?? `exit ${finished.code}`} after ${Math.round(finished.ms)} ms; store ${before} → ${after.size} embeddings; ${outputs} output files, all checked`);
    return finished;
  };
  let expectedMs = reference.ms;
  let kills = 0;
  let rounds = 0;
  /** Kills until `target` have landed: the first process at its first temporary file, the others at seeded moments. */
  const killUntil = async (target: number): Promise<void> => {
    for (let first = true; rounds < MAX_ROUNDS && kills < target; first = false, rounds++) {
      const finished = await step(first ? { onTemporaryIn: [store, out] } : { atMs: (0.2 + 0.75 * random()) * expectedMs });
      if (finished.signal === "SIGKILL") kills++;
      else expectedMs = finished.ms;
    }
  };
  await killUntil(KILLS);
  if (!completed) expectedMs = (await step()).ms;
  await killUntil(2 * KILLS);
  assert.equal(kills, 2 * KILLS, `only ${kills} of ${rounds} processes were still running when they were to be killed`);
  await step();

  // Every stored embedding equals the uninterrupted run's bit for bit.
  const [resumed, uninterrupted] = await Promise.all([EmbeddingStore.open(store, model()), EmbeddingStore.open(join(root, "reference-store"), model())]);
  assert.equal(resumed.size, distinct);
  for (const hash of await Promise.all((await readFile(list(), "utf8")).trim().split("\n").map(hashFile))) {
    assert.deepEqual(resumed.get(hash), uninterrupted.get(hash), `the embedding of ${hash}`);
  }
  const finalDirs = (await c.outputDirs(out, true)).filter((d) => d.complete);
  assert.ok(finalDirs.length >= 1, "no complete output after the last rerun");
  if (temporaries.size > 0) t.diagnostic(`temporary files left by killed writers: ${[...temporaries].join(", ")}`);
  t.diagnostic(`${kills} kills; ${finalDirs.length} complete output folder(s), each equal to the reference's`);
}

test("voxlab embed --store --out: SIGKILLed at seeded moments, reruns give the uninterrupted .npy byte for byte", { skip: needShared, timeout: 300_000 }, (t) =>
  killAndResume(t, "embed", embedCase, 8));

test("voxlab eval: SIGKILLed at seeded moments, reruns give the uninterrupted metrics.json, scores.csv and figures byte for byte", { skip: needShared, timeout: 300_000 }, (t) =>
  killAndResume(t, "eval", evalCase, 80));

test("voxlab run: SIGKILLed at seeded moments, reruns give a complete run whose scores and metrics equal the uninterrupted run's", { skip: needShared, timeout: 300_000 }, (t) =>
  killAndResume(t, "run", runCase, 800));
