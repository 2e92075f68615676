import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { purgeUnusedCss, words } from '../../src/live/build/purge-css.ts';

/** A two-page dist/ with one sheet: what no page or script names goes, the rest stays. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'mmspec-purge-'));
  mkdirSync(join(root, '_astro'));
  mkdirSync(join(root, 'a'));
  writeFileSync(
    join(root, '_astro', 'common.AbC123.css'),
    [
      '.used{color:red}',
      '.unused-card{color:blue}',
      '.md\\:sl-flex{display:flex}',
      '.set-by-script{color:green}',
      ':root{--kept:1px;--dropped:2px;--read-inline:calc(var(--hue) * 1px);--hue:3}',
      '.used{margin:var(--kept)}',
    ].join('\n'),
  );
  writeFileSync(join(root, '_astro', 'pagefind-ui.X.css'), '.pagefind-ui__result{color:red}');
  writeFileSync(join(root, '_astro', 'page.js'), 'el.classList.add(`set-by-script`)');
  const page = (body: string) =>
    `<!DOCTYPE html><html><head><link rel="stylesheet" href="/_astro/common.AbC123.css"></head><body>${body}</body></html>`;
  writeFileSync(
    join(root, 'index.html'),
    page('<style>p{padding:var(--read-inline)}</style><p class="used">x</p>'),
  );
  writeFileSync(join(root, 'a', 'index.html'), page('<div class="md:sl-flex">y</div>'));
  return root;
}

describe('purge-css', () => {
  test('words keep Starlight utility classes whole', () => {
    expect(words('<div class="sl-hidden md:sl-flex print:hidden">')).toEqual(
      expect.arrayContaining(['sl-hidden', 'md:sl-flex', 'print:hidden']),
    );
  });

  test('drops what no page or script uses, renames the sheet and rewrites every link', async () => {
    const root = fixture();
    const [r, ...rest] = await purgeUnusedCss(root);
    expect(rest).toEqual([]); // Pagefind's sheet is not touched
    expect(r.file).toBe('common.AbC123.css');
    expect(r.renamed).toMatch(/^common\.[\w-]{8}\.css$/);
    expect(r.renamed).not.toBe(r.file);
    expect(existsSync(join(root, '_astro', r.file))).toBe(false);
    const css = readFileSync(join(root, '_astro', r.renamed), 'utf8');
    expect(css).toContain('.used');
    expect(css).toContain('md\\:sl-flex');
    expect(css).toContain('.set-by-script');
    expect(css).toContain('--kept');
    expect(css).toContain('--read-inline:'); // read by the page's own <style>, not by the sheet
    expect(css).toContain('--hue:'); // read by --read-inline's value
    expect(css).not.toContain('unused-card');
    expect(css).not.toContain('--dropped');
    expect(r.gzAfter).toBeLessThan(r.gzBefore);
    for (const page of ['index.html', 'a/index.html']) {
      const html = readFileSync(join(root, page), 'utf8');
      expect(html).toContain(`/_astro/${r.renamed}`);
      expect(html).not.toContain(r.file);
    }
    expect(readdirSync(join(root, '_astro'))).toContain('pagefind-ui.X.css');
  });
});
