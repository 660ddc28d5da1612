import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FLACDecoder } from "@wasm-audio-decoders/flac";
import {
  loadManifest,
  manifestHash,
  parseManifestCsv,
  readAudioHeader,
  saveManifest,
  scanDataset,
  type DatasetManifest,
} from "../../src/datasets/index.ts";
import { dataset, needShared } from "../helpers/shared.ts";

const tempDir = () => mkdtempSync(join(tmpdir(), "voxlab-datasets-"));

/** A PCM WAV with an optional odd-sized LIST chunk before `data` (chunks pad to even length). */
function wavBytes(o: { rate: number; channels: number; bits: number; frames: number; list?: string; dataSizeField?: number }): Buffer {
  const blockAlign = (o.channels * o.bits) / 8;
  const fmt = Buffer.alloc(8 + 16);
  fmt.write("fmt ", 0, "latin1");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(o.channels, 10);
  fmt.writeUInt32LE(o.rate, 12);
  fmt.writeUInt32LE(o.rate * blockAlign, 16);
  fmt.writeUInt16LE(blockAlign, 20);
  fmt.writeUInt16LE(o.bits, 22);
  const chunks = [fmt];
  if (o.list !== undefined) {
    const body = Buffer.from(o.list, "latin1");
    const head = Buffer.alloc(8);
    head.write("LIST", 0, "latin1");
    head.writeUInt32LE(body.length, 4);
    chunks.push(head, body, Buffer.alloc(body.length % 2));
  }
  const dataHead = Buffer.alloc(8);
  dataHead.write("data", 0, "latin1");
  dataHead.writeUInt32LE(o.dataSizeField ?? o.frames * blockAlign, 4);
  chunks.push(dataHead, Buffer.alloc(o.frames * blockAlign, 7));
  const body = Buffer.concat(chunks);
  const riff = Buffer.alloc(12);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(4 + body.length, 4);
  riff.write("WAVE", 8, "latin1");
  return Buffer.concat([riff, body]);
}

function countFiles(root: string, ext: string): number {
  return readdirSync(root, { recursive: true, encoding: "utf8" }).filter((p: string) => p.endsWith(ext)).length;
}

test("scan: speech-commands has 177 speakers and 3,314 one-second utterances", { skip: needShared }, async () => {
  let lastProgress = [0, 0];
  const manifest = await scanDataset(dataset("speech-commands"), { onProgress: (done, total) => (lastProgress = [done, total]) });
  // Counts from ../shared/datasets/README.md, and cross-checked against a plain directory walk.
  assert.equal(manifest.length, 3314);
  assert.equal(countFiles(dataset("speech-commands", "wav"), ".flac"), 3314);
  assert.equal(new Set(manifest.map((e) => e.speaker)).size, 177);
  assert.deepEqual(lastProgress, [3314, 3314]);
  assert.ok(manifest.every((e) => e.duration === 1), "every Speech Commands clip is 1.0 s");
  assert.ok(manifest.every((e) => e.path === `${e.speaker}/${e.session}/${e.path.split("/")[2]}` && e.path.endsWith(".flac")));
  const sorted = [...manifest].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  assert.deepEqual(manifest.map((e) => e.path), sorted.map((e) => e.path), "sorted by path (speaker/session/file)");
});

test("scan: fsdd has 6 speakers and 3,000 utterances; WAV durations match the file sizes", { skip: needShared }, async () => {
  const manifest = await scanDataset(dataset("fsdd"));
  assert.equal(manifest.length, 3000);
  assert.equal(new Set(manifest.map((e) => e.speaker)).size, 6);
  // FSDD files are canonical 44-byte-header 8 kHz 16-bit mono WAVs: duration = (size - 44) / 2 / 8000.
  for (const entry of [manifest[0], manifest[1234], manifest[2999]]) {
    const bytes = readFileSync(dataset("fsdd", "wav", entry.path));
    assert.equal(bytes.toString("latin1", 36, 40), "data");
    assert.equal(bytes.readUInt32LE(24), 8000);
    assert.equal(entry.duration, (bytes.length - 44) / 2 / 8000, entry.path);
  }
});

