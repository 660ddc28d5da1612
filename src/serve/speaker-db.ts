// Speaker profiles in SQLite (better-sqlite3, WAL): one row per speaker holding the float64 running sum and count
// of its enrollment embeddings, so the centroid grows utterance by utterance exactly as SpeakerProfiles computes it.
// Each enrollment is one transaction: a killed server leaves either the whole enrollment or none of it.
import type Database from "better-sqlite3";
import { accessSync, constants, existsSync, rmSync, statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { fileError, VoxlabError } from "../core/errors.ts";
import { accumulate, centroidFromSum, type CentroidMethod } from "../enrollment/centroid.ts";
import { SpeakerProfiles, type ProfilesFile } from "../enrollment/profiles.ts";
import type { Vector } from "../core/vector.ts";

export interface StoredSpeaker {
  speaker: string;
  count: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredProfile extends StoredSpeaker {
  sum: Float64Array;
  centroid: Float32Array;
}

export interface SpeakerDbOptions {
  method: CentroidMethod;
  /** Identifies the embedding model; a database made with another model is refused. */
  modelKey: string;
  dimension: number;
}

interface SpeakerRow {
  id: string;
  count: number;
  sum: Buffer;
  centroid: Buffer;
  created_at: string;
  updated_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS speakers (
  id TEXT PRIMARY KEY,
  count INTEGER NOT NULL CHECK (count > 0),
  sum BLOB NOT NULL,
  centroid BLOB NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrollments (
  id INTEGER PRIMARY KEY,
  speaker TEXT NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
  utterances INTEGER NOT NULL CHECK (utterances > 0),
  sources TEXT NOT NULL,
  created_at TEXT NOT NULL
);`;

const bytesOf = (a: Float32Array | Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const float64Of = (b: Buffer): Float64Array => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const float32Of = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/**
 * Why SQLite could not open `path`, as a file-system error where one is behind it: SQLite says "the
 * directory does not exist" for a parent that is a file or read-only, and "disk I/O error" for a full disk.
 */
function openFailureCause(path: string, err: unknown): unknown {
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) return Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    accessSync(folder, constants.W_OK);
  } catch (access) {
    return access;
  }
  const code = (err as { code?: unknown }).code;
  // SQLITE_FULL is the disk (a page count limit is never set here), even with a few blocks left that a WAL write outgrew.
  const full = code === "SQLITE_FULL" || (typeof code === "string" && code.startsWith("SQLITE_IOERR") && statfsSync(folder).bavail === 0);
  return full ? Object.assign(new Error("disk full"), { code: "ENOSPC" }) : err;
}

export class SpeakerDb {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly options: SpeakerDbOptions,
  ) {}

  /**
   * Opens (or creates) the database; refuses one made with another model, dimension or centroid method, and
   * one that another process holds. The connection keeps an exclusive lock until it is closed: the service
   * caches the profiles in memory, so a second server on the same file would serve stale ones.
   */
  static async open(path: string, options: SpeakerDbOptions): Promise<SpeakerDb> {
    // Loaded here, not when the library is imported: only the service uses SQLite.
    const { default: Database } = await import("better-sqlite3");
    let db: Database.Database | undefined;
    const created = !existsSync(path);
    try {
      // No busy wait: a lock held now is held by a running server, which keeps it.
      db = new Database(path, { timeout: 0 });
      // Set before WAL is entered, exclusive mode also keeps the WAL index in memory (no -shm file).
      db.pragma("locking_mode = EXCLUSIVE");
      db.pragma("journal_mode = WAL");
      // FULL: a commit is on disk before the client hears 200 (survives power loss, not just a killed process).
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      db.exec(SCHEMA);
      db.exec("BEGIN EXCLUSIVE; COMMIT");
    } catch (err) {
      db?.close();
      if ((err as { code?: unknown }).code === "SQLITE_BUSY") {
        throw new VoxlabError(`${path}: the speaker database is in use by another process (another voxlab serve?); one server per database`);
      }
      const cause = openFailureCause(path, err);
      // A database this call began on a full disk is not left behind half-made.
      if (created) for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) rmSync(file);
      throw fileError(path, "cannot open the speaker database", cause);
    }
    const want: Record<string, string> = { model_key: options.modelKey, dimension: String(options.dimension), centroid_method: options.method };
    const meta = new Map(db.prepare<[], { key: string; value: string }>("SELECT key, value FROM meta").all().map((r) => [r.key, r.value]));
    for (const [key, value] of Object.entries(want)) {
      const stored = meta.get(key);
      if (stored !== undefined && stored !== value) {
        db.close();
        throw new VoxlabError(`${path}: the speaker database was made with ${key} ${stored}, this server uses ${value}; pass another --db`);
      }
    }
    const insert = db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
    db.transaction(() => Object.entries(want).forEach(([k, v]) => insert.run(k, v)))();
    return new SpeakerDb(db, path, options);
  }

  /**
   * Adds utterance embeddings to `speaker` in one transaction (creating the profile) and returns the new profile.
   * `sources` (paths or upload names) are logged with the enrollment.
   */
  enroll(speaker: string, embeddings: readonly Vector[], sources: readonly string[]): StoredProfile {
    if (embeddings.length === 0) throw new VoxlabError(`${speaker}: no embeddings to enroll`);
    const { method, dimension } = this.options;
    const now = new Date().toISOString();
    const select = this.db.prepare<[string], SpeakerRow>("SELECT * FROM speakers WHERE id = ?");
    const upsert = this.db.prepare(
      `INSERT INTO speakers (id, count, sum, centroid, created_at, updated_at) VALUES (@id, @count, @sum, @centroid, @now, @now)
       ON CONFLICT(id) DO UPDATE SET count = excluded.count, sum = excluded.sum, centroid = excluded.centroid, updated_at = excluded.updated_at`,
    );
    const log = this.db.prepare("INSERT INTO enrollments (speaker, utterances, sources, created_at) VALUES (?, ?, ?, ?)");
    return this.db.transaction((): StoredProfile => {
      const old = select.get(speaker);
      const sum = old ? float64Of(old.sum) : new Float64Array(dimension);
      embeddings.forEach((e, i) => accumulate(sum, e, method, `${speaker}: embedding #${i}`));
      const count = (old?.count ?? 0) + embeddings.length;
      const centroid = centroidFromSum(sum, count, method);
      upsert.run({ id: speaker, count, sum: bytesOf(sum), centroid: bytesOf(centroid), now });
      log.run(speaker, embeddings.length, JSON.stringify(sources), now);
      return { speaker, count, sum, centroid, createdAt: old?.created_at ?? now, updatedAt: now };
    }).immediate();
  }

  get(speaker: string): StoredProfile | undefined {
    const row = this.db.prepare<[string], SpeakerRow>("SELECT * FROM speakers WHERE id = ?").get(speaker);
    return row && { speaker: row.id, count: row.count, sum: float64Of(row.sum), centroid: float32Of(row.centroid), createdAt: row.created_at, updatedAt: row.updated_at };
  }

  list(): StoredSpeaker[] {
    return this.db
      .prepare<[], Omit<SpeakerRow, "sum" | "centroid">>("SELECT id, count, created_at, updated_at FROM speakers ORDER BY id")
      .all()
      .map((r) => ({ speaker: r.id, count: r.count, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  /** Removes the speaker and its enrollment log; false when there was none. */
  delete(speaker: string): boolean {
    return this.db.prepare("DELETE FROM speakers WHERE id = ?").run(speaker).changes > 0;
  }

  /** Every profile as SpeakerProfiles (which re-derives each centroid from its sum and refuses a mismatch). */
  profiles(threshold: number): SpeakerProfiles {
    const rows = this.db.prepare<[], SpeakerRow>("SELECT * FROM speakers ORDER BY id").all();
    const file: ProfilesFile = {
      format: "voxlab-speaker-profiles",
      version: 1,
      method: this.options.method,
      threshold,
      dimension: this.options.dimension,
      profiles: rows.map((r) => ({ speaker: r.id, count: r.count, sum: r.sum.toString("base64"), centroid: r.centroid.toString("base64") })),
    };
    return SpeakerProfiles.fromJSON(file, this.path);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
