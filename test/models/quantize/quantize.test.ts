// `voxlab model quantize`: int8 QDQ models, checked against hand-computed quantization, ONNX Runtime's own
// reading of the graph, and the float model's accuracy on real speech.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { heldOutEer, heldOutSet } from "../../../models/training/heldout.ts";
import { heldOutSpeakers } from "../../../models/training/split.ts";
import { cosineScore } from "../../../src/index.ts";
import { scanDataset } from "../../../src/datasets/manifest.ts";
import { EmbeddingExtractor } from "../../../src/embeddings/extractor.ts";
import { modelIdentity, modelKey } from "../../../src/models/identity.ts";
import { buildEcapaOnnx } from "../../../src/models/speechbrain/ecapa-onnx.ts";
import { randomEcapaState } from "../../../src/models/speechbrain/random-weights.ts";
import { loadEmbeddingModel } from "../../../src/models/embedding-model.ts";
import { voxlabMetadata } from "../../../src/models/metadata.ts";
import { activationParams, decodeModel, planQuantization, quantizeBias, quantizeWeightsPerChannel } from "../../../src/models/quantize/qdq.ts";
import { quantizeModelFile } from "../../../src/models/quantize/quantize-file.ts";
import { SPKREC_ECAPA_VOXCELEB } from "../../../src/models/speechbrain/hyperparams.ts";
import { wavFile } from "../../helpers/fuzz.ts";
import { dataset, needShared, repoRoot } from "../../helpers/shared.ts";

const MODEL = join(repoRoot, "models", "voxlab-ecapa-c256.onnx");
const CLI = join(repoRoot, "src", "cli", "main.ts");
const run = promisify(execFile);

test("weights: symmetric int8 per output channel, scale max|w|/127 (hand-computed)", () => {
  const { values, scales } = quantizeWeightsPerChannel(Float32Array.of(0.5, -1, 0.25, 0, 0, 0, 2.54, 1, -0.01), 3);
  assert.deepEqual([...scales], [Math.fround(1 / 127), 1, Math.fround(2.54 / 127)]);
  // 0.5 * 127 = 63.5 rounds half up to 64; an all-zero channel gets scale 1 and zeros; 1 / 0.02 = 50, -0.01 / 0.02 = -0.5 -> -0.
  assert.deepEqual([...values], [64, -127, 32, 0, 0, 0, 127, 50, 0]);
  const bias = quantizeBias(Float32Array.of(1, -3), 0.5, Float32Array.of(0.01, 2));
  assert.deepEqual([...bias.values], [200, -3]);
  assert.deepEqual([...bias.scales], [Math.fround(0.005), 1]);
});

test("activations: uint8 covering [min, max] and zero, with zero exactly representable", () => {
  // Scales are (max - min) / 255 in float64: equal to the decimal value up to rounding (1e-15 relative).
  const near = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) <= 1e-15 * expected, `${actual} vs ${expected}`);
  const relu = activationParams({ min: 0, max: 5.1 });
  near(relu.scale, 0.02);
  assert.equal(relu.zeroPoint, 0);
  const signed = activationParams({ min: -1, max: 1.55 });
  near(signed.scale, 0.01);
  assert.equal(signed.zeroPoint, 100);
  // A range that excludes zero is widened to it; an empty range still gives a usable scale.
  const widened = activationParams({ min: 2, max: 2.55 });
  near(widened.scale, 0.01);
  assert.equal(widened.zeroPoint, 0);
  assert.deepEqual(activationParams({ min: 0, max: 0 }), { scale: 1, zeroPoint: 0 });
  assert.throws(() => activationParams({ min: -Infinity, max: 1 }), /not finite/);
});

