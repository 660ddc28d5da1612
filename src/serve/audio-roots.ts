// Which files a request may name: only files under the configured audio roots, after resolving symlinks,
// so `..`, absolute paths elsewhere and links pointing out of a root are all refused (403).
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { VoxlabError } from "../errors.ts";
import { HttpError } from "./http-error.ts";

/** `child` is `root` itself or inside it (both already resolved). */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

export class AudioRoots {
  private constructor(
    /** Each root as given, resolved to absolute, and its real path (symlinks resolved). */
    private readonly roots: ReadonlyArray<{ given: string; real: string }>,
  ) {}

  /** Checks that every root is an existing directory. */
  static async create(dirs: readonly string[]): Promise<AudioRoots> {
    const roots = [];
    for (const dir of dirs) {
      let real: string;
      try {
        real = await realpath(dir);
      } catch (err) {
        throw new VoxlabError(`--audio-root ${dir}: cannot resolve (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      }
      if (!(await stat(real)).isDirectory()) throw new VoxlabError(`--audio-root ${dir}: not a directory`);
      roots.push({ given: resolve(dir), real });
    }
    return new AudioRoots(roots);
  }

  get dirs(): string[] {
    return this.roots.map((r) => r.real);
  }

  /**
   * The real path of the file `requested` names: relative paths are looked up under each root in turn, absolute
   * ones must lie under a root. 403 for anything outside the roots, 404 for a missing file inside one.
   */
  async resolve(requested: string): Promise<string> {
    if (this.roots.length === 0) throw new HttpError(403, "audio_path is disabled: the server has no --audio-root; upload the audio instead");
    if (requested === "" || requested.includes("\0")) throw new HttpError(400, "audio_path must be a non-empty path");
    if (requested.split(/[\\/]/).includes("..")) throw new HttpError(403, `audio_path "${requested}": ".." is not allowed`);
    const candidates = isAbsolute(requested)
      ? this.roots.some((r) => isInside(r.given, resolve(requested)) || isInside(r.real, resolve(requested))) ? [resolve(requested)] : []
      : this.roots.map((r) => resolve(r.real, requested));
    if (candidates.length === 0) throw new HttpError(403, `audio_path "${requested}" is outside the audio roots`);
    for (const candidate of candidates) {
      let real: string;
      try {
        real = await realpath(candidate);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw new HttpError(403, `audio_path "${requested}": cannot resolve (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      }
      // A symlink inside a root may point anywhere: what counts is where it leads.
      if (!this.roots.some((r) => isInside(r.real, real))) throw new HttpError(403, `audio_path "${requested}" leads outside the audio roots (symlink)`);
      return real;
    }
    throw new HttpError(404, `audio_path "${requested}": file not found under the audio roots`);
  }
}
