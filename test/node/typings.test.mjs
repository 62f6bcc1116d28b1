// The element's framework typings and the READMEs' code, as a user gets them: both packages packed
// and installed (test/consumers/typings, with React's, Vue's and Svelte's types), then
//  - the typings against packages/element/custom-elements.json, both ways: every attribute and
//    event of the manifest is typed in HTML (`/html`), React 19 JSX (`/react`), Vue's
//    GlobalComponents (`/vue`) and Svelte's SvelteHTMLElements (`/svelte`), each event with its
//    `detail` type, and the typings have nothing the manifest does not (tsc on generated checks);
//  - every ```js / ```ts / ```jsx / ```tsx block of the READMEs, written to a file as it stands
//    and type-checked (TypeScript blocks strict, JavaScript ones with checkJs).
// Needs the build and the npm registry (or npm's cache) for the apps' dependencies.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installApp, packPackages, root, sh } from '../consumers/lib.mjs';

const READMES = ['README.md', 'packages/core/README.md', 'packages/element/README.md', 'extension/README.md'];
const EXT = { js: 'js', javascript: 'js', ts: 'ts', typescript: 'ts', jsx: 'jsx', tsx: 'tsx' };

/** The element's attributes and events as custom-elements.json lists them. */
function manifest() {
  const m = JSON.parse(fs.readFileSync(path.join(root, 'packages/element/custom-elements.json'), 'utf8'));
  const decl = m.modules.flatMap((mod) => mod.declarations ?? []).find((d) => d.tagName === 'emotion-detector');
  assert.ok(decl, 'custom-elements.json declares <emotion-detector>');
  const events = decl.events.map((e) => ({ name: e.name, detail: /^CustomEvent<(\w+)>$/.exec(e.type.text)?.[1] }));
  for (const e of events) assert.ok(e.detail, `event ${e.name}: its type in the manifest names a detail type`);
  return { attributes: decl.attributes.map((a) => a.name), events };
}

/**
 * The ```lang blocks of a Markdown file: { lang, code, line, dts }. A block whose info string
 * names a declaration file (```ts title="src/x.d.ts") is checked as a .d.ts, as a user pastes it.
 */
export function codeBlocks(markdown) {
  const out = [];
  const re = /^```(\w*)([^\n]*)\n([\s\S]*?)^```/gm;
  for (let m; (m = re.exec(markdown)); ) {
    out.push({ lang: m[1], code: m[3], line: markdown.slice(0, m.index).split('\n').length, dts: /\.d\.ts\b/.test(m[2]) });
  }
  return out;
}

const camel = (s) => s.replace(/-(\w)/g, (_, c) => c.toUpperCase());
const union = (names) => names.map((n) => `'${n}'`).join(' | ');

