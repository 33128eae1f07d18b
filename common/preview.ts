// A short, overflow-proof rendering of an untrusted parsed value for error messages (JSON.stringify recurses and throws RangeError on deep input).

/** Punctuation waiting on the walk's stack, told apart from the document's own values. */
class Text {
  constructor(readonly text: string) {}
}

/**
 * JSON-like text of `value` cut at about `maxChars` characters ("…" when cut). Iterative, so a
 * 100,000-deep array or a million-element list costs only what is shown; `undefined` and functions
 * render as in JSON (`undefined` at the top).
 */
export function previewJson(value: unknown, maxChars = 80): string {
  if (value === undefined) return "undefined";
  const out: string[] = [];
  let length = 0;
  const emit = (s: string) => {
    out.push(s);
    length += s.length;
  };
  const stack: unknown[] = [value];
  while (stack.length > 0 && length <= maxChars) {
    const v = stack.pop();
    if (v instanceof Text) {
      emit(v.text);
    } else if (Array.isArray(v)) {
      emit("[");
      stack.push(new Text("]"));
      for (let i = Math.min(v.length, maxChars) - 1; i >= 0; i--) {
        stack.push(v[i]);
        if (i > 0) stack.push(new Text(","));
      }
    } else if (v !== null && typeof v === "object") {
      emit("{");
      stack.push(new Text("}"));
      const keys = Object.keys(v).slice(0, maxChars);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i]!]);
        stack.push(new Text(`${JSON.stringify(keys[i]!.slice(0, maxChars))}:`));
        if (i > 0) stack.push(new Text(","));
      }
    } else if (typeof v === "string") {
      emit(JSON.stringify(v.slice(0, maxChars + 1)));
    } else if (typeof v === "bigint") {
      emit(String(v));
    } else {
      emit(JSON.stringify(v) ?? "null");
    }
  }
  const text = out.join("");
  return stack.length > 0 || text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
