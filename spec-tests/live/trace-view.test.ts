import { describe, expect, test } from 'vitest';
import { type Counterexample, defineModel, explore, type Model } from '../../src/explorer/index.ts';
import { runBlockAtBuild } from '../../src/live/build/build-traces.ts';
import { splitKey, stateAt } from '../../src/live/page/inspect.ts';
import { linkHash, parseLink } from '../../src/live/page/permalink.ts';
import { parseVariant, variantName } from '../../src/live/shared/capture.ts';
import { extractBlocks, type SpecBlock } from '../../src/live/shared/extract.ts';

const lost: Model = defineModel('lost update', (m) => {
  const x = m.cell('x', 0);
  const other = m.cell('page.flags', 'clean');
  for (const name of ['A', 'B'])
    m.thread(name, function* () {
      yield 'load';
      const v = x.load();
      other.load();
      yield 'store';
      x.store(v + 1);
    });
  m.final('no increment is lost', () => x.load() === 2);
});

describe('state inspector', () => {
  const cex = explore(lost).counterexample as Counterexample;

  test('keys split into object and field', () => {
    expect(splitKey('folio#1.mapcount.ptes')).toEqual(['folio#1', 'mapcount.ptes']);
    expect(splitKey('x')).toEqual(['x', '']);
    expect(splitKey('folio#T2.1.lock')).toEqual(['folio#T2.1', 'lock']);
    expect(splitKey('pt#A.pte[0]')).toEqual(['pt#A', 'pte[0]']);
  });

  test('a store: the field it changed, with its old value; values before and after', () => {
    const store = cex.steps.findIndex((s) => s.changes.length > 0);
    const [x] = stateAt(cex, store).filter((o) => o.object === 'x');
    expect(x.fields).toHaveLength(1);
    expect(x.fields[0]).toMatchObject({ changed: true, before: 0, value: 1, written: true, known: true });
    // Before the first store, x holds the value the first change started from.
    expect(stateAt(cex, 0).find((o) => o.object === 'x')?.fields[0]).toMatchObject({
      changed: false,
      value: 0,
      read: true,
    });
  });

  test('a field only read shows the value the step read', () => {
    const f = stateAt(cex, 0).find((o) => o.object === 'page')?.fields[0];
    expect(f).toMatchObject({ field: 'flags', known: true, value: 'clean', read: true, changed: false });
  });

  test('a field no step read or changed has no recorded value', () => {
    const partial = { ...cex, steps: cex.steps.map((s) => ({ ...s, readValues: {} })) };
    const f = stateAt(partial, 0).find((o) => o.object === 'page')?.fields[0];
    expect(f).toMatchObject({ field: 'flags', known: false, read: true, changed: false });
  });

  test('a step out of range is an error', () => {
    expect(() => stateAt(cex, cex.steps.length)).toThrow(/no step #/);
  });
});

describe('block links', () => {
  test('a schedule, a model and a step round-trip, with or without code', () => {
    const trace = {
      index: 1,
      model: 'R1 exit, delayed rmap',
      schedule: 'mmx1;s=A*2@x%3a y,B@z;h=01',
      step: 3,
    };
    for (const code of [null, 'eJwrSS0u0c3JzAMADOgC7g']) {
      const hash = linkHash({ id: 'r1-breaks', code, trace });
      expect(parseLink(hash)).toEqual({ id: 'r1-breaks', code, trace });
    }
    expect(parseLink('#spec-a~abc')).toEqual({ id: 'a', code: 'abc', trace: null });
    expect(parseLink('#intro')).toBeNull();
  });

  test('a malformed trace part is an error, not a silent plain link', () => {
    expect(() => parseLink('#spec-a?run=x&model=m&schedule=s')).toThrow(/run=<n>/);
    expect(() => parseLink('#spec-a?run=0&model=m')).toThrow(/schedule/);
  });
});

describe('variants', () => {
  test('era[+mutation…]', () => {
    expect(parseVariant('today+delayed_anon_rmap')).toEqual({ era: 'today', mutate: ['delayed_anon_rmap'] });
    expect(variantName(parseVariant(' 2014 '))).toBe('2014');
    expect(() => parseVariant('today+')).toThrow(/cannot read/);
  });

  test('the extractor reads variants="…" and refuses a malformed list', () => {
    const mdx = (meta: string) => `# t\n\n\`\`\`ts spec name="b" ${meta}\nexpect(1).toBe(1);\n\`\`\`\n`;
    expect(extractBlocks(mdx('variants="today, today+delayed_anon_rmap"'), 'c.mdx')[0].variants).toEqual([
      'today',
      'today+delayed_anon_rmap',
    ]);
    expect(() => extractBlocks(mdx('variants="today"'), 'c.mdx')).toThrow(/c\.mdx:3:1: variants/);
    expect(() => extractBlocks(mdx('variants="to day"'), 'c.mdx')).toThrow(/variants/);
  });
});

describe('build-time runs', () => {
  const block = (code: string, extra = ''): SpecBlock =>
    extractBlocks(
      `---\ntitle: x\n---\n\n\`\`\`ts spec name="b"${extra}\n${code}\n\`\`\`\n`,
      'content/x.mdx',
    )[0];

  test('the counterexamples a block finds are kept, numbered as the page numbers them', async () => {
    const run = await runBlockAtBuild(
      block(
        [
          "import { defineModel, explore } from 'mmspec/explorer';",
          "const m = defineModel('one', (b) => { b.thread('A', function* () { yield 'x'; }); b.final('never', () => false); });",
          'explore(m);',
          "expect(explore(m, { strategy: 'naive' }).verdict).toBe('breaks');",
        ].join('\n'),
      ),
    );
    expect(run.explorations).toBe(2);
    expect(run.traces.map((t) => [t.index, t.model, t.verdict])).toEqual([
      [0, 'one', 'breaks'],
      [1, 'one', 'breaks'],
    ]);
  });

  test("a scenario's variant is recorded", async () => {
    const run = await runBlockAtBuild(
      block(
        [
          "import { scenario } from 'mmspec';",
          "scenario('s', (k) => { const A = k.process('A', { pages: 1 }); k.anonFolio(A, 0); }, { mutate: 'delayed_anon_rmap' });",
        ].join('\n'),
      ),
    );
    expect(run.variants).toEqual(['today+delayed_anon_rmap']);
  });

  // The block's own expect (src/live/shared/expect.ts) shares chai with vitest's: read the error by hand.
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'no error',
      (e: Error) => e.message,
    );

  test('a block that throws fails the build at its MDX line', async () => {
    const message = await failure(runBlockAtBuild(block('const a = 1;\nexpect(a).toBe(2);')));
    expect(message).toMatch(
      /^content\/x\.mdx:7:11: the block fails at build time: AssertionError: expected 1 to be 2/,
    );
  });

  test('an unknown variant fails the build at the fence', async () => {
    const message = await failure(
      runBlockAtBuild(block('expect(1).toBe(1);', ' variants="today,today+no_such"')),
    );
    expect(message).toMatch(/^content\/x\.mdx:5:1: variants="…": unknown mutation 'no_such'/);
  });
});
