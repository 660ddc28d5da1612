// `voxlab model fetch`: a speaker model from the Hub becomes a model VoxLab can load. SpeechBrain repos are
// imported to ONNX; WeSpeaker / 3D-Speaker ONNX files are copied with a sidecar naming their frontend.
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { VoxlabError } from "../../core/errors.ts";
import { loadEmbeddingModel, sidecarPath } from "../embedding-model.ts";
import { SPEECHBRAIN_FILES, checkRepoId, fetchHubFiles, fetchSpeechbrainModel, hubClient, isOffline, type FetchOptions, type FetchedModel } from "./fetch.ts";
import { hubRepoInfo } from "./api.ts";
import { importSpeechbrainModel } from "../speechbrain/import.ts";
import { readOnnxMetadata } from "../metadata.ts";
import { detectOnnxFamily, familySidecar, parseOnnxFamily, probeEmbeddingDim, writeModelWithSidecar, type OnnxFamily } from "../onnx-families.ts";

export interface FetchModelOptions extends FetchOptions {
  /** The ONNX file to take from the repo (default: the repo's only .onnx file). */
  file?: string;
  /** "speechbrain", "wespeaker" or "3d-speaker" (default: told by the repo's files and the ONNX metadata). */
  family?: string;
  /** Default: models/<repo name>.onnx (SpeechBrain) or models/<file name> (ONNX). */
  out?: string;
  /** Default: the family's published licence (SpeechBrain apache-2.0, WeSpeaker CC-BY-4.0, 3D-Speaker Apache-2.0). */
  license?: string;
}

export interface FetchModelResult {
  outPath: string;
  family: "speechbrain" | OnnxFamily;
  fetched: FetchedModel;
  embeddingDim: number;
  /** The sidecar written beside an ONNX family's model (none for SpeechBrain: its metadata is inside). */
  sidecar?: string;
}

/** Fetches `repoId` (see fetchHubFiles for caching) and writes a loadable model; see FetchModelOptions. */
export async function fetchModel(repoId: string, options: FetchModelOptions = {}): Promise<FetchModelResult> {
  const revision = options.revision ?? "main";
  checkRepoId(repoId);
  const choice = await chooseFiles(repoId, options);
  if (choice === "speechbrain") {
    const fetched = await fetchSpeechbrainModel(repoId, options);
    const outPath = options.out ?? join("models", `${repoId.split("/").at(-1)}.onnx`);
    const result = await importSpeechbrainModel(fetched.dir, outPath, {
      source: `${repoId}@${revision}`,
      commit: fetched.manifest.commit,
      license: options.license ?? (repoId.startsWith("speechbrain/") ? "apache-2.0" : "unknown"),
    });
    return { outPath, family: "speechbrain", fetched, embeddingDim: result.hyperparams.ecapa.linNeurons };
  }

  const file = choice;
  const fetched = await fetchHubFiles(repoId, [file], options);
  const bytes = await readFile(join(fetched.dir, file));
  const props = readOnnxMetadata(bytes, file);
  const family = options.family ? parseOnnxFamily(options.family) : detectOnnxFamily(repoId, file, props);
  if (family === undefined) {
    throw new VoxlabError(`${repoId}/${file}: cannot tell which toolkit made it (no sherpa-onnx "framework" metadata); pass --family wespeaker or --family 3d-speaker`);
  }
  const declared = Number(props.output_dim);
  const embeddingDim = Number.isInteger(declared) && declared > 0 ? declared : await probeEmbeddingDim(bytes, file);
  const sampleRate = Number(props.sample_rate);
  const outPath = options.out ?? join("models", basename(file));
  await writeModelWithSidecar(
    outPath,
    bytes,
    familySidecar(family, {
      embeddingDim,
      sampleRate: Number.isInteger(sampleRate) && sampleRate > 0 ? sampleRate : undefined,
      source: `${repoId}@${revision}/${file}`,
      commit: fetched.manifest.commit,
      license: options.license,
    }),
  );
  // Refuse now, not at the first `eval`, a graph VoxLab cannot feed.
  const model = await loadEmbeddingModel(outPath);
  await model.close();
  return { outPath, family, fetched, embeddingDim, sidecar: sidecarPath(outPath) };
}

/** "speechbrain", or the ONNX file to fetch: from the flags, else from the repo's file list (one request). */
async function chooseFiles(repoId: string, options: FetchModelOptions): Promise<"speechbrain" | string> {
  if (options.family?.toLowerCase() === "speechbrain") return "speechbrain";
  if (options.file !== undefined) return options.file;
  if (repoId.toLowerCase().startsWith("speechbrain/")) return "speechbrain";
  const env = options.env ?? process.env;
  if (options.offline ?? isOffline(env)) {
    throw new VoxlabError(`HF_HUB_OFFLINE is set: name the ONNX file of ${repoId} with --file (listing the repository needs the Hub)`);
  }
  const { files } = await hubRepoInfo(hubClient(options), repoId, options.revision ?? "main");
  if (SPEECHBRAIN_FILES.every((f) => files.includes(f))) return "speechbrain";
  const onnx = files.filter((f) => f.toLowerCase().endsWith(".onnx"));
  if (onnx.length === 1) return onnx[0];
  if (onnx.length === 0) throw new VoxlabError(`${repoId}: no SpeechBrain files and no .onnx file in the repository`);
  const shown = onnx.slice(0, 8).join(", ") + (onnx.length > 8 ? `, … (${onnx.length} in all)` : "");
  throw new VoxlabError(`${repoId} holds several ONNX models (${shown}); choose one with --file`);
}
