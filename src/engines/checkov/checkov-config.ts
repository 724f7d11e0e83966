import { parse } from 'yaml';
import { describeThrown } from '../../describe-thrown.js';
import { isTierguardError } from '../../errors.js';
import { readRegularText } from '../../read-regular-file.js';
import { isRecord } from '../json-reading.js';
import type { EngineError } from '../types.js';

/**
 * Config keys that tierguard owns, or that reach the network, and so may not be
 * set in a bound Checkov config: the targets (tierguard scans exactly the
 * artifact), the platform and its API key (results would be uploaded), remote
 * checks and modules (downloads), and switches that turn a crash or the whole
 * run into exit 0 (`no-fail-on-crash`, `list`, `version`). Output keys are not
 * here: the adapter's command-line flags override them.
 */
const FORBIDDEN_KEYS: Readonly<Record<string, string>> = {
  directory: 'tierguard scans only the artifact',
  file: 'tierguard scans only the artifact',
  'bc-api-key': 'it uploads results to the Prisma Cloud platform',
  'prisma-api-url': 'it talks to the Prisma Cloud platform',
  'external-checks-git': 'it downloads checks',
  'download-external-modules': 'it downloads modules',
  'docker-image': 'it pulls and scans an image',
  image: 'it pulls and scans an image',
  support: 'it uploads logs',
  'no-fail-on-crash': 'a crash would read as a pass',
  list: 'it lists checks instead of scanning',
  version: 'it prints the version instead of scanning',
  'create-baseline': 'it writes a baseline instead of only scanning',
};

/**
 * Refuses a Checkov config that sets a key the adapter cannot allow (see
 * {@link FORBIDDEN_KEYS}) to anything but `false`, `null` or empty. A config
 * that is not YAML, or not a mapping, is left for Checkov to reject with its own
 * message (it exits 2, which is an error).
 */
export async function checkCheckovConfig(policy: string, maxBytes: number): Promise<EngineError | undefined> {
  let text: string;
  try {
    text = await readRegularText(policy, maxBytes);
  } catch (thrown) {
    if (isTierguardError(thrown, 'IO_ERROR') && thrown.details.limit !== undefined) {
      return { code: 'INVALID_BINDING', message: `the checkov config ${policy} is larger than ${maxBytes} bytes` };
    }
    return { code: 'POLICY_NOT_FOUND', message: `the checkov config cannot be read: ${describeThrown(thrown)}` };
  }
  let config: unknown;
  try {
    config = parse(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (!isRecord(config)) return undefined;
  for (const key of Object.keys(config).sort()) {
    const why = Object.hasOwn(FORBIDDEN_KEYS, key) ? FORBIDDEN_KEYS[key] : undefined;
    if (why === undefined || isUnset(config[key])) continue;
    return { code: 'INVALID_BINDING', message: `the checkov config ${policy} sets "${key}", which tierguard does not allow: ${why}` };
  }
  return undefined;
}

function isUnset(value: unknown): boolean {
  return value === false || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}
