// A loopback Hugging Face Hub that behaves like the real one where clients tend to get it wrong:
// - the Hub (one origin) answers /<org>/<name>/resolve/<rev>/<file>: LFS/Xet files with a 302 to a CDN on a
//   second origin (signed, expiring URL; X-Linked-Etag = sha256, X-Linked-Size, a different X-Xet-Hash, a Link
//   rel="xet-auth"), small git files with a relative 307 to /api/resolve-cache/...?etag=; redirect bodies are
//   never empty; every answer carries X-Repo-Commit;
// - the CDN refuses HEAD, refuses any request carrying Authorization, refuses an expired or forged signature;
// - either can be told to answer 429/5xx, to refuse one Range request, to drop a connection half-way;
// - branches move: publish() makes a new commit and points `main` at it.
import { createHash, createHmac } from "node:crypto";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";

export const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
export const gitBlobSha1 = (bytes: Buffer): string => createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");

export interface HfCacheRepo {
  /** `<root>/models--<org>--<name>`. */
  repoDir: string;
  blobs: string;
  snapshot: string;
  /** File → blob name (sha256 for LFS files, git blob sha1 for the rest). */
  names: Map<string, string>;
}

/**
 * A repo in a Hugging Face cache as huggingface_hub writes it: blobs/<etag>, snapshots/<commit>/<file> as relative
 * links to ../../blobs/<etag>, refs/main naming the commit.
 */
export async function writeHfCache(root: string, repoId: string, files: Map<string, Buffer>, commit: string, lfs: (file: string) => boolean): Promise<HfCacheRepo> {
  const repoDir = join(root, `models--${repoId.replace("/", "--")}`);
  const blobs = join(repoDir, "blobs");
  const snapshot = join(repoDir, "snapshots", commit);
  const names = new Map([...files].map(([f, body]) => [f, lfs(f) ? sha256(body) : gitBlobSha1(body)]));
  await mkdir(blobs, { recursive: true });
  await mkdir(snapshot, { recursive: true });
  await mkdir(join(repoDir, "refs"), { recursive: true });
  await writeFile(join(repoDir, "refs", "main"), commit);
  for (const [file, body] of files) {
    await writeFile(join(blobs, names.get(file)!), body);
    await symlink(join("..", "..", "blobs", names.get(file)!), join(snapshot, file));
  }
  return { repoDir, blobs, snapshot, names };
}

export interface Logged {
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

/** Switches a test flips to make the servers misbehave. */
export interface HubMode {
  /** Statuses the next Hub requests answer with, in order (e.g. [429, 503]); Retry-After given for 429. */
  hubFailures: number[];
  /** The same for the CDN. */
  cdnFailures: number[];
  /** Retry-After (seconds) sent with a 429. */
  retryAfter: string;
  /** The first body GET of each file stops half-way and the connection is destroyed. */
  dropFirstGet: boolean;
  /** The CDN answers 403 to the first Range request it sees. */
  forbidRangeOnce: boolean;
  /** A signed URL is good for one request only (it has expired by the time a resume comes). */
  oneShotUrls: boolean;
  /** The CDN serves a body with one byte flipped (the Hub still advertises the real digest). */
  corrupt: boolean;
  /** Every resolve URL answers 401, as for a gated or private repo. */
  deny: boolean;
}

const defaults = (): HubMode => ({
  hubFailures: [],
  cdnFailures: [],
  retryAfter: "1",
  dropFirstGet: false,
  forbidRangeOnce: false,
  oneShotUrls: false,
  corrupt: false,
  deny: false,
});

export interface HubRepo {
  /** Files kept in LFS (served through the CDN); the rest are regular git files. */
  lfs: (file: string) => boolean;
  commits: Map<string, Map<string, Buffer>>;
  /** Branches and tags → commit. */
  refs: Map<string, string>;
}

const SECRET = "cdn-signing-key";

export class FakeHub {
  readonly hubLog: Logged[] = [];
  readonly cdnLog: Logged[] = [];
  mode: HubMode = defaults();
  readonly droppedAt = new Map<string, number>();
  readonly repos = new Map<string, HubRepo>();
  hubUrl = "";
  cdnUrl = "";
  private hub: Server | undefined;
  private cdn: Server | undefined;
  private usedSignatures = new Set<string>();
  private rangeForbidden = false;
  private commitCounter = 0;

  /** `tls`: serve the Hub over https with this key and certificate (the CDN stays http). */
  constructor(private readonly tls?: { key: string; cert: string }) {}

