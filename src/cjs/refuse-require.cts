/**
 * Throws the error `require('tierguard')` (or a subpath) raises on a Node that
 * cannot load an ES module with `require()`: Node before 20.19 and 22.12, or one
 * run with `--no-experimental-require-module`. tierguard is ESM-only, and without
 * this the user would meet a bare ERR_REQUIRE_ESM or a syntax error from deep in
 * `dist/`. Where Node can require ES modules, the exports map's `module-sync`
 * condition is matched first and this file is never loaded.
 */
function refuseRequire(specifier: string): never {
  const error = new Error(
    `${specifier} is ESM-only and this Node (${process.version}) cannot require() an ES module: ` +
      `load it with await import('${specifier}'), which works from CommonJS too, or run Node 20.19+ or 22.12+, where require('${specifier}') works`,
  );
  // Node's own code for this failure (not a TierguardError: that class is ESM, which is the problem), so tools
  // that retry with import() on ERR_REQUIRE_ESM still do.
  throw Object.assign(error, { code: 'ERR_REQUIRE_ESM' });
}

export = refuseRequire;
