/** What a command hands back to the CLI shell: one document for stdout and an exit code. */
export interface CommandOutput {
  /** The JSON document printed on stdout (the contract with scripts and the Python backend). */
  document: unknown;
  exitCode: number;
  /** Printed instead of the JSON document when the user asked for a human format. */
  text?: string;
  /** The command wrote its output itself (a stream too large to hold); print nothing more. */
  written?: boolean;
}

/** Writes to stdout, waiting when the pipe is full: a streamed CSV never piles up in memory. */
export type OutputWriter = (chunk: string) => Promise<void>;
