/** A command line that cannot be run as given; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * True for a command line that cannot be run as given: a {@link UsageError}, or
 * the TypeError with an `ERR_PARSE_ARGS_*` code that `parseArgs` throws for an
 * unknown or malformed option.
 */
export function isUsageMistake(error: unknown): error is Error {
  if (error instanceof UsageError) return true;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
