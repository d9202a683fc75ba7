import { UsageError } from '../core/errors.js';
import { DEFAULT_POLICY_SPECS, DEVICE_TYPES, deviceType, formatPolicy, parsePolicy, type DeviceType } from '../jobs/policy.js';
import { updateLibrarySettings } from '../library/config.js';
import type { Library } from '../library/library.js';

export interface PolicyInfo {
  device_type: DeviceType;
  policy: string;
  /** Whether this is the built-in default (DESIGN §8) rather than the library's own. */
  default: boolean;
}

/** Which sidecars deep mode makes, per device type (`vss library policy`). */
export class PolicyApi {
  constructor(private readonly lib: Library) {}

  /** The policy for TYPE (default: this device's type). */
  get(type?: string): PolicyInfo {
    const t = checkDeviceType(type);
    const own = this.lib.config.settings.generation[t];
    return { device_type: t, policy: own ?? DEFAULT_POLICY_SPECS[t], default: own === undefined };
  }

  /** Set the policy for TYPE from a spec like "thumb=grid@1x+grid@2x,ocr,proxy=quick"; "default" resets it. */
  set(spec: string, type?: string): PolicyInfo {
    const t = checkDeviceType(type);
    const wanted = spec === 'default' ? undefined : formatPolicy(parsePolicy(spec));
    const settings = updateLibrarySettings(this.lib.layout.configFile, (s) => {
      if (wanted === undefined) delete s.generation[t];
      else s.generation[t] = wanted;
    });
    this.lib.config.settings.generation = settings.generation;
    return this.get(t);
  }
}

function checkDeviceType(type: string | undefined): DeviceType {
  const t = type ?? deviceType();
  if (!(DEVICE_TYPES as readonly string[]).includes(t)) throw new UsageError(`device type must be one of ${DEVICE_TYPES.join(', ')}, got ${JSON.stringify(t)}`);
  return t as DeviceType;
}
