import { Command, Option } from 'commander';
import { COMMAND_NAMES, envNameFor, OPTIONS, offers, type CommandName, type OptionDeclaration, type OptionKey, type SettingKey } from '../config/options.js';

/** A command's line as parsed: which command, its positional argument, and every flag given, keyed by option. */
export interface Invocation {
  command: CommandName | 'print-config';
  args: string[];
  /** Flags as commander read them (strings, or true for a bare flag), by option key; absent: not given. */
  values: Partial<Record<OptionKey, unknown>>;
}

/** The commands: what each does and its positional argument. Their flags come from the option declarations. */
const COMMANDS: Readonly<Record<CommandName, { description: string; argument?: [string, string] }>> = {
  fetch: { description: 'fetch one symbol from the mirrors, validate it and store it', argument: ['<symbol>', 'e.g. 2330, 0050, 00631L'] },
  update: { description: 'the nightly batch: every active symbol (or a list), skipping what is fresh, fetching only new bars' },
  history: { description: 'print the stored bars of one symbol', argument: ['<symbol>', 'e.g. 2330'] },
  health: { description: 'check the database and every mirror; exit 0 healthy, 1 degraded, 3 unhealthy' },
  migrate: { description: 'create or update the database schema (a server database; the embedded one migrates itself)' },
  sync: { description: "read the symbol universe and the trading calendar from the exchange's pages into the database" },
  symbols: { description: 'list the symbol universe (active symbols unless --all)' },
  verify: { description: 'measure how complete the stored bars are and how well they agree with the mirrors (and another database); read-only unless --repair' },
};

export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/**
 * The commander program, built from the declarations: the global flags on the program,
 * each command's own on it. `found` receives the invocation once one is parsed.
 */
export function buildProgram(version: string, output: ProgramOutput, found: (invocation: Invocation) => void): Command {
  const program = new Command('stock-crawler')
    .description('Keeps a PostgreSQL table of daily OHLCV bars for Taiwan-listed stocks fresh.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.writeOut(text),
      writeErr: (text) => output.writeErr(text),
      // Printed by the shell instead, as one line like every other failure.
      outputError: () => undefined,
    });
  const globals = addOptions(program, (key) => (OPTIONS[key] as OptionDeclaration).scope === 'global');
  program.action((_options: unknown, command: Command) => {
    // No command: `--print-config` alone is allowed; anything else gets the usage.
    const values = valuesOf(command.opts(), globals);
    if (values.printConfig === true) found({ command: 'print-config', args: [], values });
    else command.help();
  });

  for (const name of COMMAND_NAMES) {
    const spec = COMMANDS[name];
    const command = program.command(name).description(spec.description);
    if (spec.argument !== undefined) command.argument(...spec.argument);
    const own = addOptions(command, (key) => offers(name, key) && (OPTIONS[key] as OptionDeclaration).scope !== 'global');
    const attributes = new Map([...globals, ...own]);
    command.action((...parsed: unknown[]) => {
      const self = parsed.at(-1) as Command;
      const args = parsed.slice(0, -2).filter((value): value is string => typeof value === 'string');
      found({ command: name, args, values: valuesOf(self.optsWithGlobals(), attributes) });
    });
  }
  return program;
}

/** An option's commander attribute, and whether its flag is a negation (`--no-sync`: given, it reads false). */
interface Attribute {
  key: OptionKey;
  negated: boolean;
}

/** Adds the flags of the options `wanted` picks; returns commander's attribute name → option. */
function addOptions(command: Command, wanted: (key: OptionKey) => boolean): Map<string, Attribute> {
  const attributes = new Map<string, Attribute>();
  for (const key of Object.keys(OPTIONS) as OptionKey[]) {
    const declaration = OPTIONS[key] as OptionDeclaration;
    if (declaration.flag === undefined || !wanted(key)) continue;
    const option = new Option(declaration.flag, helpOf(key, declaration));
    if (declaration.choices !== undefined) option.choices(declaration.choices);
    // No commander default: "not given" must stay visible, for the layers of a setting and
    // for the command that reads an argument (argumentOf applies the declared default).
    command.addOption(option);
    attributes.set(option.attributeName(), { key, negated: option.negate });
  }
  return attributes;
}

function helpOf(key: OptionKey, declaration: OptionDeclaration): string {
  const help = declaration.help.replace(/`/g, '');
  const shown = declaration.defaultText ?? (declaration.default === undefined || declaration.default === false ? undefined : String(declaration.default));
  const notes = [...(shown === undefined ? [] : [`default ${shown.replace(/`/g, '')}`]), ...(declaration.setting === true ? [`env ${envNameFor(key as SettingKey)}`] : [])];
  return notes.length === 0 ? help : `${help} (${notes.join('; ')})`;
}

function valuesOf(parsed: Record<string, unknown>, attributes: ReadonlyMap<string, Attribute>): Partial<Record<OptionKey, unknown>> {
  const values: Partial<Record<OptionKey, unknown>> = {};
  for (const [name, value] of Object.entries(parsed)) {
    const attribute = attributes.get(name);
    if (attribute === undefined || value === undefined) continue;
    // Commander gives a negated flag true unless it was typed; the option is set when it was.
    if (attribute.negated) {
      if (value === false) values[attribute.key] = true;
    } else {
      values[attribute.key] = value;
    }
  }
  return values;
}
