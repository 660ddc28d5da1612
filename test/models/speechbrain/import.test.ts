import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { VoxlabError } from "../../../src/core/errors.ts";
import { readNpy } from "../../../src/core/npy.ts";
import { buildEcapaOnnx, type EcapaGraphForm } from "../../../src/models/speechbrain/ecapa-onnx.ts";
import { loadEmbeddingModel, sidecarPath, type EmbedInput } from "../../../src/models/embedding-model.ts";
import { importSpeechbrainModel } from "../../../src/models/speechbrain/import.ts";
import { readOnnxMetadata, voxlabMetadata } from "../../../src/models/metadata.ts";
import { GraphBuilder } from "../../../src/models/speechbrain/onnx-graph.ts";
import { parseSpeechbrainHyperparams } from "../../../src/models/speechbrain/hyperparams.ts";
import { readTorchCheckpoint } from "../../../src/models/speechbrain/torch-checkpoint.ts";
import { decodeModel } from "../../../src/models/quantize/qdq.ts";
import { assertEmbeddingParity } from "../../helpers/compare.ts";
import { fixture, hasShared, needShared, repoRoot } from "../../helpers/shared.ts";

const CONFIGS = ["c256", "c128-l96"] as const;
const UTTERANCES = ["sc-1s", "libri-3s", "libri-10s", "short-0.25s", "chirp-2s", "silence-0.5s"];
const oneLine = (re: RegExp) => (err: unknown) => err instanceof VoxlabError && re.test(err.message) && !err.message.includes("\n");

let work = "";
const modelPath = (cfg: string, form: EcapaGraphForm = "voxlab"): string => join(work, form === "voxlab" ? `${cfg}.onnx` : `${cfg}.${form}.onnx`);
const features = async (name: string): Promise<EmbedInput> => {
  const f = await readNpy(fixture("speechbrain-fbank", `${name}.norm.npy`));
  return { data: f.data, frames: f.shape[0] };
};

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-models-"));
  if (hasShared) {
    for (const cfg of CONFIGS) {
      const dir = fixture("speechbrain-ecapa", cfg);
      await importSpeechbrainModel(dir, modelPath(cfg), { license: "test-only" });
      // The same weights as torch.onnx.export would write SpeechBrain's forward (the form the benchmarks give sherpa-onnx).
      const hp = parseSpeechbrainHyperparams(await readFile(join(dir, "hyperparams.yaml"), "utf8"), "h.yaml");
      const meta = voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: cfg, license: "test-only" });
      const bytes = buildEcapaOnnx(hp.ecapa, await readTorchCheckpoint(join(dir, "embedding_model.ckpt")), meta, cfg, "torch-export");
      await writeFile(modelPath(cfg, "torch-export"), bytes);
    }
  }
});
after(() => rm(work, { recursive: true, force: true }));

for (const cfg of CONFIGS) {
  for (const form of ["voxlab", "torch-export"] as const) {
    test(`import ${cfg} (${form} graph): embeddings match SpeechBrain's on every fixture utterance`, { skip: needShared }, async (t) => {
      const model = await loadEmbeddingModel(modelPath(cfg, form), { intraOpThreads: 2 });
      try {
        const report: string[] = [];
        for (const name of UTTERANCES) {
          const reference = (await readNpy(fixture("speechbrain-ecapa", cfg, "embeddings", `${name}.npy`))).data;
          const [e] = await model.embedFeatures([await features(name)]);
          report.push(assertEmbeddingParity(e, reference, name));
        }
        t.diagnostic(`${cfg} ${form} parity: ${report.join("; ")}`);
      } finally {
        await model.close();
      }
    });
  }

  test(`import ${cfg}: a padded batch gives the one-by-one embeddings (rel. diff <= 1e-4)`, { skip: needShared }, async (t) => {
    const model = await loadEmbeddingModel(modelPath(cfg), { intraOpThreads: 2 });
    try {
      // The fixture's padded batch: libri-3s, sc-1s, short-0.25s (relative lengths 1, 0.31, 0.078).
      const spec = JSON.parse(await readFile(fixture("speechbrain-ecapa", cfg, "embeddings", "batch-padded.json"), "utf8")) as { inputs: string[] };
      const items = await Promise.all(spec.inputs.map(features));
      assert.ok(new Set(items.map((i) => i.frames)).size === items.length, "rows of different lengths");
      const batch = await model.embedFeatures(items);
      let worst = 0;
      for (let r = 0; r < items.length; r++) {
        const [alone] = await model.embedFeatures([items[r]]);
        const scale = Math.max(...alone.map(Math.abs));
        for (let i = 0; i < alone.length; i++) worst = Math.max(worst, Math.abs(batch[r][i] - alone[i]) / scale);
      }
      t.diagnostic(`${cfg} padded batch vs one-by-one: max relative difference ${worst.toExponential(2)}`);
      assert.ok(worst <= 1e-4, `max relative difference ${worst}`);
      // SpeechBrain's own padded rows are NOT invariant (its reference rows 2-3 differ from one-by-one).
      const sb = (await readNpy(fixture("speechbrain-ecapa", cfg, "embeddings", "batch-padded.npy"))).data;
      const sbShort = (await readNpy(fixture("speechbrain-ecapa", cfg, "embeddings", "short-0.25s.npy"))).data;
      const d = sbShort.length;
      const sbDiff = Math.max(...sbShort.map((v, i) => Math.abs(v - sb[2 * d + i]))) / Math.max(...sbShort.map(Math.abs));
      assert.ok(sbDiff > 1e-3, "the reference padded row was expected to differ");
    } finally {
      await model.close();
    }
  });
}

