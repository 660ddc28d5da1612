// File-system helpers every stage uses: atomic writes, folders with one-line errors, and reading a file a
// user named (regular files only, so a FIFO or /dev/zero cannot hang or flood the reader).
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { errorMessage, fileError, fileErrorReason, VoxlabError } from "./errors.ts";
import { FileReadError, readRegularFile } from "./regular-file.ts";

/**
 * The bytes of a file a user named, or a one-line error: `trials.txt: cannot read the trial list (ENOENT)`
 * (`what` names the file's role, when given). A FIFO or a device is refused, never read.
 */
export async function readUserFile(path: string, what?: string): Promise<Buffer> {
  try {
    return await readRegularFile(path);
  } catch (err) {
    const reason = err instanceof FileReadError ? err.reason : fileErrorReason(err);
    throw new VoxlabError(`${path}: cannot read${what ? ` the ${what}` : ""} (${reason})`);
  }
}

/** A UTF-8 text file a user named (trial list, config, CSV), with readUserFile's errors. */
export async function readText(path: string, what?: string): Promise<string> {
  return (await readUserFile(path, what)).toString("utf8");
}

/** A JSON file a user named: read errors as readText's, and `path: invalid JSON (...)` for bad syntax. */
export async function readJson(path: string, what?: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new VoxlabError(`${path}: invalid JSON (${errorMessage(err)})`);
  }
}

/** Whether process `pid` runs on this machine (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `path`'s temporary siblings `<name>.<pid>.tmp` left by writers that were killed (kill -9) before renaming them. */
async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid && !processAlive(Number(pid))) await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

/**
 * Writes `data` (pieces of text are written one by one, never joined) to a temporary file, then renames it to
 * `path`: a reader never sees a partial file. Temporaries of killed earlier writers of `path` are removed.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string | Iterable<string>): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    // A full disk leaves a partial temporary file: remove it; `path` keeps what it held before.
    await unlink(tmp).catch(() => undefined);
    throw fileError(path, "cannot write", err);
  }
  await removeStaleTemporaries(path);
}

/** Nearest ancestor of `dir` that exists (`dir` itself when it does). */
function existingAncestor(dir: string): string {
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/**
 * Creates `dir` and its parents, or throws a one-line error naming it (`what`: "output folder", ...).
 * A recursive mkdir reports ENOENT for a parent on a read-only disk: the first missing folder is then
 * made on its own to learn the real cause (EROFS, EACCES, ENOTDIR).
 */
export async function ensureDir(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    let cause: unknown = err;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      const parent = existingAncestor(dir);
      const first = join(parent, relative(parent, resolve(dir)).split(sep)[0]);
      cause = await mkdir(first).then(
        () => err,
        (direct: unknown) => direct,
      );
    }
    throw fileError(dir, `cannot create the ${what}`, cause);
  }
}
