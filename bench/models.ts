// The models the embedding benchmarks run: the compact ECAPA fixture (c256, imported like a real SpeechBrain
// folder), a full-size ECAPA with random weights, and their int8 copies.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildEcapaOnnx, type EcapaGraphForm, importSpeechbrainModel, quantizeModelFile, randomEcapaState, SPKREC_ECAPA_VOXCELEB, voxlabMetadata } from "../src/index.ts";

/** Imports the SpeechBrain folder `dir` (the c256 fixture) to `<outDir>/<name>.onnx`; returns the path. */
export async function importCompact(dir: string, outDir: string, name = "c256"): Promise<string> {
  return (await importSpeechbrainModel(dir, join(outDir, `${name}.onnx`), { source: "fixture", license: "none" })).outPath;
}

/**
 * Builds the full-size ECAPA with random weights (the same seed every time, so every form holds the same weights)
 * at `<outDir>/ecapa-c1024[.<form>].onnx`; returns the path.
 */
export async function buildFullSize(outDir: string, form: EcapaGraphForm = "voxlab"): Promise<string> {
  const metadata = voxlabMetadata({ frontend: "speechbrain", sampleRate: 16000, meanNorm: "sentence", source: "random", license: "none" });
  const path = join(outDir, form === "voxlab" ? "ecapa-c1024.onnx" : `ecapa-c1024.${form}.onnx`);
  await writeFile(path, buildEcapaOnnx(SPKREC_ECAPA_VOXCELEB, randomEcapaState(SPKREC_ECAPA_VOXCELEB), metadata, "random weights", form));
  return path;
}

/** `voxlab model quantize` of `path` to `<path minus .onnx>.int8.onnx`, calibrated on `files`; returns the path. */
export async function quantizeForBench(path: string, files: string[]): Promise<string> {
  const list = path.replace(/\.onnx$/, ".calibration.txt");
  await writeFile(list, files.join("\n"));
  return (await quantizeModelFile(path, path.replace(/\.onnx$/, ".int8.onnx"), { calibration: list, utterances: files.length })).outPath;
}
