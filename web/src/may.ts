import { browserMayOperate } from '../../src/api/remote/browser-operations.js';
import type { OperationName } from '../../src/api/remote/operations.js';
import { useMe, type Me } from './me-context.js';
import { VIEW_READS, type View } from './routes.js';

/** What a browser on the home network without rights of its own may do (the daemon's VIEW_ONLY). */
const VIEW_ONLY = { view: true, upload: false, organise: false, files: false } as const;

/**
 * Whether the session ME may call operation OP: this machine's user every one; a paired browser
 * those its rights open, read from the daemon's own table (src/api/remote/browser-operations.ts).
 * A control is shown only where this holds for what it calls, so nothing asks for what the
 * daemon would refuse (a refusal would be an error banner, for a button that should not be there).
 */
export function mayCall(me: Me, op: OperationName): boolean {
  if (me.browser === null && !me.view_only) return true;
  return browserMayOperate(me.browser?.may ?? VIEW_ONLY, op);
}

/** `may(op)` for this session. */
export function useMay(): (op: OperationName) => boolean {
  const me = useMe();
  return (op) => mayCall(me, op);
}

/** Whether the session ME may open VIEW (it may call what the view reads first). */
export function mayRead(me: Me, view: View): boolean {
  const op = VIEW_READS[view];
  return op === null || mayCall(me, op);
}
