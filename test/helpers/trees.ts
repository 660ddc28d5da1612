import { mkdir, readdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { dataset } from "./shared.ts";

/**
 * Links real Speech Commands clips into a VoxCeleb-style tree `<dest>/wav/<speaker>/<session>/<clip>`: the
 * first `speakers` speakers (sorted) whose first two sessions hold at least `clipsPerSession` clips each,
 * with the first `clipsPerSession` clips of those two sessions.
 */
export async function linkSpeechCommandsTree(dest: string, speakers: number, clipsPerSession: number): Promise<void> {
  const root = dataset("speech-commands", "wav");
  let linked = 0;
  for (const speaker of (await readdir(root)).sort()) {
    const sessions = (await readdir(join(root, speaker))).sort().slice(0, 2);
    if (sessions.length < 2) continue;
    const clips = await Promise.all(sessions.map(async (s) => (await readdir(join(root, speaker, s))).sort().slice(0, clipsPerSession)));
    if (clips.some((c) => c.length < clipsPerSession)) continue;
    for (const [i, session] of sessions.entries()) {
      await mkdir(join(dest, "wav", speaker, session), { recursive: true });
      for (const clip of clips[i]) await symlink(join(root, speaker, session, clip), join(dest, "wav", speaker, session, clip));
    }
    if (++linked === speakers) return;
  }
}

/** Links the first chapter of each of the first `speakers` LibriSpeech cohort speakers (sorted) into `<dest>/<speaker>/<chapter>`. */
export async function linkLibrispeechCohort(dest: string, speakers: number): Promise<void> {
  const libri = dataset("librispeech-cohort", "wav");
  for (const speaker of (await readdir(libri)).sort().slice(0, speakers)) {
    const [chapter] = await readdir(join(libri, speaker));
    await mkdir(join(dest, speaker), { recursive: true });
    await symlink(join(libri, speaker, chapter), join(dest, speaker, chapter));
  }
}
