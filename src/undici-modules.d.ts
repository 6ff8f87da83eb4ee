// Types for the undici modules that src/undici-parts.ts loads one by one; the shapes are
// undici's own (from its published types), only the module paths are new.

declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export = AgentClass;
}

declare module 'undici/lib/interceptor/redirect.js' {
  import type { Dispatcher } from 'undici';
  function createRedirectInterceptor(options?: { maxRedirections?: number }): Dispatcher.DispatcherComposeInterceptor;
  export = createRedirectInterceptor;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export = request;
}

declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const build: typeof buildConnector;
  export = build;
}
