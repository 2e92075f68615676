/**
 * Nothing from a worker, a URL or storage becomes markup (issue 9): the page runtime builds its DOM
 * with createElement/text nodes only. This test fails on any HTML-parsing sink in src/live, found
 * in the TypeScript AST (not by grep, so comments and strings do not count), and checks that the
 * element trees the trace view is drawn from turn hostile text into text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { el, toDom, toMarkup } from '../../src/live/shared/markup.ts';

const LIVE = new URL('../../src/live/', import.meta.url).pathname;

/** Property names and calls that parse a string as HTML (or run it as code). */
const SINK_PROPS = new Set([
  'innerHTML',
  'outerHTML',
  'insertAdjacentHTML',
  'srcdoc',
  'setHTMLUnsafe',
  'createContextualFragment',
  'parseFromString',
  'write',
  'writeln',
]);
const SINK_NEW = new Set(['DOMParser', 'Function']);
const SINK_CALLS = new Set(['eval']);

function sinks(source: string, file = 'x.ts'): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => {
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart());
    found.push(`${file}:${line + 1} ${what}`);
  };
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAccessExpression(n) && SINK_PROPS.has(n.name.text)) {
      // document.write / .writeln only on a document; the others anywhere.
      const name = n.name.text;
      if (!(name === 'write' || name === 'writeln') || /document$/.test(n.expression.getText()))
        at(n, `.${name}`);
    }
    if (ts.isElementAccessExpression(n) && ts.isStringLiteral(n.argumentExpression)) {
      if (SINK_PROPS.has(n.argumentExpression.text)) at(n, `["${n.argumentExpression.text}"]`);
    }
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && SINK_NEW.has(n.expression.text))
      at(n, `new ${n.expression.text}`);
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && SINK_CALLS.has(n.expression.text))
      at(n, `${n.expression.text}()`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('no markup sinks in the page runtime', () => {
  test('the scanner finds each kind of sink', () => {
    const bad = [
      'a.innerHTML = x;',
      'b.outerHTML = y;',
      "c.insertAdjacentHTML('beforeend', z);",
      "d['innerHTML'] = w;",
      "new DOMParser().parseFromString(s, 'text/html');",
      'document.write(s);',
      'f.srcdoc = s;',
      'eval(s);',
      "new Function('return 1');",
    ].join('\n');
    expect(sinks(bad)).toHaveLength(10); // parseFromString and new DOMParser are both flagged
    expect(sinks('// a.innerHTML = x\nconst s = "b.innerHTML = y";\nstream.write(x);')).toEqual([]);
  });

  test('src/live has none', () => {
    const files = readdirSync(LIVE, { recursive: true })
      .map(String)
      .filter((f) => /\.(ts|mts|js)$/.test(f) && !f.endsWith('.d.ts'));
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((f) => sinks(readFileSync(join(LIVE, f), 'utf8'), `src/live/${f}`));
    expect(found).toEqual([]);
  });
});

describe('element trees keep data as text', () => {
  const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';

  test('toMarkup escapes every value and text', () => {
    const out = toMarkup(el('g', { 'data-step': hostile }, el('title', {}, hostile), hostile));
    // Only the two elements asked for: every other '<' and '"' is an entity.
    expect(out.match(/</g)).toHaveLength(4);
    expect(out.match(/"/g)).toHaveLength(2);
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('&quot;&gt;&lt;img');
  });

  test('event-handler and malformed names are refused', () => {
    expect(() => toMarkup(el('rect', { onload: 'x' }))).toThrow(/bad element or attribute name/);
    expect(() => toMarkup(el('rect', { 'x" onload="y': 1 }))).toThrow(/bad element or attribute name/);
    expect(() => toMarkup(el('img src=x', {}))).toThrow(/bad element or attribute name/);
  });

  test('toDom makes text nodes and attributes, never parses', () => {
    const calls: string[] = [];
    const node = (kind: string) => ({
      kind,
      attrs: {} as Record<string, string>,
      kids: [] as unknown[],
      setAttribute(k: string, v: string) {
        this.attrs[k] = v;
      },
      append(c: unknown) {
        this.kids.push(c);
      },
    });
    const doc = {
      createElement(t: string) {
        calls.push(`el ${t}`);
        return node(t);
      },
      createElementNS(_ns: string, t: string) {
        calls.push(`ns ${t}`);
        return node(t);
      },
      createTextNode(s: string) {
        calls.push('text');
        return { text: s };
      },
    } as unknown as Document;
    const out = toDom(el('svg', { 'data-x': hostile }, el('text', {}, hostile)), doc) as unknown as {
      attrs: Record<string, string>;
      kids: { kids: { text: string }[] }[];
    };
    expect(out.attrs['data-x']).toBe(hostile);
    expect(out.kids[0].kids[0].text).toBe(hostile);
    expect(calls).toEqual(['ns svg', 'ns text', 'text']);
  });
});
