/**
 * A strict little reader of the Prometheus text exposition format 0.0.4, for the tests:
 * every line must be blank, `# HELP name text`, `# TYPE name type` or a sample
 * `name{label="value",…} value`, and every sample must belong to a family TYPE'd before it.
 * Throws on the first line that breaks the grammar, naming it.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const NUMBER = '(?:[+-]?Inf|NaN|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(\\{(?:${LABEL}=${LABEL_VALUE}(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${NUMBER})(?: -?\\d+)?$`);
const LABEL_PAIR = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      const match = HELP_LINE.exec(line) ?? fail('bad HELP');
      if (help.has(match[1]!)) fail('second HELP');
      help.set(match[1]!, match[2]!);
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const match = TYPE_LINE.exec(line) ?? fail('bad TYPE');
      if (types.has(match[1]!)) fail('second TYPE');
      types.set(match[1]!, match[2]!);
      return;
    }
    if (line.startsWith('#')) return;
    const match = SAMPLE_LINE.exec(line) ?? fail('not a sample');
    const name = match[1]!;
    if (familyOf(name, types) === undefined) fail('sample of no TYPEd family');
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      if (pair[1]! in labels) fail('repeated label');
      labels[pair[1]!] = JSON.parse(pair[2]!) as string;
    }
    samples.push({ name, labels, value: Number(match[3]!.replace(/^\+?Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity')) });
  });
  return { types, help, samples };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return types.get(base) === 'histogram' || types.get(base) === 'summary' ? base : undefined;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when not exactly one. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = find(exposition, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

/** Samples of `name` whose labels include `labels`. */
export function find(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}