test("the plan for the shipped ECAPA: 29 convolutions int8; first layer, SE and attention output stay float32", async () => {
  const plan = planQuantization(decodeModel(await readFile(MODEL), MODEL), MODEL);
  // ECAPA with Res2Net scale 8: per SE-Res2Net block tdnn1 + 7 Res2Net convs + tdnn2 (x3), MFA, attention TDNN.
  assert.equal(plan.convs.length, 3 * 9 + 2);
  assert.deepEqual(plan.keptFloat, [
    "blocks.0.conv.conv.weight",
    ...[1, 2, 3].flatMap((b) => [`blocks.${b}.se_block.conv1.conv.weight`, `blocks.${b}.se_block.conv2.conv.weight`]),
    "asp.conv.conv.weight",
  ]);
  // Every TDNN conv is followed by its ReLU: the range after it is the one quantized.
  assert.ok(plan.convs.every((c) => c.output.endsWith("/relu")), plan.convs.map((c) => c.output).join(" "));
});

/** A few seconds of a synthetic voiced signal (harmonics with vibrato plus noise): enough to exercise the graph. */
function voicedSignal(seconds: number, f0: number, seed: number): Float32Array {
  const out = new Float32Array(seconds * 16000);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const t = i / 16000;
    const f = f0 * (1 + 0.05 * Math.sin(2 * Math.PI * 3 * t));
    let x = 0;
    for (let h = 1; h <= 8; h++) x += Math.sin(2 * Math.PI * f * h * t) / h;
    out[i] = 0.2 * x + 0.02 * (s / 2 ** 31 - 0.5);
  }
  return out;
}

