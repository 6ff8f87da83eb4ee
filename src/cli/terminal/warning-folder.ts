/** A parsed pino record: `level` (number), `msg`, and any fields. */
export type LogRecord = Readonly<Record<string, unknown>>;

/** Messages folded by default: one line per failed request drowns everything else on a bad night. */
export const FOLDED_MESSAGES: readonly string[] = ['attempt failed'];

const WARN = 40;

export interface WarningFolderOptions {
  /** Length of a fold window, ms; the first record of a kind opens one. */
  intervalMs: number;
  /** Warning messages that fold (any other message, and every other level, never does); default {@link FOLDED_MESSAGES}. */
  messages?: readonly string[] | undefined;
}

/** What one mirror's folded records were: how many, and how many of each fault. */
export interface FoldedMirror {
  /** The records' `broker`; '' for records without one. */
  broker: string;
  count: number;
  /** [fault (the record's `fault`, else its `code`), count], most frequent first. */
  faults: Array<[string, number]>;
}

/** The records of one message that were counted instead of printed during one window. */
export interface FoldSummary {
  msg: string;
  /** Records folded: the ones not printed. */
  count: number;
  /** When the window opened and ended, on the clock passed in (ms). */
  startedAt: number;
  endedAt: number;
  /** Most folded first. */
  brokers: FoldedMirror[];
}

/**
 * Decides which warnings a person sees. The first record of a kind (message and mirror)
 * in a window is printed; the rest are only counted until the window ends, when they come
 * back as one {@link FoldSummary}. No I/O and no timer: time is passed in.
 */
export interface WarningFolder {
  /** True: print the record now. False: it was counted. */
  offer(record: LogRecord, nowMs: number): boolean;
  /** The windows that ended by `nowMs`, closed; those that folded nothing are left out. */
  due(nowMs: number): FoldSummary[];
  /** Closes every window at `nowMs` (at the end of a run): nothing counted stays unsaid. */
  drain(nowMs: number): FoldSummary[];
  /** When the earliest open window ends; undefined when none is open. */
  nextDueAt(): number | undefined;
}

interface Window {
  startedAt: number;
  endsAt: number;
  printed: Set<string>;
  folded: Map<string, Map<string, number>>;
  count: number;
}

/** A folder with no open window. */
export function createWarningFolder(options: WarningFolderOptions): WarningFolder {
  const messages = new Set(options.messages ?? FOLDED_MESSAGES);
  const windows = new Map<string, Window>();
  // Windows that ended while a record was offered, kept until due() hands them out.
  const closed: FoldSummary[] = [];
  const close = (msg: string, window: Window, endedAt: number): void => {
    windows.delete(msg);
    if (window.count > 0) closed.push(summarize(msg, window, endedAt));
  };
  const closeDue = (nowMs: number): void => {
    for (const [msg, window] of [...windows]) if (window.endsAt <= nowMs) close(msg, window, window.endsAt);
  };
  return {
    offer(record, nowMs) {
      const msg = typeof record.msg === 'string' ? record.msg : undefined;
      if (record.level !== WARN || msg === undefined || !messages.has(msg)) return true;
      closeDue(nowMs);
      let window = windows.get(msg);
      if (window === undefined) {
        window = { startedAt: nowMs, endsAt: nowMs + options.intervalMs, printed: new Set(), folded: new Map(), count: 0 };
        windows.set(msg, window);
      }
      const broker = typeof record.broker === 'string' ? record.broker : '';
      if (!window.printed.has(broker)) {
        window.printed.add(broker);
        return true;
      }
      const fault = faultOf(record);
      const faults = window.folded.get(broker) ?? new Map<string, number>();
      window.folded.set(broker, faults);
      faults.set(fault, (faults.get(fault) ?? 0) + 1);
      window.count += 1;
      return false;
    },
    due(nowMs) {
      closeDue(nowMs);
      return closed.splice(0);
    },
    drain(nowMs) {
      for (const [msg, window] of [...windows]) close(msg, window, Math.min(nowMs, window.endsAt));
      return closed.splice(0);
    },
    nextDueAt() {
      let next: number | undefined;
      for (const window of windows.values()) next = next === undefined ? window.endsAt : Math.min(next, window.endsAt);
      return next;
    },
  };
}

/** `attempt failed ×14 in 5 s: fubon 9 (reset 6, timeout 3), kgi 5 (http_5xx 5)`; seconds to 0.1 below 10. */
export function formatFoldSummary(summary: FoldSummary): string {
  const seconds = (summary.endedAt - summary.startedAt) / 1000;
  const head = `${summary.msg} ×${summary.count} in ${Number.isInteger(seconds) || seconds >= 10 ? Math.round(seconds) : seconds.toFixed(1)} s`;
  const parts = summary.brokers.map(({ broker, count, faults }) => {
    const byFault = faults.map(([fault, n]) => `${fault} ${n}`).join(', ');
    // Records without a mirror: only their faults.
    return broker === '' ? byFault : `${broker} ${count} (${byFault})`;
  });
  return `${head}: ${parts.join(', ')}`;
}

// `fault` is the mirror-fault kind; records without one fall back to their error code.
function faultOf(record: LogRecord): string {
  if (typeof record.fault === 'string') return record.fault;
  if (typeof record.code === 'string') return record.code;
  return 'other';
}

function summarize(msg: string, window: Window, endedAt: number): FoldSummary {
  const brokers = [...window.folded].map(([broker, faults]) => ({
    broker,
    count: [...faults.values()].reduce((sum, n) => sum + n, 0),
    faults: [...faults].sort(byCountThenName),
  }));
  brokers.sort((a, b) => b.count - a.count || a.broker.localeCompare(b.broker));
  return { msg, count: window.count, startedAt: window.startedAt, endedAt, brokers };
}

function byCountThenName(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || a[0].localeCompare(b[0]);
}
