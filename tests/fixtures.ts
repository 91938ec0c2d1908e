/**
 * Shared test helpers: deterministic randomness, temporary directories, and
 * starting iam-pgpass exactly as a user does (`deno task start` permissions).
 */
import denoConfig from "../deno.json" with { type: "json" };

/** A deterministic pseudo-random generator (mulberry32) in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The repository root. */
export const ROOT = new URL("..", import.meta.url).pathname;

/** The permission flags of `deno task start`, the way users run the tool. */
export function userPermissionFlags(): string[] {
  const task = denoConfig.tasks.start;
  return task.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}
