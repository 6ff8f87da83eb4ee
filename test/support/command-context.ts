import { Writable } from 'node:stream';
import type { CommandContext } from '../../src/cli/command-context.js';
import type { OptionKey } from '../../src/config/options.js';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/logger.js';

/**
 * A command's context as the shell builds it, for calling a command in-process: the
 * flags by option key (as commander gives them: strings and `true`), silent logs, no
 * terminal output, and stdout through `write`.
 */
export function commandContext(input: {
  config: Config;
  args?: string[];
  values?: Partial<Record<OptionKey, unknown>>;
  write?: (chunk: string) => Promise<void>;
  signal?: AbortSignal;
}): CommandContext {
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
  return {
    args: input.args ?? [],
    values: input.values ?? {},
    config: input.config,
    logger: createLogger({ level: 'silent', pretty: false, write: () => undefined }),
    streams: { stdout: { write: () => true }, stderr },
    write: input.write ?? (async () => undefined),
    signal: input.signal ?? new AbortController().signal,
    terminal: { progress: () => ({ update: () => undefined, stop: () => undefined }), recap: () => undefined },
  };
}
