// Fetching a model repo's files from the Hugging Face Hub (or a mirror: HF_ENDPOINT / --endpoint) into a
// local cache, resumable and checksum-verified; the user's own Hugging Face cache is used first when it
// already holds them. Files are kept by commit, so a branch is re-checked (one HEAD) on every online run.
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { VoxlabError } from "../../core/errors.ts";
import { ensureDir, writeFileAtomic } from "../../core/fs.ts";
import { downloadFile, type DownloadProgress } from "./download.ts";
import { findHfSnapshot, hfCacheDir, hfStoredToken, isCommit, readCommitRef, readHfRef } from "./hf-cache.ts";
import { UnreachableError, type RetryOptions } from "./http.ts";
import { DEFAULT_ENDPOINT, authHeaders, hubFileMetadata, resolveUrl, type HubClient, type HubFileMetadata } from "./api.ts";

export { DEFAULT_ENDPOINT } from "./api.ts";

/** The files of a SpeechBrain speaker-embedding repo that the importer reads. */
export const SPEECHBRAIN_FILES = ["hyperparams.yaml", "embedding_model.ckpt"] as const;

/** The name of the record of what was fetched, kept beside the files. */
export const MANIFEST_NAME = "voxlab-fetch.json";

export interface FetchOptions {
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Default: $VOXLAB_CACHE, else ~/.cache/voxlab/models. */
  cacheDir?: string;
  /** Default: $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** A Hugging Face access token for gated or private models (default: $HF_TOKEN, else the saved login); sent to the Hub's origin only. */
  token?: string;
  /** The user's Hugging Face cache, read only (default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub). */
  hfCacheDir?: string;
  /** Use only what is cached, with no request (default: HF_HUB_OFFLINE set to 1/true/yes/on). */
  offline?: boolean;
  retry?: RetryOptions;
  /** Where HF_* and proxy variables are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  onProgress?: (file: string, progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface FetchedFile {
  size: number;
  sha256: string;
  /** Whether the download matched the checksum the Hub published (git blob SHA-1 or SHA-256), or the cached blob its name. */
  verified: boolean;
}

export interface FetchManifest {
  repoId: string;
  revision: string;
  endpoint: string;
  /** The commit the revision pointed to, when known (X-Repo-Commit, or a commit given as the revision). */
  commit?: string;
  files: Record<string, FetchedFile>;
}

/** Where the files came from: downloaded now, VoxLab's cache, or the user's Hugging Face cache. */
export type FetchSource = "hub" | "voxlab-cache" | "hf-cache";

export interface FetchedModel {
  /** The folder holding the files (in the Hugging Face cache when that served them: read it, never write). */
  dir: string;
  manifest: FetchManifest;
  /** The files this call downloaded (the rest were already complete). */
  downloaded: string[];
  servedBy: FetchSource;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VOXLAB_CACHE || join(homedir(), ".cache", "voxlab", "models");
}

/** `<cacheDir>/<org>--<name>/<commit or revision>`, the folder a repo's files are fetched into. */
export function modelCacheDir(cacheDir: string, repoId: string, commitOrRevision: string): string {
  return join(cacheDir, repoId.replaceAll("/", "--"), commitOrRevision.replaceAll("/", "--"));
}

const refPath = (cacheDir: string, repoId: string, revision: string): string =>
  join(cacheDir, repoId.replaceAll("/", "--"), "refs", revision.replaceAll("/", "--"));

/** huggingface_hub's reading of HF_HUB_OFFLINE. */
export const isOffline = (env: NodeJS.ProcessEnv = process.env): boolean => /^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE ?? "");

/**
 * The Hub as `options` name it: --endpoint, else HF_ENDPOINT, else huggingface.co; the token from HF_TOKEN, else
 * the one `huggingface-cli login` saved.
 */
export function hubClient(options: FetchOptions): HubClient {
  const env = options.env ?? process.env;
  const endpoint = (options.endpoint || env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, "");
  return { endpoint, token: options.token ?? (env.HF_TOKEN || hfStoredToken(env)), retry: options.retry, env, signal: options.signal };
}

/** Downloads `hyperparams.yaml` and `embedding_model.ckpt` of a SpeechBrain repo (see fetchHubFiles). */
export function fetchSpeechbrainModel(repoId: string, options: FetchOptions = {}): Promise<FetchedModel> {
  return fetchHubFiles(repoId, SPEECHBRAIN_FILES, options);
}

/**
 * Makes `files` of `repoId` at a revision available locally and returns their folder. A commit already complete
 * in VoxLab's cache or (verified) in the user's Hugging Face cache makes no request; a branch or tag costs one
 * HEAD to learn its current commit; offline, only the caches are read.
 */
