import { VssError } from '../core/errors.js';
import type { KindPolicy } from '../sidecars/kind-spec.js';
import { checkVariant, isSidecarKind, madeBy, SIDECAR_KIND_NAMES, SIDECAR_KINDS, variantsOf, type SidecarKind } from '../sidecars/kinds.js';
import { DEVICE_TYPES, type DeviceType } from './device-types.js';

export { DEVICE_TYPES, type DeviceType };

/** Which variants of which kinds to make; `*` for embeddings means every registered model. */
export type GenerationPolicy = Partial<Record<SidecarKind, readonly string[]>>;

/**
 * DESIGN §8 defaults, as specs (the same syntax users write), from each kind's spec
 * (`sidecars/kinds/`): desktop makes the grid and detail thumbnails, a thumbstrip of each video
 * (its scrubber preview), OCR, transcripts and embeddings where a model is installed, a quick
 * proxy, and motion-photo movies; mobile makes small thumbnails only (a phone's scrubber can use
 * the thumbstrip of a peer that made one).
 */
export const DEFAULT_POLICY_SPECS: Readonly<Record<DeviceType, string>> = {
  desktop: defaultPolicySpec('desktop'),
  mobile: defaultPolicySpec('mobile'),
};

/** A kind is named alone where that is all it could mean; a kind with a choice of variants spells them out. */
function defaultPolicySpec(device: DeviceType): string {
  const items: string[] = [];
  for (const kind of SIDECAR_KIND_NAMES) {
    const policy: KindPolicy | null = SIDECAR_KINDS[kind].policy;
    const wanted = policy?.[device] ?? [];
    if (wanted.length === 0) continue;
    const known = variantsOf(kind);
    const alone = (known === 'open' || known.length === 1) && wanted.join('+') === policy!.alone.join('+');
    items.push(alone ? kind : `${kind}=${wanted.join('+')}`);
  }
  return items.length ? items.join(',') : 'none';
}

/**
 * Parse a policy spec: `none`, or comma-separated `kind` / `kind=variant+variant` items, e.g.
 * `thumb=grid@2x,ocr,proxy=quick`. Unknown kinds and variants are refused with a clear error.
 */
export function parsePolicy(spec: string): GenerationPolicy {
  const text = spec.trim();
  if (text === '') throw new VssError('USAGE', 'an empty policy; say "none" to make nothing');
  if (text === 'none') return {};
  const policy: Partial<Record<SidecarKind, string[]>> = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const kindName = (eq < 0 ? item : item.slice(0, eq)).trim();
    const variantList = eq < 0 ? undefined : item.slice(eq + 1).trim();
    if (variantList === '') throw new VssError('USAGE', `no variants after "${kindName}=" in policy; name some or leave out the "="`);
    if (!isSidecarKind(kindName)) throw new VssError('USAGE', `unknown sidecar kind ${JSON.stringify(kindName)} in policy; kinds are ${SIDECAR_KIND_NAMES.join(', ')}`);
    const kind = kindName;
    const defaults: KindPolicy | null = SIDECAR_KINDS[kind].policy;
    if (!defaults) throw new VssError('USAGE', `${kind} is always the user's own file beside the original; it is tracked, never made`);
    const found = variantList?.split('+').map((v) => v.trim()).find((v) => madeBy(kind, v) === 'finder');
    if (found !== undefined) throw new VssError('USAGE', `${kind}/${found} is always the user's own file, found beside the original; it is tracked, never made`);
    const variants = variantList ? variantList.split('+').map((v) => v.trim()).filter(Boolean) : [...defaults.alone];
    for (const v of variants) if (v !== '*') checkVariant(kind, v);
    policy[kind] = [...new Set([...(policy[kind] ?? []), ...variants])];
  }
  return policy;
}

export function formatPolicy(p: GenerationPolicy): string {
  const items = Object.entries(p).map(([k, vs]) => `${k}=${(vs ?? []).join('+')}`);
  return items.length ? items.join(',') : 'none';
}

export function deviceType(fromDevice?: string): DeviceType {
  const t = process.env.VSS_DEVICE_TYPE ?? fromDevice ?? 'desktop';
  if (t !== 'desktop' && t !== 'mobile') throw new VssError('USAGE', `unknown device type ${JSON.stringify(t)}; use desktop or mobile`);
  return t;
}

/** The policy that applies: the location's own, else the library's for this device type, else the default. */
export function effectivePolicy(input: { location?: string | null; library: Partial<Record<string, string>>; deviceType: DeviceType }): GenerationPolicy {
  const spec = input.location ?? input.library[input.deviceType] ?? DEFAULT_POLICY_SPECS[input.deviceType];
  return parsePolicy(spec);
}
