import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { EmbeddingExtractor, importSpeechbrainModel, loadAudio, readNpy } from "../../src/index.ts";
import { planBatches } from "../../src/embeddings/extractor.ts";
import { splitIntoChunks } from "../../src/models/model-input.ts";
import { assertEmbeddingParity, compareEmbedding } from "../helpers/compare.ts";
import { fixture, hasShared, needShared, repoRoot } from "../helpers/shared.ts";

const run = promisify(execFile);
const CONFIGS = ["c256", "c128-l96"] as const;
const UTTERANCES = ["sc-1s", "libri-3s", "libri-10s", "short-0.25s", "chirp-2s", "silence-0.5s"];

let work = "";
const modelPath = (cfg: string): string => join(work, `${cfg}.onnx`);

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-embed-"));
  if (hasShared) {
    for (const cfg of CONFIGS) await importSpeechbrainModel(fixture("speechbrain-ecapa", cfg), modelPath(cfg), { license: "test-only" });
  }
});
after(() => rm(work, { recursive: true, force: true }));

test("splitIntoChunks: whole chunks, a short tail joins the last chunk, a long tail stands alone", () => {
  const x = Float32Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(splitIntoChunks(x, 4).map((c) => Array.from(c)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.deepEqual(splitIntoChunks(x, 3).map((c) => c.length), [3, 3, 4]); // tail of 1 < 1.5 joins
  assert.deepEqual(splitIntoChunks(x, 20).map((c) => c.length), [10]);
});

test("planBatches: sorted by length, capped by rows and padded frames, every item once", () => {
  const frames = [300, 100, 120, 310, 90, 1000];
  // Sorted: 90(4) 100(1) 120(2) 300(0) 310(3) 1000(5); 2 rows at most, 650 padded frames at most.
  assert.deepEqual(planBatches(frames, 2, 650), [[4, 1], [2, 0], [3], [5]]);
});

for (const cfg of CONFIGS) {
  test(`voxlab embed (${cfg}): WAV files end to end match SpeechBrain's embeddings, rows in argument order`, { skip: needShared }, async (t) => {
    const out = join(work, `${cfg}.npy`);
    const wavs = UTTERANCES.map((u) => fixture("audio", `${u}.wav`));
    await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", "embed", "--model", modelPath(cfg), "--out", out, "--threads", "2", ...wavs], { cwd: repoRoot });
    const result = await readNpy(out);
    const dim = result.shape[1];
    assert.equal(result.shape[0], UTTERANCES.length);
    const report = [];
    for (const [i, name] of UTTERANCES.entries()) {
      const reference = (await readNpy(fixture("speechbrain-ecapa", cfg, "embeddings", `${name}.npy`))).data;
      report.push(assertEmbeddingParity(result.data.subarray(i * dim, (i + 1) * dim), reference, name));
    }
    t.diagnostic(report.join("; "));
  });
}

test("extractor: batched runs equal one-by-one runs; chunked extraction averages the chunk embeddings", { skip: needShared }, async () => {
  const extractor = await EmbeddingExtractor.load(modelPath("c256"), { intraOpThreads: 2 });
  try {
    const signals = await Promise.all(UTTERANCES.map((u) => loadAudio(fixture("audio", `${u}.wav`))));
    const batched = await extractor.embedSamples(signals, { batchSize: 6 });
    for (const [i, s] of signals.entries()) {
      const [alone] = await extractor.embedSamples([s], { batchSize: 1 });
      const { maxErr, maxRef } = compareEmbedding(batched[i], alone);
      assert.ok(maxErr <= 1e-4 * maxRef, `${UTTERANCES[i]}: batched vs alone ${maxErr}`);
    }
    // libri-10s in 3 s chunks: the mean of the embeddings of its chunks, computed by hand here.
    const long = signals[UTTERANCES.indexOf("libri-10s")];
    const [chunked] = await extractor.embedSamples([long], { chunkSeconds: 3 });
    const pieces = [0, 1, 2].map((k) => long.subarray(k * 48000, k === 2 ? long.length : (k + 1) * 48000));
    const rows = await extractor.embedSamples(pieces);
    const mean = rows[0].map((_, d) => (rows[0][d] + rows[1][d] + rows[2][d]) / 3);
    assert.ok(compareEmbedding(chunked, mean).maxErr < 1e-5);
  } finally {
    await extractor.close();
  }
});

test("voxlab embed: a missing model or audio file is a one-line error with a non-zero exit", { skip: needShared }, async () => {
  const cli = (args: string[]) => run(process.execPath, ["--import", "tsx", "src/cli/main.ts", "embed", ...args], { cwd: repoRoot });
  await assert.rejects(cli(["--model", join(work, "nope.onnx"), "--out", join(work, "x.npy"), fixture("audio", "sc-1s.wav")]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /^voxlab: .*nope\.onnx.*\n$/);
    return true;
  });
  await assert.rejects(cli(["--model", modelPath("c256"), "--out", join(work, "x.npy"), join(work, "missing.wav")]), (err: { code: number; stderr: string }) => {
    assert.match(err.stderr, /^voxlab: .*missing\.wav.*\n$/);
    return true;
  });
});