test("scan: FLAC durations from STREAMINFO match a full decode", { skip: needShared }, async () => {
  const manifest = await scanDataset(dataset("librispeech-cohort"));
  assert.equal(manifest.length, 251);
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    for (const entry of [manifest[0], manifest[100]]) {
      const decoded = await decoder.decodeFile(readFileSync(dataset("librispeech-cohort", "wav", entry.path)));
      assert.equal(entry.duration, decoded.samplesDecoded / decoded.sampleRate, entry.path);
      await decoder.reset();
    }
  } finally {
    decoder.free();
  }
});

test("scan: the three levels directly under the root, odd WAV layouts, hidden and non-audio files", { skip: needShared }, async () => {
  const root = tempDir();
  writeFileSync(join(root, "README.md"), "not audio");
  mkdirSync(join(root, "spk-b", "s1"), { recursive: true });
  mkdirSync(join(root, "spk-a", "s2"), { recursive: true });
  mkdirSync(join(root, "spk-a", "s1", ".cache"), { recursive: true });
  // 44.1 kHz stereo 24-bit, 4410 frames after an odd-sized LIST chunk: 0.1 s.
  writeFileSync(join(root, "spk-b", "s1", "u.wav"), wavBytes({ rate: 44100, channels: 2, bits: 24, frames: 4410, list: "INFOabc" }));
  // A streaming writer's 0xFFFFFFFF data size: the file end bounds it (1600 frames at 16 kHz = 0.1 s).
  writeFileSync(join(root, "spk-a", "s2", "z.WAV"), wavBytes({ rate: 16000, channels: 1, bits: 16, frames: 1600, dataSizeField: 0xffffffff }));
  // A LIST chunk bigger than the first read window pushes `data` past it: 8000 frames at 8 kHz = 1 s.
  writeFileSync(join(root, "spk-a", "s1", "b.wav"), wavBytes({ rate: 8000, channels: 1, bits: 16, frames: 8000, list: "x".repeat(10001) }));
  copyFileSync(dataset("speech-commands", "wav", "44260689", "go", "00001.flac"), join(root, "spk-a", "s1", "a.flac"));
  // A linked-in session folder counts like a real one.
  mkdirSync(join(root, ".elsewhere"));
  writeFileSync(join(root, ".elsewhere", "l.wav"), wavBytes({ rate: 16000, channels: 1, bits: 16, frames: 4000 }));
  symlinkSync(join(root, ".elsewhere"), join(root, "spk-b", "linked"));
  writeFileSync(join(root, "spk-a", "s1", "notes.txt"), "ignored");
  writeFileSync(join(root, "spk-a", "s1", ".cache", "x.wav"), "ignored: hidden folder");

  const manifest = await scanDataset(root);
  assert.deepEqual(manifest, [
    { path: "spk-a/s1/a.flac", speaker: "spk-a", session: "s1", duration: 1 },
    { path: "spk-a/s1/b.wav", speaker: "spk-a", session: "s1", duration: 1 },
    { path: "spk-a/s2/z.WAV", speaker: "spk-a", session: "s2", duration: 0.1 },
    { path: "spk-b/linked/l.wav", speaker: "spk-b", session: "linked", duration: 0.25 },
    { path: "spk-b/s1/u.wav", speaker: "spk-b", session: "s1", duration: 0.1 },
  ]);
  const header = await readAudioHeader(join(root, "spk-b", "s1", "u.wav"));
  assert.deepEqual(header, { format: "wav", sampleRate: 44100, channels: 2, frames: 4410, duration: 0.1 });
});

