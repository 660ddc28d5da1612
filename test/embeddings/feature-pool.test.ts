import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as ort from "onnxruntime-node";
import { defaultFeatureWorkers } from "../../src/embeddings/feature-pool.ts";
import { EmbeddingExtractor, sherpaSingleInput, VoxlabError } from "../../src/index.ts";
import { importCompact } from "../helpers/ecapa.ts";
import { loadSherpaExtractor } from "../helpers/sherpa.ts";
import { dataset, fixture, hasShared, needShared } from "../helpers/shared.ts";

let work = "";
let modelPath = "";

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-feature-pool-"));
  if (hasShared) modelPath = await importCompact(fixture("speechbrain-ecapa", "c256"), work);
});
after(() => rm(work, { recursive: true, force: true }));

/** WAV and FLAC, 16 kHz and 8 kHz (resampled), 0.25 s to 17 s: every path the decoder and the batching take. */
function mixedFiles(): string[] {
  const speechCommands = ["44260689/go/00000.flac", "44260689/go/00001.flac", "44260689/off/00001.flac"].map((p) => dataset("speech-commands", "wav", p));
  const fsdd = ["00022.wav", "00023.wav"].map((p) => dataset("fsdd", "wav", "yweweler", "digit9", p));
  const audio = ["sc-1s", "libri-3s", "libri-10s", "short-0.25s", "chirp-2s", "silence-0.5s"].map((u) => fixture("audio", `${u}.wav`));
  return [...audio, ...speechCommands, ...fsdd, ...audio.slice(0, 3)];
}

test("defaultFeatureWorkers: one per 8 cores, between 1 and 8", () => {
  assert.deepEqual([1, 2, 4, 8, 16, 32, 64, 128].map((c) => defaultFeatureWorkers(c)), [1, 1, 1, 1, 2, 4, 8, 8]);
});

test("EmbeddingExtractor with feature workers: exactly the embeddings without them, whole and chunked, across windows", { skip: needShared }, async () => {
  const files = mixedFiles();
  const reference = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1 });
  const pipelined = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1, featureWorkers: 2 });
  try {
    for (const options of [{ fileWindow: 5, batchSize: 3 }, { fileWindow: 4, chunkSeconds: 1.5 }]) {
      const expected = await reference.embedFiles(files, options);
      const progress: number[] = [];
      const got = await pipelined.embedFiles(files, { ...options, onProgress: (done) => progress.push(done) });
      assert.equal(got.length, files.length);
      got.forEach((row, i) => assert.deepEqual(row, expected[i], `${files[i]} (${JSON.stringify(options)})`));
      assert.equal(progress[progress.length - 1], files.length);
      assert.ok(progress.every((d, i) => i === 0 || d >= progress[i - 1]), "progress never goes back");
    }
    assert.deepEqual(await pipelined.embedFiles([]), []);
  } finally {
    await Promise.all([reference.close(), pipelined.close()]);
  }
});

test("EmbeddingExtractor with feature workers: a bad file is a one-line VoxlabError naming it; the pool keeps working", { skip: needShared }, async () => {
  const pipelined = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1, featureWorkers: 1 });
  try {
    const notAudio = fixture("speechbrain-ecapa", "c256", "hyperparams.yaml");
    const files = [fixture("audio", "sc-1s.wav"), notAudio, fixture("audio", "libri-3s.wav")];
    await assert.rejects(pipelined.embedFiles(files, { fileWindow: 2 }), (err: unknown) => {
      assert.ok(err instanceof VoxlabError);
      assert.ok(err.message.startsWith(`${notAudio}: not a WAV or FLAC file`), err.message);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
    const missing = join(work, "missing.wav");
    await assert.rejects(pipelined.embedFiles([missing]), new VoxlabError(`${missing}: file not found`));
    const [row] = await pipelined.embedFiles([fixture("audio", "sc-1s.wav")]);
    assert.equal(row.length, pipelined.dimension);
  } finally {
    await pipelined.close();
  }
});

test("bench: sherpa-onnx's single-input copy embeds exactly as the model with lengths, and sherpa-onnx loads it", { skip: needShared }, async () => {
  const single = sherpaSingleInput(await readFile(modelPath), 192);
  const [withLengths, withoutLengths] = await Promise.all([ort.InferenceSession.create(modelPath), ort.InferenceSession.create(single)]);
  assert.deepEqual(withoutLengths.inputNames, ["feats"]);
  const frames = 137;
  const feats = new ort.Tensor("float32", Float32Array.from({ length: frames * 80 }, (_, i) => Math.sin(i * 0.37)), [1, frames, 80]);
  const a = await withLengths.run({ feats, lengths: new ort.Tensor("int64", BigInt64Array.of(BigInt(frames)), [1]) });
  const b = await withoutLengths.run({ feats });
  assert.deepEqual(b.embedding.data, a.embedding.data);
  await Promise.all([withLengths.release(), withoutLengths.release()]);

  const sherpaPath = join(work, "c256-sherpa.onnx");
  await writeFile(sherpaPath, single);
  const extractor = loadSherpaExtractor(sherpaPath, 1);
  assert.equal(extractor.dim, 192);
  const stream = extractor.createStream();
  stream.acceptWaveform({ samples: new Float32Array(16000).map((_, i) => 0.1 * Math.sin(i / 7)), sampleRate: 16000 });
  stream.inputFinished();
  assert.ok(extractor.compute(stream).every(Number.isFinite));
});
