/**
 * The text with the password of each URL in it (userinfo or a `password=` parameter)
 * replaced by `***`. The same rule as `redactDatabaseUrl` in src/db/connection/open-database.ts,
 * kept here so that printing the configuration does not load the database drivers; the
 * fallback also covers lists (`name=url,…`) and text that does not parse as one URL.
 */
export function redactUrlPassword(text: string): string {
  let masked = text;
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    masked = url.toString();
  } catch {
    // Not one URL: the patterns below do the work.
  }
  // Also for a URL that parsed: another one may hide in its query.
  return masked.replace(/(\/\/[^/@:]*:)[^@/]*@/g, '$1***@').replace(/(password=)[^&\s,]*/gi, '$1***');
}
