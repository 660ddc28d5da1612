// Fetching a SpeechBrain model folder from the Hugging Face Hub (or a mirror: HF_ENDPOINT / --endpoint)
// into a local cache, resumable and checksum-verified, ready for the importer.
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { VoxlabError } from "../errors.ts";
import { writeFileAtomic } from "../io/npy.ts";
import { UnreachableError, downloadFile, httpError, httpRequest, type DownloadProgress } from "./download.ts";

/** The files of a SpeechBrain speaker-embedding repo that the importer reads. */
export const SPEECHBRAIN_FILES = ["hyperparams.yaml", "embedding_model.ckpt"] as const;

export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** The name of the record of what was fetched, kept beside the files. */
export const MANIFEST_NAME = "voxlab-fetch.json";

export interface FetchOptions {
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Default: $VOXLAB_CACHE, else ~/.cache/voxlab/models. */
  cacheDir?: string;
  /** Default: $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** A Hugging Face access token for gated or private models (default: $HF_TOKEN). */
  token?: string;
  onProgress?: (file: string, progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface FetchedFile {
  size: number;
  sha256: string;
  /** Whether the server published the SHA-256 (X-Linked-Etag / ETag) and the download matched it. */
  verified: boolean;
}

export interface FetchManifest {
  repoId: string;
  revision: string;
  endpoint: string;
  /** The commit the revision pointed to, when the server said (X-Repo-Commit). */
  commit?: string;
  files: Record<string, FetchedFile>;
}

export interface FetchedModel {
  /** The folder holding hyperparams.yaml and embedding_model.ckpt. */
  dir: string;
  manifest: FetchManifest;
  /** The files this call downloaded (the rest were already complete). */
  downloaded: string[];
}

export function defaultCacheDir(): string {
  return process.env.VOXLAB_CACHE || join(homedir(), ".cache", "voxlab", "models");
}

/** `<cacheDir>/<org>--<name>/<revision>`, the folder a repo's files are fetched into. */
export function modelCacheDir(cacheDir: string, repoId: string, revision: string): string {
  return join(cacheDir, repoId.replaceAll("/", "--"), revision.replaceAll("/", "--"));
}

/**
 * Downloads `hyperparams.yaml` and `embedding_model.ckpt` of `repoId` into the cache and returns the folder.
 * Files recorded complete in the folder's manifest are not fetched again (no network at all when both are).
 */
export async function fetchSpeechbrainModel(repoId: string, options: FetchOptions = {}): Promise<FetchedModel> {
  const revision = options.revision ?? "main";
  checkRepoId(repoId);
  checkRevision(revision);
  const endpoint = (options.endpoint || process.env.HF_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const dir = modelCacheDir(options.cacheDir ?? defaultCacheDir(), repoId, revision);
  const token = options.token ?? process.env.HF_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

  const previous = await readManifest(dir);
  const manifest: FetchManifest = { repoId, revision, endpoint, commit: previous?.commit, files: previous?.files ?? {} };
  const downloaded: string[] = [];
  for (const file of SPEECHBRAIN_FILES) {
    if (await isComplete(join(dir, file), manifest.files[file])) continue;
    const url = `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file}`;
    try {
      const remote = await probe(url, headers, options.signal);
      const result = await downloadFile(url, join(dir, file), {
        expectedSha256: remote.sha256,
        headers,
        onProgress: (progress) => options.onProgress?.(file, progress),
        signal: options.signal,
      });
      manifest.commit = remote.commit ?? manifest.commit;
      manifest.files[file] = { size: result.size, sha256: result.sha256, verified: remote.sha256 !== undefined };
    } catch (err) {
      if (err instanceof UnreachableError) {
        throw new VoxlabError(
          `${err.message}: you seem to be offline; download ${SPEECHBRAIN_FILES.join(" and ")} by hand ` +
            `(${endpoint}/${repoId}) into ${dir} and run \`voxlab model import ${dir}\``,
        );
      }
      throw err;
    }
    downloaded.push(file);
    await writeFileAtomic(join(dir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + "\n");
  }
  return { dir, manifest, downloaded };
}

interface RemoteFile {
  sha256?: string;
  commit?: string;
}

/**
 * HEAD the resolve URL, following redirects by hand: the Hub puts the file's SHA-256 (X-Linked-Etag for LFS
 * files) on its own redirect response, which an automatic redirect would hide behind the CDN's answer.
 */
async function probe(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<RemoteFile> {
  const origin = new URL(url).host;
  const found: RemoteFile = {};
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await httpRequest(current, { method: "HEAD", headers, signal, redirect: "manual" });
    // ETag is only a SHA-256 on the Hub's own answers; a CDN's ETag may be another 64-hex hash.
    const onHub = new URL(current).host === origin;
    found.sha256 ??=
      sha256FromEtag(res.headers.get("x-linked-etag")) ?? (onHub ? sha256FromEtag(res.headers.get("etag")) : undefined);
    found.commit ??= res.headers.get("x-repo-commit") ?? undefined;
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location !== null) {
      current = new URL(location, current).href;
      continue;
    }
    if (!res.ok) throw httpError(url, res.status);
    return found;
  }
  throw new VoxlabError(`${url}: too many redirects`);
}

/** `"abc…"` or `W/"abc…"` → the lower-case hex digest when it is 64 hex digits (a SHA-256), else undefined. */
export function sha256FromEtag(etag: string | null): string | undefined {
  const value = etag?.replace(/^W\//, "").replace(/"/g, "").trim().toLowerCase();
  return value !== undefined && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
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

function checkRepoId(repoId: string): void {
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
