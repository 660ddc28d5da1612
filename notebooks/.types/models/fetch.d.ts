import { type DownloadProgress } from "./download.ts";
/** The files of a SpeechBrain speaker-embedding repo that the importer reads. */
export declare const SPEECHBRAIN_FILES: readonly ["hyperparams.yaml", "embedding_model.ckpt"];
export declare const DEFAULT_ENDPOINT = "https://huggingface.co";
/** The name of the record of what was fetched, kept beside the files. */
export declare const MANIFEST_NAME = "voxlab-fetch.json";
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
export declare function defaultCacheDir(): string;
/** `<cacheDir>/<org>--<name>/<revision>`, the folder a repo's files are fetched into. */
export declare function modelCacheDir(cacheDir: string, repoId: string, revision: string): string;
/**
 * Downloads `hyperparams.yaml` and `embedding_model.ckpt` of `repoId` into the cache and returns the folder.
 * Files recorded complete in the folder's manifest are not fetched again (no network at all when both are).
 */
export declare function fetchSpeechbrainModel(repoId: string, options?: FetchOptions): Promise<FetchedModel>;
/** `"abc…"` or `W/"abc…"` → the lower-case hex digest when it is 64 hex digits (a SHA-256), else undefined. */
export declare function sha256FromEtag(etag: string | null): string | undefined;
