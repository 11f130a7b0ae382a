/** Small DOM helpers: elements are built with textContent only, so no text from a run becomes markup. */

/** Creates an element with a class and text (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A button with a label and a click handler. */
export function button(label: string, onClick: () => void, className = ''): HTMLButtonElement {
  const b = el('button', className, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** GETs JSON from this server; throws with the API's error message (or the `AbortError` of `signal`). */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

/** The JSON block the server rendered into the page. */
export function pageData<T>(): T | undefined {
  const node = document.getElementById('page-data');
  return node ? (JSON.parse(node.textContent ?? 'null') as T) : undefined;
}
