import type { PolicyDefinition } from '../types.js';
import { checkovFrameworkGlobs } from './artifact-globs.js';
import type { CheckovCheck } from './checkov-catalog.js';
import { renderJson } from './draft-files.js';
import type { DraftFile } from './draft-files.js';

/** Checkov's licence, which its checks are distributed under. */
const CHECKOV_LICENSE = 'Apache-2.0';
const MAX_TITLE = 200;
/** Most values a scope dimension may list (schema/policy.json). */
const MAX_SCOPE_VALUES = 1_000;

/** Providers named by a check id's second part (`CKV_AWS_20`, `CKV2_GCP_3`), for `scope.providers`. */
const PROVIDERS: Readonly<Record<string, string>> = {
  ALI: 'alicloud',
  AWS: 'aws',
  AZURE: 'azure',
  GCP: 'gcp',
  IBM: 'ibm',
  K8S: 'kubernetes',
  OCI: 'oci',
};

/** The Checkov config a framework's drafts share, relative to the file the drafts are in. */
export function checkovConfigPath(framework: string): string {
  return `.checkov/${framework}.yaml`;
}

/**
 * The draft policy of one check: id `checkov/<framework>/<check id>` (Checkov
 * reuses an id across frameworks, `CKV_AWS_20` in Terraform and
 * CloudFormation, with different names and files), the check's name as title,
 * severity `hard` (Checkov's catalog carries no severities offline), the
 * framework's files as `artifacts`, the entities as `scope.resourceTypes`, and
 * a binding of the framework's shared config with the check selected by the
 * binding option `check`. `allowNoChecks` is set because a catalog check on a
 * file without its resource type has nothing to say: without it, every draft
 * would be an error on most files of its framework.
 */
export function checkovDraft(check: CheckovCheck, version: string | undefined): PolicyDefinition {
  const provider = PROVIDERS[check.id.split('_')[1] ?? ''];
  const artifacts = checkovFrameworkGlobs(check.framework);
  const scope = {
    ...(provider === undefined ? {} : { providers: [provider] }),
    // A check of every resource type (tagging) lists over a thousand, more than a scope holds; left out, the dimension does not narrow.
    ...(check.entities.length === 0 || check.entities.length > MAX_SCOPE_VALUES ? {} : { resourceTypes: [...check.entities] }),
  };
  return {
    id: `checkov/${check.framework}/${check.id}`,
    title: check.name.length > MAX_TITLE ? `${check.name.slice(0, MAX_TITLE - 1)}…` : check.name,
    description: `Checkov check ${check.id} (${check.framework}): ${check.name}`,
    severity: 'hard',
    ...(Object.keys(scope).length === 0 ? {} : { scope }),
    ...(artifacts === undefined ? {} : { artifacts: [...artifacts] }),
    enforcement: [{ engine: 'checkov', policy: checkovConfigPath(check.framework), options: { check: check.id, allowNoChecks: true } }],
    provenance: {
      source: 'checkov',
      ruleId: check.id,
      ...(version === undefined ? {} : { version }),
      license: CHECKOV_LICENSE,
      ...(check.link === undefined ? {} : { url: check.link }),
    },
  };
}

/** The shared config of a framework's drafts: that framework only; each binding names its check. */
export function checkovConfig(framework: string, version: string | undefined): string {
  return (
    `# Written by tierguard import checkov${version === undefined ? '' : ` from Checkov ${version}`}: the ${framework} checks.\n` +
    '# Each draft policy selects its own check with the binding option "check".\n' +
    `framework:\n  - ${framework}\n`
  );
}

/**
 * The files of an import: per framework, `checkov-<framework>.json` (the
 * drafts, sorted by id) and its shared config under `.checkov/` (a hidden
 * folder, which `loadPolicies` does not read as policies). Frameworks come in
 * sorted order.
 */
export function checkovDraftFiles(checks: readonly CheckovCheck[], version: string | undefined): DraftFile[] {
  const byFramework = new Map<string, PolicyDefinition[]>();
  for (const check of checks) {
    const drafts = byFramework.get(check.framework) ?? [];
    drafts.push(checkovDraft(check, version));
    byFramework.set(check.framework, drafts);
  }
  const files: DraftFile[] = [];
  for (const framework of [...byFramework.keys()].sort()) {
    const drafts = (byFramework.get(framework) ?? []).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    files.push({ path: `checkov-${framework}.json`, text: renderJson(drafts) });
    files.push({ path: checkovConfigPath(framework), text: checkovConfig(framework, version) });
  }
  return files;
}
