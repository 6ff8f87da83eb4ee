import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { launcherFlags } from './time-cli.js';

/** Wall times (ms) of `stock-crawler --help` and of a bare `node -e ""`, sample by sample. */
export interface StartupTimes {
  help: number[];
  bareNode: number[];
}

/**
 * `stock-crawler --help` and, as the floor beside it, Node running an empty script, each
 * spawned `times` times in alternation after two warm-ups (which fill the file cache).
 */
export async function measureStartup(bin: string, times: number): Promise<StartupTimes> {
  const help: number[] = [];
  const bareNode: number[] = [];
  const time = async (args: string[]): Promise<number> => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
    await once(child, 'close');
    return performance.now() - started;
  };
  for (let i = 0; i < times + 2; i += 1) {
    const helpMs = await time([...launcherFlags(bin), bin, '--help']);
    const bareMs = await time(['-e', '']);
    if (i < 2) continue;
    help.push(helpMs);
    bareNode.push(bareMs);
  }
  return { help, bareNode };
}
