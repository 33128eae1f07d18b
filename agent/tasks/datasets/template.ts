// Prompt templates of named datasets: `{placeholder}` substitution, checked once against the dataset's placeholders.
import { C2iError, ErrorCode } from "../../../common/errors.ts";

type Part = { text: string } | { field: string };

/** A template compiled against a fixed set of placeholder names. */
export type Render = (fields: Readonly<Record<string, string>>) => string;

function parse(template: string, dataset: string): Part[] {
  const parts: Part[] = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if ((c === "{" || c === "}") && template[i + 1] === c) {
      text += c;
      i++;
    } else if (c === "{") {
      const end = template.indexOf("}", i);
      if (end < 0) {
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${dataset} template ${JSON.stringify(template)}: "{" at ${i} is never closed; write {{ for a literal brace`);
      }
      if (text) parts.push({ text });
      text = "";
      parts.push({ field: template.slice(i + 1, end).trim() });
      i = end;
    } else if (c === "}") {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${dataset} template ${JSON.stringify(template)}: unmatched "}" at ${i}; write }} for a literal brace`);
    } else {
      text += c;
    }
  }
  if (text) parts.push({ text });
  return parts;
}

/**
 * Compile `template` for a dataset whose rows offer `placeholders`; an unknown placeholder is an
 * INVALID_ARGUMENT naming the dataset and the placeholders it has, before any row is read.
 */
export function compileTemplate(template: string, placeholders: readonly string[], dataset: string): Render {
  const parts = parse(template, dataset);
  const known = new Set(placeholders);
  for (const part of parts) {
    if ("field" in part && !known.has(part.field)) {
      throw new C2iError(
        ErrorCode.INVALID_ARGUMENT,
        `${dataset} template ${JSON.stringify(template)} uses {${part.field}}, which this dataset does not have; its placeholders are ${placeholders.map((p) => `{${p}}`).join(", ")}`,
      );
    }
  }
  return (fields) => parts.map((part) => ("text" in part ? part.text : fields[part.field] ?? "")).join("");
}