  async start(): Promise<void> {
    const hubHandler = (req: IncomingMessage, res: ServerResponse): void => this.handleHub(req, res);
    this.hub = this.tls ? createHttpsServer(this.tls, hubHandler) : createHttpServer(hubHandler);
    this.cdn = createHttpServer((req, res) => this.handleCdn(req, res));
    this.hubUrl = `${this.tls ? "https" : "http"}://127.0.0.1:${await listen(this.hub)}`;
    this.cdnUrl = `http://127.0.0.1:${await listen(this.cdn)}`;
  }

  async stop(): Promise<void> {
    for (const server of [this.hub, this.cdn]) {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
  }

  reset(mode: Partial<HubMode> = {}): void {
    this.hubLog.length = 0;
    this.cdnLog.length = 0;
    this.droppedAt.clear();
    this.rangeForbidden = false;
    this.mode = { ...defaults(), ...mode };
  }

  /** Makes a new commit holding `files` on `repoId` and points `branch` at it; returns the commit hash. */
  publish(repoId: string, files: Map<string, Buffer>, lfs: (file: string) => boolean, branch = "main"): string {
    const commit = createHash("sha1").update(`commit ${++this.commitCounter} ${repoId}`).digest("hex");
    const repo = this.repos.get(repoId) ?? { lfs, commits: new Map(), refs: new Map() };
    repo.commits.set(commit, files);
    repo.refs.set(branch, commit);
    this.repos.set(repoId, repo);
    return commit;
  }

  private handleHub(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? "";
    this.hubLog.push(logged(req));
    const failure = this.mode.hubFailures.shift();
    if (failure !== undefined) return fail(res, failure, this.mode.retryAfter);

    const info = path.match(/^\/api\/models\/([\w.-]+\/[\w.-]+)\/revision\/([^/?]+)$/);
    if (info) {
      const found = this.lookup(info[1], decodeURIComponent(info[2]));
      if (!found) return void res.writeHead(404, { "x-error-code": "RevisionNotFound" }).end("{}");
      const siblings = [...found.files.keys()].map((rfilename) => ({ rfilename }));
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: info[1], sha: found.commit, siblings }));
    }

    const cached = path.match(/^\/api\/resolve-cache\/models\/([\w.-]+\/[\w.-]+)\/([0-9a-f]{40})\/([\w.-]+)\?/);
    if (cached) {
      const body = this.repos.get(cached[1])?.commits.get(cached[2])?.get(cached[3]);
      if (!body) return void res.writeHead(404).end("Entry not found");
      return serve(req, res, body, { etag: `"${gitBlobSha1(body)}"`, "x-repo-commit": cached[2] }, this.drop(cached[3], req));
    }

