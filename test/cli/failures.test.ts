// Every CLI verb, run as a real child process, against bad flags, missing inputs, unwritable and full output
// folders, and models that do not fit: each must exit non-zero with one `voxlab: ...` (or commander `error: ...`)
// line on stderr, no stack trace, no hang, and must leave no truncated file under an output's final name.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeNpy } from "../../src/core/npy.ts";
import { importSpeechbrainModel } from "../../src/models/speechbrain/import.ts";
import { voxlabMetadata } from "../../src/models/metadata.ts";
import { GraphBuilder, type ValueSpec } from "../../src/models/speechbrain/onnx-graph.ts";
import { fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";
import { linkSpeechCommandsTree } from "../helpers/trees.ts";

const work = mkdtempSync(join(tmpdir(), "voxlab-cli-failures-"));
const at = (...parts: string[]): string => join(work, ...parts);
const wav = (name: string): string => fixture("audio", name);

/** A regular file: any output path below it fails with ENOTDIR. */
const aFile = at("a-file");
/** Read-only tmpfs (EROFS), one per test file. */
const readOnly = at("ro");
/** Each full-disk case writes into its own tiny tmpfs, so concurrent cases do not fill each other's disk. */
const fullDisks: { dir: string; size: string }[] = [];
let canMount = false;

const model = at("c128.onnx");
const badModels = {
  notOnnx: at("not-onnx.onnx"),
  mel40: at("mel40.onnx"), // input takes 40 mel bins; every VoxLab frontend gives 80
  mel40Meta80: at("mel40-meta80.onnx"), // input takes 40 bins, metadata says 80
  inputName: at("input-name.onnx"), // input named "audio"
  rank2: at("rank2.onnx"), // feats [T,80]: no batch axis
  dim: at("dim.onnx"), // metadata embedding_dim 192, output 80
} as const;
type BadModel = keyof typeof badModels;

const data = at("data");
const srcStore = at("src-store");
const runsDir = at("runs");
let runDir = "";
let hubUrl = "";
let hub: Server | undefined;

/** A tiny graph: feats [B,T,bins] -> time mean -> [B,bins]; `rank2` drops the batch axis. */
function tinyModel(opts: { bins: number; metaBins: number; input?: string; rank2?: boolean; embeddingDim?: number }): Uint8Array {
  const g = new GraphBuilder();
  const dims = opts.rank2 ? ["T", opts.bins] : ["B", "T", opts.bins];
  const feats = g.input({ name: opts.input ?? "feats", type: "float32", dims });
  g.op("ReduceMean", [feats], { axes: [opts.rank2 ? 0 : 1], keepdims: 0 }, "mean", "embedding");
  const outputs: ValueSpec[] = [{ name: "embedding", type: "float32", dims: opts.rank2 ? [opts.bins] : ["B", opts.bins] }];
  const metadata = {
    ...voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "cli-failures test", license: "test-only" }),
    embedding_dim: String(opts.embeddingDim ?? opts.bins),
    n_mels: String(opts.metaBins),
  };
  return g.encode({ graphName: "tiny", outputs, metadata, opset: 17, producerVersion: "test" });
}

function runConfig(name: string, modelPath: string): string {
  const path = at(`${name}.json`);
  const config = { name, dataset: data, model: modelPath, outputs: { interactive: false, bootstrapIterations: 10 } };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function mount(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    // not mounted
  }
}

/** A tmpfs of `size` for one full-disk case (mounted in `before`). */
function fullDisk(name: string, size: string): string {
  const dir = at("full", name);
  fullDisks.push({ dir, size });
  return dir;
}

