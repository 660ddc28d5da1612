// The user's own Hugging Face cache (what huggingface_hub, transformers and SpeechBrain download into), read
// only: models--<org>--<name>/{refs/<revision>, snapshots/<commit>/<file> -> ../../blobs/<etag>}.
import { readFileSync } from "node:fs";
import { readFile, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileDigest, type ExpectedDigest } from "./download.ts";

/** HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub (huggingface_hub's order). */
export function hfCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HF_HUB_CACHE || join(hfHome(env), "hub");
}

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
const hfHome = (env: NodeJS.ProcessEnv): string => env.HF_HOME || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "huggingface");

/** The token `huggingface-cli login` saved (HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token), if any. */
export function hfStoredToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.HF_TOKEN_PATH || join(hfHome(env), "token");
  try {
    return readFileSync(path, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `<cache>/models--<org>--<name>`. */
export const hfRepoDir = (cache: string, repoId: string): string => join(cache, `models--${repoId.replaceAll("/", "--")}`);

/** Whether `revision` is a full commit hash rather than a branch or tag. */
export const isCommit = (revision: string): boolean => /^[0-9a-f]{40}$/.test(revision);

/** The commit a ref file (huggingface_hub's or VoxLab's) holds, or undefined when it is missing or holds none. */
export async function readCommitRef(path: string): Promise<string | undefined> {
  try {
    const commit = (await readFile(path, "utf8")).trim();
    return isCommit(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** The commit `refs/<revision>` names, or undefined. */
export function readHfRef(cache: string, repoId: string, revision: string): Promise<string | undefined> {
  return readCommitRef(join(hfRepoDir(cache, repoId), "refs", revision));
}

export interface HfCachedFile {
  size: number;
  sha256: string;
  /** How the blob was checked against its name. */
  checkedBy: ExpectedDigest["algorithm"];
}

/**
 * The snapshot folder of `commit` when it holds every one of `files` as a link to a blob whose content hashes
 * to the blob's name (SHA-256 for LFS files, git blob SHA-1 for the rest); undefined otherwise. Files that are
 * not links into blobs/ (nothing to check them by) and `*.incomplete` blobs are not trusted.
 */
export async function findHfSnapshot(
  cache: string,
  repoId: string,
  commit: string,
  files: readonly string[],
): Promise<{ dir: string; files: Record<string, HfCachedFile> } | undefined> {
  const repoDir = hfRepoDir(cache, repoId);
  const dir = join(repoDir, "snapshots", commit);
  const found: Record<string, HfCachedFile> = {};
  for (const file of files) {
    let blob: string;
    try {
      blob = await realpath(join(dir, file));
      if (dirname(blob) !== (await realpath(join(repoDir, "blobs")))) return undefined;
    } catch {
      return undefined;
    }
    const name = basename(blob);
    const algorithm = /^[0-9a-f]{64}$/.test(name) ? "sha256" : /^[0-9a-f]{40}$/.test(name) ? "git-sha1" : undefined;
    if (algorithm === undefined) return undefined; // *.incomplete, or not a blob at all
    const digest = await fileDigest(blob, algorithm);
    if (digest !== name) return undefined;
    const sha256 = algorithm === "sha256" ? digest : await fileDigest(blob, "sha256");
    found[file] = { size: (await stat(blob)).size, sha256, checkedBy: algorithm };
  }
  return { dir, files: found };
}
