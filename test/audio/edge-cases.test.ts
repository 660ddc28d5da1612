// The audio edge-case policy of docs/audio-policy.md, point by point, through the public API.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decodeAudio, EmbeddingExtractor, importSpeechbrainModel, loadAudio, VoxlabError } from "../../src/index.ts";
import { errorContractProblem, wavFile } from "../helpers/fuzz.ts";
import { dataset, fixture, needShared, repoRoot } from "../helpers/shared.ts";

const dir = mkdtempSync(join(tmpdir(), "voxlab-edge-"));
let extractor: EmbeddingExtractor | undefined;
const MiB = 1024 * 1024;

before(async () => {
  if (needShared) return;
  const modelPath = join(dir, "c128-l96.onnx");
  await importSpeechbrainModel(fixture("speechbrain-ecapa", "c128-l96"), modelPath);
  extractor = await EmbeddingExtractor.load(modelPath);
});
after(async () => {
  await extractor?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Asserts a rejection is a one-line VoxlabError whose message matches. */
async function rejectsClearly(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err) => {
    assert.equal(errorContractProblem(err), undefined);
    assert.match((err as VoxlabError).message, pattern);
    return true;
  });
}

async function embedOne(samples: Float32Array): Promise<Float32Array> {
  const [embedding] = await extractor!.embedSamples([samples]);
  assert.equal(embedding.length, extractor!.dimension);
  assert.ok(embedding.every(Number.isFinite), "the embedding is finite");
  return embedding;
}

const realSpeech = (): Float32Array => {
  const bytes = readFileSync(fixture("audio", "sc-1s.wav"));
  return Float32Array.from({ length: 16000 }, (_, i) => bytes.readInt16LE(44 + 2 * i) / 32768);
};

test("policy: an empty file, or a WAV with no samples, is refused by name", async () => {
  await rejectsClearly(decodeAudio(new Uint8Array(0), "empty.wav"), /^empty\.wav: empty file$/);
  const path = join(dir, "empty.wav");
  writeFileSync(path, new Uint8Array(0));
  await rejectsClearly(loadAudio(path), /empty\.wav: empty file/);
  await rejectsClearly(decodeAudio(wavFile([new Float32Array(0)], 16000, "pcm16"), "header-only.wav"), /header-only\.wav: WAV data chunk holds no samples/);
});

test("policy: audio shorter than the model's min_frames is refused; exactly min_frames is embedded", { skip: needShared }, async () => {
  const { minFrames, sampleRate } = extractor!.model.info;
  assert.ok(minFrames > 1, `the imported ECAPA declares min_frames (${minFrames})`);
  // SpeechBrain frames: 1 + floor(N / 160), so (minFrames - 1) * 160 samples give exactly minFrames.
  const shortest = (minFrames - 1) * 160;
  const speech = realSpeech();
  await rejectsClearly(
    extractor!.embedSamples([speech.slice(0, shortest - 160)], {}, ["short.wav"]),
    new RegExp(`short\\.wav: .* gives ${minFrames - 1} frames; the model needs at least ${minFrames}`),
  );
  await embedOne(speech.slice(0, shortest));
  assert.ok(shortest < sampleRate, "the limit is below a second, as documented");
});

test("policy: all-zero audio is valid and gives a finite embedding", { skip: needShared }, async () => {
  await embedOne(new Float32Array(16000));
  // Through a real file too: the silence fixture.
  const [fromFile] = await extractor!.embedFiles([fixture("audio", "silence-0.5s.wav")]);
  assert.ok(fromFile.every(Number.isFinite));
});

test("policy: NaN or infinite samples in a float WAV are refused, naming the first bad sample", async () => {
  const x = new Float32Array(4000).map((_, i) => Math.sin(i / 10));
  const withNaN = x.slice();
  withNaN[1234] = NaN;
  withNaN[3000] = Infinity;
  await rejectsClearly(decodeAudio(wavFile([withNaN], 16000, "float32"), "nan.wav"), /^nan\.wav: sample 1234 is NaN \(at 0\.077 s\); VoxLab needs finite samples$/);
  // Stereo: the earliest frame wins whatever the channel; channels are counted from 1.
  const left = x.slice();
  left[900] = -Infinity;
  const right = x.slice();
  right[77] = Infinity;
  await rejectsClearly(decodeAudio(wavFile([left, right], 16000, "float32"), "inf.wav"), /inf\.wav: sample 77 of channel 2 is Infinity/);
  // A float64 value beyond float32's range would become Infinity: refused the same way.
  const huge = x.slice(0, 100) as unknown as number[];
  const wide = Array.from(huge);
  wide[5] = 1e300;
  await rejectsClearly(decodeAudio(wavFile([wide], 16000, "float64"), "wide.wav"), /wide\.wav: sample 5 is Infinity/);
});

test("policy: NaN samples handed to embedSamples directly are refused the same way, not embedded", { skip: needShared }, async () => {
  const speech = await loadAudio(fixture("audio", "libri-10s.wav"));
  const poisoned = speech.slice(0, 32000);
  poisoned[20000] = NaN;
  await rejectsClearly(extractor!.embedSamples([speech.subarray(0, 32000), poisoned], {}, ["clean", "mic-3"]), /^mic-3: sample 20000 is NaN; VoxLab needs finite samples$/);
});

