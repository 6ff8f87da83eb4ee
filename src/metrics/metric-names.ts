/**
 * Metric names. Every value describes one run — the last one — because each run replaces
 * the textfile or its Pushgateway group: a counter restarting at every run, and flat in
 * between, would mislead rate() and increase(). So they are gauges (and one histogram, of
 * this run's requests), as Prometheus advises for batch jobs. Kept apart from the registry
 * so that reading a metrics file does not load prom-client.
 */
export const METRIC = {
  requests: 'stock_crawler_run_requests',
  requestDuration: 'stock_crawler_run_request_duration_seconds',
  circuitOpens: 'stock_crawler_run_circuit_opens',
  symbols: 'stock_crawler_run_symbols',
  rows: 'stock_crawler_run_rows',
  runDuration: 'stock_crawler_run_duration_seconds',
  runFinished: 'stock_crawler_run_finished_timestamp_seconds',
  runSucceeded: 'stock_crawler_run_succeeded',
  lastSuccess: 'stock_crawler_last_success_timestamp_seconds',
} as const;
