// Command-line flags of the bench scripts: `--name value`, read from process.argv.

/** The value after `--name`, else `fallback`; with no fallback the flag is required. */
export function flag(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 && process.argv[i + 1] != null ? process.argv[i + 1]! : fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}
