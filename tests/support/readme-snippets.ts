/**
 * The README's examples that claim to work in any project with tierguard
 * installed. Each is the code block right after a marker line naming the file it
 * is saved as there:
 *
 *     <!-- packed-install: decide.cjs -->
 *
 * The extension says how it runs: `.mjs`, `.cjs` and `.ts` with node (`.ts`
 * type-checked, then transpiled), `.test.ts` with vitest, `.sh` as a shell
 * session of `$ ` commands, each followed by the output it prints.
 */

/** One marked example. */
export interface ReadmeSnippet {
  /** The file name the marker gives it. */
  readonly file: string;
  /** The code block's language (`ts`, `js`, `sh`). */
  readonly language: string;
  /** The code, without the fences. */
  readonly code: string;
  /** 1-based line of the marker in the README, for messages. */
  readonly line: number;
}

/** One command of a shell example and the output shown under it. */
export interface ShellStep {
  readonly command: string;
  readonly output: string;
}

const MARKER = /^<!-- packed-install: ([A-Za-z0-9][A-Za-z0-9.-]*) -->$/;

/** Every marked example of `readme`, in order; a marker not followed by a code block is an error. */
export function packedInstallSnippets(readme: string): ReadmeSnippet[] {
  const lines = readme.split('\n');
  const snippets: ReadmeSnippet[] = [];
  lines.forEach((text, index) => {
    const file = MARKER.exec(text)?.[1];
    if (file === undefined) return;
    const fence = /^```([a-z]+)$/.exec(lines[index + 1] ?? '');
    const end = lines.indexOf('```', index + 2);
    if (fence?.[1] === undefined || end === -1)
      throw new Error(`README line ${index + 1}: the marker for ${file} is not followed by a code block`);
    snippets.push({ file, language: fence[1], code: `${lines.slice(index + 2, end).join('\n')}\n`, line: index + 1 });
  });
  return snippets;
}

// `expression; // literal`, where the comment states what the expression is: a string, number, array, object, boolean or null.
const STATED_RESULT =
  /^(\s*)(?!(?:const|let|var|return|import|export|throw|if|for|while)\b)([^\s/].*?);\s*\/\/\s*((?:['"[{]|-?\d|true\b|false\b|null\b).*)$/;

/**
 * The example with each line that states its result (`decision.verdict; // 'deny'`)
 * turned into a check of it, `__readmeExpect(actual, stated, line)`, so running
 * the example proves what the README says it prints. A stated result that is not
 * valid JavaScript makes the example fail to parse, which fails the test too.
 */
export function checkStatedResults(code: string): { code: string; checks: number } {
  let checks = 0;
  const checked = code
    .split('\n')
    .map((line) => {
      const match = STATED_RESULT.exec(line);
      if (match === null) return line;
      checks += 1;
      const [, indent, expression, stated] = match;
      return `${indent}__readmeExpect(${expression}, ${stated}, ${JSON.stringify(line.trim())});`;
    })
    .join('\n');
  return { code: checked, checks };
}

/** A shell example as commands (`$ ` lines) and the output each is shown to print. */
export function shellSteps(code: string): ShellStep[] {
  const steps: { command: string; output: string[] }[] = [];
  for (const line of code.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
    else if (steps.length === 0) throw new Error(`a shell example must start with a "$ " command, not ${JSON.stringify(line)}`);
    else steps[steps.length - 1]?.output.push(line);
  }
  return steps.map(({ command, output }) => ({ command, output: output.map((line) => `${line}\n`).join('') }));
}
