import { button, el, getJson } from './dom.js';
import type { LogView } from './log-view.js';

interface SearchAnswer {
  hits: number[];
  scannedTo: number;
  complete: boolean;
}

/**
 * Search in the execution's lines, done by the server (`GET …/search?q=`): the hit count, and
 * next/previous to jump between hits (Enter = next, Shift+Enter = previous). A search the server
 * cut short by its time budget shows `N+ hits` and fetches more when the reader passes the last one.
 */
export function mountSearch(id: string, log: LogView, tools: HTMLElement): void {
  const form = el('form', 'search');
  form.setAttribute('role', 'search');
  const input = el('input');
  input.type = 'search';
  input.placeholder = 'Search the log';
  input.setAttribute('aria-label', 'Search the log');
  const count = el('output', 'hit-count');
  let query = '';
  let hits: number[] = [];
  let complete = true;
  let scannedTo = -1;
  let current = -1;

  const show = () => {
    count.textContent = query ? `${current >= 0 ? `${current + 1} of ` : ''}${hits.length}${complete ? '' : '+'} hit${hits.length === 1 ? '' : 's'}` : '';
  };
  const fetchMore = async () => {
    const answer = await getJson<SearchAnswer>(`/api/v1/executions/${id}/search?q=${encodeURIComponent(query)}&after=${scannedTo}`);
    hits = hits.concat(answer.hits);
    complete = answer.complete;
    scannedTo = answer.scannedTo;
    log.markHits(hits);
  };
  const go = async (delta: number) => {
    const q = input.value;
    if (!q) return;
    if (q !== query) {
      query = q;
      hits = [];
      complete = false;
      scannedTo = -1;
      current = -1;
      await fetchMore();
    }
    if (delta > 0 && current + 1 >= hits.length && !complete) await fetchMore();
    if (hits.length === 0) return show();
    current = (current + delta + hits.length) % hits.length;
    log.reveal(hits[current]!);
    show();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void go(1);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.shiftKey) {
      event.preventDefault();
      void go(-1);
    }
  });
  form.append(
    input,
    button('Previous', () => void go(-1)),
    button('Next', () => void go(1)),
    count,
  );
  tools.append(form);
}
