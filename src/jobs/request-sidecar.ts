import { existsSync } from 'node:fs';
import { generatorFor } from '../generators/registry.js';
import type { GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { sidecarAddress } from '../sidecars/address.js';
import { canMake } from '../sidecars/kinds.js';
import { SidecarManager, type PathAnswer } from '../sidecars/manager.js';
import { queueSidecarJob } from './queueing.js';
import { metadataOf } from './source-file.js';

/**
 * The one answer to "where is this sidecar?" (the core API's `sidecars.path`, `vss sidecars
 * path`, later the daemon's file route): the ready file, looked for on disk; else the same pending row and job the queueing phase
 * would make; else why it cannot be made on this device (no generator, no model, wrong kind).
 */
export function requestSidecar(lib: Library, settings: GeneratorSettings, contentUuid: string, kind: string, variant: string): PathAnswer {
  const a = sidecarAddress(contentUuid, kind, variant);
  const manager = new SidecarManager(lib);
  let current = manager.get(a);
  if (current?.status === 'ready' && current.path) {
    if (existsSync(current.path)) return { state: 'ready', path: current.path };
    manager.markMissing(a, 'file gone when asked for'); // pending again where it can be remade: queued below
    current = manager.get(a);
  }
  if (current?.status === 'failed') {
    return { state: 'unavailable', reason: `making it failed: ${current.error ?? 'unknown error'} (see vss jobs list --status failed; vss jobs retry ID tries again)` };
  }
  const never = manager.notApplicable(a);
  if (never !== undefined) return { state: 'unavailable', reason: never };
  const content = lib.store.contents.byUuid(contentUuid);
  if (current?.status === 'missing' && (current.source === 'reference' || current.source === 'converted' || !content || !canMake(a.kind, variant, content.kind))) {
    // Lost, and not something vss makes (a Live Photo's movie): say what became of it.
    return { state: 'unavailable', reason: `its file is gone${current.error ? `: ${current.error}` : ''}` };
  }
  const gen = generatorFor(a.kind);
  // The kinds table says what can never be made (manager.recordWanted answers that); the generator says
  // what this build and device can make now.
  if (content && current?.source !== 'reference' && canMake(a.kind, variant, content.kind)) {
    if (!gen) return { state: 'unavailable', reason: `this vss has no ${a.kind} generator` };
    if (!gen.accepts({ kind: content.kind, mime: content.mime, metadata: metadataOf(content.media_metadata) }, variant)) {
      return { state: 'unavailable', reason: `a ${a.kind}/${variant} sidecar cannot be made from ${content.kind} content (${content.mime})` };
    }
    const availability = gen.availability(settings);
    if (!availability.ok) return { state: 'unavailable', reason: availability.reason };
  }
  const answer = manager.recordWanted(contentUuid, kind, variant);
  if (answer.state === 'pending' || answer.state === 'generating') {
    const queued = queueSidecarJob(lib, contentUuid, a.kind);
    return { state: answer.state, enqueued: answer.enqueued || queued };
  }
  return answer;
}
