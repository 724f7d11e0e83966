import { parse } from 'yaml';
import { describeThrown } from '../describe-thrown.js';
import { compileArtifactSelector } from '../enforcement/artifact-selector.js';
import { TierguardError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { FindingLevel, PolicyDefinition, PolicySeverity } from '../types.js';
import { semgrepLanguage, semgrepLanguageGlobs } from './artifact-globs.js';

/** A Semgrep rule file as the importer reads it. */
export interface SemgrepRuleFile {
  /** Where it is, for messages (as the user gave it, or below the directory given). */
  readonly file: string;
  /** What a binding's `policy` says to reach it from where the drafts are written, with `/` separators. */
  readonly bindingPath: string;
  /** Its text. */
  readonly text: string;
}

const MAX_TITLE = 200;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/** Semgrep severities (the classic three and the newer four) as a draft's severity and the level its findings have. */
const SEVERITIES: Readonly<Record<string, { severity: PolicySeverity; level: FindingLevel }>> = {
  CRITICAL: { severity: 'hard', level: 'error' },
  ERROR: { severity: 'hard', level: 'error' },
  HIGH: { severity: 'hard', level: 'error' },
  MEDIUM: { severity: 'soft', level: 'warning' },
  WARNING: { severity: 'soft', level: 'warning' },
  INFO: { severity: 'advisory', level: 'note' },
  LOW: { severity: 'advisory', level: 'note' },
};

/**
 * One draft policy per rule of the files, sorted by id: id `semgrep/<rule id>`,
 * the first sentence of `message` as title and the whole as description, and a
 * severity from the rule's (ERROR → `hard`, WARNING → `soft`, INFO →
 * `advisory`). `hard` and `soft` drafts bind the rule file with the binding
 * option `rule` (only that rule's findings count) and `blockOn` at the rule's
 * level, so that the rule's findings are the draft's; a `soft` draft has
 * effect `warn`, so they warn until a person makes it `hard`. An `advisory`
 * draft binds nothing (advisory policies are never evaluated). `artifacts`
 * come from `paths.include` when every pattern compiles as a glob, else from
 * `languages`; `scope.languages` lists the languages; `provenance.license` is
 * `metadata.license`. A file that is not YAML, or a rule without a usable id,
 * message, severity or languages, is an `IO_ERROR` naming the file and the
 * rule; so is a rule id found twice.
 */
export function semgrepDrafts(files: readonly SemgrepRuleFile[]): PolicyDefinition[] {
  const drafts: PolicyDefinition[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const [index, rule] of readRules(file).entries()) {
      const where = `${file.file}: rules[${index}]`;
      const draft = toDraft(rule, file, where);
      const first = seen.get(draft.id);
      if (first !== undefined) throw malformed(file.file, `${where}: rule id ${JSON.stringify(draft.id.slice(8))} is also in ${first}`);
      seen.set(draft.id, file.file);
      drafts.push(draft);
    }
  }
  return drafts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function malformed(file: string, message: string): TierguardError {
  return new TierguardError('IO_ERROR', message, { file });
}

function readRules(file: SemgrepRuleFile): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = parse(file.text, { maxAliasCount: 100 });
  } catch (thrown) {
    throw malformed(file.file, `${file.file} is not a Semgrep rule file: ${describeThrown(thrown).split('\n')[0] ?? ''}`);
  }
  const rules = isRecord(parsed) ? parsed['rules'] : undefined;
  if (!Array.isArray(rules)) throw malformed(file.file, `${file.file} is not a Semgrep rule file: it has no "rules" list`);
  return rules.map((rule: unknown, index) => {
    if (!isRecord(rule)) throw malformed(file.file, `${file.file}: rules[${index}] is not a mapping`);
    return rule;
  });
}

function toDraft(rule: Record<string, unknown>, file: SemgrepRuleFile, where: string): PolicyDefinition {
  const { id, message, severity, languages, metadata, paths } = rule;
  if (typeof id !== 'string' || !RULE_ID.test(id)) throw malformed(file.file, `${where}: "id" must be a rule id (letters, digits, _ . -)`);
  const at = `${where} (${id})`;
  if (typeof message !== 'string' || message.trim() === '') throw malformed(file.file, `${at}: "message" must be text`);
  const graded = typeof severity === 'string' ? SEVERITIES[severity.toUpperCase()] : undefined;
  if (graded === undefined) throw malformed(file.file, `${at}: "severity" must be one of ${Object.keys(SEVERITIES).join(', ')}`);
  if (!Array.isArray(languages) || languages.length === 0 || !languages.every((language) => typeof language === 'string')) {
    throw malformed(file.file, `${at}: "languages" must be a list of language names`);
  }
  const names = [...new Set(languages.map(semgrepLanguage))].sort();
  const artifacts = includeGlobs(paths) ?? semgrepLanguageGlobs(names);
  const license =
    isRecord(metadata) && typeof metadata['license'] === 'string' && metadata['license'] !== '' ? metadata['license'] : undefined;
  const url = isRecord(metadata) ? documentation(metadata) : undefined;
  const text = message.trim().replace(/\s+/g, ' ');
  const enforced = graded.severity !== 'advisory';
  return {
    id: `semgrep/${id}`,
    title: firstSentence(text),
    description: text,
    severity: graded.severity,
    ...(graded.severity === 'soft' ? { effect: 'warn' as const } : {}),
    scope: { languages: names },
    // Without a binding there is nothing for artifacts to select, so an advisory draft has none.
    ...(enforced && artifacts !== undefined ? { artifacts: [...artifacts] } : {}),
    ...(enforced ? { enforcement: [{ engine: 'semgrep', policy: file.bindingPath, options: { rule: id }, blockOn: graded.level }] } : {}),
    provenance: {
      source: 'semgrep',
      ruleId: id,
      ...(license === undefined ? {} : { license }),
      ...(url === undefined ? {} : { url }),
    },
  };
}

/** `paths.include` as artifacts, when there is one and every pattern is a glob tierguard reads the same way; else `undefined`. */
function includeGlobs(paths: unknown): readonly string[] | undefined {
  const include = isRecord(paths) ? paths['include'] : undefined;
  if (!Array.isArray(include) || include.length === 0) return undefined;
  // Semgrep reads `dir/` and `!pattern` as gitignore does; tierguard's globs have neither.
  if (!include.every((pattern) => typeof pattern === 'string' && pattern !== '' && !pattern.endsWith('/') && !pattern.startsWith('!'))) {
    return undefined;
  }
  const patterns = [...new Set(include as string[])].sort();
  return compileArtifactSelector(patterns, DEFAULT_LIMITS).issues.length === 0 ? patterns : undefined;
}

/** Where the rule is documented: `metadata.source` (the registry's page), else its first reference, when a URL. */
function documentation(metadata: Record<string, unknown>): string | undefined {
  const references = metadata['references'];
  const candidates = [metadata['source'], Array.isArray(references) ? references[0] : undefined];
  return candidates.find((value): value is string => typeof value === 'string' && /^https?:\/\/\S+$/.test(value) && value.length <= 2000);
}

/** Up to the first `. ` (or the end), at most {@link MAX_TITLE} characters. */
function firstSentence(text: string): string {
  const end = text.search(/[.!?](\s|$)/);
  const sentence = end < 0 ? text : text.slice(0, end + 1);
  return sentence.length > MAX_TITLE ? `${sentence.slice(0, MAX_TITLE - 1)}…` : sentence;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