/** A Hugging Face–like endpoint serving the c128 fixture's two files (no checksums advertised). */
async function startHub(): Promise<string> {
  const files: Record<string, Buffer> = {
    "hyperparams.yaml": readFileSync(fixture("speechbrain-ecapa", "c128-l96", "hyperparams.yaml")),
    "embedding_model.ckpt": readFileSync(fixture("speechbrain-ecapa", "c128-l96", "embedding_model.ckpt")),
  };
  hub = createServer((req, res) => {
    const body = files[(req.url ?? "").split("/").at(-1) ?? ""];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve) => hub!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const CLI_TIMEOUT_MS = 120_000;

function voxlab(args: string[], cwd = repoRoot): Promise<Outcome> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(repoRoot, "src", "cli", "main.ts"), ...args], {
    cwd,
    env: { ...process.env, VOXLAB_CACHE: at("cache"), HF_ENDPOINT: "http://127.0.0.1:9" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // A hang is a failure: kill it, and the exit code (null, SIGKILL) fails the case.
  const timer = setTimeout(() => child.kill("SIGKILL"), CLI_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Lines a command may print on stderr before failing: progress (`embedding: 3 of 6`) and serve's log. */
const PROGRESS = /^[\w .-]+: [\d.]+( [KM]iB)?( of [\d.]+( [KM]iB)?)?$|^voxlab serve: /;

/** Why the stderr breaks the one-line error contract, or undefined. */
function contractProblem(run: Outcome): string | undefined {
  if (run.signal !== null) return `killed by ${run.signal} (hang?)`;
  if (run.code === 0) return "exit status 0";
  if (!run.stderr.endsWith("\n")) return "stderr does not end with a newline";
  const lines = run.stderr.slice(0, -1).split("\n");
  const last = lines.at(-1) ?? "";
  if (!/^(voxlab|error): \S/.test(last)) return "the last stderr line is not a `voxlab:` or `error:` message";
  if (lines.some((l) => /^\s+at /.test(l))) return "stack trace on stderr";
  const extra = lines.slice(0, -1).filter((l) => !PROGRESS.test(l));
  if (extra.length > 0) return `more than one line on stderr: ${JSON.stringify(extra[0])}`;
  return undefined;
}

/** Whether a file a failed command left is whole: its format's end marker or structure is there. */
function isWhole(path: string): boolean {
  const bytes = readFileSync(path);
  const text = bytes.toString("utf8");
  if (path.endsWith(".json")) {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }
  if (path.endsWith(".npy")) {
    try {
      decodeNpy(bytes, path);
      return true;
    } catch {
      return false;
    }
  }
  if (path.endsWith(".png")) return bytes.subarray(-8, -4).toString("latin1") === "IEND";
  if (path.endsWith(".svg")) return text.trimEnd().endsWith("</svg>");
  if (path.endsWith(".html")) return text.trimEnd().endsWith("</html>");
  if ([".csv", ".txt", ".md", ".yaml"].some((ext) => path.endsWith(ext))) return text.endsWith("\n");
  if (path.endsWith(".wav")) return bytes.length >= 44 && bytes.readUInt32LE(4) === bytes.length - 8;
  return false;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(dir, p)).isFile());
}

interface Case {
  /** "<verb>: <what is wrong>" */
  name: string;
  args: () => string[];
  /** The error line must match (it names the cause). */
  expect: RegExp;
  cwd?: () => string;
  /** A tmpfs to mount (size=16k) before the run; its files are checked after it. */
  disk?: string;
  /** A file put on the disk before the run: it must still hold these bytes after. */
  existing?: { name: string; bytes: Buffer };
  /** A `.part` download may stay on the disk. */
  resumable?: boolean;
  skip?: () => string | false;
}

const bytesOf = (n: number): Buffer => Buffer.alloc(n, 0x61);
const noMount = (): string | false => (canMount ? false : "cannot mount tmpfs here (not root?); full-disk and read-only cases skipped");
const noShared = (): string | false => needShared;
const noRun = (): string | false => needShared || (runDir ? false : "the setup run failed");

const FLAG_CASES: Case[] = [
  { name: "voxlab: unknown verb", args: () => ["frobnicate"], expect: /^error: unknown command 'frobnicate'/ },
  { name: "start: unknown flag", args: () => ["start", "--bogus"], expect: /^error: unknown option '--bogus'/ },
  { name: "metrics: unknown flag", args: () => ["metrics", "x.csv", "--bogus"], expect: /unknown option '--bogus'/ },
  { name: "embed: --batch-size 0", args: () => ["embed", wav("sc-1s.wav"), "--out", at("x.npy"), "--batch-size", "0"], expect: /--batch-size must be a positive integer, got "0"/ },
  { name: "embed: --batch-size -3", args: () => ["embed", wav("sc-1s.wav"), "--out", at("x.npy"), "--batch-size", "-3"], expect: /--batch-size must be a positive integer, got "-3"/ },
  { name: "embed: --threads 1.5", args: () => ["embed", wav("sc-1s.wav"), "--out", at("x.npy"), "--threads", "1.5"], expect: /--threads must be a positive integer/ },
  { name: "embed: --chunk-seconds -1", args: () => ["embed", wav("sc-1s.wav"), "--out", at("x.npy"), "--chunk-seconds", "-1"], expect: /--chunk-seconds must be a positive number/ },
  { name: "embed: --shard 5/2", args: () => ["embed", wav("sc-1s.wav"), "--store", at("s"), "--shard", "5/2"], expect: /shard/ },
  { name: "embed: no --out or --store", args: () => ["embed", wav("sc-1s.wav")], expect: /pass --out <file\.npy>, --store <dir>, or both/ },
  { name: "eval: --norm bogus", args: () => ["eval", "--data", data, "--out", at("e"), "--norm", "bogus"], expect: /--norm must be one of none, s-norm, as-norm, got "bogus"/ },
  { name: "eval: --bootstrap many", args: () => ["eval", "--data", data, "--out", at("e"), "--bootstrap", "many"], expect: /--bootstrap must be a positive integer/ },
  { name: "eval: --seed 1.5", args: () => ["eval", "--data", data, "--out", at("e"), "--seed", "1.5"], expect: /--seed must be an integer/ },
  { name: "eval: no --out", args: () => ["eval", "--data", data], expect: /^error: required option '--out <dir>' not specified/ },
  { name: "run: --batch-size -1", args: () => ["run", at("cfg.json"), "--batch-size", "-1"], expect: /--batch-size must be a positive integer/ },
  { name: "compare: unknown flag", args: () => ["compare", at("r"), "--bogus"], expect: /unknown option '--bogus'/ },
  { name: "features: --frontend mfcc", args: () => ["features", wav("sc-1s.wav"), "--out", at("f.npy"), "--frontend", "mfcc"], expect: /--frontend: unknown frontend "mfcc"/ },
  { name: "features: no --out", args: () => ["features", wav("sc-1s.wav")], expect: /required option '--out <file\.npy>'/ },
  { name: "model import: no --out", args: () => ["model", "import", at("x")], expect: /required option '--out <model\.onnx>'/ },
  { name: "model quantize: no --out", args: () => ["model", "quantize", at("x.onnx")], expect: /required option '--out <model\.int8\.onnx>'/ },
  { name: "calibrate: no --out", args: () => ["calibrate", at("scores.csv")], expect: /required option '--out <calib\.json>'/ },
  { name: "calibrate: --prior 1", args: () => ["calibrate", at("scores.csv"), "--prior", "1", "--out", at("c.json")], expect: /--prior/ },
  { name: "model fetch: bad repo id", args: () => ["model", "fetch", "not a repo", "--cache-dir", at("mc")], expect: /not a repo/ },
  { name: "model fetch: unknown flag", args: () => ["model", "fetch", "a/b", "--bogus"], expect: /unknown option '--bogus'/ },
  { name: "data demo: --speakers abc", args: () => ["data", "demo", "--out", at("d"), "--speakers", "abc"], expect: /--speakers must be a non-negative integer, got "abc"/ },
  { name: "data demo: --speakers -2", args: () => ["data", "demo", "--out", at("d"), "--speakers", "-2"], expect: /--speakers must be a non-negative integer, got "-2"/ },
  { name: "store merge: no --into", args: () => ["store", "merge", at("s")], expect: /required option '--into <dir>'/ },
  { name: "serve: --port abc", args: () => ["serve", "--port", "abc"], expect: /--port must be a non-negative integer, got "abc"/ },
  { name: "serve: --port 70000", args: () => ["serve", "--port", "70000"], expect: /--port must be at most 65535/ },
  { name: "serve: --concurrency -1", args: () => ["serve", "--port", "0", "--concurrency", "-1"], expect: /--concurrency must be a positive integer/ },
  { name: "serve: --centroid-method median", args: () => ["serve", "--port", "0", "--centroid-method", "median"], expect: /--centroid-method/ },
];

const MISSING_CASES: Case[] = [
  { name: "metrics: missing scores file", args: () => ["metrics", at("none.csv")], expect: /none\.csv: .*ENOENT/ },
  { name: "metrics: a folder as the scores file", args: () => ["metrics", work], expect: /cannot read the scores file \(is a directory, not a regular file\)/ },
  { name: "embed: missing audio", args: () => ["embed", at("none.wav"), "--out", at("x.npy")], expect: /none\.wav/ },
  { name: "embed: missing --list", args: () => ["embed", "--list", at("none.txt"), "--out", at("x.npy")], expect: /none\.txt: cannot read the file list \(ENOENT/ },
  { name: "embed: missing --model", args: () => ["embed", wav("sc-1s.wav"), "--out", at("x.npy"), "--model", at("none.onnx")], expect: /none\.onnx: cannot read \(ENOENT/ },
  { name: "eval: missing --data", args: () => ["eval", "--data", at("none"), "--out", at("e1"), "--model", model], expect: /none/ },
  { name: "eval: missing --trials", args: () => ["eval", "--data", data, "--trials", at("none.txt"), "--out", at("e2"), "--model", model], expect: /none\.txt/, skip: noShared },
  { name: "eval: missing --cohort", args: () => ["eval", "--data", data, "--cohort", at("none"), "--out", at("e3"), "--model", model, "--store", at("store")], expect: /none/, skip: noShared },
  { name: "run: missing config", args: () => ["run", at("none.yaml")], expect: /none\.yaml/ },
  { name: "compare: missing run folder", args: () => ["compare", at("none")], expect: /none: not a run folder \(no such directory\)/ },
  { name: "compare: a folder that is not a run", args: () => ["compare", work, "--out", at("c0")], expect: /not a complete run/ },
  { name: "features: missing audio", args: () => ["features", at("none.wav"), "--out", at("f.npy")], expect: /none\.wav/ },
  { name: "model import: missing folder", args: () => ["model", "import", at("none"), "--out", at("m.onnx")], expect: /none/ },
  { name: "model fetch: unreachable endpoint", args: () => ["model", "fetch", "speechbrain/x", "--endpoint", "http://127.0.0.1:9", "--cache-dir", at("mc")], expect: /offline/ },
  { name: "store merge: missing store", args: () => ["store", "merge", at("none"), "--into", at("m")], expect: /none: cannot read the embedding store \(ENOENT/ },
  { name: "store merge: a folder that is not a store", args: () => ["store", "merge", runsDir, "--into", at("m")], expect: /not an embedding store/ },
  { name: "serve: missing --model", args: () => ["serve", "--port", "0", "--model", at("none.onnx"), "--db", at("s.db")], expect: /none\.onnx: cannot read \(ENOENT/ },
  { name: "serve: missing --threshold-from", args: () => ["serve", "--port", "0", "--threshold-from", at("none.json")], expect: /none\.json/ },
];

/**
 * Outputs whose parent is a regular file (ENOTDIR), and on a read-only mount (EROFS): `base` is the file or
 * the mount; file outputs go right under it, folder outputs one level down (a folder to create).
 */
const UNWRITABLE_CASES: Case[] = [
  ...(
    [
      ["eval", (base: string) => ["eval", "--data", data, "--out", join(base, "out"), "--model", model, "--store", at("store")]],
      ["embed --out", (base: string) => ["embed", wav("sc-1s.wav"), "--out", join(base, "e.npy"), "--model", model]],
      ["embed --store", (base: string) => ["embed", wav("sc-1s.wav"), "--store", join(base, "out"), "--model", model]],
      ["run", (base: string) => ["run", runConfig("unwritable", model), "--out", join(base, "out"), "--store", at("store")]],
      ["compare", (base: string) => ["compare", runDir, "--out", join(base, "out")]],
      ["features", (base: string) => ["features", wav("sc-1s.wav"), "--out", join(base, "f.npy")]],
      ["model import", (base: string) => ["model", "import", fixture("speechbrain-ecapa", "c128-l96"), "--out", join(base, "m.onnx")]],
      ["model fetch", (base: string) => ["model", "fetch", "speechbrain/x", "--endpoint", hubUrl, "--cache-dir", join(base, "out"), "--out", at("fetched.onnx")]],
      ["data demo", (base: string) => ["data", "demo", "--out", join(base, "out"), "--speakers", "2", "--sessions", "2", "--utterances", "1"]],
      ["store merge", (base: string) => ["store", "merge", srcStore, "--into", join(base, "out")]],
      ["serve --db", (base: string) => ["serve", "--port", "0", "--model", model, "--db", join(base, "s.db")]],
    ] as const
  ).flatMap(([verb, args]): Case[] => [
    {
      name: `${verb}: output under a regular file`,
      args: () => args(aFile),
      // Creating a folder where the file is: EEXIST; anything below the file: ENOTDIR.
      expect: /\((ENOTDIR: a parent is not a folder|EEXIST: a file of that name is in the way)\)$/,
      skip: verb === "compare" ? noRun : noShared,
    },
    {
      name: `${verb}: output on a read-only file system`,
      args: () => args(readOnly),
      expect: /\(EROFS: read-only file system\)$/,
      skip: () => noMount() || (verb === "compare" ? noRun() : noShared()),
    },
  ]),
  {
    name: "start: results is a regular file",
    args: () => ["start"],
    cwd: () => at("start-cwd"),
    expect: /^voxlab: results\/demo: cannot create the output folder \(ENOTDIR: a parent is not a folder\)$/,
    skip: () => (existsSync(join(repoRoot, "datasets", "demo", "trials.txt")) ? false : "no datasets/demo in the repository"),
  },
  { name: "start: datasets is a regular file", args: () => ["start"], cwd: () => at("start-cwd2"), expect: /^voxlab: datasets\/demo: cannot create the dataset folder \(ENOTDIR: a parent is not a folder\)$/ },
];

interface FullDisk {
  verb: string;
  args: (disk: string) => string[];
  /** An output file that exists before the run: it must keep its bytes. */
  existing?: string;
  /** tmpfs size (default 16 KiB); 4 KiB leaves room for one small file only. */
  size?: string;
  /** A `.part` file may stay: downloads resume from it. */
  resumable?: boolean;
}

const storeInputs = (): string[] => [
  ...["sc-1s", "libri-3s", "libri-10s", "chirp-2s"].map((n) => wav(`${n}.wav`)),
  ...readdirSync(join(data, "wav"), { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith(".wav")).map((p) => join(data, "wav", p)),
];

/** Outputs on a tiny tmpfs of their own. */
const FULL_CASES: Case[] = (
  [
    { verb: "eval --out", args: (d) => ["eval", "--data", data, "--out", d, "--model", model, "--store", at("store")] },
    { verb: "embed --out", args: (d) => ["embed", ...Array<string>(40).fill(wav("sc-1s.wav")), "--out", join(d, "e.npy"), "--model", model], existing: "e.npy" },
    { verb: "embed --store", args: (d) => ["embed", ...storeInputs(), "--store", d, "--model", model], size: "4k" },
    { verb: "run --out", args: (d) => ["run", runConfig("full", model), "--out", d, "--store", at("store")] },
    { verb: "compare --out", args: (d) => ["compare", runDir, "--out", d] },
    { verb: "features --out", args: (d) => ["features", wav("libri-3s.wav"), "--out", join(d, "f.npy")], existing: "f.npy" },
    { verb: "model import --out", args: (d) => ["model", "import", fixture("speechbrain-ecapa", "c128-l96"), "--out", join(d, "m.onnx")], existing: "m.onnx" },
    { verb: "model fetch --cache-dir", args: (d) => ["model", "fetch", "speechbrain/x", "--endpoint", hubUrl, "--cache-dir", d, "--out", at("fetched2.onnx")], resumable: true },
    { verb: "model fetch --out", args: (d) => ["model", "fetch", "speechbrain/x", "--endpoint", hubUrl, "--cache-dir", at("mc-ok"), "--out", join(d, "m.onnx")], existing: "m.onnx" },
    { verb: "data demo --out", args: (d) => ["data", "demo", "--out", d, "--speakers", "2", "--sessions", "2", "--utterances", "1"] },
    { verb: "store merge --into", args: (d) => ["store", "merge", srcStore, "--into", d], size: "4k" },
    { verb: "serve --db", args: (d) => ["serve", "--port", "0", "--model", model, "--db", join(d, "s.db")] },
  ] satisfies FullDisk[]
).map((f: FullDisk): Case => {
  const disk = fullDisk(f.verb.replace(/\W+/g, "-"), f.size ?? "16k");
  return {
    name: `${f.verb}: disk full`,
    args: () => f.args(disk),
    expect: /\(ENOSPC: disk full\)$/,
    disk,
    existing: f.existing === undefined ? undefined : { name: f.existing, bytes: bytesOf(1000) },
    resumable: f.resumable,
    skip: () => noMount() || (f.verb.startsWith("compare") ? noRun() : noShared()),
  };
});

const modelArgs: Record<string, (m: string, kind: BadModel) => string[]> = {
  embed: (m) => ["embed", wav("sc-1s.wav"), "--out", at("never.npy"), "--model", m],
  eval: (m, kind) => ["eval", "--data", data, "--out", at(`eval-${kind}`), "--model", m, "--store", at("store")],
  run: (m, kind) => ["run", runConfig(`model-${kind}`, m), "--out", at("run-never"), "--store", at("store")],
  serve: (m, kind) => ["serve", "--port", "0", "--model", m, "--db", at(`serve-${kind}.db`)],
};
const MODEL_EXPECT: Record<BadModel, RegExp> = {
  notOnnx: /not-onnx\.onnx: not an ONNX model/,
  mel40: /mel40\.onnx: the model takes 40 mel bins, but its frontend speechbrain gives 80$/,
  mel40Meta80: /mel40-meta80\.onnx: metadata n_mels 80 differs from the model input's 40$/,
  inputName: /input-name\.onnx: no feature input named feats\/feature\/x \(the model has audio\)$/,
  rank2: /rank2\.onnx: input feats has shape \[T,80\]; VoxLab feeds \[batch, frames, 80\]$/,
  dim: /dim\.onnx: output embedding has shape \[B,80\], but metadata embedding_dim is 192$/,
};
/** Every misfit with embed; the other verbs load models the same way, so a few kinds each. */
const MODEL_CASES: Case[] = Object.entries(modelArgs).flatMap(([verb, args]) =>
  (Object.keys(badModels) as BadModel[])
    .filter((kind) => verb === "embed" || ["notOnnx", "mel40", "rank2", "dim"].includes(kind))
    .map((kind): Case => ({ name: `${verb}: model ${kind}`, args: () => args(badModels[kind], kind), expect: MODEL_EXPECT[kind], skip: verb === "embed" ? undefined : noShared })),
);

before(async () => {
  writeFileSync(aFile, "a regular file\n");
  writeFileSync(at("cfg.json"), "{}");
  mkdirSync(runsDir);
  canMount = mount(readOnly, "ro,size=64k");
  if (canMount) for (const { dir, size } of fullDisks) if (!mount(dir, `size=${size}`)) throw new Error(`cannot mount a tmpfs on ${dir}`);
  for (const c of FULL_CASES) if (canMount && c.existing) writeFileSync(join(c.disk!, c.existing.name), c.existing.bytes);
  writeFileSync(badModels.notOnnx, "this is not an ONNX model\n");
  writeFileSync(badModels.mel40, tinyModel({ bins: 40, metaBins: 40 }));
  writeFileSync(badModels.mel40Meta80, tinyModel({ bins: 40, metaBins: 80 }));
  writeFileSync(badModels.inputName, tinyModel({ bins: 80, metaBins: 80, input: "audio" }));
  writeFileSync(badModels.rank2, tinyModel({ bins: 80, metaBins: 80, rank2: true }));
  writeFileSync(badModels.dim, tinyModel({ bins: 80, metaBins: 80, embeddingDim: 192 }));
  mkdirSync(at("start-cwd"));
  if (existsSync(join(repoRoot, "datasets", "demo"))) symlinkSync(join(repoRoot, "datasets"), at("start-cwd", "datasets"));
  writeFileSync(at("start-cwd", "results"), "a regular file\n");
  mkdirSync(at("start-cwd2"));
  writeFileSync(at("start-cwd2", "datasets"), "a regular file\n");
  if (!hasShared) return;
  hubUrl = await startHub();
  // 3 Speech Commands speakers x 2 sessions x 1 clip.
  await linkSpeechCommandsTree(data, 3, 1);
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
  // The inputs that merge and compare need, made by the CLI itself (which also shows it works here).
  const [stored, ran] = await Promise.all([
    voxlab(["embed", wav("sc-1s.wav"), wav("libri-3s.wav"), "--store", srcStore, "--model", model]),
    voxlab(["run", runConfig("setup", model), "--out", runsDir, "--store", at("store")]),
  ]);
  assert.equal(stored.code, 0, stored.stderr);
  assert.equal(ran.code, 0, ran.stderr);
  runDir = join(runsDir, "setup", readdirSync(join(runsDir, "setup"))[0]);
});

after(async () => {
  for (const dir of [readOnly, ...fullDisks.map((d) => d.dir)]) unmount(dir);
  await new Promise((resolve) => (hub ? hub.close(resolve) : resolve(undefined)));
  rmSync(work, { recursive: true, force: true });
});

/** Files left on a full disk: pre-existing ones unchanged, new ones whole and under a final (not temporary) name. */
function diskProblem(c: Case): string | undefined {
  for (const name of listFiles(c.disk!)) {
    const path = join(c.disk!, name);
    if (c.existing?.name === name) {
      if (!readFileSync(path).equals(c.existing.bytes)) return `${name}: the existing file was changed`;
      continue;
    }
    if (c.resumable && name.endsWith(".part")) continue;
    if (/\.(tmp|part)$/.test(name)) return `${name}: temporary file left behind`;
    if (!isWhole(path)) return `${name}: truncated or unknown file left behind`;
  }
  if (c.existing && !existsSync(join(c.disk!, c.existing.name))) return `${c.existing.name}: the existing file was removed`;
  return undefined;
}

function runCases(title: string, cases: Case[]): void {
  describe(title, { concurrency: 4 }, () => {
    for (const c of cases) {
      test(c.name, { timeout: CLI_TIMEOUT_MS + 10_000 }, async (t) => {
        const skip = c.skip?.();
        if (skip) return t.skip(skip);
        const run = await voxlab(c.args(), c.cwd?.());
        const problem = contractProblem(run);
        assert.equal(problem, undefined, `${problem}\nexit ${run.code}\nstderr:\n${run.stderr}`);
        const message = run.stderr.trimEnd().split("\n").at(-1)!;
        t.diagnostic(message);
        assert.match(message, c.expect);
        if (c.disk) assert.equal(diskProblem(c), undefined);
      });
    }
  });
}

runCases("bad flags", FLAG_CASES);
runCases("missing inputs", MISSING_CASES);
runCases("unwritable outputs", UNWRITABLE_CASES);
runCases("full disk", FULL_CASES);
runCases("models that do not fit", MODEL_CASES);

test("every verb is covered", () => {
  const all = [...FLAG_CASES, ...MISSING_CASES, ...UNWRITABLE_CASES, ...FULL_CASES, ...MODEL_CASES].map((c) => c.name);
  const verbs = ["start", "metrics", "calibrate", "embed", "eval", "run", "compare", "features", "model import", "model fetch", "model quantize", "data demo", "store merge", "serve"];
  for (const verb of verbs) assert.ok(all.some((n) => n.startsWith(`${verb}:`) || n.startsWith(`${verb} `)), verb);
});