test("quantize writes a loadable int8 model: metadata kept and extended, store keys it apart, CLI errors are one line", { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-quant-"));
  try {
    const files: string[] = [];
    for (let k = 0; k < 4; k++) {
      files.push(join(dir, `v${k}.wav`));
      await writeFile(files[k], wavFile([voicedSignal(2, 100 + 40 * k, k + 1)], 16000, "pcm16"));
    }
    await writeFile(join(dir, "list.txt"), files.map((f) => f.slice(dir.length + 1)).join("\n"));
    const out = join(dir, "c256.int8.onnx");
    const result = await quantizeModelFile(MODEL, out, { calibration: join(dir, "list.txt") });
    assert.equal(result.calibrationUtterances, 4);
    assert.ok(result.outBytes < 0.6 * result.inBytes, `${result.outBytes} of ${result.inBytes} bytes`);

    const [fp, q] = [await loadEmbeddingModel(MODEL), await loadEmbeddingModel(out)];
    try {
      for (const key of Object.keys(fp.info.metadata)) assert.equal(q.info.metadata[key], fp.info.metadata[key], key);
      assert.match(q.info.metadata.quantization, /^int8-qdq/);
      assert.match(q.info.metadata.quantization_calibration, /list\.txt \(4 of 4 files/);
      assert.equal(q.info.metadata.quantized_layers.split(",").length, 29);
      assert.match(q.info.metadata.float_layers, /^blocks\.0\.conv\.conv,/);
      assert.equal(q.info.metadata.quantized_from_sha256.length, 64);
      assert.equal(q.info.embeddingDim, 192);
    } finally {
      await Promise.all([fp.close(), q.close()]);
    }
    // The store's key hashes the model bytes, so int8 embeddings never mix with float ones.
    assert.notEqual(modelKey(await modelIdentity(out)), modelKey(await modelIdentity(MODEL)));

    await assert.rejects(quantizeModelFile(out, join(dir, "again.onnx"), { calibration: join(dir, "list.txt") }), /already quantized/);
    await assert.rejects(quantizeModelFile(MODEL, MODEL), /overwrite the input/);
    await assert.rejects(quantizeModelFile(MODEL, join(dir, "x.onnx"), { calibration: join(dir, "missing") }), /cannot read the calibration data \(ENOENT\)/);
    await assert.rejects(quantizeModelFile(MODEL, join(dir, "x.onnx"), { calibration: join(dir, "list.txt"), utterances: 0 }), /positive integer/);
    // Through the CLI: a file that is not a model gives one line on stderr and exit 1, and writes nothing.
    await writeFile(join(dir, "bad.onnx"), "not a model");
    const failed = await run(process.execPath, ["--import", "tsx", CLI, "model", "quantize", join(dir, "bad.onnx"), "--out", join(dir, "bad.int8.onnx"), "--calibration", join(dir, "list.txt")], { cwd: repoRoot }).then(
      () => assert.fail("quantize of a bad file succeeded"),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^voxlab: .*bad\.onnx: not an ONNX model/);
    assert.equal(failed.stderr.trimEnd().split("\n").length, 1, failed.stderr);
    assert.ok(!(await readdir(dir)).includes("bad.int8.onnx"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The non-held-out speakers' files of a ../shared corpus, as a list for calibration (training data, never tested on). */
async function trainingList(dir: string, corpus: "speech-commands" | "librispeech-cohort", count: number): Promise<string> {
  const all = await scanDataset(dataset(corpus));
  const heldOut = heldOutSpeakers(all.map((e) => e.speaker));
  const files = all.filter((e) => !heldOut.has(e.speaker)).map((e) => join(dataset(corpus), "wav", e.path));
  const list = join(dir, `${corpus}.txt`);
  await writeFile(list, files.filter((_, i) => i % Math.floor(files.length / count) === 0).slice(0, count).join("\n"));
  return list;
}

// Model card bound: the held-out EER of the shipped model moves by at most 0.3 % absolute when quantized. Both
// EERs are measured on the very same trials, so the difference is the quantization's alone (no sampling noise).
test("the shipped model quantized: held-out EER within 0.3 % absolute of float32 on both validation sets", { skip: needShared, timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-quant-eer-"));
  try {
    const out = join(dir, "c256.int8.onnx");
    await quantizeModelFile(MODEL, out, { calibration: await trainingList(dir, "speech-commands", 150), utterances: 150 });
    const trials = { seed: 6, targetsPerUtterance: 10, nontargetRatio: 1 };
    for (const [corpus, crop] of [["speech-commands", 0], ["librispeech-cohort", 2]] as const) {
      const set = await heldOutSet(dataset(), corpus, crop);
      const [fp, q] = [await heldOutEer(MODEL, set, trials), await heldOutEer(out, set, trials)];
      assert.equal(q.targets, fp.targets);
      t.diagnostic(`${corpus}: EER ${(100 * fp.eer).toFixed(2)} % float32, ${(100 * q.eer).toFixed(2)} % int8 (${fp.targets} + ${fp.nontargets} trials)`);
      assert.ok(Math.abs(q.eer - fp.eer) <= 0.003, `${corpus}: EER ${(100 * fp.eer).toFixed(2)} % float32, ${(100 * q.eer).toFixed(2)} % int8`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Full size (C=1024) with random weights: int8 embeddings point where float32 ones do on 100 real utterances
// (calibrated on other speakers' files). 0.99 mean cosine is the issue's bound.
test("full-size ECAPA (C=1024, random weights): int8 vs float32 mean cosine >= 0.99 on 100 real utterances", { skip: needShared, timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "voxlab-quant-full-"));
  try {
    const metadata = voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "random", license: "none" });
    const full = join(dir, "c1024.onnx");
    await writeFile(full, buildEcapaOnnx(SPKREC_ECAPA_VOXCELEB, randomEcapaState(SPKREC_ECAPA_VOXCELEB), metadata));
    const out = join(dir, "c1024.int8.onnx");
    await quantizeModelFile(full, out, { calibration: await trainingList(dir, "librispeech-cohort", 16), utterances: 16 });
    // 100 held-out speech-commands clips (1 s): other speakers than the calibration's.
    const clips = (await heldOutSet(dataset(), "speech-commands")).manifest.filter((_, i) => i % 3 === 0).slice(0, 100);
    const files = clips.map((e) => join(dataset("speech-commands"), "wav", e.path));
    assert.equal(files.length, 100);
    const embed = async (path: string): Promise<Float32Array[]> => {
      const extractor = await EmbeddingExtractor.load(path);
      try {
        return await extractor.embedFiles(files);
      } finally {
        await extractor.close();
      }
    };
    const [a, b] = [await embed(full), await embed(out)];
    const cosines = a.map((row, i) => cosineScore(row, b[i]));
    const mean = cosines.reduce((s, c) => s + c, 0) / cosines.length;
    t.diagnostic(`mean cosine ${mean.toFixed(5)}, min ${Math.min(...cosines).toFixed(5)}`);
    assert.ok(mean >= 0.99, `mean cosine ${mean.toFixed(4)} (min ${Math.min(...cosines).toFixed(4)})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
