import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckovAdapter } from '../../../../src/engines/checkov/checkov-adapter.js';
import { createConftestAdapter } from '../../../../src/engines/conftest/conftest-adapter.js';
import { createOpaCliAdapter } from '../../../../src/engines/opa/opa-cli-adapter.js';
import { createOpaServerAdapter } from '../../../../src/engines/opa/opa-server-adapter.js';
import { createOpaWasmAdapter } from '../../../../src/engines/opa/opa-wasm-adapter.js';
import type { Artifact, EngineAdapter, EngineBinding } from '../../../../src/engines/types.js';
import { startOpaServer } from '../opa/opa-server.js';
import { engineSkipReason } from '../support.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/engines/plan/${name}`, import.meta.url));

interface Case {
  readonly label: string;
  readonly adapter: EngineAdapter;
  readonly binding: EngineBinding;
}

const OPA_BINDING: EngineBinding = { engine: 'opa', policy: fixture('s3.rego'), query: 'data.main.deny', policyId: 's3.not-public' };
// The server and Wasm modes read the artifact without writing it to a file: they must refuse it all the same.
const opaServer = await startOpaServer();
afterAll(async () => {
  await opaServer?.stop();
});

const CASES: readonly Case[] = [
  { label: 'opa eval', adapter: createOpaCliAdapter(), binding: OPA_BINDING },
  { label: 'opa in Wasm', adapter: createOpaWasmAdapter(), binding: OPA_BINDING },
  ...(opaServer === undefined && process.env['TIERGUARD_REQUIRE_ENGINES'] !== '1'
    ? []
    : [{ label: 'opa server', adapter: createOpaServerAdapter({ url: opaServer?.url ?? 'http://127.0.0.1:1' }), binding: OPA_BINDING }]),
  {
    label: 'conftest',
    adapter: createConftestAdapter(),
    binding: { engine: 'conftest', policy: fixture('s3.rego'), policyId: 's3.not-public' },
  },
  {
    label: 'checkov',
    adapter: createCheckovAdapter(),
    binding: { engine: 'checkov', policy: fixture('s3-plan.checkov.yaml'), policyId: 's3.not-public' },
  },
];

// A Terraform plan whose bucket has "acl" twice, public-read then private: engines read the last, Terraform may read the first.
const TWICE = 's3-public-then-private.tfplan.json';
const TWICE_TEXT = await readFile(fixture(TWICE), 'utf8');

for (const { label, adapter, binding } of CASES) {
  const skip = await engineSkipReason(adapter, 'run .ci/install-engines');
  describe.skipIf(skip !== undefined)(
    `${label}: a JSON artifact with a repeated key${skip === undefined ? '' : ` (skipped: ${skip})`}`,
    () => {
      it('fails the plan with only the public ACL, so the policy does catch it', async () => {
        expect((await adapter.evaluate({ path: fixture('s3-public.tfplan.json') }, binding)).verdict).toBe('fail');
        expect((await adapter.evaluate({ path: fixture('s3-private.tfplan.json') }, binding)).verdict).toBe('pass');
      });

      const artifacts: ReadonlyArray<[string, Artifact]> = [
        ['as a file', { path: fixture(TWICE) }],
        ['as text content', { content: TWICE_TEXT, format: 'terraform-plan' }],
        ['as text content named .json', { content: TWICE_TEXT, name: 'tfplan.json' }],
      ];
      it.each(artifacts)('is refused %s before the engine runs, naming the key and where it is', async (_how, artifact) => {
        const verdict = await adapter.evaluate(artifact, binding);
        expect(verdict.verdict).toBe('error');
        expect(verdict.error?.code).toBe('INVALID_ARTIFACT');
        expect(verdict.error?.message).toContain(
          'line 17, column 13: duplicate key "acl" at /planned_values/root_module/resources/0/values/acl',
        );
      });
    },
  );
}

const conftest = CASES.find((entry) => entry.adapter.name === 'conftest') as Case;
const conftestSkip = await engineSkipReason(conftest.adapter, 'run .ci/install-engines');
describe.skipIf(conftestSkip !== undefined)('conftest: a YAML artifact with a repeated key', () => {
  it('is refused before the engine runs, naming the key and where it is', async () => {
    const verdict = await conftest.adapter.evaluate({ path: fixture('s3-public-then-private.yaml') }, conftest.binding);
    expect(verdict.error).toEqual({
      code: 'INVALID_ARTIFACT',
      message: `${fixture('s3-public-then-private.yaml')} is not valid YAML: line 9, column 11: duplicate key "acl"`,
    });
  });
});
