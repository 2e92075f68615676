/**
 * Expressive Code's copy button in a spec block: the build drops its `data-code` (a second copy of
 * the code in the page, src/live/build/code-tokens.ts), so it is filled from the highlighted lines just
 * before Expressive Code's own click handler reads it (this listener captures first).
 */
document.addEventListener(
  'click',
  (e) => {
    const b = (e.target as Element | null)?.closest?.('spec-block .copy button');
    if (!(b instanceof HTMLElement) || b.dataset.code !== undefined) return;
    const lines = [...(b.closest('.expressive-code')?.querySelectorAll('.ec-line') ?? [])]
      .filter((l) => !l.closest('summary'))
      .map((l) => (l.querySelector('.code')?.textContent ?? '').replace(/\n$/, ''));
    b.dataset.code = lines.join('\u007f');
  },
  true,
);
