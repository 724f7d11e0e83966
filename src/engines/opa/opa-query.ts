import type { EngineError } from '../types.js';

/** One segment of a data path as OPA's REST API and `opa build -e` take it: a Rego identifier. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The document path of a query that names a rule or package under `data`:
 * `data.s3.deny` becomes `s3/deny`, which is both the REST path
 * (`POST /v1/data/s3/deny`) and the Wasm entrypoint (`opa build -e s3/deny`).
 * Server and Wasm modes ask for a document, not an arbitrary expression, so
 * anything else (`data.s3.deny[x]`, `count(data.s3.deny)`, a bracketed key) is
 * an `INVALID_BINDING` error saying what is accepted.
 */
export function queryToPath(
  query: string,
): { readonly ok: true; readonly path: string } | { readonly ok: false; readonly error: EngineError } {
  const segments = query.trim().split('.');
  const [root, ...rest] = segments;
  if (root !== 'data' || rest.length === 0 || !rest.every((segment) => IDENTIFIER.test(segment))) {
    return {
      ok: false,
      error: {
        code: 'INVALID_BINDING',
        message: `the query ${JSON.stringify(query)} must name a document under data with plain identifiers, such as data.s3.deny`,
      },
    };
  }
  return { ok: true, path: rest.join('/') };
}
