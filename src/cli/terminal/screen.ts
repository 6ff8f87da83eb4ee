import cliProgress, { type MultiBar as MultiBarType, type Options, type Params } from 'cli-progress';

// The whole module, not named imports: Node's CommonJS export detection stops at
// cli-progress's nested `Format` object, so `import { Format }` fails outside a bundler.
const { Format, MultiBar } = cliProgress;

/** The part of a terminal stream the screen uses; `columns` is read at every redraw. */
export interface ScreenStream {
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  columns?: number | undefined;
}

/** What a bar shows: a cli-progress format (`{bar}`, `{value}`, `{total}`, payload keys). */
export interface BarSpec {
  format: string;
  total: number;
  payload: Record<string, unknown>;
  /** Characters of the `{bar}` part; default 30. */
  barSize?: number | undefined;
}

/** A bar at the bottom of the screen. */
export interface ScreenBar {
  /** New value and payload; drawn at the next redraw (at most `1000 / fps` ms later). */
  update(value: number, payload: Record<string, unknown>): void;
  /** Draws the final state, ends the line and frees the bottom line. Idempotent. */
  stop(): void;
}

/** The one writer of a terminal: whole lines above, at most one progress bar below. */
export interface Screen {
  /**
   * Writes whole lines (the text ends in "\n"). While a bar is shown they go above it: the
   * bar's line is cleared, the text written, the bar redrawn under it, all at once.
   */
  print(text: string): void;
  /** Shows a bar on the bottom line; one at a time (a second one while it shows is a bug). */
  showBar(spec: BarSpec): ScreenBar;
}

/** Redraws per second of a shown bar. */
const FPS = 5;

/**
 * A screen on a terminal stream (stderr). Every byte for that stream must go through it
 * while a bar is shown; anything written past it lands inside the bar's line.
 */
export function createScreen(stream: ScreenStream): Screen {
  // cli-progress draws only on a stream that says it is a TTY; whether this one is a
  // terminal is the caller's decision, already made.
  const target = {
    isTTY: true,
    get columns() {
      return stream.columns;
    },
    write: (chunk: string, callback?: (error?: Error | null) => void) => stream.write(chunk, callback),
  };
  let shown: MultiBarType | undefined;
  return {
    print(text) {
      if (shown === undefined) {
        stream.write(text);
        return;
      }
      // log() only queues the text; the redraw right after writes it above the bar now,
      // not at the next tick: a process that dies meanwhile keeps its last lines.
      shown.log(text);
      shown.update();
    },
    showBar(spec) {
      if (shown !== undefined) throw new Error('a progress bar is already shown');
      const multi = new MultiBar({
        stream: target as unknown as NodeJS.WritableStream,
        format: fitted(spec.format),
        barsize: spec.barSize ?? 30,
        fps: FPS,
        // No gracefulExit: it would install SIGINT/SIGTERM handlers of its own; the command
        // owns signals and calls stop(). No hidden cursor either, so a kill -9 leaves none.
        hideCursor: false,
        // Wrapping stays on (cli-progress would turn it off for the whole terminal), so a
        // long log line wraps instead of being cut at the margin; the bar is cut to fit.
        linewrap: true,
        // After a log line the bar's line was cleared: it must be drawn again even when
        // its text did not change.
        forceRedraw: true,
      });
      const bar = multi.create(spec.total, 0, spec.payload);
      shown = multi;
      // Drawn at once, not one tick later.
      multi.update();
      let stopped = false;
      return {
        update(value, payload) {
          if (!stopped) bar.update(value, payload);
        },
        stop() {
          if (stopped) return;
          stopped = true;
          multi.stop();
          shown = undefined;
        },
      };
    },
  };
}

/**
 * cli-progress's formatter, cut one column short of the width: a line that fills the last
 * column leaves the cursor in the terminal's pending-wrap state, where clearing and
 * redrawing behave differently from one terminal to the next.
 */
function fitted(format: string): (options: Options, params: Params, payload: unknown) => string {
  return (options, params, payload) => Format.Formatter({ ...options, format }, params, payload).slice(0, Math.max(1, params.maxWidth - 1));
}