test("scan: clear errors for a missing root, an empty tree, misplaced audio and bad headers", async () => {
  const root = tempDir();
  await assert.rejects(scanDataset(join(root, "nope")), /nope: dataset root is not a directory/);
  mkdirSync(join(root, "wav", "spk", "sess"), { recursive: true });
  await assert.rejects(scanDataset(root), /no audio files found \(expected wav\/<speaker>\/<session>\/<utterance>/);

  writeFileSync(join(root, "wav", "spk", "loose.wav"), wavBytes({ rate: 16000, channels: 1, bits: 16, frames: 10 }));
  await assert.rejects(scanDataset(root), /audio file spk\/loose\.wav is not at <speaker>\/<session>\/<utterance> depth/);

  const bad = tempDir();
  mkdirSync(join(bad, "spk", "sess"), { recursive: true });
  const noData = wavBytes({ rate: 16000, channels: 1, bits: 16, frames: 0 }).subarray(0, 12 + 24);
  writeFileSync(join(bad, "spk", "sess", "x.wav"), noData);
  await assert.rejects(scanDataset(bad), /sess\/x\.wav: WAV file has no data chunk/);
  writeFileSync(join(bad, "spk", "sess", "x.wav"), "hello, I am text");
  await assert.rejects(scanDataset(bad), /sess\/x\.wav: not a WAV or FLAC file/);
  writeFileSync(join(bad, "spk", "sess", "x.wav"), Buffer.concat([Buffer.from("fLaC"), Buffer.alloc(10)]));
  await assert.rejects(scanDataset(bad), /sess\/x\.wav: FLAC header is truncated/);
});

const SAMPLE: DatasetManifest = [
  { path: "id1/s1/a.wav", speaker: "id1", session: "s1", duration: 1.25 },
  { path: "id1/s2/b,c.flac", speaker: "id1", session: "s2", duration: 0.1 + 0.2 },
  { path: 'id2/s1/"q".wav', speaker: "id2", session: "s1", duration: 3 },
];

test("manifest: save/load round-trips exactly (quoting, float durations) and the hash is sha256 of the file", async () => {
  const file = join(tempDir(), "manifest.csv");
  await saveManifest(file, SAMPLE);
  const text = readFileSync(file, "utf8");
  assert.equal(text.split("\n")[0], "path,speaker,session,duration");
  assert.equal(text.split("\n")[1], "id1/s1/a.wav,id1,s1,1.25");
  assert.deepEqual(await loadManifest(file), SAMPLE);
  assert.equal(manifestHash(SAMPLE), createHash("sha256").update(readFileSync(file)).digest("hex"));
  assert.notEqual(manifestHash(SAMPLE), manifestHash([SAMPLE[0], SAMPLE[2], SAMPLE[1]]));
  assert.ok(statSync(file).size > 0);
});

test("manifest: a real scan round-trips through CSV with the same hash", { skip: needShared }, async () => {
  const manifest = await scanDataset(dataset("fsdd"));
  const file = join(tempDir(), "fsdd.csv");
  await saveManifest(file, manifest);
  const back = await loadManifest(file);
  assert.deepEqual(back, manifest);
  assert.equal(manifestHash(back), manifestHash(manifest));
  assert.equal(manifestHash(await scanDataset(dataset("fsdd"))), manifestHash(manifest), "scans are deterministic");
});

test("manifest: CRLF and blank lines are accepted; malformed rows are refused with line numbers", async () => {
  const good = "path,speaker,session,duration\r\na/b/c.wav,a,b,1\r\n\r\nd/e/f.wav,d,e,2.5";
  assert.deepEqual(parseManifestCsv(good, "m.csv"), [
    { path: "a/b/c.wav", speaker: "a", session: "b", duration: 1 },
    { path: "d/e/f.wav", speaker: "d", session: "e", duration: 2.5 },
  ]);
  assert.throws(() => parseManifestCsv("path,speaker,duration\n", "m.csv"), /m\.csv: line 1: header must be path,speaker,session,duration/);
  assert.throws(() => parseManifestCsv("path,speaker,session,duration\na,b,c,1\nd,e,f,abc\n", "m.csv"), /m\.csv: line 3: duration "abc"/);
  assert.throws(() => parseManifestCsv("path,speaker,session,duration\na,b,c,-1\n", "m.csv"), /m\.csv: line 2: duration "-1"/);
  assert.throws(() => parseManifestCsv("path,speaker,session,duration\na,b,c,1\nd,e,1\n", "m.csv"), /m\.csv: line 3: expected 4 fields, found 3/);
  assert.throws(() => parseManifestCsv("path,speaker,session,duration\na,,c,1\n", "m.csv"), /m\.csv: line 2: empty speaker/);
  assert.throws(() => parseManifestCsv("path,speaker,session,duration\na,b,c,1\na,b,c,2\n", "m.csv"), /m\.csv: line 3: path a already listed on line 2/);
  await assert.rejects(loadManifest(join(tempDir(), "missing.csv")), /missing\.csv: cannot read \(ENOENT\)/);
});
