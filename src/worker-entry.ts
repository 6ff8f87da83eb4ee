/**
 * The file of a worker thread that sits next to the module at `moduleUrl`: `<name>.js` in
 * the build. Under vitest or tsx the module is a `.ts` file, and the worker then needs tsx
 * loaded too (inherited when the process was started through it).
 */
export function workerEntry(moduleUrl: string, name: string): { filename: URL; execArgv?: string[] } {
  if (moduleUrl.endsWith('.ts')) {
    const hasTsx = process.execArgv.some((arg) => arg.includes('tsx'));
    const execArgv = hasTsx ? process.execArgv : [...process.execArgv, '--import', 'tsx'];
    return { filename: new URL(`./${name}.ts`, moduleUrl), execArgv };
  }
  return { filename: new URL(`./${name}.js`, moduleUrl) };
}
