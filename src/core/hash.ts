// Hashes of files and bytes: content keys of the embedding store, checksums of downloads, provenance of runs.
import { createHash, type Hash } from "node:crypto";
import { errorMessage, VoxlabError } from "./errors.ts";
import { openRegularFile } from "./regular-file.ts";

/** Streams a regular file's bytes into `hash` (a device or FIFO is refused, never read) and returns it, not yet digested. */
export async function hashFileInto(path: string, hash: Hash): Promise<Hash> {
  const { handle } = await openRegularFile(path);
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } catch (err) {
    throw new VoxlabError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  } finally {
    await handle.close();
  }
  return hash;
}

/** sha256 (hex) of a regular file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  return (await hashFileInto(path, createHash("sha256"))).digest("hex");
}

/** sha256 (hex) of bytes or of a string's UTF-8. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
