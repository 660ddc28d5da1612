// zod takes about 0.1 s to load: the files that check JSON or YAML with it (calib.json here, experiment configs and
// run folders in experiments/) load it on first use, so that `voxlab metrics` and other verbs start without it.
import { createRequire } from "node:module";
import type * as Zod from "zod";

let loaded: typeof Zod | undefined;

/** zod's `z`, loaded on the first call. */
export function zod(): typeof Zod.z {
  loaded ??= createRequire(import.meta.url)("zod") as typeof Zod;
  return loaded.z;
}
