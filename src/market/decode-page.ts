/**
 * Decodes a page of the exchange to text. Its pages are Big5 (declared as `MS950`, a
 * label TextDecoder does not know); WHATWG's big5 decoder covers Microsoft's code page.
 * The charset comes from the Content-Type header, else from a `<meta>` in the page, else big5.
 * Undecodable bytes become U+FFFD: a damaged name must not cost the whole page.
 */
export function decodePage(bytes: Uint8Array, declaredCharset?: string | undefined): string {
  const label = normaliseCharset(declaredCharset ?? metaCharset(bytes) ?? 'big5');
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    // A label TextDecoder does not know: the exchange's own encoding is the best guess.
    return new TextDecoder('big5').decode(bytes);
  }
}

const BIG5_ALIASES = new Set(['big5', 'ms950', 'cp950', 'windows-950', 'x-windows-950', 'big5-hkscs', 'x-big5', 'csbig5', 'cn-big5']);

/** A charset label as TextDecoder knows it: the Big5 family → `big5`, others lower-cased. */
export function normaliseCharset(label: string): string {
  const lower = label.trim().toLowerCase();
  return BIG5_ALIASES.has(lower) ? 'big5' : lower;
}

/** The charset a `<meta>` near the top declares, when it does. */
function metaCharset(bytes: Uint8Array): string | undefined {
  // Charset labels are ASCII: reading the head as Latin-1 finds them whatever the encoding.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  return /<meta[^>]+charset\s*=\s*["']?([a-z0-9_-]+)/i.exec(head)?.[1];
}
