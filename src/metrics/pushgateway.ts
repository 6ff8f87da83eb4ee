import { Agent, request } from '../undici-parts.js';
import type { Logger } from '../logger.js';

/** The `job` of every push. */
export const PUSHGATEWAY_JOB = 'stock_crawler';

/** The grouping key besides the job: one group per command and shard, so neither overwrites another. */
export interface PushGrouping {
  command: string;
  /** `I/N` or `all`. */
  shard: string;
}

/**
 * `{base}/metrics/job/stock_crawler/command/{command}/shard/{shard}`. A value holding a
 * `/` (a shard `0/4`) goes as `shard@base64/…`: the Pushgateway would take a plain or
 * percent-encoded slash for a path separator. The label keeps the `0/4` the logs and
 * crawl_runs use.
 */
export function pushgatewayGroupUrl(base: string, grouping: PushGrouping): string {
  const root = base.replace(/\/+$/, '');
  return `${root}/metrics/job/${PUSHGATEWAY_JOB}/${segment('command', grouping.command)}/${segment('shard', grouping.shard)}`;
}

function segment(name: string, value: string): string {
  if (/^[A-Za-z0-9_.~-]+$/.test(value)) return `${name}/${value}`;
  return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
}

export interface PushInput {
  /** The Pushgateway's base URL, e.g. http://pushgateway:9091. */
  url: string;
  grouping: PushGrouping;
  /** Text exposition format. */
  body: string;
  /** PUT replaces the whole group; POST replaces only the metric families in `body`. */
  method: 'PUT' | 'POST';
  /** The whole push, connect to response; a slow Pushgateway must not hold the run up. */
  timeoutMs: number;
  logger: Logger;
}

/**
 * Pushes one group. Never throws: a Pushgateway that is down, slow or refusing is a
 * warning in the log, never a failed run. Resolves whether the push was accepted (2xx).
 */
export async function pushMetrics(input: PushInput): Promise<boolean> {
  // Logged instead of the configured URL, which may hold a password.
  let target: string | undefined;
  // An agent of its own, closed after the one push: no socket outlives the run.
  const agent = new Agent();
  try {
    const { url, authorization } = splitCredentials(input.url);
    target = pushgatewayGroupUrl(url, input.grouping);
    const response = await request(agent, target, {
      method: input.method,
      body: input.body,
      headers: {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        ...(authorization === undefined ? {} : { authorization }),
      },
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    // The Pushgateway explains a 400 (inconsistent metrics) in the body.
    const answer = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return true;
    input.logger.warn({ url: target, status: response.statusCode, body: answer.slice(0, 300) }, 'the Pushgateway refused the metrics');
  } catch (error) {
    input.logger.warn({ url: target, err: error }, 'could not push metrics to the Pushgateway');
  } finally {
    await agent.destroy().catch(() => undefined);
  }
  return false;
}

/**
 * A Pushgateway behind basic auth is given as http://user:password@host: the credentials
 * become an Authorization header, and the URL that is requested and logged has none.
 */
function splitCredentials(raw: string): { url: string; authorization: string | undefined } {
  const url = new URL(raw);
  if (url.username === '' && url.password === '') return { url: raw, authorization: undefined };
  const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = '';
  url.password = '';
  return { url: url.toString(), authorization: `Basic ${Buffer.from(user, 'utf8').toString('base64')}` };
}
