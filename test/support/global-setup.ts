/**
 * Runs once before the suites. The database-backed half of the suite needs a real
 * PostgreSQL server; without TEST_DATABASE_URL it is skipped, and this says so loudly
 * so that a green run without a server is never mistaken for a full one.
 */
export default function setup(): void {
  if (process.env.TEST_DATABASE_URL) return;
  const line = '!'.repeat(78);
  process.stderr.write(
    `\n${line}\n` +
      '!! TEST_DATABASE_URL is not set: every PostgreSQL-server test is SKIPPED.\n' +
      '!! Set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run the full suite.\n' +
      `${line}\n\n`,
  );
}
