import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { decodeAudio, loadAudio } from "../../src/audio/decode.ts";
import { generateDemoDataset, planDemoDataset, type DemoDatasetSummary } from "../../src/datasets/demo/demo-dataset.ts";
import { readAudioHeader } from "../../src/audio/header.ts";
import { scanDataset } from "../../src/datasets/manifest.ts";
import { checkTrialsAgainstManifest, loadTrials } from "../../src/datasets/trial-lists.ts";
import { convolver, resampleSpeech, soundSpans } from "../../src/datasets/demo/effects.ts";
import { DEMO_SENTENCES } from "../../src/datasets/demo/sentences.ts";
import { encodeWavPcm16 } from "../../src/audio/encode-wav.ts";
import { VoxlabError } from "../../src/core/errors.ts";

const SMALL = { seed: 7, speakers: 5, sessionsPerSpeaker: 2, utterancesPerSession: 3 };
const UTTERANCES = SMALL.speakers * SMALL.sessionsPerSpeaker * SMALL.utterancesPerSession;

let work: string;
let first: string;
let summary: DemoDatasetSummary;
const progress: Array<[number, number]> = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), "voxlab-demo-"));
  first = join(work, "a");
  summary = await generateDemoDataset({ ...SMALL, outDir: first, onProgress: (done, total) => progress.push([done, total]) });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir`, as relative path → bytes. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path));
  }
  return files;
}

const speakerOf = (path: string) => path.split("/")[0];

// ---- helpers: checked against hand-made signals --------------------------------------------------------

test("encodeWavPcm16 writes a 16-bit mono WAV that the decoder reads back, rounding and clipping", async () => {
  const bytes = encodeWavPcm16(Float32Array.from([0, 0.5, -0.5, 1.5, -2, 1 / 32768]), 16000);
  assert.equal(bytes.length, 44 + 12);
  const view = new DataView(bytes.buffer);
  assert.deepEqual([view.getInt16(46, true), view.getInt16(48, true), view.getInt16(50, true)], [16384, -16384, 32767]);
  const decoded = await decodeAudio(bytes, "mem.wav");
  assert.equal(decoded.sampleRate, 16000);
  assert.equal(decoded.channels, 1);
  assert.deepEqual(Array.from(decoded.samples), [0, 0.5, -0.5, 32767 / 32768, -1, 1 / 32768]);
});

test("resampleSpeech turns a 22.05 kHz sine into the same sine at 16 kHz and removes tones above 8 kHz", () => {
  const tone = (hz: number, rate: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
  const out = resampleSpeech(tone(1000, 22050, 22050), 22050, 16000);
  assert.equal(out.length, 16000);
  const expected = tone(1000, 16000, 16000);
  let maxError = 0;
  for (let i = 100; i < 15900; i++) maxError = Math.max(maxError, Math.abs(out[i] - expected[i]));
  assert.ok(maxError < 2e-3, `max error ${maxError}`);
  const alias = resampleSpeech(tone(9500, 22050, 22050), 22050, 16000);
  let peak = 0;
  for (let i = 100; i < 15900; i++) peak = Math.max(peak, Math.abs(alias[i]));
  assert.ok(peak < 1e-3, `a 9.5 kHz tone leaks at ${peak}`);
});

test("convolver matches direct convolution, cut to the signal's length", () => {
  const signal = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i * 0.37) + (i % 7) / 10);
  const kernel = Float32Array.from([1, 0, -0.5, 0.25, 0, 0, 0.125]);
  const convolve = convolver(kernel);
  for (const length of [300, 40]) {
    const x = signal.subarray(0, length);
    const got = convolve(x);
    assert.equal(got.length, length);
    for (let n = 0; n < length; n++) {
      let want = 0;
      for (let k = 0; k < kernel.length && k <= n; k++) want += kernel[k] * x[n - k];
      assert.ok(Math.abs(got[n] - want) < 1e-5, `sample ${n}: ${got[n]} vs ${want}`);
    }
  }
});

test("soundSpans splits at long pauses only", () => {
  const x = new Float32Array(100);
  x.fill(0.5, 10, 20);
  x.fill(0.5, 25, 30); // a 5-sample pause: same span
  x.fill(0.5, 60, 70);
  x[80] = 1e-5; // below the silence level
  assert.deepEqual(soundSpans(x, 1e-4, 10), [
    [10, 30],
    [60, 70],
  ]);
  assert.deepEqual(soundSpans(new Float32Array(10), 1e-4, 3), []);
});

// ---- the plan -------------------------------------------------------------------------------------------

test("planDemoDataset: distinct fixed voices, a speaker's voice does not depend on the speaker count", () => {
  const plan = planDemoDataset({ seed: 3, speakers: 16 });
  assert.equal(new Set(plan.map((s) => s.voice.voice)).size, 16);
  assert.deepEqual(
    planDemoDataset({ seed: 3, speakers: 4 }).map((s) => s.voice),
    plan.slice(0, 4).map((s) => s.voice),
  );
  assert.notDeepEqual(planDemoDataset({ seed: 4, speakers: 4 }).map((s) => s.voice), plan.slice(0, 4).map((s) => s.voice));
  for (const speaker of plan) {
    const texts = speaker.sessions.map((s) => new Set(s.utterances.map((u) => u.text)));
    assert.ok(texts.every((t) => t.size === 4), `${speaker.name}: sentences repeat within a session`);
  }
  assert.equal(new Set(DEMO_SENTENCES).size, DEMO_SENTENCES.length);
  assert.ok(DEMO_SENTENCES.every((s) => !/[<>&]/.test(s)));
  assert.throws(() => planDemoDataset({ speakers: 1 }), VoxlabError);
  assert.throws(() => planDemoDataset({ sessionsPerSpeaker: 1 }), VoxlabError);
  assert.throws(() => planDemoDataset({ seed: -1 }), VoxlabError);
});

// ---- the generated dataset ------------------------------------------------------------------------------

test("the dataset scans as a VoxCeleb tree with the planned speakers, sessions and utterances", async () => {
  const manifest = await scanDataset(first);
  assert.equal(manifest.length, UTTERANCES);
  assert.deepEqual([...new Set(manifest.map((e) => e.speaker))], ["spk01", "spk02", "spk03", "spk04", "spk05"]);
  for (const speaker of new Set(manifest.map((e) => e.speaker))) {
    const mine = manifest.filter((e) => e.speaker === speaker);
    assert.deepEqual([...new Set(mine.map((e) => e.session))], ["sess1", "sess2"]);
    assert.equal(mine.length, SMALL.sessionsPerSpeaker * SMALL.utterancesPerSession);
  }
  assert.deepEqual(summary, {
    ...summary,
    speakers: 5,
    sessions: 10,
    utterances: UTTERANCES,
    written: UTTERANCES,
    trials: summary.targetTrials * 2,
  });
  assert.ok(Math.abs(summary.totalSeconds - manifest.reduce((s, e) => s + e.duration, 0)) < 1e-6);
  assert.deepEqual(progress.at(-1), [UTTERANCES, UTTERANCES]);
  assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1][0]));
});

test("every clip is 16 kHz mono PCM16, decodes, lasts 0.8–8 s and is neither silent nor clipped", async () => {
  const manifest = await scanDataset(first);
  for (const { path, duration } of manifest) {
    const file = join(first, "wav", path);
    const header = await readAudioHeader(file);
    assert.deepEqual([header.format, header.sampleRate, header.channels], ["wav", 16000, 1]);
    assert.ok(duration >= 0.8 && duration <= 8, `${path}: ${duration} s`);
    const samples = await loadAudio(file);
    assert.equal(samples.length, header.frames);
    let peak = 0;
    for (const x of samples) peak = Math.max(peak, Math.abs(x));
    assert.ok(peak > 0.3 && peak < 0.95, `${path}: peak ${peak}`);
  }
});

test("trials.txt is a VoxCeleb list over the dataset whose labels agree with the speakers", async () => {
  const { format, trials } = await loadTrials(join(first, "trials.txt"));
  assert.equal(format, "voxceleb");
  assert.equal(trials.length, summary.trials);
  assert.deepEqual(checkTrialsAgainstManifest(trials, await scanDataset(first)), []);
  for (const { enroll, test: probe, label } of trials) {
    assert.equal(label, speakerOf(enroll) === speakerOf(probe) ? 1 : 0, `${enroll} ${probe}`);
    if (label === 1) assert.notEqual(enroll.split("/")[1], probe.split("/")[1], "a target trial within one session");
  }
  const readme = await readFile(join(first, "README.md"), "utf8");
  assert.match(readme, /synthetic/i);
  assert.match(readme, /GPL-3\.0/);
});

test("same seed gives byte-identical files; another seed gives different audio", async () => {
  const again = join(work, "b");
  await generateDemoDataset({ ...SMALL, outDir: again });
  const a = await snapshot(first);
  const b = await snapshot(again);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [path, bytes] of a) assert.ok(bytes.equals(b.get(path)!), `${path} differs between two runs with one seed`);

  const other = join(work, "c");
  await generateDemoDataset({ ...SMALL, seed: 8, outDir: other });
  const c = await snapshot(other);
  const wavs = [...a.keys()].filter((p) => p.endsWith(".wav"));
  const differing = wavs.filter((p) => !c.get(p)?.equals(a.get(p)!)).length;
  assert.equal(differing, wavs.length);
  await rm(again, { recursive: true });
  await rm(other, { recursive: true });
});

test("a rerun resumes: only missing clips are made, temporaries are cleared, other settings are refused", async () => {
  const before = await snapshot(first);
  const victim = "spk03/sess2/00002.wav";
  await rm(join(first, "wav", victim));
  const stale = join(first, "wav", "spk03", "sess2", "00003.wav.12345.tmp");
  await writeFile(stale, "partial");
  const rerun = await generateDemoDataset({ ...SMALL, outDir: first });
  assert.equal(rerun.written, 1);
  const after = await snapshot(first);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  assert.ok(after.get(join("wav", victim))!.equals(before.get(join("wav", victim))!));
  await assert.rejects(generateDemoDataset({ ...SMALL, seed: 9, outDir: first }), (err: Error) => {
    assert.ok(err instanceof VoxlabError);
    assert.match(err.message, /other settings/);
    return true;
  });
});

// ---- the voices really differ ---------------------------------------------------------------------------

/**
 * Median F0 (Hz) over voiced 40 ms frames (every other one, for speed): the normalised-autocorrelation
 * peak in 70–400 Hz, kept when > 0.6.
 */
function medianF0(samples: Float32Array, rate: number): number {
  const frame = Math.round(0.04 * rate);
  const minLag = Math.round(rate / 400);
  const maxLag = Math.round(rate / 70);
  const f0s: number[] = [];
  for (let start = 0; start + frame + maxLag <= samples.length; start += 2 * frame) {
    let energy = 0;
    for (let i = start; i < start + frame; i++) energy += samples[i] * samples[i];
    if (energy < 1e-4 * frame) continue; // mean square below -40 dBFS: a pause
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let cross = 0;
      let lagged = 0;
      for (let i = start; i < start + frame; i++) {
        cross += samples[i] * samples[i + lag];
        lagged += samples[i + lag] * samples[i + lag];
      }
      const r = cross / Math.sqrt(energy * lagged + 1e-12);
      if (r > best) [best, bestLag] = [r, lag];
    }
    if (best > 0.6) f0s.push(rate / bestLag);
  }
  f0s.sort((x, y) => x - y);
  return f0s[Math.floor(f0s.length / 2)];
}

/** Power-weighted mean frequency (spectral centroid) of Hann-windowed 512-sample frames, by a plain DFT. */
function spectralCentroid(samples: Float32Array, rate: number): number {
  const n = 512;
  const bins = n / 2;
  const cos = new Float64Array(bins * n);
  const sin = new Float64Array(bins * n);
  for (let k = 0; k < bins; k++) {
    for (let i = 0; i < n; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
      cos[k * n + i] = w * Math.cos((2 * Math.PI * k * i) / n);
      sin[k * n + i] = w * Math.sin((2 * Math.PI * k * i) / n);
    }
  }
  let weighted = 0;
  let total = 0;
  for (let start = 0; start + n <= samples.length; start += 4 * n) {
    for (let k = 1; k < bins; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += cos[k * n + i] * samples[start + i];
        im += sin[k * n + i] * samples[start + i];
      }
      const power = re * re + im * im;
      weighted += power * ((k * rate) / n);
      total += power;
    }
  }
  return weighted / total;
}

test("speakers sound different: median F0 or spectral centroid differs by over 8 % for most speaker pairs", async () => {
  const manifest = await scanDataset(first);
  const speakers = [...new Set(manifest.map((e) => e.speaker))];
  const features = new Map<string, { f0: number; centroid: number }>();
  for (const speaker of speakers) {
    const f0s: number[] = [];
    const centroids: number[] = [];
    for (const e of manifest.filter((x) => x.speaker === speaker)) {
      const samples = await loadAudio(join(first, "wav", e.path));
      f0s.push(medianF0(samples, 16000));
      centroids.push(spectralCentroid(samples, 16000));
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    features.set(speaker, { f0: median(f0s), centroid: median(centroids) });
  }
  for (const [speaker, { f0 }] of features) assert.ok(f0 > 70 && f0 < 400, `${speaker}: median F0 ${f0} Hz`);
  const relative = (x: number, y: number) => Math.abs(x - y) / Math.min(x, y);
  let pairs = 0;
  let distinct = 0;
  for (let i = 0; i < speakers.length; i++) {
    for (let j = i + 1; j < speakers.length; j++) {
      const a = features.get(speakers[i])!;
      const b = features.get(speakers[j])!;
      pairs++;
      if (relative(a.f0, b.f0) > 0.08 || relative(a.centroid, b.centroid) > 0.08) distinct++;
    }
  }
  assert.ok(distinct >= 0.8 * pairs, `only ${distinct} of ${pairs} speaker pairs differ`);
});