export async function fetchHubFiles(repoId: string, files: readonly string[], options: FetchOptions = {}): Promise<FetchedModel> {
  const env = options.env ?? process.env;
  const revision = options.revision ?? "main";
  checkRepoId(repoId);
  checkRevision(revision);
  files.forEach(checkFileName);
  const client = hubClient(options);
  const { endpoint } = client;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const hfCache = options.hfCacheDir ?? hfCacheDir(env);
  const base = { repoId, revision, endpoint };

  const cached = async (commit: string): Promise<FetchedModel | undefined> => {
    const dir = modelCacheDir(cacheDir, repoId, commit);
    const manifest = await readManifest(dir);
    if (manifest && (await allComplete(dir, files, manifest))) return { dir, manifest: { ...manifest, ...base, commit }, downloaded: [], servedBy: "voxlab-cache" };
    const snapshot = await findHfSnapshot(hfCache, repoId, commit, files);
    if (!snapshot) return undefined;
    const fetched = Object.fromEntries(Object.entries(snapshot.files).map(([f, c]) => [f, { size: c.size, sha256: c.sha256, verified: true }]));
    return { dir: snapshot.dir, manifest: { ...base, commit, files: fetched }, downloaded: [], servedBy: "hf-cache" };
  };
  const cachedRef = async (): Promise<string | undefined> =>
    (await readCommitRef(refPath(cacheDir, repoId, revision))) ?? (await readHfRef(hfCache, repoId, revision));

  if (isCommit(revision)) {
    const hit = await cached(revision);
    if (hit) return hit;
  }
  if (options.offline ?? isOffline(env)) {
    const commit = isCommit(revision) ? revision : await cachedRef();
    const hit = commit === undefined ? undefined : await cached(commit);
    if (hit) return hit;
    throw new VoxlabError(
      `HF_HUB_OFFLINE is set and ${repoId}@${revision} is not cached (looked in ${join(cacheDir, repoId.replaceAll("/", "--"))} ` +
        `and ${join(hfCache, `models--${repoId.replaceAll("/", "--")}`)}); unset HF_HUB_OFFLINE to download it`,
    );
  }

  let first: HubFileMetadata;
  try {
    first = await hubFileMetadata(client, repoId, revision, files[0]);
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    // Unreachable Hub: what the revision last pointed to is still good (huggingface_hub does the same).
    const commit = await cachedRef();
    const hit = commit === undefined ? undefined : await cached(commit);
    if (hit) return hit;
    throw new VoxlabError(
      `${err.message}: you seem to be offline; download ${files.join(" and ")} by hand (${endpoint}/${repoId}) ` +
        "into a folder and run `voxlab model import <folder>`",
    );
  }
  const commit = first.commit ?? (isCommit(revision) ? revision : undefined);
  if (commit !== undefined) {
    if (!isCommit(revision)) await writeRef(refPath(cacheDir, repoId, revision), commit);
    const hit = await cached(commit);
    if (hit) return hit;
  }

  // Without a commit from the server (a plain mirror), files are kept under the revision's name.
  const dir = modelCacheDir(cacheDir, repoId, commit ?? revision);
  const previous = await readManifest(dir);
  const manifest: FetchManifest = { ...base, commit, files: previous?.files ?? {} };
  const downloaded: string[] = [];
  for (const [i, file] of files.entries()) {
    if (await isComplete(join(dir, file), manifest.files[file])) continue;
    // Pinned to the commit, so every file comes from the same one even if the branch moves meanwhile.
    const pinned = commit ?? revision;
    const remote = i === 0 ? first : await hubFileMetadata(client, repoId, pinned, file);
    const result = await downloadFile(resolveUrl(endpoint, repoId, pinned, file), join(dir, file), {
      expected: remote.expected,
      size: remote.size,
      headers: authHeaders(client),
      retry: options.retry,
      env,
      onProgress: (progress) => options.onProgress?.(file, progress),
      signal: options.signal,
    });
    manifest.files[file] = { size: result.size, sha256: result.sha256, verified: remote.expected !== undefined };
    downloaded.push(file);
    await writeFileAtomic(join(dir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + "\n");
  }
  return { dir, manifest, downloaded, servedBy: "hub" };
}

async function allComplete(dir: string, files: readonly string[], manifest: FetchManifest): Promise<boolean> {
  for (const file of files) if (!(await isComplete(join(dir, file), manifest.files[file]))) return false;
  return true;
}

async function isComplete(path: string, recorded: FetchedFile | undefined): Promise<boolean> {
  if (!recorded) return false;
  try {
    return (await stat(path)).size === recorded.size;
  } catch {
    return false;
  }
}

/** The folder's manifest; a missing or unreadable one means nothing is known complete (files are fetched again). */
async function readManifest(dir: string): Promise<FetchManifest | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_NAME), "utf8")) as FetchManifest;
    return typeof manifest.files === "object" && manifest.files !== null ? manifest : undefined;
  } catch {
    return undefined;
  }
}

async function writeRef(path: string, commit: string): Promise<void> {
  await ensureDir(dirname(path), "cache folder");
  await writeFileAtomic(path, `${commit}\n`);
}

/** A path inside the repo: no absolute path, no `..`, nothing that could leave the cache folder. */
function checkFileName(file: string): void {
  if (!/^[\w.+\-/]+$/.test(file) || file.startsWith("/") || file.split("/").some((part) => /^\.*$/.test(part))) {
    throw new VoxlabError(`${file}: not a file name inside a repository`);
  }
}

export function checkRepoId(repoId: string): void {
  const valid = /^[\w.-]+(\/[\w.-]+)?$/.test(repoId) && !repoId.split("/").some((part) => /^\.+$/.test(part));
  if (!valid) {
    throw new VoxlabError(`${repoId}: not a Hugging Face model id (expected <org>/<name>, e.g. speechbrain/spkrec-ecapa-voxceleb)`);
  }
}

function checkRevision(revision: string): void {
  if (!/^[\w.\-/]+$/.test(revision) || revision.split("/").some((part) => /^\.*$/.test(part))) {
    throw new VoxlabError(`${revision}: not a valid revision (a branch, tag or commit)`);
  }
}
