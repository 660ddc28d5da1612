// Which files a request may name: only regular files under the configured audio roots, after resolving
// symlinks, so `..`, absolute paths elsewhere and links pointing out of a root are all refused (403), and
// devices, FIFOs, sockets and directories inside a root are no audio (422).
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { VoxlabError } from "../core/errors.ts";
import { HttpError } from "./http-error.ts";

/**
 * Roots refused at start-up: the whole file system, and the kernel's pseudo-file systems, whose "files" are
 * devices, endless streams or process memory (/proc/kcore, /proc/self/mem), never audio.
 */
const FORBIDDEN_ROOTS = ["/proc", "/sys", "/dev"];

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
      if (real === "/" || FORBIDDEN_ROOTS.some((f) => isInside(f, real))) {
        throw new VoxlabError(`--audio-root ${dir}: refusing ${real === "/" ? "the whole file system" : `${real} (a pseudo-file system of devices and processes)`}; name the folder that holds the audio`);
      }
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
      // stat never opens (a FIFO cannot block it); the job checks again on the open file after the queue wait.
      const stats = await stat(real).catch(() => undefined);
      if (!stats) continue;
      if (!stats.isFile()) throw new HttpError(422, `audio_path "${requested}" is not a regular file (${stats.isDirectory() ? "a directory" : "a device, FIFO or socket"})`);
      return real;
    }
    throw new HttpError(404, `audio_path "${requested}": file not found under the audio roots`);
  }
}
