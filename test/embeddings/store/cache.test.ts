import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  EmbeddingExtractor,
  EmbeddingStore,
  importSpeechbrainModel,
  loadAudio,
  readNpy,
  writeEmbeddingTable,
} from "../../../src/index.ts";
import { encodeWavPcm16 } from "../../../src/audio/encode-wav.ts";
import { hashFile } from "../../../src/core/hash.ts";
import { decodeRecordFile, encodeRecordFile } from "../../../src/embeddings/store/record-file.ts";
import { CountingExtractor } from "../../helpers/counting-extractor.ts";
import { fixture, hasShared, needShared } from "../../helpers/shared.ts";

let work = "";
let modelPath = "";
let otherModelPath = "";
let extractor: CountingExtractor;
const clips: string[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-store-"));
  if (!hasShared) return;
  modelPath = join(work, "c128.onnx");
  otherModelPath = join(work, "c256.onnx");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), modelPath, { license: "test-only" });
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c256"), otherModelPath, { license: "test-only" });
  const base = await EmbeddingExtractor.load(modelPath, { intraOpThreads: 1 });
  extractor = new CountingExtractor(base.model);
  // Ten distinct 1 s clips of real speech: windows of the 10 s LibriSpeech fixture.
  const speech = await loadAudio(fixture("audio", "libri-10s.wav"));
  await mkdir(join(work, "audio"));
  for (let i = 0; i < 10; i++) {
    const path = join(work, "audio", `clip-${i}.wav`);
    await writeFile(path, encodeWavPcm16(speech.subarray(i * 12000, i * 12000 + 16000), 16000));
    clips.push(path);
  }
});
after(async () => {
  await extractor?.close();
  await rm(work, { recursive: true, force: true });
});

function assertSameDirection(actual: Float32Array, expected: Float32Array, what: string): void {
  const scale = Math.max(...expected.map(Math.abs));
  const maxError = Math.max(...actual.map((x, i) => Math.abs(x - expected[i])));
  assert.ok(maxError <= 1e-4 * scale, `${what}: max |Δ| ${maxError} vs max |e| ${scale}`);
}

test("store: the first run embeds every file (equal to the extractor's own output), a second run embeds none", { skip: needShared }, async () => {
  const storeDir = join(work, "store-a");
  const direct = await extractor.embedFiles(clips);
  extractor.files = 0;

  const store = await EmbeddingStore.open(storeDir, modelPath);
  assert.equal(store.size, 0);
  const progress: number[] = [];
  const first = await store.embedFiles(clips, extractor, { batchSize: 4, flushEvery: 3, onProgress: (done, total) => progress.push(done / total) });
  assert.equal(extractor.files, 10);
  assert.deepEqual(store.lastRun, { files: 10, contents: 10, cached: 0, computed: 10, bad: [] });
  assert.equal(progress.at(-1), 1);
  assert.deepEqual([...first.keys()], clips);
  clips.forEach((c, i) => assertSameDirection(first.get(c)!, direct[i], c));
  // flushEvery 3: ten embeddings are four record files on disk.
  const recordFiles = (await readdir(store.dir)).filter((n) => n.startsWith("part-"));
  assert.equal(recordFiles.length, 4);

  extractor.files = 0;
  const reopened = await EmbeddingStore.open(storeDir, modelPath);
  assert.equal(reopened.size, 10);
  const second = await reopened.embedFiles(clips, extractor);
  assert.equal(extractor.files, 0, "nothing recomputed");
  assert.equal(reopened.lastRun.cached, 10);
  clips.forEach((c) => assert.deepEqual(second.get(c), first.get(c)));
  assert.deepEqual(reopened.get(await hashFile(clips[3])), first.get(clips[3]));
});

