// Speaker ids in request paths: checked to be safe in a URL path and a log line, and known where a route needs it.
import type { SpeakerProfiles } from "../enrollment/profiles.ts";
import { HttpError } from "./http-error.ts";

const SPEAKER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** `id` when it is a valid speaker id; 400 otherwise. */
export function speakerId(id: string): string {
  if (!SPEAKER_ID.test(id)) throw new HttpError(400, `bad speaker id "${id.slice(0, 64)}": use 1-128 letters, digits and . _ : @ - (starting with a letter or digit)`);
  return id;
}

/** `id` when it is a valid id of an enrolled speaker; 400 or 404 otherwise. */
export function knownSpeaker(profiles: SpeakerProfiles, id: string): string {
  const speaker = speakerId(id);
  if (!profiles.has(speaker)) throw new HttpError(404, `no enrolled speaker "${speaker}"`);
  return speaker;
}
