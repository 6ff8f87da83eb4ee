import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  /** Human-readable lines instead of JSON; the CLI turns this on when stderr is a TTY. */
  pretty: boolean;
  /** Where log lines go; stderr in production, never stdout (stdout carries the JSON result). */
  write: (line: string) => void;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** Creates the process logger: pino JSON lines, or a compact pretty form for people. */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.pretty ? prettyLine : (line: string) => line;
  const destination = { write: (line: string) => options.write(format(line)) };
  return pino(
    {
      level: options.level,
      base: undefined,
      // Secrets are never logged as they are, whatever object carries them.
      redact: { paths: ['databaseUrl', '*.databaseUrl', 'password', '*.password'], censor: '***' },
    },
    destination,
  );
}

/** `12:00:01 WARN  message key=value …` from one pino JSON line; a line that is not JSON passes as it is. */
export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  return prettyRecord(record);
}

/**
 * `12:00:01 WARN  message key=value …\n` from one parsed pino record (`time` in epoch ms,
 * shown as UTC). Always exactly one line: control characters in strings (a mirror's
 * detail text) become spaces, so nothing can move the cursor of the terminal it lands on.
 */
export function prettyRecord(record: Readonly<Record<string, unknown>>): string {
  const time = new Date(Number(record.time)).toISOString().slice(11, 19);
  const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? oneLine(value) : JSON.stringify(value)}`);
  return `${time} ${level} ${oneLine(String(record.msg ?? ''))}${fields.length ? ' ' + fields.join(' ') : ''}\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
