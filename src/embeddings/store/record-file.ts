// The embedding store's record files: `part-<n>.bin`, one per flush, each a batch of (content hash, embedding)
// records. Format (little-endian): "VXEMB001", uint32 dim, uint32 count, count × (32-byte content hash, dim
// float32), 32-byte sha256 of everything before it, so a damaged file is refused rather than read. A record
// file is written under a temporary name and then linked to its final name, so a killed run (kill -9) leaves
// at most a stray temporary file, never a partial record file. ("Shard" means only a part of a split job.)
import { link, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { VoxlabError, fileError } from "../../core/errors.ts";
import { sha256Hex } from "../../core/hash.ts";

const MAGIC = Buffer.from("VXEMB001", "latin1");
const HEAD = 16;
const HASH_BYTES = 32;
/** A record file's name; its number orders the files. */
export const RECORD_FILE_NAME = /^part-(\d+)\.bin$/;
/** A record file being written by process <pid> (see writeRecordFile). */
export const TEMP_RECORD_FILE_NAME = /^\.part-(\d+)-[0-9a-f]+\.tmp$/;

/** The number in a record file's name. */
export function recordFileNumber(name: string): number {
  return Number(RECORD_FILE_NAME.exec(name)![1]);
}

/** Encodes (content hash, embedding) records as one record file (see the format above). */
export function encodeRecordFile(dim: number, records: ReadonlyArray<readonly [string, Float32Array]>): Buffer {
  const recordBytes = HASH_BYTES + 4 * dim;
  const out = Buffer.alloc(HEAD + records.length * recordBytes + HASH_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(dim, 8);
  out.writeUInt32LE(records.length, 12);
  records.forEach(([hash, embedding], r) => {
    const at = HEAD + r * recordBytes;
    out.write(hash, at, HASH_BYTES, "hex");
    Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength).copy(out, at + HASH_BYTES);
  });
  Buffer.from(sha256Hex(out.subarray(0, out.length - HASH_BYTES)), "hex").copy(out, out.length - HASH_BYTES);
  return out;
}

/** Decodes and checks a record file; a wrong size, dimension or checksum is a VoxlabError naming the file. */
export function decodeRecordFile(bytes: Buffer, dim: number, name: string): Array<[string, Float32Array]> {
  const corrupt = (why: string): VoxlabError => new VoxlabError(`${name}: corrupt embedding-store record file (${why}); delete it to recompute its embeddings`);
  if (bytes.length < HEAD + HASH_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt("bad header");
  const fileDim = bytes.readUInt32LE(8);
  const count = bytes.readUInt32LE(12);
  if (fileDim !== dim) throw new VoxlabError(`${name}: embedding-store record file holds ${fileDim}-d embeddings, the model gives ${dim}-d`);
  const recordBytes = HASH_BYTES + 4 * dim;
  if (bytes.length !== HEAD + count * recordBytes + HASH_BYTES) throw corrupt(`${bytes.length} bytes for ${count} records`);
  const body = bytes.subarray(0, bytes.length - HASH_BYTES);
  if (sha256Hex(body) !== bytes.toString("hex", body.length)) throw corrupt("checksum mismatch");
  // Each embedding is a view into the file's bytes (its floats sit at multiples of 4 from the start): a copy is
  // made only when the bytes themselves start off a 4-byte boundary. A second copy would double what opening costs.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Array.from({ length: count }, (_, r): [string, Float32Array] => {
    const at = HEAD + r * recordBytes;
    return [bytes.toString("hex", at, at + HASH_BYTES), new Float32Array(aligned.buffer, aligned.byteOffset + at + HASH_BYTES, dim)];
  });
}

/**
 * Writes a temporary file, then links it to the first free `part-<n>.bin` from `startAt` on (never
 * overwriting another process's record file, so several runs may share a store). Returns the name and the next number.
 */
export async function writeRecordFile(dir: string, bytes: Buffer, startAt: number): Promise<{ name: string; next: number }> {
  const temp = join(dir, `.part-${process.pid}-${sha256Hex(bytes).slice(0, 12)}.tmp`);
  let n = startAt;
  try {
    await writeFile(temp, bytes);
    for (;;) {
      const name = `part-${String(n++).padStart(6, "0")}.bin`;
      try {
        await link(temp, join(dir, name));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") continue;
        // Filesystems without hard links: a rename is still atomic.
        if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") await rename(temp, join(dir, name));
        else throw err;
      }
      return { name, next: n };
    }
  } catch (err) {
    throw fileError(dir, "cannot write to the embedding store", err);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
