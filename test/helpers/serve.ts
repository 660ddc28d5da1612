// Starts `voxlab serve` as a real child process on a loopback port and talks to it over HTTP.
import { spawn, type ChildProcess } from "node:child_process";
import { repoRoot } from "./shared.ts";

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** stdout + stderr so far. */
  output: () => string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const cliArgs = (args: string[]): string[] => ["--import", "tsx", "src/cli/main.ts", ...args];

/** Spawns `voxlab serve <args> --port 0` and waits for its "listening on <url>" line (rejects if it exits first). */
export function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, cliArgs(["serve", "--port", "0", ...args]), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, child, output: () => output, exited });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(({ code, signal }) => reject(new Error(`voxlab serve exited (${code ?? signal}) before listening: ${output}`)));
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** A request to the server; `body` objects are sent as JSON, strings/bytes/FormData as they are. */
export async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  let payload: BodyInit | undefined;
  const h = { ...headers };
  if (body instanceof FormData || body instanceof Uint8Array || typeof body === "string") payload = body as BodyInit;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const response = await fetch(url, { method, body: payload, headers: h });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
