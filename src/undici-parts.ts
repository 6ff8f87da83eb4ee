/**
 * The parts of undici the crawler uses, loaded one by one instead of through its index.
 * The index loads every part (fetch, WebSocket, caches, the mock agents) and reads the
 * global fetch classes, which makes Node load its own bundled copy of undici as well and
 * compile its WebAssembly HTTP parser: tens of MB of resident memory at start for code a
 * crawler run never calls.
 */
import type { buildConnector as BuildConnector, Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import requestOnDispatcher from 'undici/lib/api/api-request.js';
import createRedirectInterceptor from 'undici/lib/interceptor/redirect.js';
import buildConnectorFunction from 'undici/lib/core/connect.js';

export const Agent = AgentClass;
export type Agent = InstanceType<typeof AgentClass>;
export type { Dispatcher };

/** undici's own TCP/TLS connector (what a Client builds from its `connect` options). */
export const buildConnector = buildConnectorFunction;
export type Connector = BuildConnector.connector;
export type ConnectOptions = BuildConnector.Options;
export type ConnectCallback = BuildConnector.Callback;

/** Follows up to `maxRedirections` redirects (undici's `interceptors.redirect`). */
export const redirectInterceptor = createRedirectInterceptor;

/** undici's `request(url, options)` on a given dispatcher (its `dispatcher` option). */
export function request(dispatcher: Dispatcher, url: string, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>): Promise<Dispatcher.ResponseData> {
  const target = new URL(url);
  return requestOnDispatcher.call(dispatcher, { ...options, origin: target.origin, path: `${target.pathname}${target.search}` });
}
