import { AsyncLocalStorage } from 'node:async_hooks';
import type { SpawnOptions } from 'node:child_process';
import { runCli, VSS_BIN, type CliResult } from '../helpers.js';

/**
 * The CLI run in this test's own process (issue 43, part 4): the same argv, stdout, stderr and
 * exit code as `runCli` (a child process), without a Node start and a module load each call —
 * for tests where the process boundary is not what they are about. Calls run one at a time (the
 * environment, the output streams and the exit code are the process's); a call made while
 * another runs waits for it. Not for what must run beside another call (`jobs run` without
 * `--until-idle`, `daemon run`, `pair start`): those stay in a child process (runCli), as does a
 * call given OPTS for its process (a working directory).
 */
export function cliHere(args: string[], env: Record<string, string | undefined>, opts?: SpawnOptions): Promise<CliResult> {
  if (opts !== undefined) return runCli(args, env, opts);
  // A child's argv is strings whatever a test passed (an id as a number): so is this one.
  const mine = queue.then(() => runHere(args.map(String), env));
  queue = mine.then(() => undefined, () => undefined);
  return mine;
}

let queue: Promise<void> = Promise.resolve();

type Write = typeof process.stdout.write;

/** Where a call's output goes: only what the call writes, in its own async context (the test runner reports through this process's stdout meanwhile). */
const output = new AsyncLocalStorage<{ stdout: string; stderr: string }>();
let routed = false;

/** process.stdout and stderr routed once: a write made within a call is its output, any other goes through. */
function routeOutput(): void {
  if (routed) return;
  routed = true;
  for (const [stream, key] of [[process.stdout, 'stdout'], [process.stderr, 'stderr']] as const) {
    const original = stream.write.bind(stream) as Write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const call = output.getStore();
      if (!call) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      call[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r) => typeof r === 'function') as ((err?: Error) => void) | undefined;
      if (done) queueMicrotask(() => done());
      return true;
    }) as Write;
  }
}

async function runHere(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const { runCommandLine, EXIT_OK } = await import('../../src/cli/run.js');
  const savedEnv = { ...process.env };
  const savedArgv = process.argv;
  const savedExitCode = process.exitCode;
  const out = { stdout: '', stderr: '' };
  routeOutput();
  // As runCli gives it: this process's environment, the log level and library left to the call's own.
  for (const [k, v] of Object.entries({ VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.argv = [process.execPath, VSS_BIN, ...args];
  process.exitCode = undefined;
  try {
    const code = await output.run(out, () => runCommandLine(args));
    const exit = process.exitCode;
    return { code: code === EXIT_OK ? (typeof exit === 'number' ? exit : EXIT_OK) : code, stdout: out.stdout, stderr: out.stderr };
  } finally {
    process.exitCode = savedExitCode;
    process.argv = savedArgv;
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
}