test("import: the two graph forms are what they say: 2-D convolutions and a split attention conv, or torch.onnx.export's 1-D ones", { skip: needShared }, async () => {
  for (const form of ["voxlab", "torch-export"] as const) {
    const graph = decodeModel(await readFile(modelPath("c256", form)), form).graph!;
    const ranks = new Map(graph.initializer!.map((t) => [t.name!, t.dims!.length]));
    const convRanks = new Set(graph.node!.filter((n) => n.opType === "Conv").map((n) => ranks.get(n.input![1])));
    assert.deepEqual([...convRanks], [form === "voxlab" ? 4 : 3], form);
    // SpeechBrain concatenates [mfa; mean; std] (3 x 768 channels) before the attention conv; VoxLab's form does not.
    const attentionIn = graph.node!.find((n) => n.output![0] === "asp.attn_in");
    assert.equal(attentionIn?.opType, form === "voxlab" ? undefined : "Concat", form);
  }
});

test("import: a batch norm with a negative scale keeps its own Mul in VoxLab's form, and both forms still agree", { skip: needShared }, async (t) => {
  const dir = fixture("speechbrain-ecapa", "c128-l96");
  const hp = parseSpeechbrainHyperparams(await readFile(join(dir, "hyperparams.yaml"), "utf8"), "h.yaml");
  const state = await readTorchCheckpoint(join(dir, "embedding_model.ckpt"));
  // Flip the sign of one channel's gamma in a Res2Net block and in the attention's TDNN (relu(z)·s != relu(s·z) there).
  for (const key of ["blocks.2.tdnn1.norm.norm.weight", "asp.tdnn.norm.norm.weight"]) {
    const tensor = state.get(key)!;
    const data = Float32Array.from(tensor.data as Float32Array);
    data[3] = -data[3];
    state.set(key, { ...tensor, data });
  }
  const meta = voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "x", license: "x" });
  const embeddings: Float32Array[][] = [];
  for (const form of ["voxlab", "torch-export"] as const) {
    const bytes = buildEcapaOnnx(hp.ecapa, state, meta, "e.ckpt", form);
    const scaleNodes = decodeModel(bytes, form).graph!.node!.filter((n) => n.opType === "Mul" && n.name!.endsWith(".norm.norm/scale#node")).map((n) => n.name);
    if (form === "voxlab") assert.deepEqual(scaleNodes.sort(), ["asp.tdnn.norm.norm/scale#node", "blocks.2.tdnn1.norm.norm/scale#node"]);
    const path = join(work, `negative-gamma.${form}.onnx`);
    await writeFile(path, bytes);
    const model = await loadEmbeddingModel(path, { intraOpThreads: 1 });
    embeddings.push(await model.embedFeatures(await Promise.all(UTTERANCES.map(features))));
    await model.close();
  }
  t.diagnostic(UTTERANCES.map((name, i) => assertEmbeddingParity(embeddings[0][i], embeddings[1][i], name)).join("; "));
});

