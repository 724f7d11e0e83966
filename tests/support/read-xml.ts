/**
 * A minimal XML 1.0 reader for tests of generated XML (the JUnit report): it
 * throws on anything not well-formed that a generator could get wrong (a
 * character XML forbids, a raw `<` or `&`, `]]>` in text, an unknown entity, an
 * unquoted or repeated attribute, unbalanced tags, more than one root) and
 * returns the element tree with attributes and text decoded, so a test can read
 * back what was written. No DTDs, comments, CDATA or processing instructions
 * beyond the leading declaration: the generator writes none.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The decoded text directly inside the element. */
  readonly text: string;
}

// XML 1.0 Char, as code points.
const CHAR = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const NAME = /^[A-Za-z_][\w.-]*$/;
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#x([0-9A-Fa-f]+)|#([0-9]+));/g;
const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#x[0-9A-Fa-f]+|#[0-9]+);)/.test(raw)) throw new Error(`raw & or unknown entity in ${where}: ${raw}`);
  return raw.replace(REFERENCE, (_match, named: string | undefined, hex: string | undefined, decimal: string | undefined) => {
    if (named !== undefined) return NAMED[named] as string;
    const code = Number.parseInt(hex ?? decimal ?? '', hex === undefined ? 10 : 16);
    const char = String.fromCodePoint(code);
    if (!CHAR.test(char)) throw new Error(`reference to a character XML forbids in ${where}: ${raw}`);
    return char;
  });
}

function parseAttributes(source: string, where: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  let rest = source.trim();
  while (rest !== '') {
    const match = /^([A-Za-z_][\w.:-]*)\s*=\s*"([^"<]*)"\s*/.exec(rest);
    if (match === null) throw new Error(`malformed attributes in ${where}: ${rest}`);
    const [whole, name, value] = match as unknown as [string, string, string];
    if (Object.hasOwn(attributes, name)) throw new Error(`attribute ${name} given twice in ${where}`);
    attributes[name] = decode(value, `${where}@${name}`);
    rest = rest.slice(whole.length);
  }
  return attributes;
}

/** Reads `document`, throwing on the first thing that is not well-formed. */
export function readXml(document: string): XmlElement {
  if (!CHAR.test(document)) throw new Error('a character XML 1.0 forbids');
  const body = document.replace(/^<\?xml [^?]*\?>\s*/, '');
  type Open = { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string };
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  let index = 0;
  while (index < body.length) {
    const next = body.indexOf('<', index);
    const text = body.slice(index, next === -1 ? body.length : next);
    if (text.includes(']]>')) throw new Error(']]> in text');
    const top = stack.at(-1);
    if (top === undefined) {
      if (text.trim() !== '') throw new Error(`text outside the root: ${text}`);
    } else top.text += decode(text, `<${top.name}> text`);
    if (next === -1) break;
    const close = body.indexOf('>', next);
    if (close === -1) throw new Error('unterminated tag');
    const tag = body.slice(next + 1, close);
    index = close + 1;
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (open?.name !== tag.slice(1)) throw new Error(`</${tag.slice(1)}> closes <${open?.name ?? 'nothing'}>`);
      const element: XmlElement = open;
      if (stack.length === 0) root = element;
      else stack.at(-1)?.children.push(element);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const inner = selfClosing ? tag.slice(0, -1) : tag;
    const name = /^\S+/.exec(inner)?.[0] ?? '';
    if (!NAME.test(name)) throw new Error(`bad element name: ${name}`);
    if (stack.length === 0 && root !== undefined) throw new Error('more than one root');
    const element: Open = { name, attributes: parseAttributes(inner.slice(name.length), `<${name}>`), children: [], text: '' };
    if (selfClosing) {
      if (stack.length === 0) root = element;
      else stack.at(-1)?.children.push(element);
    } else stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name ?? ''}> is never closed`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
