/**
 * Canonical XML (W3C C14N 1.0 and 1.1, inclusive, without comments) of an element's subtree, for
 * XML signatures. For a whole document or an element whose ancestors carry no `xml:` attributes,
 * the two versions give the same bytes; callers refuse documents where they would differ.
 *
 * Rules applied: namespace declarations first, the default one first then by prefix, each only
 * where it changes what the nearest output ancestor declared (the apex gets every in-scope
 * namespace); other attributes sorted by namespace URI then local name; the escapes of §2.3;
 * comments dropped; empty elements written as a start and an end tag.
 */
const xmlnsNamespace = 'http://www.w3.org/2000/xmlns/'

/** The DOM types this needs (as `@xmldom/xmldom` and browsers provide them). */
export type XmlNode = {
  nodeType: number
  nodeName: string
  parentNode: XmlNode | null
  childNodes: ArrayLike<XmlNode>
  // Elements
  localName?: string | null
  attributes?: ArrayLike<XmlAttribute>
  // Text, CDATA, processing instructions
  data?: string
  target?: string
}

export type XmlAttribute = {
  name: string
  localName: string | null
  prefix: string | null
  namespaceURI: string | null
  value: string
}

const elementNode = 1
const textNode = 3
const cdataNode = 4
const processingInstructionNode = 7

/** Canonical form of `element`'s subtree, leaving out the nodes `exclude` selects (and theirs). */
export function canonicalXml(
  element: XmlNode,
  exclude: (node: XmlNode) => boolean = () => false,
): string {
  const out: string[] = []
  writeElement(element, namespacesInScope(element), new Map(), exclude, out)
  return out.join('')
}

/** Every namespace declaration in scope at `element`, its own and its ancestors', by prefix ('' for the default). */
function namespacesInScope(element: XmlNode): Map<string, string> {
  const chain: XmlNode[] = []
  for (
    let node: XmlNode | null = element;
    node && node.nodeType === elementNode;
    node = node.parentNode
  )
    chain.unshift(node)
  const scope = new Map<string, string>()
  for (const node of chain) for (const [prefix, uri] of declarationsOf(node)) scope.set(prefix, uri)
  return scope
}

function declarationsOf(element: XmlNode): [string, string][] {
  const declarations: [string, string][] = []
  for (const attribute of Array.from(element.attributes ?? []))
    if (isNamespaceDeclaration(attribute))
      declarations.push([
        attribute.prefix === 'xmlns' ? (attribute.localName ?? '') : '',
        attribute.value,
      ])
  return declarations
}

function isNamespaceDeclaration(attribute: XmlAttribute): boolean {
  return (
    attribute.namespaceURI === xmlnsNamespace ||
    attribute.name === 'xmlns' ||
    attribute.name.startsWith('xmlns:')
  )
}

function writeElement(
  element: XmlNode,
  inScope: Map<string, string>,
  rendered: Map<string, string>,
  exclude: (node: XmlNode) => boolean,
  out: string[],
): void {
  const namespaces = [...inScope]
    .filter(([prefix, uri]) => {
      if (prefix === 'xml') return false
      const before = rendered.get(prefix)
      // An empty default namespace is written only to undo a non-empty one above.
      if (prefix === '' && uri === '') return before !== undefined && before !== ''
      return before !== uri
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const attributes = Array.from(element.attributes ?? [])
    .filter((attribute) => !isNamespaceDeclaration(attribute))
    .sort(
      (a, b) =>
        compare(a.namespaceURI ?? '', b.namespaceURI ?? '') ||
        compare(a.localName ?? a.name, b.localName ?? b.name),
    )
  out.push('<', element.nodeName)
  for (const [prefix, uri] of namespaces)
    out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttribute(uri), '"')
  for (const attribute of attributes)
    out.push(' ', attribute.name, '="', escapeAttribute(attribute.value), '"')
  out.push('>')
  const renderedHere = new Map(rendered)
  for (const [prefix, uri] of namespaces) renderedHere.set(prefix, uri)
  for (const child of Array.from(element.childNodes)) {
    if (exclude(child)) continue
    if (child.nodeType === elementNode) {
      const childScope = new Map(inScope)
      for (const [prefix, uri] of declarationsOf(child)) childScope.set(prefix, uri)
      writeElement(child, childScope, renderedHere, exclude, out)
    } else if (child.nodeType === textNode || child.nodeType === cdataNode)
      out.push(escapeText(child.data ?? ''))
    else if (child.nodeType === processingInstructionNode)
      out.push('<?', child.target ?? '', child.data ? ` ${child.data}` : '', '?>')
  }
  out.push('</', element.nodeName, '>')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function escapeText(text: string): string {
  return text.replace(
    /[&<>\r]/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' })[char] as string,
  )
}

function escapeAttribute(text: string): string {
  return text.replace(
    /[&<"\t\n\r]/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[
        char
      ] as string,
  )
}