test("import: metadata says how to feed the model", { skip: needShared }, async () => {
  const props = readOnnxMetadata(await readFile(modelPath("c128-l96")), "m.onnx");
  assert.equal(props.frontend, "speechbrain");
  assert.equal(props.sample_rate, "16000");
  assert.equal(props.mean_norm, "sentence");
  assert.equal(props.embedding_dim, "96");
  assert.equal(props.n_mels, "80");
  assert.equal(props.source, "c128-l96");
  assert.equal(props.license, "test-only");
  assert.equal(props.channels, "128,128,128,128,384");
  const model = await loadEmbeddingModel(modelPath("c128-l96"));
  assert.equal(model.info.embeddingDim, 96);
  assert.equal(model.info.minFrames, 5);
  assert.ok(model.supportsPaddedBatches);
  await assert.rejects(model.embedFeatures([{ data: new Float32Array(4 * 80), frames: 4 }]), oneLine(/needs at least 5/));
  await assert.rejects(model.embedFeatures([{ data: new Float32Array(10 * 79), frames: 10 }]), oneLine(/not 10 frames x 80/));
  await model.close();
});

test("import: missing or wrongly shaped tensors are named", { skip: needShared }, async () => {
  const dir = fixture("speechbrain-ecapa", "c128-l96");
  const hp = parseSpeechbrainHyperparams(await readFile(join(dir, "hyperparams.yaml"), "utf8"), "h.yaml");
  const state = await readTorchCheckpoint(join(dir, "embedding_model.ckpt"));
  const meta = voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "x", license: "x" });
  const missing = new Map(state);
  missing.delete("blocks.2.se_block.conv1.conv.bias");
  assert.throws(() => buildEcapaOnnx(hp.ecapa, missing, meta, "e.ckpt"), oneLine(/^e\.ckpt: missing tensor blocks\.2\.se_block\.conv1\.conv\.bias$/));
  const withoutCounters = new Map([...state].filter(([key]) => !key.endsWith("num_batches_tracked")));
  assert.equal(withoutCounters.size, 200); // ANCHORS §1.6: 200 tensors without num_batches_tracked
  assert.ok(buildEcapaOnnx(hp.ecapa, withoutCounters, meta, "e.ckpt").length > 0);
  const reshaped = new Map(state);
  const w = state.get("fc.conv.weight")!;
  reshaped.set("fc.conv.weight", { ...w, shape: [48, 1536, 1] });
  assert.throws(() => buildEcapaOnnx(hp.ecapa, reshaped, meta, "e.ckpt"), oneLine(/tensor fc\.conv\.weight has shape \[48,1536,1\], the config needs \[96,768,1\]/));
  const extra = new Map(state).set("classifier.weight", w);
  assert.throws(() => buildEcapaOnnx(hp.ecapa, extra, meta, "e.ckpt"), oneLine(/unexpected tensor classifier\.weight/));
  // A yaml that promises another size than the checkpoint holds.
  const wrongCfg = { ...hp.ecapa, attentionChannels: 64 };
  assert.throws(() => buildEcapaOnnx(wrongCfg, state, meta, "e.ckpt"), oneLine(/asp\.tdnn\.conv\.conv\.weight has shape/));
});

test("import: foreign folders and files are refused with one line", { skip: needShared }, async () => {
  const dir = join(work, "foreign");
  await cp(fixture("speechbrain-ecapa", "c128-l96"), dir, { recursive: true });
  await writeFile(join(dir, "embedding_model.ckpt"), "not a zip at all");
  await assert.rejects(importSpeechbrainModel(dir, join(work, "f.onnx")), oneLine(/embedding_model\.ckpt: not a PyTorch zip checkpoint/));
  await writeFile(join(dir, "hyperparams.yaml"), "embedding_model: !new:speechbrain.lobes.models.ResNet.ResNet\n");
  await assert.rejects(importSpeechbrainModel(dir, join(work, "f.onnx")), oneLine(/hyperparams\.yaml: embedding_model is not .*ECAPA_TDNN/));
  await assert.rejects(importSpeechbrainModel(join(work, "nowhere"), join(work, "f.onnx")), oneLine(/hyperparams\.yaml: cannot read the hyperparams of a SpeechBrain model folder \(ENOENT\)/));
});

