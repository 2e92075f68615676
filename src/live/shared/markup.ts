/**
 * Element trees: what the trace figure and table are made of, so that one drawing serves two
 * consumers without markup ever crossing from data to the page. At build time `toMarkup()` writes
 * a tree as text, escaping every attribute value and every text node; in the page `toDom()` builds
 * it with createElementNS/setAttribute/text nodes, so a step label, an object key or a value that
 * came from a run (code the reader did not write) can only ever be text.
 */

export interface El {
  tag: string;
  attrs: Record<string, string | number>;
  children: Child[];
}
export type Child = El | string;

/** An element; attribute names are the caller's constants, values and text are data. */
export function el(
  tag: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: (Child | false | null | undefined)[]
): El {
  const a: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = v;
  return {
    tag,
    attrs: a,
    children: children.filter((c): c is Child => c !== false && c !== null && c !== undefined),
  };
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeText = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

// Names are the drawing's constants; event-handler attributes are refused outright.
const NAME = /^[a-zA-Z][\w:-]*$/;
function checkName(n: string): string {
  if (!NAME.test(n) || /^on/i.test(n))
    throw new Error(`markup: bad element or attribute name ${JSON.stringify(n)}`);
  return n;
}

/** The tree as text (build time: files under dist/_traces, the static figures). */
export function toMarkup(node: Child): string {
  if (typeof node === 'string') return escapeText(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${checkName(k)}="${escapeText(String(v))}"`)
    .join('');
  // <style> holds the figure's own constant CSS; escaping keeps even that from closing the element.
  return `<${checkName(node.tag)}${attrs}>${node.children.map(toMarkup).join('')}</${node.tag}>`;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** The tree as DOM nodes (the page): no parser is involved, so data cannot become markup. */
export function toDom(node: Child, doc: Document = document, ns: string | null = null): Node {
  if (typeof node === 'string') return doc.createTextNode(node);
  const space = node.tag === 'svg' ? SVG_NS : ns;
  const e = space ? doc.createElementNS(space, checkName(node.tag)) : doc.createElement(checkName(node.tag));
  for (const [k, v] of Object.entries(node.attrs)) if (k !== 'xmlns') e.setAttribute(checkName(k), String(v));
  for (const c of node.children) e.append(toDom(c, doc, space));
  return e;
}
