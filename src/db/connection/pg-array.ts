/**
 * Renders values as a PostgreSQL array literal ('{"2330","2317"}', '{1.5,NULL}') to bind
 * as one parameter. Owning this keeps pg and PGlite identical: neither driver's own
 * array serialisation is relied on.
 */
export function toPgArrayLiteral(values: ReadonlyArray<string | number | null>): string {
  const items = values.map((value) => {
    if (value === null) return 'NULL';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`cannot bind a non-finite number (${value})`);
      return String(value);
    }
    return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}
