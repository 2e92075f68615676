/** The static half of the block sandbox (src/live/worker/sandbox.ts) and the site's CSP (src/live/build/csp.ts). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CSP_HEADER, pagePolicy, withPolicy } from '../../src/live/build/csp.ts';
import { refuseImports, SandboxError } from '../../src/live/worker/sandbox.ts';

const refusal = (js: string) => {
  try {
    refuseImports(js);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(SandboxError);
    return { message: (e as SandboxError).message, at: (e as SandboxError).at };
  }
};

describe('refuseImports', () => {
  test('every import(), literal or computed, is refused at its line', () => {
    expect(refusal("const a = 1;\nawait import('https://evil.example/x.js');")?.at?.line).toBe(2);
    expect(refusal('const u = f();\n\nconst m = await import(u);')?.at?.line).toBe(3);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal in the block's code
    expect(refusal('const t = `${import(q)}`;')?.message).toMatch(/dynamic import\(\) is not allowed/);
    expect(refusal("const m = await import('mmspec');")?.message).toMatch(/static import at the top/);
  });

  test('a static import left after the rewriting is refused by name', () => {
    expect(refusal("import x from 'https://evil.example/x.js';")?.message).toMatch(
      /an import of "https:\/\/evil.example\/x.js"/,
    );
  });

  test('comments, strings and import.meta are not imports', () => {
    expect(refusal("// import('x')\nconst s = \"import('y')\";\nconst u = import.meta.url;")).toBeNull();
    expect(refusal("const { explore } = await __mmspecImport('mmspec/explorer');")).toBeNull();
  });
});

describe('the CSP', () => {
  const page =
    '<!doctype html><html><head><meta charset="utf-8"><script>a()</script><script src="/x.js"></script></head></html>';

  test('inline scripts by hash, files by origin, nothing unsafe for scripts', () => {
    const p = pagePolicy(page);
    const h = createHash('sha256').update('a()').digest('base64');
    expect(p).toContain(`script-src 'self' 'wasm-unsafe-eval' 'sha256-${h}'`);
    expect(p).not.toMatch(/script-src[^;]*'unsafe-/);
    expect(p).toContain("object-src 'none'");
  });

  test('the <meta> comes first in <head>, before any script', () => {
    expect(withPolicy(page)).toMatch(
      /^<!doctype html><html><head><meta http-equiv="content-security-policy" content="[^"]+"><meta charset/,
    );
  });

  test("README's snippets for static hosts are the header npm start sends", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme.split(CSP_HEADER).length - 1).toBe(2);
    expect(CSP_HEADER).toContain("frame-ancestors 'none'");
  });
});
