import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckovList } from '../../../src/import/checkov-catalog.js';
import { checkovDraft, checkovDraftFiles } from '../../../src/import/checkov-drafts.js';
import { checkDrafts } from '../../../src/import/check-drafts.js';
import { isTierguardError } from '../../../src/index.js';

/** A few rows of the table `checkov --list` printed (Checkov 3.3.30), plus one with a `|` in the name. */
const LIST = readFileSync(new URL('../../fixtures/import/checkov-list.md', import.meta.url), 'utf8');

describe('reading checkov --list', () => {
  it('folds rows into one check per id and framework, sorted by framework then id', () => {
    const checks = parseCheckovList(LIST, 'sample');
    expect(checks.map((check) => `${check.framework}/${check.id}`)).toEqual([
      'cloudformation/CKV_AWS_20',
      'dockerfile/CKV_DOCKER_2',
      'kubernetes/CKV_K8S_1',
      'terraform/CKV2_AWS_6',
      'terraform/CKV_AWS_20',
      'terraform/CKV_K8S_1',
      'terraform/CKV_TG_PIPE',
    ]);
    expect(checks.find((check) => check.framework === 'terraform' && check.id === 'CKV_AWS_20')).toEqual({
      id: 'CKV_AWS_20',
      framework: 'terraform',
      name: 'S3 Bucket has an ACL defined which allows public READ access.',
      type: 'resource',
      entities: ['aws_s3_bucket', 'aws_s3_bucket_acl'],
      link: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/terraform/checks/graph_checks/aws/S3PublicACLRead.json',
    });
    // `*` (every entity) narrows nothing; a `|` in a name is joined back.
    expect(checks.find((check) => check.id === 'CKV_DOCKER_2')?.entities).toEqual([]);
    expect(checks.find((check) => check.id === 'CKV_TG_PIPE')?.name).toBe('Name with a|pipe inside');
  });

  it('refuses output without the table, a row that is no check, or a framework that is no plain name', () => {
    const header = LIST.split('\n').slice(0, 2).join('\n');
    const cases: [string, string][] = [
      ['Checkov crashed\n', 'sample: line 1: no table of checks'],
      [`${header}\n| 0 | --rm | resource | x | name | Terraform | |\n`, 'sample: line 3: "--rm" is not a check id'],
      [`${header}\n| 0 | CKV_1 | resource |\n`, 'sample: line 3: a row of 3 cells in a table of 7 columns'],
      [`${header}\n| 0 | CKV_1 | resource | x | name | ../../etc | |\n`, 'sample: line 3: "../../etc" is not a framework name'],
    ];
    for (const [text, says] of cases) {
      let thrown: unknown;
      try {
        parseCheckovList(text, 'sample');
      } catch (error) {
        thrown = error;
      }
      expect(isTierguardError(thrown, 'IO_ERROR')).toBe(true);
      expect((thrown as Error).message).toContain(says);
    }
  });
});

describe('checkov checks as draft policies', () => {
  const checks = parseCheckovList(LIST, 'sample');
  const terraform20 = checks.find((check) => check.framework === 'terraform' && check.id === 'CKV_AWS_20');

  it('gives a draft with title, severity, scope, artifacts, a binding of the shared config and provenance', () => {
    expect(terraform20 && checkovDraft(terraform20, '3.3.30')).toEqual({
      id: 'checkov/terraform/CKV_AWS_20',
      title: 'S3 Bucket has an ACL defined which allows public READ access.',
      description: 'Checkov check CKV_AWS_20 (terraform): S3 Bucket has an ACL defined which allows public READ access.',
      severity: 'hard',
      scope: { providers: ['aws'], resourceTypes: ['aws_s3_bucket', 'aws_s3_bucket_acl'] },
      artifacts: ['*.tf'],
      enforcement: [{ engine: 'checkov', policy: '.checkov/terraform.yaml', options: { check: 'CKV_AWS_20', allowNoChecks: true } }],
      provenance: {
        source: 'checkov',
        ruleId: 'CKV_AWS_20',
        version: '3.3.30',
        license: 'Apache-2.0',
        url: 'https://github.com/bridgecrewio/checkov/blob/main/checkov/terraform/checks/graph_checks/aws/S3PublicACLRead.json',
      },
    });
  });

  it('writes one drafts file and one shared config per framework, the same bytes every time, all valid policies', () => {
    const files = checkovDraftFiles(checks, '3.3.30');
    expect(files.map((file) => file.path)).toEqual([
      'checkov-cloudformation.json',
      '.checkov/cloudformation.yaml',
      'checkov-dockerfile.json',
      '.checkov/dockerfile.yaml',
      'checkov-kubernetes.json',
      '.checkov/kubernetes.yaml',
      'checkov-terraform.json',
      '.checkov/terraform.yaml',
    ]);
    expect(checkovDraftFiles([...checks].reverse(), '3.3.30')).toEqual(files);
    const terraform = files.find((file) => file.path === 'checkov-terraform.json')?.text ?? '';
    expect(terraform.startsWith('[\n  {\n    "id": "checkov/terraform/CKV2_AWS_6",')).toBe(true);
    expect(terraform.endsWith(']\n')).toBe(true);
    expect(files.find((file) => file.path === '.checkov/terraform.yaml')?.text).toContain('framework:\n  - terraform\n');
    for (const file of files.filter((each) => each.path.endsWith('.json'))) {
      expect(() => checkDrafts(JSON.parse(file.text) as never, file.path)).not.toThrow();
    }
  });
});
