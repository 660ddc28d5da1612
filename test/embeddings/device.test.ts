// --device cuda without the CUDA provider (this machine, and CI): a warning and the CPU, never a crash; GPU
// embeddings are kept apart in the store; and the default of one utterance per ONNX run makes an embedding
// independent of the files embedded with it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { cudaProviderInstalled, EmbeddingExtractor, EmbeddingStore, importSpeechbrainModel, loadEmbeddingModel, readNpy } from "../../src/index.ts";
import { modelIdentity, modelKey } from "../../src/models/identity.ts";
import { dataset, fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";
import { cliArgs } from "../helpers/serve.ts";

const execFileAsync = promisify(execFile);
const noCuda = cudaProviderInstalled() ? "onnxruntime-node's CUDA provider is installed here; the fallback cases need a machine without it" : false;

let work = "";
let model = "";

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-device-"));
  if (!hasShared) return;
  model = join(work, "c128.onnx");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), model, { license: "test-only" });
});
after(() => rm(work, { recursive: true, force: true }));

test("device: cuda without the provider falls back to the CPU and says why, once", { skip: needShared || noCuda }, async () => {
  const reasons: string[] = [];
  const onCuda = await loadEmbeddingModel(model, { device: "cuda", onFallback: (r) => reasons.push(r) });
  const onCpu = await loadEmbeddingModel(model);
  try {
    assert.equal(onCuda.device, "cpu");
    assert.equal(onCpu.device, "cpu");
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /CUDA provider is not installed \(ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node\)/);
  } finally {
    await Promise.all([onCuda.close(), onCpu.close()]);
  }
});

test("device: `voxlab embed --device cuda` warns in one line and gives the CPU's embeddings bit for bit", { skip: needShared || noCuda, timeout: 120_000 }, async () => {
  const audio = fixture("audio", "libri-10s.wav");
  const embed = (device: string, out: string) => execFileAsync(process.execPath, cliArgs(["embed", "--model", model, "--device", device, "--out", out, audio]), { cwd: repoRoot });
  const [gpu, cpu] = await Promise.all([embed("cuda", join(work, "cuda.npy")), embed("cpu", join(work, "cpu.npy"))]);
  const warnings = gpu.stderr.split("\n").filter((l) => l.startsWith("voxlab: warning:"));
  assert.deepEqual(warnings, ["voxlab: warning: --device cuda: onnxruntime-node's CUDA provider is not installed (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node); running on the CPU"]);
  assert.ok(!cpu.stderr.includes("warning"), cpu.stderr);
  const [a, b] = await Promise.all([readNpy(join(work, "cuda.npy")), readNpy(join(work, "cpu.npy"))]);
  assert.deepEqual(a.shape, [1, 96]);
  assert.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer));
});

test("device: an unknown device is a one-line error", { skip: needShared, timeout: 60_000 }, async () => {
  await assert.rejects(
    execFileAsync(process.execPath, cliArgs(["embed", "--model", model, "--device", "tpu", "--out", join(work, "x.npy"), fixture("audio", "libri-10s.wav")]), { cwd: repoRoot }),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.equal(err.stderr, 'voxlab: --device must be one of cpu, cuda, got "tpu"\n');
      return true;
    },
  );
});

test("device: CUDA embeddings have their own store key, and a store refuses an extractor on another device", { skip: needShared }, async () => {
  const cpu = await modelIdentity(model);
  const cuda = await modelIdentity(model, { device: "cuda" });
  assert.equal(cpu.device, undefined);
  assert.equal(cuda.device, "cuda");
  assert.notEqual(modelKey(cpu), modelKey(cuda));
  // The CPU key is the one stores had before devices existed: device "cpu" adds nothing to the identity.
  assert.equal(modelKey(await modelIdentity(model, { device: "cpu" })), modelKey(cpu));
  const store = await EmbeddingStore.open(join(work, "store"), model, { device: "cuda" });
  const extractor = await EmbeddingExtractor.load(model);
  try {
    await assert.rejects(store.embedFiles([fixture("audio", "libri-10s.wav")], extractor), /the extractor runs on cpu, but the embedding store .* holds cuda embeddings/);
  } finally {
    await extractor.close();
  }
});

test("batches: by default an embedding does not depend on the files embedded with it", { skip: needShared, timeout: 60_000 }, async () => {
  const speech = dataset("librispeech-cohort", "wav");
  const flacs = (await readdir(speech, { recursive: true })).filter((f) => f.endsWith(".flac")).sort().slice(0, 6).map((f) => join(speech, f));
  const files = [fixture("audio", "libri-10s.wav"), ...flacs];
  // Two threads: ONNX Runtime splits a lone row's work differently from a batch's, so this is the harder case.
  const extractor = await EmbeddingExtractor.load(model, { intraOpThreads: 2 });
  try {
    const together = await extractor.embedFiles(files);
    const alone: Float32Array[] = [];
    for (const f of files) alone.push((await extractor.embedFiles([f]))[0]);
    together.forEach((row, i) => assert.deepEqual(Buffer.from(row.buffer), Buffer.from(alone[i].buffer), `file ${i}`));
    // With padded batches the same rows move (that is why 1 is the default).
    const batched = await extractor.embedFiles(files, { batchSize: 8 });
    assert.ok(batched.some((row, i) => !Buffer.from(row.buffer).equals(Buffer.from(alone[i].buffer))), "padded batches changed nothing: the test would not see a regression");
  } finally {
    await extractor.close();
  }
});
