// The Kubernetes manifests the README shows, checked offline against the Kubernetes object
// schema as the kubernetes-models package ships it, in two ways:
// - its validators (compiled from Kubernetes' OpenAPI schema with ajv) check types, integer
//   formats, enums and required fields, but let unknown fields through, as the API server does
//   when asked to ignore them;
// - so each manifest is also type-checked against the package's TypeScript interface for its
//   kind: an object literal with a field the interface does not have is an error, at any depth,
//   which is what `kubectl apply` does by default (--validate=strict).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
  spec?: Record<string, unknown>;
}

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Every document of the README's YAML blocks that has an apiVersion and a kind. */
function readmeManifests(): Manifest[] {
  const blocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  const documents = blocks.flatMap((block) => parseAllDocuments(block));
  for (const document of documents) if (document.errors.length > 0) throw new Error(`README.md has a YAML block that does not parse: ${document.errors[0]!.message}`);
  return documents
    .map((document) => document.toJS() as unknown)
    .filter((value): value is Manifest => typeof value === 'object' && value !== null && 'apiVersion' in value && 'kind' in value);
}

/** What kubernetes-models' schema validator says of a manifest; empty when valid. */
async function schemaProblems(manifest: Manifest): Promise<string[]> {
  let models: Record<string, unknown>;
  try {
    // The package has one module per API group and version: kubernetes-models/v1, kubernetes-models/batch/v1, ...
    models = (await import(`kubernetes-models/${manifest.apiVersion}`)) as Record<string, unknown>;
  } catch {
    return [`kubernetes-models has no API version ${manifest.apiVersion}`];
  }
  const Model = models[manifest.kind] as (new (data: Manifest) => { validate(): void }) | undefined;
  if (Model === undefined) return [`kubernetes-models has no kind ${manifest.kind} in ${manifest.apiVersion}`];
  try {
    new Model(manifest).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const compilerOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
};
/** The library and package declarations, parsed once for all the programs of this file. */
const declarations = new Map<string, ts.SourceFile | undefined>();

/** The type checker's errors for each manifest assigned to its kind's interface (IJob for a Job, ...). */
function typeProblems(manifests: readonly Manifest[]): string[][] {
  const sources = new Map(
    manifests.map((manifest, index) => [
      join(here, `__readme-manifest-${index}.ts`),
      `import type { I${manifest.kind} } from 'kubernetes-models/${manifest.apiVersion}';\n` +
        `export const manifest: I${manifest.kind} = ${JSON.stringify(manifest, null, 2)};\n`,
    ]),
  );
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => sources.has(name) || fileExists(name);
  host.readFile = (name) => sources.get(name) ?? readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = sources.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, language);
    if (!declarations.has(name)) declarations.set(name, getSourceFile(name, language, ...rest));
    return declarations.get(name);
  };
  const program = ts.createProgram([...sources.keys()], compilerOptions, host);
  return [...sources.keys()].map((name) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(name)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
  );
}

const manifests = readmeManifests();
const indexedJob = (): Manifest => structuredClone(manifests.find((m) => m.kind === 'Job' && m.spec?.completionMode === 'Indexed')!);

test('the README shows the volume claim, the Indexed Job of the shards and the Job that merges', () => {
  assert.equal(
    manifests.map((m) => `${m.kind} ${m.metadata?.name}`),
    ['PersistentVolumeClaim cmk-sweep-results', 'Job cmk-sweep', 'Job cmk-sweep-merge'],
  );
  assert.is(indexedJob().spec?.completionMode, 'Indexed');
});

test("every manifest in the README is valid against the Kubernetes object schema, with no unknown field", async () => {
  const typeChecks = typeProblems(manifests);
  for (const [index, manifest] of manifests.entries()) {
    const problems = [...(await schemaProblems(manifest)), ...typeChecks[index]!];
    assert.equal(problems, [], `${manifest.kind} ${manifest.metadata?.name}: ${problems.join('; ')}`);
  }
});

test('the Indexed Job with backoffLimit misspelled backofLimit is refused as an unknown field', async () => {
  const misspelled = indexedJob();
  const { backoffLimit, ...spec } = misspelled.spec!;
  misspelled.spec = { ...spec, backofLimit: backoffLimit };
  const [problems] = typeProblems([misspelled]);
  assert.equal(problems, ["Object literal may only specify known properties, and '\"backofLimit\"' does not exist in type 'IJobSpec'."]);
  // The schema's validators alone let it through, as the API server does: that is why the type check is there.
  assert.equal(await schemaProblems(misspelled), []);
});

test('an unknown field deep in the pod template is refused too', () => {
  const job = indexedJob();
  const template = job.spec!.template as { spec: { containers: Record<string, unknown>[] } };
  template.spec.containers[0]!.workdir = '/app';
  assert.match(typeProblems([job])[0]!.join('\n'), /'"workdir"' does not exist in type 'IContainer'/);
});

test('the schema refuses a fractional number of completions and an unknown completion mode', async () => {
  const fractional = indexedJob();
  fractional.spec!.completions = 8.5;
  assert.match((await schemaProblems(fractional)).join('\n'), /completions must be integer/);
  const mode = indexedJob();
  mode.spec!.completionMode = 'Indexd';
  assert.match((await schemaProblems(mode)).join('\n'), /completionMode must be equal to one of the allowed values/);
});

test('a kind the schema does not know is refused', async () => {
  const unknown = { ...indexedJob(), kind: 'IndexedJob' };
  assert.equal(await schemaProblems(unknown), ['kubernetes-models has no kind IndexedJob in batch/v1']);
  assert.match(typeProblems([unknown])[0]!.join('\n'), /has no exported member 'IIndexedJob'/);
});

test.run();
