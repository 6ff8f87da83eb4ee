import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { FarmConfig, FarmStats } from './bench-farm.js';

/** A running mirror farm (bench-farm.ts in a child process). */
export interface Farm {
  /** BROKER_URLS for the crawler: `m0=http://127.0.0.1:port/,…`. */
  brokers: string;
  stats(): Promise<FarmStats>;
  /** Zeroes the counters and the request window. */
  reset(): Promise<void>;
  /** Ends the farm and waits for its process to exit. */
  stop(): Promise<void>;
}

/** Starts a farm and resolves once every body is built and every server listens. */
export async function startFarm(root: string, config: Omit<FarmConfig, 'type'>): Promise<Farm> {
  const child = fork(join(root, 'test/bench/bench-farm.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  child.send({ type: 'start', ...config } satisfies FarmConfig);
  const [ready] = (await once(child, 'message')) as [{ brokers: string }];
  const call = async <T>(type: 'stats' | 'reset'): Promise<T> => {
    child.send({ type });
    const [message] = (await once(child, 'message')) as [T];
    return message;
  };
  return {
    brokers: ready.brokers,
    stats: () => call<FarmStats>('stats'),
    reset: async () => {
      await call('reset');
    },
    stop: async () => {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}
