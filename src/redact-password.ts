/*
 * The database password never appears in a log line, an error or a document. Everything
 * that prints a URL or passes on a driver's message goes through these two functions. They
 * live at the root, beside errors.ts, so that printing the configuration does not load the
 * database drivers.
 */

/**
 * The text with the password of each URL in it (userinfo or a `password=` parameter)
 * replaced by `***`. Also covers lists (`name=url,…`) and text that does not parse as one URL.
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

/**
 * A driver's message with `url`'s password replaced by `***` wherever it occurs. Defence in
 * depth: drivers may echo a connection string or its parts in their messages.
 */
export function withoutPassword(message: string, url: string | undefined): string {
  if (!url) return message;
  let password = '';
  try {
    const parsed = new URL(url);
    password = parsed.searchParams.get('password') ?? decodeURIComponent(parsed.password);
  } catch {
    return message.split(url).join(redactUrlPassword(url));
  }
  return password ? message.split(password).join('***') : message;
}
