/** HTML that is already escaped (built by {@link html}); anything else put into {@link html} is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Tagged template that escapes every interpolated value except {@link SafeHtml}; arrays are joined.
 * null, undefined and false render as nothing. The one way pages build markup, so nothing from a
 * run (command, names, output) reaches the page unescaped.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Data for the page's script as a JSON block (`type="application/json"` is never executed, so the
 * strict CSP allows it); `<` is written as `\u003c` so no text can close the element.
 */
export function jsonBlock(id: string, data: unknown): SafeHtml {
  return new SafeHtml(`<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`);
}