/** TypeScript that compiles only when the typings match the manifest exactly. */
function manifestChecks({ attributes, events }) {
  const details = [...new Set(events.map((e) => e.detail))];
  const lines = [
    `import type { ${details.join(', ')}, EmotionDetectorElement } from '@emotion-detector/element';`,
    `import type { EmotionDetectorAttributes, EmotionDetectorEventMap, EmotionDetectorEventProps } from '@emotion-detector/element/html';`,
    `import type { EmotionDetectorJSXProps } from '@emotion-detector/element/react';`,
    `import type { EmotionDetectorVueProps } from '@emotion-detector/element/vue';`,
    `import type { EmotionDetectorSvelteProps } from '@emotion-detector/element/svelte';`,
    `import type { JSX } from 'react';`,
    `import type { GlobalComponents } from 'vue';`,
    `import type { SvelteHTMLElements } from 'svelte/elements';`,
    `type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;`,
    `type Expect<T extends true> = T;`,
    `type Handler<P, K extends keyof P> = NonNullable<P[K]> extends (event: infer E) => unknown ? E : never;`,
    `type VueProps = InstanceType<GlobalComponents['emotion-detector']>['$props'];`,
    `type ReactProps = JSX.IntrinsicElements['emotion-detector'];`,
    `type SvelteProps = SvelteHTMLElements['emotion-detector'];`,
    // Both ways: the typed attributes and events are exactly the manifest's.
    `export type Attributes = Expect<Equal<keyof EmotionDetectorAttributes, ${union(attributes)}>>;`,
    `export type Events = Expect<Equal<keyof EmotionDetectorEventMap, ${union(events.map((e) => e.name))}>>;`,
    `export type EventProps = Expect<Equal<keyof EmotionDetectorEventProps, ${union(events.map((e) => `on${e.name}`))}>>;`,
    // The framework entries are what the augmentations register.
    `export type ReactRegistered = Expect<Equal<ReactProps, EmotionDetectorJSXProps>>;`,
    `export type SvelteRegistered = Expect<Equal<SvelteProps, EmotionDetectorSvelteProps>>;`,
    `export type ReactRef = Expect<Equal<NonNullable<ReactProps['ref']> extends import('react').Ref<EmotionDetectorElement> ? true : false, true>>;`,
  ];
  for (const a of attributes) {
    lines.push(
      `export type React_${camel(a)} = Expect<Equal<ReactProps['${a}'], EmotionDetectorAttributes['${a}']>>;`,
      `export type Vue_${camel(a)} = Expect<Equal<VueProps['${a}'], EmotionDetectorAttributes['${a}']>>;`,
      `export type Svelte_${camel(a)} = Expect<Equal<SvelteProps['${a}'], EmotionDetectorAttributes['${a}']>>;`,
    );
  }
  for (const { name, detail } of events) {
    const id = camel(name);
    const vueKey = `on${id[0].toUpperCase()}${id.slice(1)}`;
    lines.push(
      `export type Map_${id} = Expect<Equal<EmotionDetectorEventMap['${name}'], CustomEvent<${detail}>>>;`,
      `export type React_on${id} = Expect<Equal<Handler<ReactProps, 'on${name}'>['detail'], ${detail}>>;`,
      `export type Svelte_on${id} = Expect<Equal<Handler<SvelteProps, 'on${name}'>['detail'], ${detail}>>;`,
      `export type Vue_on${id} = Expect<Equal<Handler<VueProps, '${vueKey}'>['detail'], ${detail}>>;`,
      `export type VueKey_on${id} = Expect<Equal<'${vueKey}' extends keyof EmotionDetectorVueProps ? true : false, true>>;`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('typings and README snippets, from the packed packages', { timeout: 15 * 60_000 }, () => {
  let dir;
  before(async () => {
    dir = await installApp('typings', await packPackages());
  });

  const tsc = (project) => sh('npx', ['tsc', '-p', project], { cwd: dir });

  it('the element is typed in HTML, React 19 JSX, Vue and Svelte exactly as custom-elements.json says', async () => {
    const m = manifest();
    assert.ok(m.attributes.length >= 10 && m.events.length >= 5, 'the manifest lists the attributes and events');
    fs.mkdirSync(path.join(dir, 'manifest'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'manifest/check.ts'), manifestChecks(m));
    // The augmentations load by importing the entries, as the READMEs say.
    fs.writeFileSync(
      path.join(dir, 'manifest/load.ts'),
      "import '@emotion-detector/element/react';\nimport '@emotion-detector/element/vue';\nimport '@emotion-detector/element/svelte';\n",
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.manifest.json'),
      JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { strict: true }, include: ['manifest'] }, null, 2),
    );
    await tsc('tsconfig.manifest.json');
  });

  it('every ts/js code block of the READMEs type-checks as written', async () => {
    const out = path.join(dir, 'snippets');
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    const written = [];
    for (const readme of READMES) {
      const blocks = codeBlocks(fs.readFileSync(path.join(root, readme), 'utf8')).filter((b) => EXT[b.lang]);
      for (const b of blocks) {
        const name = `${readme.replace(/\W+/g, '_')}_L${b.line}.${b.dts ? 'd.ts' : EXT[b.lang]}`;
        fs.writeFileSync(path.join(out, name), b.code);
        written.push(name);
      }
    }
    assert.ok(written.length >= 8, `found ${written.length} snippets`);
    const ts = written.filter((f) => /\.tsx?$/.test(f)).map((f) => `snippets/${f}`);
    const js = written.filter((f) => /\.jsx?$/.test(f)).map((f) => `snippets/${f}`);
    fs.writeFileSync(path.join(dir, 'tsconfig.snippets-ts.json'), JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { strict: true }, files: ts }, null, 2));
    fs.writeFileSync(
      path.join(dir, 'tsconfig.snippets-js.json'),
      JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { allowJs: true, checkJs: true, strict: false }, files: js }, null, 2),
    );
    if (ts.length) await tsc('tsconfig.snippets-ts.json');
    await tsc('tsconfig.snippets-js.json');
    console.log(`# ${written.length} README snippets type-checked (${ts.length} TypeScript, ${js.length} JavaScript)`);
  });
});
