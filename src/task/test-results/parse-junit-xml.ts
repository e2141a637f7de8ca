import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { TestOutputParseError, type TestResult, type TestStatus } from './test-result.ts';
import { truncateMessage } from './truncate-message.ts';

type XmlNode = Record<string, unknown>;

const repeatedElements = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  htmlEntities: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && repeatedElements.has(name),
});

/**
 * Parses a JUnit XML report (`<testsuites>` or a bare `<testsuite>`, suites nested to any depth) as written by
 * pytest `--junitxml`, `node --test --test-reporter=junit`, vitest/jest junit reporters, gotestsum and others.
 *
 * The id is `classname::name` (just `name` without a classname). Aliases: `file::name` when the case has a `file`
 * attribute, and `suite > … > name` built from the enclosing `<testsuite>` names (node's reporter nests `describe`
 * blocks that way and sets every classname to "test").
 * A case with `<error>` is `error`, with `<failure>` `failed`, with `<skipped>` `skipped`, otherwise `passed`.
 */
export function parseJunitXml(xml: string): TestResult[] {
  const start = xml.indexOf('<');
  if (start === -1) {
    throw new TestOutputParseError('junit-xml', 'no XML found');
  }
  const document = xml.slice(start);
  const validation = XMLValidator.validate(document);
  if (validation !== true) {
    const { msg, line } = validation.err;
    throw new TestOutputParseError('junit-xml', `malformed XML at line ${line}: ${msg}`);
  }
  const root = parser.parse(document) as XmlNode;
  const results: TestResult[] = [];
  if ('testsuites' in root) {
    if (isNode(root.testsuites)) visitSuite(root.testsuites, [], results);
  } else if (Array.isArray(root.testsuite)) {
    for (const suite of root.testsuite) {
      if (isNode(suite)) visitSuite(suite, [textAttribute(suite, 'name')].filter(isNonEmpty), results);
    }
  } else {
    throw new TestOutputParseError('junit-xml', 'root element is neither <testsuites> nor <testsuite>');
  }
  return results;
}

function visitSuite(suite: XmlNode, suiteNames: string[], results: TestResult[]): void {
  for (const testCase of asNodes(suite.testcase)) {
    results.push(toResult(testCase, suiteNames));
  }
  for (const child of asNodes(suite.testsuite)) {
    const name = textAttribute(child, 'name');
    visitSuite(child, name ? [...suiteNames, name] : suiteNames, results);
  }
}

function toResult(testCase: XmlNode, suiteNames: string[]): TestResult {
  const name = textAttribute(testCase, 'name') ?? '';
  const className = textAttribute(testCase, 'classname');
  const file = textAttribute(testCase, 'file');
  const id = className ? `${className}::${name}` : name;
  const aliases = new Set<string>();
  if (file) aliases.add(`${file}::${name}`);
  if (suiteNames.length > 0) aliases.add([...suiteNames, name].join(' > '));
  aliases.delete(id);

  let status: TestStatus = 'passed';
  let detail: XmlNode | string | undefined;
  for (const [element, elementStatus] of [
    ['error', 'error'],
    ['failure', 'failed'],
    ['skipped', 'skipped'],
  ] as const) {
    const children = testCase[element];
    if (Array.isArray(children) && children.length > 0) {
      status = elementStatus;
      detail = children[0] as XmlNode | string;
      break;
    }
  }
  const result: TestResult = { id, status };
  if (aliases.size > 0) result.aliases = [...aliases];
  const seconds = Number(textAttribute(testCase, 'time'));
  if (textAttribute(testCase, 'time') !== undefined && Number.isFinite(seconds)) {
    result.durationMs = seconds * 1000;
  }
  const message = detailMessage(detail);
  if (message) result.message = message;
  return result;
}

function detailMessage(detail: XmlNode | string | undefined): string | undefined {
  if (detail === undefined) return undefined;
  if (typeof detail === 'string') return truncateMessage(detail.trim()) || undefined;
  const text =
    textAttribute(detail, 'message') ?? (typeof detail['#text'] === 'string' ? detail['#text'] : '');
  return truncateMessage(text.trim()) || undefined;
}

function textAttribute(node: XmlNode, name: string): string | undefined {
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

function asNodes(value: unknown): XmlNode[] {
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
