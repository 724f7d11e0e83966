/**
 * Which artifacts an imported rule judges, as `artifacts` globs (the dialect of
 * `tools`: a pattern without `/` matches the base name). Only what the engine
 * itself reads is listed; a framework or language not here gets no `artifacts`,
 * so its draft judges every artifact until a person narrows it.
 */
const CHECKOV_FRAMEWORKS: Readonly<Record<string, readonly string[]>> = {
  ansible: ['*.yaml', '*.yml'],
  argo_workflows: ['*.yaml', '*.yml'],
  arm: ['*.json'],
  azure_pipelines: ['azure-pipelines.yaml', 'azure-pipelines.yml'],
  bicep: ['*.bicep'],
  bitbucket_pipelines: ['bitbucket-pipelines.yml'],
  circleci_pipelines: ['**/.circleci/config.yml'],
  cloudformation: ['*.json', '*.template', '*.yaml', '*.yml'],
  dockerfile: ['*.Dockerfile', 'Dockerfile', 'Dockerfile.*'],
  github_actions: ['**/.github/workflows/*.yaml', '**/.github/workflows/*.yml'],
  gitlab_ci: ['.gitlab-ci.yml'],
  kubernetes: ['*.json', '*.yaml', '*.yml'],
  openapi: ['*.json', '*.yaml', '*.yml'],
  serverless: ['serverless.yaml', 'serverless.yml'],
  terraform: ['*.tf'],
  terraform_plan: ['*.json'],
};

const SEMGREP_LANGUAGES: Readonly<Record<string, readonly string[]>> = {
  bash: ['*.bash', '*.sh'],
  c: ['*.c', '*.h'],
  cpp: ['*.cc', '*.cpp', '*.cxx', '*.h', '*.hpp'],
  csharp: ['*.cs'],
  dockerfile: ['*.Dockerfile', 'Dockerfile', 'Dockerfile.*'],
  go: ['*.go'],
  hcl: ['*.hcl', '*.tf'],
  java: ['*.java'],
  javascript: ['*.cjs', '*.js', '*.jsx', '*.mjs'],
  json: ['*.json'],
  kotlin: ['*.kt', '*.kts'],
  php: ['*.php'],
  python: ['*.py', '*.pyi'],
  ruby: ['*.rb'],
  rust: ['*.rs'],
  scala: ['*.scala'],
  swift: ['*.swift'],
  terraform: ['*.hcl', '*.tf'],
  typescript: ['*.cts', '*.mts', '*.ts', '*.tsx'],
  yaml: ['*.yaml', '*.yml'],
};

/** Semgrep's other names for the languages above. */
const SEMGREP_ALIASES: Readonly<Record<string, string>> = {
  'c#': 'csharp',
  'c++': 'cpp',
  docker: 'dockerfile',
  js: 'javascript',
  kt: 'kotlin',
  py: 'python',
  rb: 'ruby',
  sh: 'bash',
  tf: 'terraform',
  ts: 'typescript',
};

/** The globs of the files Checkov's `framework` reads, or `undefined` when they are not known. */
export function checkovFrameworkGlobs(framework: string): readonly string[] | undefined {
  return Object.hasOwn(CHECKOV_FRAMEWORKS, framework) ? CHECKOV_FRAMEWORKS[framework] : undefined;
}

/** Semgrep's canonical name of `language` (`js` → `javascript`), lower-case. */
export function semgrepLanguage(language: string): string {
  const lower = language.toLowerCase();
  return Object.hasOwn(SEMGREP_ALIASES, lower) ? (SEMGREP_ALIASES[lower] as string) : lower;
}

/**
 * The globs of the files a rule for `languages` reads, sorted and unique, or
 * `undefined` when one of them has no known files (`generic`, `regex`): a rule
 * that reads any file must not be narrowed to some.
 */
export function semgrepLanguageGlobs(languages: readonly string[]): readonly string[] | undefined {
  const globs = new Set<string>();
  for (const language of languages) {
    const name = semgrepLanguage(language);
    const known = Object.hasOwn(SEMGREP_LANGUAGES, name) ? SEMGREP_LANGUAGES[name] : undefined;
    if (known === undefined) return undefined;
    for (const glob of known) globs.add(glob);
  }
  return globs.size === 0 ? undefined : [...globs].sort();
}
