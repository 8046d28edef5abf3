// Command-line options of the benchmarks: a flag at a time, each with what it sets, and the
// usage, which is the header comment of the script.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The usage of the script at file URL `script`: its header comment, without the `#!` line. */
export function usageOf(script) {
  const src = readFileSync(fileURLToPath(script), 'utf8').split('\n');
  const end = src.findIndex((l, i) => i > 0 && !l.startsWith('//'));
  return src.slice(1, end).map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
}

/**
 * `argv` read into a copy of `defaults`: `flags` maps each flag to what it does with the
 * options and `val()`, which takes the flag's value (the next argument), e.g.
 * `{ '--runs': (o, val) => (o.runs = Number(val())), '--no-doc': (o) => (o.doc = false) }`.
 * `--help` and `-h` print the usage of `script` and exit; any other flag is refused.
 */
export function parseFlags(argv, defaults, flags, script) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--help' || a === '-h') {
      console.log(usageOf(script));
      process.exit(0);
    }
    if (!Object.hasOwn(flags, a)) throw new Error(`unknown option ${a} (see --help)`);
    flags[a](o, val);
  }
  return o;
}
