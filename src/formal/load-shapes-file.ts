import { Parser } from 'n3';
import type { Quad } from '@rdfjs/types';
import { DefinitionIssue } from '../definition-issue.js';
import { RegexSyntaxError, compileRegex } from '../regex/regex-engine.js';
import type { Limits } from '../limits.js';
import { readRegularText } from '../read-regular-file.js';
import { malformedList } from './malformed-lists.js';
import { recursiveShape } from './recursive-shapes.js';
import { unreachableTargets } from './shape-targets.js';
import { unsupportedShacl } from './supported-shacl.js';
import { SH } from './vocabulary.js';

/** A hand-written shapes file, parsed, with the bytes it was read from (for the policy set's version). */
export interface ShapesFile {
  readonly quads: Quad[];
  readonly content: string;
}

/**
 * Reads and parses a policy's `shapesFile` (Turtle). Failures are definition
 * issues at `/shapesFile`: a missing file, Turtle that does not parse, an
 * `sh:pattern` RE2 cannot run, `owl:imports` (nothing is fetched at run time),
 * SHACL the validator would skip (`sh:target`, `sh:sparql`, custom components),
 * shapes no action would ever be checked against (no target, another class),
 * a list that is cyclic or forked (the validator would loop or throw), or a
 * shape that refers back to itself (it would recurse until the stack overflows).
 */
export async function loadShapesFile(
  path: string,
  limits: Pick<Limits, 'maxFileBytes' | 'maxPatternLength' | 'maxRegexProgramSize' | 'maxRegexWork'>,
): Promise<ShapesFile> {
  const maxBytes = limits.maxFileBytes;
  let content: string;
  try {
    content = await readRegularText(path, maxBytes);
  } catch (error) {
    throw new DefinitionIssue('/shapesFile', 'a readable Turtle file', error instanceof Error ? error.message : String(error));
  }
  let quads: Quad[];
  try {
    quads = new Parser({ format: 'text/turtle' }).parse(content);
  } catch (error) {
    throw new DefinitionIssue(
      '/shapesFile',
      'Turtle',
      `${path} is not valid Turtle: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  checkShapes(quads, path, limits);
  return { quads, content };
}

function checkShapes(
  quads: readonly Quad[],
  path: string,
  limits: Pick<Limits, 'maxPatternLength' | 'maxRegexProgramSize' | 'maxRegexWork'>,
): void {
  const { maxPatternLength } = limits;
  const badList = malformedList(quads);
  if (badList !== undefined) throw new DefinitionIssue('/shapesFile', 'well-formed RDF lists', `${path}: ${badList}`);
  const recursive = recursiveShape(quads);
  if (recursive !== undefined) {
    throw new DefinitionIssue(
      '/shapesFile',
      'shapes that do not refer to themselves',
      `${path}: the shape ${recursive} refers back to itself; recursive shapes are not supported`,
    );
  }
  const unsupported = unsupportedShacl(quads);
  if (unsupported.length > 0) {
    throw new DefinitionIssue(
      '/shapesFile',
      'SHACL the validator runs',
      `${path} uses ${unsupported.join(', ')}, which tierguard's SHACL validator does not run (SPARQL, JavaScript, custom targets and constraint components are not supported); a shape that is not run would allow what it forbids`,
    );
  }
  const unreachable = unreachableTargets(quads);
  if (unreachable.length > 0) {
    throw new DefinitionIssue(
      '/shapesFile',
      'shapes that target actions',
      `${path} has ${unreachable.join('; ')}: its shapes would check no action, so every action would pass`,
    );
  }
  const flagsOf = new Map<string, string>();
  for (const quad of quads) {
    if (quad.predicate.value === 'http://www.w3.org/2002/07/owl#imports') {
      throw new DefinitionIssue(
        '/shapesFile',
        'self-contained shapes',
        `${path} uses owl:imports; tierguard loads nothing at evaluation time`,
      );
    }
    if (quad.predicate.value === `${SH}flags`) flagsOf.set(quad.subject.value, quad.object.value);
  }
  for (const quad of quads) {
    if (quad.predicate.value !== `${SH}pattern`) continue;
    if (quad.object.value.length > maxPatternLength) {
      throw new DefinitionIssue('/shapesFile', `patterns of at most ${maxPatternLength} characters`, `${path} has a longer sh:pattern`);
    }
    try {
      compileRegex(quad.object.value, flagsOf.get(quad.subject.value) ?? '', limits);
    } catch (error) {
      if (error instanceof RegexSyntaxError) throw new DefinitionIssue('/shapesFile', 'RE2 patterns', `${path}: ${error.message}`);
      throw error;
    }
  }
}