test("store: a renamed copy hits the cache, an edited file misses it", { skip: needShared }, async () => {
  const storeDir = join(work, "store-b");
  const store = await EmbeddingStore.open(storeDir, modelPath);
  const original = (await store.embedFiles(clips.slice(0, 2), extractor)).get(clips[0])!;

  const copy = join(work, "audio", "renamed-copy.wav");
  await copyFile(clips[0], copy);
  extractor.files = 0;
  const hit = await store.embedFiles([copy], extractor);
  assert.equal(extractor.files, 0);
  assert.deepEqual(hit.get(copy), original);

  // Same name, new content (another clip's bytes): recomputed, and it is that clip's embedding.
  const edited = join(work, "audio", "edited.wav");
  await copyFile(clips[0], edited);
  await store.embedFiles([edited], extractor);
  await copyFile(clips[5], edited);
  extractor.files = 0;
  const miss = await store.embedFiles([edited, clips[1]], extractor);
  assert.equal(extractor.files, 1);
  assert.deepEqual(store.lastRun, { files: 2, contents: 2, cached: 1, computed: 1, bad: [] });
  const [direct] = await extractor.embedFiles([clips[5]]);
  assertSameDirection(miss.get(edited)!, direct, "edited file");
});

test("store: identical contents under several paths are embedded once", { skip: needShared }, async () => {
  const store = await EmbeddingStore.open(join(work, "store-c"), modelPath);
  const twin = join(work, "audio", "twin.wav");
  await copyFile(clips[2], twin);
  extractor.files = 0;
  const out = await store.embedFiles([clips[2], twin, clips[2]], extractor);
  assert.equal(extractor.files, 1);
  assert.deepEqual([...out.keys()], [clips[2], twin]);
  assert.deepEqual(out.get(twin), out.get(clips[2]));
});

test("store: the key covers the model bytes and chunkSeconds; a foreign extractor is refused", { skip: needShared }, async () => {
  const storeDir = join(work, "store-d");
  const plain = await EmbeddingStore.open(storeDir, modelPath);
  const chunked = await EmbeddingStore.open(storeDir, modelPath, { chunkSeconds: 0.5 });
  const other = await EmbeddingStore.open(storeDir, otherModelPath);
  assert.notEqual(plain.dir, chunked.dir);
  assert.notEqual(plain.dir, other.dir);
  // A copy of the model file under another name is the same model.
  const copied = join(work, "copied.onnx");
  await copyFile(modelPath, copied);
  assert.equal((await EmbeddingStore.open(storeDir, copied)).dir, plain.dir);
  assert.equal(other.dimension, 192);
  await assert.rejects(other.embedFiles(clips.slice(0, 1), extractor), /the extractor runs .*c128\.onnx, but the embedding store .* holds embeddings of .*c256\.onnx/);
  // Chunked extraction stores the chunk-averaged embedding.
  const [expected] = await extractor.embedFiles([clips[0]], { chunkSeconds: 0.5 });
  assertSameDirection((await chunked.embedFiles([clips[0]], extractor)).get(clips[0])!, expected, "chunked");
});

