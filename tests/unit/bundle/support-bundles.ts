import { join } from 'node:path';
import { makeTree, summaryShapes } from './support.js';

/**
 * A policy tree with one file of every kind a bundle carries: a plain policy,
 * a `shapesFile` reached by `../`, an OPA binding to one `.rego` file and a
 * Conftest binding to a folder (with a nested file). Engines are not run: the
 * bindings only need to compile, which reads their files.
 */
export const BUNDLE_TREE: Readonly<Record<string, string>> = Object.freeze({
  'policies/payments.json': JSON.stringify([
    { id: 'payments.limit', tools: ['pay'], assert: { field: 'arguments.amount', op: 'lte', value: 100 } },
  ]),
  'policies/support.json': JSON.stringify({ id: 'support.summary', tools: ['ticket'], shapesFile: '../shapes/summary.ttl' }),
  'policies/infra.json': JSON.stringify([
    {
      id: 'infra.s3',
      artifacts: ['*.json'],
      enforcement: [{ engine: 'opa', policy: '../rego/s3.rego', query: 'data.tierguard.s3.deny' }],
    },
    { id: 'infra.k8s', artifacts: ['*.yaml'], enforcement: [{ engine: 'conftest', policy: '../conftest' }] },
  ]),
  'shapes/summary.ttl': summaryShapes(20),
  'rego/s3.rego': 'package tierguard.s3\n\ndeny contains "public" if input.acl == "public-read"\n',
  'conftest/deployment.rego': 'package main\n\ndeny contains "root" if input.spec.runAsRoot\n',
  'conftest/lib/util.rego': 'package lib\n\nyes := true\n',
});

/** A fresh copy of {@link BUNDLE_TREE}; returns the tree's root and its policy folder. */
export async function makeBundleTree(): Promise<{ root: string; policies: string }> {
  const root = await makeTree(BUNDLE_TREE);
  return { root, policies: join(root, 'policies') };
}

/** An action the shapes file denies (a summary over 20 characters) and the payments policy allows. */
export const LONG_SUMMARY = { tool: 'ticket', arguments: { summary: 'x'.repeat(30) } } as const;
