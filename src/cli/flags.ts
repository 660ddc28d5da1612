import { VoxlabError } from "../errors.ts";

/** A positive number (or integer) from a flag's text, or a one-line error naming the flag. */
export function parsePositive(value: string, flag: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new VoxlabError(`${flag} must be a positive ${integer ? "integer" : "number"}, got "${value}"`);
  }
  return n;
}

/** The optional flag's value parsed with `parsePositive`, or undefined when absent. */
export function optionalPositive(value: string | undefined, flag: string, integer: boolean): number | undefined {
  return value === undefined ? undefined : parsePositive(value, flag, integer);
}
