// Lists of audio files given on the command line: a manifest CSV (paths under a dataset root) or plain text.
import { dirname, isAbsolute, join } from "node:path";
import { VoxlabError } from "../core/errors.ts";
import { readText } from "../core/fs.ts";
import { loadManifest, wavRootOf } from "./manifest.ts";

/**
 * The files of a list: a manifest CSV (paths under the dataset `root`) or a text file with one path a
 * line (`#` comments; relative paths are relative to the list's folder).
 */
export async function readFileList(list: string, root: string | undefined): Promise<string[]> {
  if (list.toLowerCase().endsWith(".csv")) {
    if (!root) throw new VoxlabError(`${list}: a manifest's paths are relative to its dataset: pass --root <dataset root>`);
    const wavRoot = await wavRootOf(root);
    return (await loadManifest(list)).map((e) => join(wavRoot, e.path));
  }
  return (await readText(list, "file list"))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"))
    .map((p) => (isAbsolute(p) ? p : join(dirname(list), p)));
}
