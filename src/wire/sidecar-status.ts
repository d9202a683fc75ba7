/** Where a sidecar of a content stands (DESIGN §3): asked for, being made, ready, failed, or its file gone. */
export type SidecarStatus = 'pending' | 'generating' | 'ready' | 'failed' | 'missing';
export const SIDECAR_STATUSES: readonly SidecarStatus[] = ['pending', 'generating', 'ready', 'failed', 'missing'];
