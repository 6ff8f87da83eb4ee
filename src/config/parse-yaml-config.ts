import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors.js';

/**
 * A YAML config file's contents. Parse errors give the line and column but never quote
 * the file: the line at fault may hold the database password. Loaded on demand (see
 * load-config.ts), and importing yaml statically here keeps its named exports whether
 * this runs bundled or not.
 */
export function parseYamlConfig(text: string, source: string, format = 'YAML'): unknown {
  try {
    // An empty file (or only comments) is an empty configuration.
    return parseYaml(text) ?? {};
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const where = error.linePos?.[0];
    // yaml appends the offending line to its message; keep only the description.
    const what = error.message.split(/ at line \d+/)[0]?.trim() ?? error.code;
    throw new ConfigError('config', source, `not valid ${format}${where ? ` at line ${where.line}, column ${where.col}` : ''}: ${what}`);
  }
}
