import { createScreen, type Screen } from './screen.js';

/** Counts so far: `done` is every finished symbol (stored, failed, skipped …). */
export interface ProgressCounts {
  done: number;
  failed: number;
  skipped: number;
}

export interface ProgressReporter {
  /** Latest counts; cheap, call it after every symbol. */
  update(counts: ProgressCounts): void;
  /**
   * Draws the final bar (or stops the log timer). Idempotent; call it in a `finally`:
   * the bar's redraw timer keeps the process alive until then.
   */
  stop(): void;
}

export interface ProgressOptions {
  /** Symbols in the run. */
  total: number;
  /** Whether `stream` is a terminal (process.stderr.isTTY). */
  tty: boolean;
  /** `--quiet`: never a bar. */
  quiet: boolean;
  /** Where the bar goes: stderr, never stdout (stdout carries the JSON summary). */
  stream: NodeJS.WritableStream;
  /** The subset of pino used for progress lines. */
  logger: { info(obj: object, msg: string): void };
  /** Clock for rate and ETA, in ms. */
  now: () => number;
  /** Between progress log lines, ms (the progressIntervalMs setting). */
  intervalMs: number;
  /**
   * Where the bar is drawn; default a screen of its own on `stream`. Pass the screen that
   * carries the log lines too, or they land inside the bar's line.
   */
  screen?: Screen | undefined;
}

/** What both forms show: symbols/s and ETA. */
export interface ProgressRates {
  /** Attempted symbols (done − skipped) per second since the start. */
  rate: number;
  /** Seconds until every remaining symbol is done at that rate; null before any is attempted. */
  eta_s: number | null;
}

/**
 * The rate counts attempted symbols only: a skipped one costs nothing, and counting it
 * would make the ETA of a run that starts with a burst of skips absurdly optimistic.
 * If the rest turn out to be skips too, the run just ends early.
 */
export function progressRates(counts: ProgressCounts, total: number, elapsedMs: number): ProgressRates {
  const attempted = counts.done - counts.skipped;
  if (attempted <= 0 || elapsedMs <= 0) return { rate: 0, eta_s: counts.done >= total ? 0 : null };
  const rate = attempted / (elapsedMs / 1000);
  const remaining = Math.max(0, total - counts.done);
  return { rate: Math.round(rate * 100) / 100, eta_s: Math.ceil(remaining / rate) };
}

/**
 * On a terminal (and not quiet): a cli-progress bar on `stream` — done/total, symbols/s,
 * ETA, failed, skipped. Otherwise a `progress` log line every `intervalMs`, even when
 * nothing changed, so a stuck run is visible in the logs.
 */
export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const startedAt = options.now();
  const state: State = { counts: { done: 0, failed: 0, skipped: 0 } };
  const rates = () => progressRates(state.counts, options.total, options.now() - startedAt);
  return options.tty && !options.quiet ? barReporter(options, state, rates) : logReporter(options, state, rates);
}

interface State {
  counts: ProgressCounts;
}

function barReporter(options: ProgressOptions, state: State, rates: () => ProgressRates): ProgressReporter {
  const payload = () => {
    const { rate, eta_s } = rates();
    return { rate: rate.toFixed(1), etaText: formatEta(eta_s), failed: state.counts.failed, skipped: state.counts.skipped };
  };
  const bar = (options.screen ?? createScreen(options.stream)).showBar({
    format: 'update [{bar}] {value}/{total} | {rate} symbols/s | ETA {etaText} | failed {failed} | skipped {skipped}',
    total: options.total,
    payload: payload(),
  });
  let stopped = false;
  return {
    update(counts) {
      if (stopped) return;
      state.counts = counts;
      bar.update(counts.done, payload());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // The last payload, so the line left on screen shows the final counts.
      bar.update(state.counts.done, payload());
      bar.stop();
    },
  };
}

function logReporter(options: ProgressOptions, state: State, rates: () => ProgressRates): ProgressReporter {
  const timer = setInterval(() => {
    const { done, failed, skipped } = state.counts;
    options.logger.info({ done, total: options.total, failed, skipped, ...rates() }, 'progress');
  }, options.intervalMs);
  // Never the reason the process stays alive.
  timer.unref();
  return {
    update(counts) {
      state.counts = counts;
    },
    stop: () => clearInterval(timer),
  };
}

/** `42s`, `3m05s`, `1h02m`; `--` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '--';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
