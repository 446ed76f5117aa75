// Writing desired-state YAML the way the example files are written: the schema header, block
// mappings, short scalar lists in flow style ([a, b]), multi-line text as literal blocks. Pure.
import { Document, isScalar, isSeq, visit } from "yaml";

export const DEVICE_SCHEMA_HEADER =
  "yaml-language-server: $schema=../reconciler/schema/json/device.schema.json";

/** Lists of scalars in flow style, as a human writes addresses: [192.0.2.1/26, 2001:db8::1/64]. */
export function flowScalarLists(doc: Document): void {
  visit(doc, {
    Seq(_key, node) {
      const short = (i: unknown) => isScalar(i) && !String(i.value).includes("\n");
      if (node.items.length > 0 && node.items.every(short)) node.flow = true;
    },
  });
}

export const STRINGIFY = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

/** A YAML document of a value, with comment lines at its top. */
export function yamlText(value: unknown, headerComments: string[]): string {
  const doc = new Document(value);
  flowScalarLists(doc);
  doc.commentBefore = headerComments.map((l) => (l === "" ? "" : ` ${l}`)).join("\n");
  return doc.toString(STRINGIFY);
}

export const isScalarSeq = (node: unknown): boolean => isSeq(node) && node.items.every((i) => isScalar(i));