/** A tiny stand-in for a WeSpeaker/3D-Speaker export: embedding = time mean of the features. */
function meanOverTimeModel(input: string, output: string, metadata: Record<string, string>): Uint8Array {
  const g = new GraphBuilder();
  const feats = g.input({ name: input, type: "float32", dims: ["B", "T", 80] });
  g.op("ReduceMean", [feats], { axes: [1], keepdims: 0 }, "mean", output);
  return g.encode({ graphName: "mean", outputs: [{ name: output, type: "float32", dims: ["B", 80] }], metadata, opset: 17, producerVersion: "test" });
}

test("load: an ONNX model without VoxLab metadata is refused; a sidecar makes foreign graphs usable", async () => {
  const bare = join(work, "wespeaker.onnx");
  await writeFile(bare, meanOverTimeModel("feats", "embs", {}));
  await assert.rejects(loadEmbeddingModel(bare), oneLine(/wespeaker\.onnx: no VoxLab metadata \(frontend, sample_rate, mean_norm, embedding_dim, source, license\); /));

  await writeFile(sidecarPath(bare), JSON.stringify({ frontend: "kaldi-wespeaker", sample_rate: 16000, mean_norm: "sentence", embedding_dim: 80, source: "test", license: "none" }));
  const wespeaker = await loadEmbeddingModel(bare);
  assert.equal(wespeaker.info.frontend, "kaldi-wespeaker");
  assert.equal(wespeaker.info.nMels, 80); // from the input's static last dim
  assert.equal(wespeaker.supportsPaddedBatches, false);
  // Rows of different lengths: each runs alone (time means of 2 and 3 frames), never padded.
  const a = { data: new Float32Array(2 * 80).fill(1).fill(3, 80), frames: 2 };
  const b = { data: new Float32Array(3 * 80).fill(6), frames: 3 };
  const [ea, eb] = await wespeaker.embedFeatures([a, b]);
  assert.deepEqual([ea[0], ea[79], eb[0]], [2, 2, 6]);
  await wespeaker.close();

  const partial = join(work, "partial.onnx");
  await writeFile(partial, meanOverTimeModel("x", "embedding", { frontend: "kaldi-3dspeaker", sample_rate: "16000" }));
  await assert.rejects(loadEmbeddingModel(partial), oneLine(/VoxLab metadata lacks mean_norm, embedding_dim, source, license/));
  const full = join(work, "threed.onnx");
  const meta = { frontend: "kaldi-3dspeaker", sample_rate: "16000", mean_norm: "sentence", embedding_dim: "80", source: "t", license: "t" };
  await writeFile(full, meanOverTimeModel("x", "embedding", meta));
  const threed = await loadEmbeddingModel(full);
  assert.equal(threed.info.frontend, "kaldi-3dspeaker");
  await threed.close();
  await writeFile(full, meanOverTimeModel("x", "embedding", { ...meta, frontend: "librosa" }));
  await assert.rejects(loadEmbeddingModel(full), oneLine(/unknown frontend "librosa"/));
  await writeFile(full, meanOverTimeModel("speech", "embedding", meta));
  await assert.rejects(loadEmbeddingModel(full), oneLine(/no feature input named feats\/feature\/x \(the model has speech\)/));
  await writeFile(full, "garbage bytes, not protobuf");
  await assert.rejects(loadEmbeddingModel(full), oneLine(/threed\.onnx: not an ONNX model/));
});

test("cli: voxlab model import writes a model and reports a bad folder in one line", { skip: needShared }, async () => {
  const run = promisify(execFile);
  const out = join(work, "cli.onnx");
  const cli = [join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs"), join(repoRoot, "src", "cli", "main.ts")];
  const ok = await run(process.execPath, [...cli, "model", "import", fixture("speechbrain-ecapa", "c128-l96"), "--out", out, "--license", "CC0"]);
  assert.match(ok.stdout, /wrote .*cli\.onnx: ECAPA-TDNN channels \[128,128,128,128,384\], \d+\.\d\d M parameters, 96-d/);
  assert.equal(readOnnxMetadata(await readFile(out), out).license, "CC0");
  await assert.rejects(run(process.execPath, [...cli, "model", "import", work, "--out", out]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /^voxlab: .*hyperparams\.yaml: cannot read the hyperparams of a SpeechBrain model folder \(ENOENT\)\n$/);
    return true;
  });
});
