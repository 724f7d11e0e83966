import { homedir } from 'node:os';
import { join } from 'node:path';

/** Prefixes and names of variables Checkov reads as settings (`CKV_SKIP_CHECK`, `CKV_NO_FAIL_ON_CRASH`, `BC_API_KEY`, ...). */
const CHECKOV_VARIABLE = /^(CKV_|CHECKOV_|BC_|PRISMA_)|^(DOWNLOAD_EXTERNAL_MODULES|EXTERNAL_MODULES_DIR|LOG_LEVEL)$/i;

/**
 * The environment without anything that configures Checkov, plus the switches
 * that keep it offline. HOME is set per run; PYTHONUSERBASE is pinned to the
 * user's real one first, since Python derives it from HOME.
 */
export function checkovEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const kept = Object.fromEntries(Object.entries(env).filter(([key]) => !CHECKOV_VARIABLE.test(key)));
  const home = env['HOME'] ?? homedir();
  return {
    ...kept,
    PYTHONUSERBASE: env['PYTHONUSERBASE'] ?? join(home, '.local'),
    BC_SKIP_MAPPING: 'TRUE',
    CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true',
  };
}
