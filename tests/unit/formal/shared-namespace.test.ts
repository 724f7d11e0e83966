import type { NamedNode } from '@rdfjs/types';
import { DataFactory } from 'n3';
import { describe, expect, it } from 'vitest';
import { sharedNamespace } from '../../../src/formal/shared-namespace.js';
import { SH } from '../../../src/formal/vocabulary.js';

type Builder = ((name?: string) => NamedNode) & ((strings: TemplateStringsArray) => NamedNode) & Record<string, NamedNode>;

describe('sharedNamespace', () => {
  const sh = sharedNamespace(SH, (iri) => DataFactory.namedNode(iri)) as Builder;

  it('names a term as @rdfjs/namespace does: as a property, a call and a template, the base alone with no name', () => {
    expect(sh.minCount?.value).toBe(`${SH}minCount`);
    expect(sh('maxCount').value).toBe(`${SH}maxCount`);
    expect(sh`datatype`.value).toBe(`${SH}datatype`);
    expect(sh().value).toBe(SH);
  });

  it('hands out one term per name, however it is asked for', () => {
    expect(sh.minCount).toBe(sh.minCount);
    expect(sh('minCount')).toBe(sh.minCount);
    expect(sh`minCount`).toBe(sh.minCount);
  });
});