test("store: corrupt or foreign record files are refused with a clear error; stale temporary files are ignored", { skip: needShared }, async () => {
  const storeDir = join(work, "store-e");
  const store = await EmbeddingStore.open(storeDir, modelPath);
  await store.embedFiles(clips.slice(0, 3), extractor);
  const [recordFile] = (await readdir(store.dir)).filter((n) => n.startsWith("part-"));
  const bytes = await readFile(join(store.dir, recordFile));

  // A half-written temporary file of a dead run (pid 2^22 + 1 is above Linux's pid_max default) is not data.
  await writeFile(join(store.dir, ".part-4194305-0123456789ab.tmp"), bytes.subarray(0, 100));
  assert.equal((await EmbeddingStore.open(storeDir, modelPath)).size, 3);
  assert.ok(!(await readdir(store.dir)).some((n) => n.endsWith(".tmp")), "stale temporary file removed");

  await writeFile(join(store.dir, recordFile), bytes.subarray(0, bytes.length - 10));
  await assert.rejects(EmbeddingStore.open(storeDir, modelPath), /part-000000\.bin: corrupt embedding-store record file \(.*bytes for 3 records\); delete it/);
  const flipped = Buffer.from(bytes);
  flipped[100] ^= 1;
  await writeFile(join(store.dir, recordFile), flipped);
  await assert.rejects(EmbeddingStore.open(storeDir, modelPath), /corrupt embedding-store record file \(checksum mismatch\)/);
  await writeFile(join(store.dir, recordFile), encodeRecordFile(7, [["ab".repeat(32), new Float32Array(7)]]));
  await assert.rejects(EmbeddingStore.open(storeDir, modelPath), /record file holds 7-d embeddings, the model gives 96-d/);
  await rm(join(store.dir, recordFile));
  const empty = await EmbeddingStore.open(storeDir, modelPath);
  await assert.rejects(empty.add([["cd".repeat(32), new Float32Array(5)]]), /has dimension 5, the model 96/);
  await assert.rejects(empty.add([["not-a-hash", new Float32Array(96)]]), /not a sha256 hex digest/);
});

test("store: many record files are compacted into one on open, keeping every embedding", { skip: needShared }, async () => {
  const storeDir = join(work, "store-f");
  const store = await EmbeddingStore.open(storeDir, modelPath);
  const entries = Array.from({ length: 70 }, (_, i): [string, Float32Array] => [i.toString(16).padStart(64, "0"), Float32Array.from({ length: 96 }, (_, j) => i + j / 100)]);
  for (const entry of entries) await store.add([entry]);
  assert.equal((await readdir(store.dir)).filter((n) => n.startsWith("part-")).length, 70);
  const reopened = await EmbeddingStore.open(storeDir, modelPath);
  assert.equal(reopened.size, 70);
  assert.equal((await readdir(store.dir)).filter((n) => n.startsWith("part-")).length, 1);
  for (const [hash, e] of entries) assert.deepEqual(reopened.get(hash), e);
});

test("writeEmbeddingTable: [N,D] .npy rows and a paths list in the same order", { skip: needShared }, async () => {
  const store = await EmbeddingStore.open(join(work, "store-a"), modelPath);
  const embeddings = await store.embedFiles(clips.slice(0, 4), extractor);
  const npy = join(work, "table.npy");
  const list = await writeEmbeddingTable(npy, embeddings);
  assert.equal(list, join(work, "table.paths.txt"));
  const { shape, data } = await readNpy(npy);
  assert.deepEqual(shape, [4, 96]);
  assert.deepEqual((await readFile(list, "utf8")).split("\n"), [...clips.slice(0, 4), ""]);
  clips.slice(0, 4).forEach((c, i) => assert.deepEqual(data.subarray(i * 96, (i + 1) * 96), embeddings.get(c)));
});

test("decodeRecordFile: embeddings are views into the record file's bytes, copied once only when the bytes start off a 4-byte boundary", () => {
  const records: [string, Float32Array][] = [
    ["ab".repeat(32), Float32Array.from([0.5, -1, 2])],
    ["cd".repeat(32), Float32Array.from([3, 0.25, -4])],
  ];
  const recordFile = encodeRecordFile(3, records);
  const aligned = decodeRecordFile(recordFile, 3, "aligned");
  assert.deepEqual(aligned, records);
  assert.ok(aligned.every(([, e]) => e.buffer === recordFile.buffer), "no copy of an aligned record file");
  // The same bytes one byte into a larger buffer: float32 views cannot start there, so they read a copy.
  const offset = Buffer.alloc(recordFile.length + 1);
  recordFile.copy(offset, 1);
  const unaligned = decodeRecordFile(offset.subarray(1), 3, "unaligned");
  assert.deepEqual(unaligned, records);
  assert.ok(unaligned.every(([, e]) => e.buffer !== offset.buffer));
});
