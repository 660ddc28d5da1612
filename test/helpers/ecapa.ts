// The compact ECAPA fixture as a VoxLab model, for tests that run a real (small, trained) ECAPA.
import { join } from "node:path";
import { importSpeechbrainModel } from "../../src/models/speechbrain/import.ts";

/** Imports the SpeechBrain folder `dir` (the c256 fixture) to `<outDir>/<name>.onnx`; returns the path. */
export async function importCompact(dir: string, outDir: string, name = "c256"): Promise<string> {
  return (await importSpeechbrainModel(dir, join(outDir, `${name}.onnx`), { source: "fixture", license: "none" })).outPath;
}
