import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { EmbeddingExtractor, VoxlabError } from "../../src/index.ts";
import { importCompact } from "../helpers/ecapa.ts";
import { dataset, fixture, hasShared, needShared } from "../helpers/shared.ts";

let work = "";
let modelPath = "";

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-model-workers-"));
  if (hasShared) modelPath = await importCompact(fixture("speechbrain-ecapa", "c256"), work);
});
after(() => rm(work, { recursive: true, force: true }));

/** Fixture clips (0.25 s to 10 s) and LibriSpeech utterances (every 40th). */
async function realFiles(): Promise<string[]> {
  const root = dataset("librispeech-cohort", "wav");
  const books = (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".flac")).sort();
  const libri = books.filter((_, i) => i % 40 === 0).map((f) => join(root, f));
  const audio = ["sc-1s", "libri-3s", "libri-10s", "short-0.25s", "chirp-2s", "silence-0.5s"].map((u) => fixture("audio", `${u}.wav`));
  return [...audio, ...libri];
}

test("--threads 2 (two single-thread sessions in model workers): exactly the embeddings of one single-thread session, whole, chunked, across windows", { skip: needShared }, async () => {
  const files = await realFiles();
  const oneThread = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1 });
  const workers = await EmbeddingExtractor.fromCompute(modelPath, { threads: 2, featureWorkers: 1 });
  try {
    for (const options of [{}, { fileWindow: 5 }, { chunkSeconds: 1.5 }]) {
      const expected = await oneThread.embedFiles(files, options);
      const progress: number[] = [];
      const got = await workers.embedFiles(files, { ...options, onProgress: (done) => progress.push(done) });
      got.forEach((row, i) => assert.deepEqual(row, expected[i], `${files[i]} (${JSON.stringify(options)})`));
      assert.equal(progress[progress.length - 1], files.length);
      assert.ok(progress.every((d, i) => i === 0 || d >= progress[i - 1]), "progress never goes back");
    }
    assert.deepEqual(await workers.embedFiles([]), []);
  } finally {
    await Promise.all([oneThread.close(), workers.close()]);
  }
});

test("model workers: a batch the model refuses is a one-line VoxlabError; the workers keep working", { skip: needShared }, async () => {
  const extractor = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1, modelWorkers: 2 });
  try {
    const tooShort = { data: new Float32Array(80), frames: 1, bins: 80 };
    await assert.rejects(extractor.embedPieces([[tooShort]]), (err: unknown) => {
      assert.ok(err instanceof VoxlabError);
      assert.match(err.message, /features #0 have 1 frames; the model needs at least/);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
    const [row] = await extractor.embedFiles([fixture("audio", "libri-3s.wav")]);
    assert.equal(row.length, extractor.dimension);
  } finally {
    await extractor.close();
  }
});
