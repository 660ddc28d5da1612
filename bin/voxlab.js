#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install`'s prepare step) so that start-up pays for no
// TypeScript compilation. A checkout whose dist/ is missing or older than src/ is told how to rebuild it.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
const src = fileURLToPath(new URL("../src", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("voxlab: the compiled CLI is missing (dist/cli/main.js); run `npm run build` in the VoxLab folder\n");
  process.exit(1);
}
// A few ms for ~150 stats: cheaper than finding out later that an edit did not take effect.
const built = statSync(main).mtimeMs;
const newer = readdirSync(src, { recursive: true }).find((f) => String(f).endsWith(".ts") && statSync(`${src}/${f}`).mtimeMs > built);
if (newer !== undefined) process.stderr.write(`voxlab: warning: src/${newer} is newer than dist/; run \`npm run build\` to use it\n`);
await import(main.href);
