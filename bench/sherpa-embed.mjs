// sherpa-onnx as a whole process, for bench/process.ts: embeds the WAV files of a list with its
// SpeakerEmbeddingExtractor, one utterance per call as its examples do, and writes the rows as raw float32.
// Plain JavaScript, so that the process pays only what a sherpa-onnx user's script pays.
//
//   node bench/sherpa-embed.mjs <model.onnx> <threads> <list.txt> <out.f32>
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const sherpa = createRequire(import.meta.url)("sherpa-onnx-node");
const [model, threads, list, out] = process.argv.slice(2);
const extractor = new sherpa.SpeakerEmbeddingExtractor({ model, numThreads: Number(threads), debug: 0, provider: "cpu" });
const files = readFileSync(list, "utf8").split("\n").filter((line) => line.length > 0);
const rows = new Float32Array(files.length * extractor.dim);
files.forEach((file, i) => {
  const wave = sherpa.readWave(file);
  const stream = extractor.createStream();
  stream.acceptWaveform({ samples: wave.samples, sampleRate: wave.sampleRate });
  stream.inputFinished();
  rows.set(extractor.compute(stream), i * extractor.dim);
});
writeFileSync(out, rows);
