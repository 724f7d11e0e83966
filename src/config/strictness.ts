/**
 * How one aspect of a lower-precedence definition compares with the same aspect
 * of the higher-precedence one it would replace: the same, tighter (stricter),
 * weaker (allows something the higher forbids), or undecidable (tierguard cannot
 * tell, so it is treated as a possible relaxation: fail closed).
 */
export type AspectVerdict = 'same' | 'tighter' | 'weaker' | 'undecidable';

/** One reason a lower-precedence definition may not replace a higher one. */
export interface StrictnessReason {
  /** The policy key the reason is about (`severity`, `assert`, `tools`, ...). */
  readonly aspect: string;
  /** `weaker`: decidably relaxes the higher; `undecidable`: tierguard cannot tell. */
  readonly verdict: 'weaker' | 'undecidable';
  /** What differs, in words. */
  readonly message: string;
}

/** One aspect's outcome: its verdict and, unless `same`, what differs. */
export interface AspectOutcome {
  readonly aspect: string;
  readonly verdict: AspectVerdict;
  readonly message?: string;
}

/**
 * The outcome of comparing a lower-precedence definition with a higher one:
 * `identical` (the same JSON), `refines` (different, and at least as strict in
 * every aspect: it may replace the higher), `weaker` (some aspect decidably
 * relaxes the higher) or `undecidable` (no aspect is decidably weaker, but some
 * cannot be compared). `reasons` lists every weaker and undecidable aspect.
 */
export interface StrictnessComparison {
  readonly relation: 'identical' | 'refines' | 'weaker' | 'undecidable';
  readonly reasons: readonly StrictnessReason[];
}

/** An aspect outcome; `message` only when something differs. */
export function outcome(aspect: string, verdict: AspectVerdict, message?: string): AspectOutcome {
  return message === undefined ? { aspect, verdict } : { aspect, verdict, message };
}

/** Several verdicts about one thing as one: any weaker wins, then undecidable, then tighter. */
export function combineVerdicts(verdicts: readonly AspectVerdict[]): AspectVerdict {
  if (verdicts.includes('weaker')) return 'weaker';
  if (verdicts.includes('undecidable')) return 'undecidable';
  return verdicts.includes('tighter') ? 'tighter' : 'same';
}
