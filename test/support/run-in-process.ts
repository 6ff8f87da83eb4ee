import { Readable, Writable } from 'node:stream';
import { run } from '../../src/cli/main.js';
import type { CliRun } from './run-cli.js';

/**
 * Runs the CLI's run() — what bin/stock-crawler calls — in this process, with the given
 * environment only and `input` as stdin. For large tables of invocations, where a child
 * process each would cost seconds; the built binary is exercised by runCli.
 */
export async function runInProcess(argv: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: {
      write: (chunk: string, callback?: (error?: Error | null) => void) => {
        stdout += chunk;
        callback?.();
        return true;
      },
    },
    stderr: new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        stderr += chunk.toString();
        callback();
      },
    }),
    env: options.env ?? {},
    stdin: Readable.from(options.input === undefined ? [] : [options.input]),
  });
  return { code, signal: null, stdout, stderr };
}
