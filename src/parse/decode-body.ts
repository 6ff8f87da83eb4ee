import { TextDecoder } from 'node:util';

/**
 * Labels servers send that TextDecoder does not know, mapped to one it does.
 * Windows code page 950 is Microsoft's big5; Windows servers may declare it by these names.
 */
const CHARSET_ALIASES: Readonly<Record<string, string>> = {
  cp950: 'big5',
  ms950: 'big5',
  'windows-950': 'big5',
  'x-windows-950': 'big5',
};

function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

function strictDecoder(label: string): TextDecoder | undefined {
  const key = label.trim().toLowerCase();
  try {
    return new TextDecoder(CHARSET_ALIASES[key] ?? key, { fatal: true });
  } catch {
    // An unknown label (RangeError): fall through to the next candidate.
    return undefined;
  }
}

/**
 * Decodes bytes with the first of the declared charset (when TextDecoder knows
 * it), UTF-8 and big5 that reads them without error; undefined when none does.
 *
 * UTF-8 goes before big5 on purpose: UTF-8 text often happens to be valid big5
 * (and would come out as mojibake), while big5 text with any Chinese in it is
 * practically never valid UTF-8. Pure ASCII decodes the same either way.
 * A UTF-8 BOM outweighs the declared charset.
 */
export function decodeStrict(bytes: Uint8Array, declaredCharset?: string): string | undefined {
  const candidates = declaredCharset === undefined || hasUtf8Bom(bytes) ? ['utf-8', 'big5'] : [declaredCharset, 'utf-8', 'big5'];
  for (const label of candidates) {
    const decoder = strictDecoder(label);
    if (decoder === undefined) continue;
    try {
      return decoder.decode(bytes);
    } catch {
      // Not valid in this charset (TypeError from fatal mode): try the next one.
    }
  }
  return undefined;
}

/**
 * Decodes a response body to text for messages and excerpts (the parser's happy
 * path never decodes): {@link decodeStrict}, and as the last resort lenient UTF-8
 * with U+FFFD replacements. A UTF-8 BOM is dropped.
 */
export function decodeBody(bytes: Uint8Array, declaredCharset?: string): string {
  return decodeStrict(bytes, declaredCharset) ?? new TextDecoder('utf-8').decode(bytes);
}
