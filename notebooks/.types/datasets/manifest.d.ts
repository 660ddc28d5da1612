/** One utterance: `path` is relative to the wav root with POSIX separators (`<speaker>/<session>/<file>`). */
export interface ManifestEntry {
    path: string;
    speaker: string;
    session: string;
    /** Seconds, from the file header. */
    duration: number;
}
export type DatasetManifest = ManifestEntry[];
export interface ScanOptions {
    /** Called after each file header is read. */
    onProgress?: (done: number, total: number) => void;
}
/** Orders by speaker, then session, then path, comparing UTF-16 code units (locale-independent). */
export declare function compareEntries(a: ManifestEntry, b: ManifestEntry): number;
export declare function compareText(a: string, b: string): number;
/** The folder holding `<speaker>/` folders: `<root>/wav` when present, else `<root>` itself. */
export declare function wavRootOf(root: string): Promise<string>;
/**
 * Scans a VoxCeleb-style dataset (`<root>/wav/<speaker>/<session>/<utt>.{wav,flac}`, or the same three
 * levels directly under `<root>`) into a manifest sorted by speaker, session and path.
 */
export declare function scanDataset(root: string, options?: ScanOptions): Promise<DatasetManifest>;
/** The canonical CSV text of a manifest (what `saveManifest` writes; LF line ends, final newline). */
export declare function manifestToCsv(manifest: DatasetManifest): string;
/** sha256 (hex) of the canonical CSV: two manifests hash equal exactly when they list the same rows in the same order. */
export declare function manifestHash(manifest: DatasetManifest): string;
export declare function saveManifest(path: string, manifest: DatasetManifest): Promise<void>;
/** Parses manifest CSV text; `name` (usually the file path) prefixes error messages, with line numbers. */
export declare function parseManifestCsv(text: string, name: string): DatasetManifest;
export declare function loadManifest(path: string): Promise<DatasetManifest>;
