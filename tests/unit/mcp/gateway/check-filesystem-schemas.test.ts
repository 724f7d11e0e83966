import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../../src/limits.js';
import { checkPoliciesAgainstTools, type ToolDescription } from '../../../../src/mcp/gateway/check-tool-schemas.js';
import { compilePolicies } from '../../../../src/policy/compile-policies.js';
import type { PolicyDefinition } from '../../../../src/types.js';
import { ROOT } from '../../../support/paths.js';

/**
 * The tools (name, inputSchema, outputSchema) that the reference filesystem
 * server, @modelcontextprotocol/server-filesystem 2026.8.31, lists over
 * `tools/list`: schemas as a real third-party server writes them.
 */
const TOOLS = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/mcp-gateway/server-filesystem-tools.json'), 'utf8')) as ToolDescription[];

function check(definitions: readonly PolicyDefinition[]): string[] {
  return checkPoliciesAgainstTools(compilePolicies(definitions, DEFAULT_LIMITS), TOOLS).map((problem) => problem.message);
}

describe('checkPoliciesAgainstTools on the reference filesystem server', () => {
  it('accepts policies that keep writes in a folder and refuse reads of .env files', () => {
    expect(
      check([
        {
          id: 'writes-in-project',
          tools: ['write_file', 'edit_file', 'create_directory'],
          assert: { field: 'arguments.path', op: 'glob', value: '/srv/project/**' },
        },
        {
          id: 'moves-in-project',
          tools: ['move_file'],
          assert: {
            all: [
              { field: 'arguments.source', op: 'glob', value: '/srv/project/**' },
              { field: 'arguments.destination', op: 'glob', value: '/srv/project/**' },
            ],
          },
        },
        {
          id: 'no-env',
          tools: ['read_file', 'read_text_file', 'read_media_file'],
          when: { field: 'arguments.path', op: 'glob', value: '**/.env' },
        },
        {
          id: 'no-env-batch',
          tools: ['read_multiple_files'],
          when: { field: '$.arguments.paths[*]', op: 'glob', value: '**/.env', quantifier: 'any' },
        },
        {
          id: 'edits',
          tools: ['edit_file'],
          assert: { field: 'arguments.edits.0.oldText', op: 'exists' },
          rewrite: [{ op: 'set_default', field: 'arguments.dryRun', value: true }],
        },
        { id: 'read-size', tools: ['read_text_file'], on: 'response', assert: { field: 'result.structuredContent.content', op: 'exists' } },
      ]),
    ).toEqual([]);
  });

  it('catches the policies that would have silently allowed', () => {
    expect(
      check([
        // move_file has no `path`: a glob over every write tool would never judge a move.
        {
          id: 'writes-in-project',
          tools: ['write_file', 'move_file'],
          assert: { field: 'arguments.path', op: 'glob', value: '/srv/project/**' },
        },
        // read_multiple_files takes `paths`, so `read_*` with `path` lets a batch read .env.
        { id: 'no-env', tools: ['read_*'], when: { field: 'arguments.path', op: 'glob', value: '**/.env' } },
        { id: 'edits', tools: ['edit_file'], assert: { field: 'arguments.edits.0.old_text', op: 'exists' } },
        {
          id: 'read-size',
          tools: ['read_text_file'],
          on: 'response',
          assert: { field: 'result.structuredContent.contents', op: 'exists' },
        },
      ]),
    ).toEqual([
      `policy "writes-in-project" reads "arguments.path" (/assert/field), but tool "move_file"'s inputSchema has no "path" under arguments`,
      `policy "no-env" reads "arguments.path" (/when/field), but tool "read_multiple_files"'s inputSchema has no "path" under arguments (did you mean "paths"?)`,
      `policy "edits" reads "arguments.edits.0.old_text" (/assert/field), but tool "edit_file"'s inputSchema has no "old_text" under arguments.edits.0 (did you mean "oldText"?)`,
      `policy "read-size" reads "result.structuredContent.contents" (/assert/field), but tool "read_text_file"'s outputSchema has no "contents" under result.structuredContent (did you mean "content"?)`,
    ]);
  });
});
