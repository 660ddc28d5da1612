import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { EmbeddingExtractor, EmbeddingStore, importSpeechbrainModel, loadAudio } from "../../../src/index.ts";
import { encodeWavPcm16 } from "../../../src/audio/encode-wav.ts";
import { CountingExtractor } from "../../helpers/counting-extractor.ts";
import { fixture, hasShared, needShared, repoRoot } from "../../helpers/shared.ts";

const FILES = 120;
const FLUSH_EVERY = 8;

let work = "";
let modelPath = "";
const clips: string[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-store-kill-"));
  if (!hasShared) return;
  modelPath = join(work, "c128.onnx");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), modelPath, { license: "test-only" });
  const speech = await loadAudio(fixture("audio", "libri-10s.wav"));
  await mkdir(join(work, "audio"));
  for (let i = 0; i < FILES; i++) {
    const path = join(work, "audio", `clip-${String(i).padStart(3, "0")}.wav`);
    await writeFile(path, encodeWavPcm16(speech.subarray(i * 1200, i * 1200 + 16000), 16000));
    clips.push(path);
  }
});
after(() => rm(work, { recursive: true, force: true }));

// The child embeds every clip one utterance per ONNX run (so reruns are bit-identical), flushing every 8.
const CHILD = `
import { readFile } from "node:fs/promises";
import { EmbeddingExtractor, EmbeddingStore } from ${JSON.stringify(pathToFileURL(join(repoRoot, "src", "index.ts")).href)};
const [storeDir, modelPath, listPath] = process.argv.slice(2);
const files = (await readFile(listPath, "utf8")).trim().split("\\n");
const extractor = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1 });
const store = await EmbeddingStore.open(storeDir, modelPath);
await store.embedFiles(files, extractor, { batchSize: 1, flushEvery: ${FLUSH_EVERY} });
console.log("finished");
`;

test("store: a run killed with SIGKILL mid-way resumes, recomputing only what was not flushed, with identical embeddings", { skip: needShared, timeout: 120_000 }, async (t) => {
  const storeDir = join(work, "store");
  const script = join(work, "child.mts");
  const list = join(work, "files.txt");
  await writeFile(script, CHILD);
  await writeFile(list, clips.join("\n"));
  const shardDir = (await EmbeddingStore.open(storeDir, modelPath)).dir;

  const child = spawn(process.execPath, ["--import", "tsx", script, storeDir, modelPath, list], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<string | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  let finished = false;
  void exited.then(() => (finished = true));
  // Kill it once two shards are on disk.
  const deadline = Date.now() + 60_000;
  while (!finished && Date.now() < deadline) {
    if ((await readdir(shardDir)).filter((n) => n.startsWith("part-")).length >= 2) break;
    await sleep(5);
  }
  assert.ok(!finished, `the child ended before it could be killed: ${output}`);
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL");

  const survived = (await EmbeddingStore.open(storeDir, modelPath)).size;
  assert.ok(survived >= 2 * FLUSH_EVERY && survived < FILES, `${survived} embeddings survived the kill`);
  assert.equal(survived % FLUSH_EVERY, 0, "only whole flushes are on disk");
  t.diagnostic(`${survived} of ${FILES} embeddings were on disk when the child was killed`);

  const base = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1 });
  const extractor = new CountingExtractor(base.model);
  try {
    const resumedStore = await EmbeddingStore.open(storeDir, modelPath);
    const resumed = await resumedStore.embedFiles(clips, extractor, { batchSize: 1, flushEvery: FLUSH_EVERY });
    assert.equal(extractor.files, FILES - survived, "only the missing embeddings are computed");
    assert.equal(resumedStore.lastRun.computed, FILES - survived);
    assert.equal(resumedStore.size, FILES);

    // An uninterrupted run in a fresh store gives bit-identical embeddings.
    const fresh = await (await EmbeddingStore.open(join(work, "fresh"), modelPath)).embedFiles(clips, extractor, { batchSize: 1 });
    for (const clip of clips) assert.deepEqual(resumed.get(clip), fresh.get(clip), clip);
  } finally {
    await extractor.close();
  }
});

test("store: work is written to disk after flushSeconds even short of flushEvery, a window of files at a time", { skip: needShared, timeout: 120_000 }, async () => {
  const extractor = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1 });
  try {
    const shardsAfter = async (name: string, flushSeconds: number | undefined): Promise<number> => {
      const store = await EmbeddingStore.open(join(work, name), modelPath);
      await store.embedFiles(clips, extractor, { flushEvery: 1000, flushSeconds });
      assert.equal(store.size, FILES);
      return (await readdir(store.dir)).filter((n) => n.startsWith("part-")).length;
    };
    // flushSeconds 0: a shard per window of 32 files (120 files: 4); by count alone (1000), one shard at the end.
    assert.equal(await shardsAfter("by-time", 0), Math.ceil(FILES / 32));
    assert.equal(await shardsAfter("by-count", 3600), 1);
  } finally {
    await extractor.close();
  }
});
