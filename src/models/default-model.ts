import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { VoxlabError } from "../core/errors.ts";

/** The compact ECAPA-TDNN shipped in models/ (see its model card); the default wherever `--model` is optional. */
export const DEFAULT_MODEL_FILE = "voxlab-ecapa-c256.onnx";

/** The shipped model's path, found beside the package rather than the working directory. */
export function defaultModelPath(): string {
  const path = join(resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."), "models", DEFAULT_MODEL_FILE);
  if (!existsSync(path)) throw new VoxlabError(`the built-in model ${path} is missing; pass --model <model.onnx>`);
  return path;
}
