/**
 * What the bench's own environment says about the crawler it measures. The crawler's
 * environment is built explicitly (PATH, the scratch DATABASE_URL or none, the farm's
 * BROKER_URLS, and what a measurement sets itself), so nothing leaks into it; but a
 * variable set for the crawler in the shell that starts the bench would look as if it
 * applied. So the bench refuses to run while such a variable is set, unless told to pass
 * them on (`--pass-env`), and then the document lists them.
 */
export interface BenchEnvironment {
  /** Set variables that would change the crawler's defaults if passed: the bench refuses to run. */
  refused: string[];
  /** Variables passed to the crawler (only with `--pass-env`): name → value. */
  passed: Record<string, string>;
  /** Lines to say on stderr whatever happens. */
  notes: string[];
}

/** Variables that change what the crawler does or how its Node runs. */
function changesCrawler(name: string): boolean {
  return name.startsWith('STOCK_CRAWLER_') || name === 'NODE_OPTIONS' || name === 'JOB_COMPLETION_INDEX' || name === 'JOB_COMPLETIONS';
}

/**
 * Sorts the bench's environment: with `passEnv`, STOCK_CRAWLER_*, NODE_OPTIONS and the
 * Indexed Job variables are passed on; without it, they are refused. BROKER_URLS is
 * never passed (the crawler asks the farm) and DATABASE_URL is the bench's admin
 * connection (the crawler gets a scratch database of its own): both only noted.
 */
export function readBenchEnvironment(env: Readonly<Record<string, string | undefined>>, passEnv: boolean): BenchEnvironment {
  const set = Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  const crawlerVars = set.filter(([name]) => changesCrawler(name)).sort(([a], [b]) => a.localeCompare(b));
  const notes: string[] = [];
  if (env.BROKER_URLS) notes.push('bench: BROKER_URLS is ignored: the crawler is pointed at the bench farm');
  notes.push(
    env.DATABASE_URL
      ? 'bench: DATABASE_URL is the admin connection; every crawler run gets a scratch database of its own'
      : 'bench: DATABASE_URL is not set; the admin connection is postgres://postgres@127.0.0.1:5432/postgres',
  );
  if (passEnv) {
    if (crawlerVars.length > 0) notes.push(`bench: passing to the crawler (figures are NOT at its defaults): ${crawlerVars.map(([name]) => name).join(', ')}`);
    return { refused: [], passed: Object.fromEntries(crawlerVars), notes };
  }
  return { refused: crawlerVars.map(([name]) => name), passed: {}, notes };
}

/** The one line the bench prints before exiting 2 on a refused environment. */
export function refusalLine(refused: readonly string[]): string {
  return (
    `bench: refusing to run: ${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} set and would change the crawler's defaults; ` +
    'unset them, or pass --pass-env to measure with them (the document then lists them)'
  );
}
