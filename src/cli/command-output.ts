/** What a command hands back to the CLI shell: one document for stdout and an exit code. */
export interface CommandOutput {
  /** The JSON document printed on stdout (the contract with scripts and the Python backend). */
  document: unknown;
  exitCode: number;
  /** Printed instead of the JSON document when the user asked for a human format. */
  text?: string;
}
