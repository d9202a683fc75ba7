import { UsageError } from '../core/errors.js';
import type { InputOf, PreviewOf } from './facade.js';
import type { DurableOp, OpHost } from './op.js';
import { OPERATIONS, type OpName } from './registry.js';
import type { Asked, AskOf, TransferPreviews } from './transfer/strategies.js';

/**
 * NAME's plan for INPUT, shown and not run (`--dry-run`, the API's preview): its `preview` makes
 * the plan by the same checks as a real call and returns it. Apart from `perform` on purpose: a
 * dry run queues no job and leaves no row in the action log, refused or not.
 */
export async function preview<N extends OpName>(host: OpHost, name: N, input: InputOf<N>): Promise<PreviewOf<N>> {
  // As in perform: the registry's lines are a union TypeScript cannot narrow by N.
  const op = (await OPERATIONS[name].load()) as unknown as DurableOp<InputOf<N>, unknown, PreviewOf<N>>;
  if (!op.preview) throw new UsageError(`${name} has no dry run`);
  return op.preview(host, input);
}

/** The transfer ASK's plan, shown and not run, typed by what was asked. */
export function previewTransfer<A extends Asked>(host: OpHost, ask: AskOf<A>): Promise<TransferPreviews[A]> {
  return preview(host, 'transfer', ask) as Promise<TransferPreviews[A]>;
}
