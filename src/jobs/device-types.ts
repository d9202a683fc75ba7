/** What kind of device this is: its jobs' default policy follows (jobs/policy.ts). */
export type DeviceType = 'desktop' | 'mobile';
export const DEVICE_TYPES: readonly DeviceType[] = ['desktop', 'mobile'];
