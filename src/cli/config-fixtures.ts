import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import { TierguardError } from '../errors.js';
import type { PolicyFixture } from '../policy-tests/fixture.js';
import { loadPolicyFixtures } from '../policy-tests/load-policy-fixtures.js';
import type { PolicyDefinition } from '../types.js';

/**
 * The fixtures of a config's sources: each directory source's `fixtures/`,
 * its folders named by local id (`fixtures/cap/deny/...` for `team/cap`). A
 * fixture tests the rule as served: the definition in force for that local id,
 * whichever source it came from after the precedence merge. No source with a
 * `fixtures/` folder is an `IO_ERROR`, so a CI run cannot pass by testing nothing.
 */
export async function loadConfigFixtures(config: LoadedConfig, served: readonly PolicyDefinition[]): Promise<PolicyFixture[]> {
  const namespaces = config.config.sources.map((source) => `${source.namespace}/`);
  // The first served definition of each local id is the one its fixtures run against.
  const byLocalId = new Map<string, PolicyDefinition>();
  for (const definition of served) {
    const prefix = namespaces.find((namespace) => definition.id.startsWith(namespace));
    const localId = prefix === undefined ? definition.id : definition.id.slice(prefix.length);
    if (!byLocalId.has(localId)) byLocalId.set(localId, definition);
  }
  const local = [...byLocalId].map(([localId, definition]) => ({ ...definition, id: localId }));
  const fixtures: PolicyFixture[] = [];
  let folders = 0;
  for (const source of config.config.sources) {
    if (!(await isDirectory(join(source.path, 'fixtures')))) continue;
    folders += 1;
    for (const fixture of await loadPolicyFixtures(source.path, local, config.engineOptions.limits)) {
      fixtures.push({ ...fixture, policyId: byLocalId.get(fixture.policyId)?.id ?? fixture.policyId });
    }
  }
  if (folders === 0) {
    throw new TierguardError('IO_ERROR', `${config.config.file}: no source has a fixtures/ folder: there is nothing to test`, {
      file: config.config.file,
    });
  }
  return fixtures;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
