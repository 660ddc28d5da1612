import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `../shared` beside the clone (fixtures and datasets); CI always has it, a user's clone may not. */
export const sharedDir = resolve(repoRoot, "..", "shared");

export const hasShared = existsSync(join(sharedDir, "fixtures"));

/** Pass as a test option: `test("...", { skip: needShared }, ...)`. */
export const needShared: string | false = hasShared ? false : `../shared not found at ${sharedDir}; skipped`;

export const fixture = (...parts: string[]): string => join(sharedDir, "fixtures", ...parts);
export const dataset = (...parts: string[]): string => join(sharedDir, "datasets", ...parts);