test("policy: clipped and DC-offset audio is valid and gives finite embeddings", { skip: needShared }, async () => {
  const speech = realSpeech();
  // Hard clipping at full scale, written and read back as 16-bit PCM (+1 clips to 32767/32768).
  const clipped = speech.map((v) => Math.max(-1, Math.min(1, v * 50)));
  const decoded = await decodeAudio(wavFile([clipped], 16000, "pcm16"), "clipped.wav");
  assert.equal(Math.min(...decoded.samples), -1);
  assert.equal(Math.max(...decoded.samples), 32767 / 32768);
  await embedOne(decoded.samples);
  // A DC offset of +0.5 (samples stay within [-1, 1)), and a pure DC signal.
  await embedOne(speech.map((v) => 0.5 + 0.4 * v));
  await embedOne(new Float32Array(16000).fill(0.25));
});

test("policy: multi-channel audio is mixed down to the mean of its channels", async () => {
  const a = Float32Array.from({ length: 800 }, (_, i) => Math.round(8000 * Math.sin(i / 7)) / 32768);
  const b = Float32Array.from({ length: 800 }, (_, i) => Math.round(4000 * Math.cos(i / 3)) / 32768);
  const c = new Float32Array(800).fill(-0.5);
  const decoded = await decodeAudio(wavFile([a, b, c], 16000, "pcm16"), "three.wav");
  assert.equal(decoded.channels, 3);
  assert.equal(decoded.samples.length, 800);
  for (const i of [0, 1, 123, 799]) assert.ok(Math.abs(decoded.samples[i] - (a[i] + b[i] + c[i]) / 3) < 1e-7, `frame ${i}`);
  // Opposite channels cancel exactly.
  const cancelled = await decodeAudio(wavFile([a, a.map((v) => -v)], 16000, "pcm24"), "cancel.wav");
  assert.ok(cancelled.samples.every((v) => v === 0));
});

test("policy: a header claiming 2 GB of samples is refused fast, without allocating it", async () => {
  const wav = wavFile([new Float32Array(50)], 16000, "pcm16");
  new DataView(wav.buffer).setUint32(40, 0x80000000, true); // data chunk size: 2 GiB
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  await rejectsClearly(decodeAudio(wav, "claims-2gb.wav"), /claims-2gb\.wav: truncated WAV: data chunk claims 2147483648 bytes but only 100 follow/);
  assert.ok(performance.now() - start < 100);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * MiB);
});

test("policy: a FLAC STREAMINFO claiming 2^36 - 1 samples is refused fast, without allocating them", { skip: needShared }, async () => {
  // 2^36 - 1 samples at 16 kHz are 4,294,967.3 s, over any budget: refused from the header alone.
  const flac = new Uint8Array(readFileSync(dataset("speech-commands", "wav", "44260689", "go", "00001.flac")));
  // total samples: the low 4 bits of byte 21 and bytes 22..25 (36 bits), all ones.
  flac[21] |= 0x0f;
  flac.fill(0xff, 22, 26);
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  await rejectsClearly(decodeAudio(flac, "claims.flac"), /^claims\.flac: 4294967\.30 s of audio is over the 3600 s limit$/);
  // Within a budget that large, it is what it is: a truncated stream.
  await rejectsClearly(decodeAudio(flac, "claims.flac", { maxSeconds: 5e6 }), /claims\.flac: truncated or corrupt FLAC: decoded 16000 of the 68719476735 samples/);
  assert.ok(performance.now() - start < 1000);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * MiB);
});

test("policy: one hour at 16 kHz loads and featurises within the stated memory bound", { skip: needShared, timeout: 180_000 }, () => {
  // One hour of real speech (a 1 s fixture repeated), 16-bit mono: 115 MB on disk.
  const seconds = 3600;
  const second = readFileSync(fixture("audio", "sc-1s.wav")).subarray(44, 44 + 32000);
  const header = wavFile([new Float32Array(0)], 16000, "pcm16");
  new DataView(header.buffer).setUint32(40, seconds * second.length, true);
  const path = join(dir, "one-hour.wav");
  const fd = openSync(path, "w");
  writeSync(fd, header);
  for (let s = 0; s < seconds; s++) writeSync(fd, second);
  closeSync(fd);
  // A fresh process, so the peak RSS it reports is this job's alone.
  const script = `
    import { loadAudio, computeFeatures } from "./src/index.ts";
    const samples = await loadAudio(${JSON.stringify(path)});
    const features = computeFeatures(samples, "speechbrain", { meanNorm: true });
    let finite = true;
    for (const v of features.data) if (!Number.isFinite(v)) { finite = false; break; }
    console.log(JSON.stringify({ samples: samples.length, frames: features.frames, finite, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8" });
  const result = JSON.parse(out.trim().split("\n").pop()!) as { samples: number; frames: number; finite: boolean; maxRssMiB: number };
  rmSync(path);
  assert.equal(result.samples, 57_600_000);
  assert.equal(result.frames, 1 + 57_600_000 / 160);
  assert.ok(result.finite);
  // The policy's bound: 12 bytes per sample (file 2 + samples 4 + features 2.2 + working space), 660 MiB for an hour.
  assert.ok(result.maxRssMiB < 660, `peak RSS ${result.maxRssMiB.toFixed(0)} MiB`);
});
