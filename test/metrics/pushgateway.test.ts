import { afterEach, describe, expect, it } from 'vitest';
import { pushgatewayGroupUrl, pushMetrics } from '../../src/metrics/pushgateway.js';
import { capturingLogger, closedPort, startFakePushgateway, warnings } from './fake-pushgateway.js';

const BODY = '# HELP a_gauge A gauge.\n# TYPE a_gauge gauge\na_gauge{command="update",shard="0/4"} 1\n';

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

describe('pushgatewayGroupUrl', () => {
  it('groups by job, command and shard; a shard with a slash goes base64-encoded', () => {
    expect(pushgatewayGroupUrl('http://pg:9091', { command: 'update', shard: 'all' })).toBe('http://pg:9091/metrics/job/stock_crawler/command/update/shard/all');
    expect(pushgatewayGroupUrl('http://pg:9091/prefix/', { command: 'update', shard: '0/4' })).toBe(
      'http://pg:9091/prefix/metrics/job/stock_crawler/command/update/shard@base64/MC80',
    );
    expect(Buffer.from('MC80', 'base64url').toString()).toBe('0/4');
  });
});

describe('pushMetrics', () => {
  it('PUTs the text format to the group, with its content type', async () => {
    const gateway = await startFakePushgateway();
    closers.push(gateway.close);
    const { logger, records } = capturingLogger();
    const ok = await pushMetrics({ url: gateway.url, grouping: { command: 'update', shard: '0/4' }, body: BODY, method: 'PUT', timeoutMs: 2_000, logger });
    expect(ok).toBe(true);
    expect(gateway.received).toHaveLength(1);
    const [request] = gateway.received;
    expect(request).toMatchObject({ method: 'PUT', path: '/metrics/job/stock_crawler/command/update/shard@base64/MC80', body: BODY });
    expect(request!.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(request!.headers.authorization).toBeUndefined();
    expect(warnings(records)).toEqual([]);
  });

  it('POSTs when asked, and turns URL credentials into basic auth that is never logged', async () => {
    const gateway = await startFakePushgateway((_req, res) => void res.writeHead(400).end('pushed metrics are invalid or inconsistent'));
    closers.push(gateway.close);
    const { logger, records } = capturingLogger();
    const url = gateway.url.replace('http://', 'http://crawler:s3cr%40t@');
    const ok = await pushMetrics({ url, grouping: { command: 'fetch', shard: 'all' }, body: BODY, method: 'POST', timeoutMs: 2_000, logger });
    expect(ok).toBe(false);
    expect(gateway.received[0]).toMatchObject({ method: 'POST', path: '/metrics/job/stock_crawler/command/fetch/shard/all' });
    expect(gateway.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('crawler:s3cr@t').toString('base64')}`);
    // A refusal is a warning with the status and the Pushgateway's explanation.
    expect(warnings(records)).toHaveLength(1);
    expect(warnings(records)[0]).toMatchObject({ status: 400, body: 'pushed metrics are invalid or inconsistent' });
    expect(JSON.stringify(records)).not.toContain('s3cr');
  });

  it('only warns when nothing listens on the port', async () => {
    const { logger, records } = capturingLogger();
    const url = `http://127.0.0.1:${await closedPort()}`;
    await expect(pushMetrics({ url, grouping: { command: 'update', shard: 'all' }, body: BODY, method: 'PUT', timeoutMs: 2_000, logger })).resolves.toBe(false);
    expect(warnings(records)).toHaveLength(1);
    expect(JSON.stringify(warnings(records)[0])).toContain('ECONNREFUSED');
  });

  it('gives up on a Pushgateway that does not answer within the timeout', async () => {
    // Never answers; the server's close ends the hanging connection.
    const gateway = await startFakePushgateway(() => undefined);
    closers.push(gateway.close);
    const { logger, records } = capturingLogger();
    const began = performance.now();
    const ok = await pushMetrics({ url: gateway.url, grouping: { command: 'update', shard: 'all' }, body: BODY, method: 'PUT', timeoutMs: 200, logger });
    expect(ok).toBe(false);
    expect(performance.now() - began).toBeLessThan(2_000);
    expect(warnings(records)).toHaveLength(1);
  });
});
