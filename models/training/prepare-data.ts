// Exports the training corpora as VoxLab's own SpeechBrain features (sentence mean-normalised), so the
// Python recipe trains on exactly what `voxlab embed` computes at inference time.
//
//   npx tsx models/training/prepare-data.ts [--out models/training/work/data] [--speeds 0.9,1,1.1]
//
// Writes <out>/features.f32 (all frames, float32 little-endian, [frames, 80] row-major) and
// <out>/index.json (one entry per utterance: corpus, speaker label, split, speed, frame offset, frames).
// Speed perturbation resamples the waveform (0.9 = 10 % slower and lower); each perturbed copy of a
// training speaker counts as a new speaker, as in SpeechBrain's and WeSpeaker's recipes.
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { computeFeatures, loadAudio, resample, scanDataset, VoxlabError } from "../../src/index.ts";
import { CORPORA, heldOutSpeakers, type Corpus } from "./split.ts";

interface IndexEntry {
  corpus: Corpus;
  path: string;
  speaker: string;
  split: "train" | "heldout";
  speed: number;
  offset: number;
  frames: number;
}

const SAMPLE_RATE = 16000;

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "models/training/work/data" },
    shared: { type: "string", default: "../shared/datasets" },
    speeds: { type: "string", default: "0.9,1,1.1" },
  },
});
const outDir = resolve(values.out);
const speeds = values.speeds.split(",").map(Number);
if (speeds.some((s) => !(s > 0.5 && s < 2)) || !speeds.includes(1)) throw new Error(`--speeds ${values.speeds}: need factors in (0.5, 2) including 1`);

await mkdir(outDir, { recursive: true });
const sink = createWriteStream(join(outDir, "features.f32"));
const write = (bytes: Uint8Array) => new Promise<void>((ok, fail) => sink.write(bytes, (err) => (err ? fail(err) : ok())));

const entries: IndexEntry[] = [];
const skipped: string[] = [];
let offset = 0;
for (const corpus of CORPORA) {
  const root = join(resolve(values.shared), corpus);
  const manifest = await scanDataset(root);
  const heldOut = heldOutSpeakers(manifest.map((e) => e.speaker));
  for (const [n, item] of manifest.entries()) {
    const split = heldOut.has(item.speaker) ? "heldout" : "train";
    let samples: Float32Array;
    try {
      samples = await loadAudio(join(root, "wav", item.path), SAMPLE_RATE);
    } catch (err) {
      // A file VoxLab cannot decode is left out (and reported) rather than stopping the export.
      if (!(err instanceof VoxlabError)) throw err;
      skipped.push(err.message);
      continue;
    }
    // Held-out speakers are only used to watch training; one speed is enough.
    for (const speed of split === "train" ? speeds : [1]) {
      // Playing audio recorded at speed*16 kHz back at 16 kHz changes tempo and pitch by `speed`.
      const wave = speed === 1 ? samples : await resample(samples, Math.round(SAMPLE_RATE * speed), SAMPLE_RATE);
      const fbank = computeFeatures(wave, "speechbrain", { meanNorm: true, name: item.path });
      await write(new Uint8Array(fbank.data.buffer, fbank.data.byteOffset, fbank.data.byteLength));
      const speaker = speed === 1 ? `${corpus}/${item.speaker}` : `${corpus}/${item.speaker}@${speed}`;
      entries.push({ corpus, path: item.path, speaker, split, speed, offset, frames: fbank.frames });
      offset += fbank.frames;
    }
    if ((n + 1) % 500 === 0) console.log(`${corpus}: ${n + 1}/${manifest.length} utterances`);
  }
}
await new Promise<void>((ok, fail) => sink.end((err?: Error | null) => (err ? fail(err) : ok())));
await writeFile(join(outDir, "index.json"), JSON.stringify({ bins: 80, frontend: "speechbrain", meanNorm: true, frames: offset, utterances: entries }));
const hours = (offset / 100 / 3600).toFixed(2);
for (const message of skipped) console.warn(`skipped ${message}`);
console.log(`wrote ${entries.length} utterances, ${offset} frames (${hours} h) to ${outDir}`);