    const resolve = path.match(/^\/([\w.-]+\/[\w.-]+)\/resolve\/([^/]+)\/([\w.-]+)$/);
    if (!resolve) return void res.writeHead(404).end("Not found");
    const [, repoId, rev, file] = resolve;
    if (this.mode.deny) return void res.writeHead(401, { "x-error-code": "GatedRepo" }).end("Access to this model is restricted");
    const found = this.lookup(repoId, decodeURIComponent(rev));
    if (!found) return void res.writeHead(404, { "x-error-code": this.repos.has(repoId) ? "RevisionNotFound" : "RepoNotFound" }).end("Not found");
    const body = found.files.get(file);
    if (!body) return void res.writeHead(404, { "x-error-code": "EntryNotFound", "x-repo-commit": found.commit }).end("Entry not found");
    const commit = { "x-repo-commit": found.commit };
    if (!this.repos.get(repoId)!.lfs(file)) {
      const location = `/api/resolve-cache/models/${repoId}/${found.commit}/${file}?%2F${encodeURIComponent(repoId)}%2Fresolve%2F${rev}%2F${file}=&etag=%22${gitBlobSha1(body)}%22`;
      return void res
        .writeHead(307, { location, ...commit, etag: `"${gitBlobSha1(body)}"`, "content-type": "text/plain" })
        .end(`Temporary Redirect. Redirecting to ${location}`);
    }
    const digest = sha256(body);
    const expires = Date.now() + 3_600_000;
    const query = `X-Amz-Expires=3600&Expires=${expires}`;
    const location = `${this.cdnUrl}/repos/ab/cd/${digest}?${query}&Signature=${sign(`${digest}?${query}`)}`;
    const xetHash = createHash("sha256").update("xet merkle ").update(body).digest("hex");
    res
      .writeHead(302, {
        location,
        ...commit,
        "x-linked-etag": `"${digest}"`,
        "x-linked-size": String(body.length),
        etag: `"${xetHash}"`,
        "x-xet-hash": xetHash,
        link: `<${this.hubUrl}/api/models/${repoId}/xet-read-token/${found.commit}>; rel="xet-auth", <https://cas.example/v1/reconstructions/${xetHash}>; rel="xet-reconstruction-info"`,
        "content-type": "text/plain",
      })
      .end(`Found. Redirecting to ${location}`);
  }

  private handleCdn(req: IncomingMessage, res: ServerResponse): void {
    this.cdnLog.push(logged(req));
    const failure = this.mode.cdnFailures.shift();
    if (failure !== undefined) return fail(res, failure, this.mode.retryAfter);
    if (req.headers.authorization !== undefined) {
      return void res.writeHead(400).end("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
    }
    if (req.method !== "GET") return void res.writeHead(403).end("<Error><Code>AccessDenied</Code></Error>");
    const url = new URL(req.url ?? "", this.cdnUrl);
    const digest = url.pathname.match(/^\/repos\/ab\/cd\/([0-9a-f]{64})$/)?.[1];
    const signature = url.searchParams.get("Signature") ?? "";
    const signed = `${digest}?X-Amz-Expires=3600&Expires=${url.searchParams.get("Expires")}`;
    if (!digest || signature !== sign(signed)) return void res.writeHead(403).end("<Error><Code>SignatureDoesNotMatch</Code></Error>");
    if (Number(url.searchParams.get("Expires")) < Date.now() || (this.mode.oneShotUrls && this.usedSignatures.has(signature))) {
      return void res.writeHead(403).end("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
    }
    this.usedSignatures.add(signature);
    if (req.headers.range !== undefined && this.mode.forbidRangeOnce && !this.rangeForbidden) {
      this.rangeForbidden = true;
      return void res.writeHead(403).end("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
    }
    const body = this.blob(digest);
    if (!body) return void res.writeHead(404).end();
    const served = this.mode.corrupt ? flipByte(body, body.length >> 1) : body;
    serve(req, res, served, { etag: `"${createHash("md5").update(body).digest("hex")}"` }, this.drop(digest, req));
  }

  private lookup(repoId: string, rev: string): { commit: string; files: Map<string, Buffer> } | undefined {
    const repo = this.repos.get(repoId);
    const commit = repo?.refs.get(rev) ?? (repo?.commits.has(rev) ? rev : undefined);
    return commit === undefined ? undefined : { commit, files: repo!.commits.get(commit)! };
  }

  private blob(digest: string): Buffer | undefined {
    for (const repo of this.repos.values()) for (const files of repo.commits.values()) for (const body of files.values()) if (sha256(body) === digest) return body;
    return undefined;
  }

  /** Whether this GET of `key` is the one to cut half-way (records where). */
  private drop(key: string, req: IncomingMessage): ((sent: number) => void) | undefined {
    if (!this.mode.dropFirstGet || req.method !== "GET" || this.droppedAt.has(key)) return undefined;
    return (sent) => this.droppedAt.set(key, sent);
  }
}

const sign = (text: string): string => createHmac("sha256", SECRET).update(text).digest("hex");

function logged(req: IncomingMessage): Logged {
  return { method: req.method ?? "", path: req.url ?? "", range: req.headers.range, authorization: req.headers.authorization };
}

function fail(res: ServerResponse, status: number, retryAfter: string): void {
  res.writeHead(status, status === 429 ? { "retry-after": retryAfter } : {}).end(status === 429 ? "Too Many Requests" : "Service Unavailable");
}

function flipByte(body: Buffer, at: number): Buffer {
  const copy = Buffer.from(body);
  copy[at] ^= 0xff;
  return copy;
}

/** Serves `body` with Range support; `onDrop` set means: send half, then destroy the connection. */
function serve(req: IncomingMessage, res: ServerResponse, body: Buffer, headers: Record<string, string>, onDrop?: (sent: number) => void): void {
  const range = req.headers.range?.match(/^bytes=(\d+)-$/);
  if (range && Number(range[1]) >= body.length) return void res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
  const start = range ? Number(range[1]) : 0;
  const slice = body.subarray(start);
  res.writeHead(range ? 206 : 200, {
    "content-length": slice.length,
    "accept-ranges": "bytes",
    ...headers,
    ...(range ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
  });
  if (req.method === "HEAD") return void res.end();
  if (onDrop) {
    const half = slice.length >> 1;
    onDrop(start + half);
    res.write(slice.subarray(0, half), () => res.socket?.destroy());
    return;
  }
  res.end(slice);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * A loopback forward proxy: absolute-URI requests (http targets) and CONNECT tunnels (https targets); it logs
 * what it was asked for, so a test can tell that traffic went through it.
 */
export class FakeProxy {
  readonly log: string[] = [];
  url = "";
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<void> {
    this.server = createHttpServer((req, res) => {
      this.log.push(`${req.method} ${req.url}`);
      const upstream = httpRequest(req.url ?? "", { method: req.method, headers: req.headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    this.server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
      this.log.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => this.sockets.delete(s));
      }
      upstream.on("error", () => client.destroy());
    });
    this.url = `http://127.0.0.1:${await listen(this.server)}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
