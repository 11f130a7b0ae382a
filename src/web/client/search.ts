import { button, el, getJson } from './dom.js';
import type { LogView } from './log-view.js';
import { MAX_SEARCH_QUERY } from '../../protocol/query-limits.js';

interface SearchAnswer {
  hits: number[];
  scannedTo: number;
  complete: boolean;
}

/**
 * The hits of one query, as far as the server has searched: pages of hits fetched in log order,
 * each after the last one's `scannedTo`. {@link Hits.cancel} aborts what is under way (a newer query
 * replaces this one).
 */
class Hits {
  readonly query: string;
  /** Seqs of the hits found so far, ascending. */
  readonly seqs: number[] = [];
  /** True once the server has searched to the end of the log. */
  complete = false;
  readonly #url: string;
  readonly #abort = new AbortController();
  #scannedTo = -1;
  #pending: Promise<void> | undefined;

  constructor(id: string, query: string) {
    this.query = query;
    this.#url = `/api/v1/executions/${id}/search?q=${encodeURIComponent(query)}`;
  }

  /** Fetches the next page of hits; calls while one is under way share it, so no page comes twice. */
  more(): Promise<void> {
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  cancel(): void {
    this.#abort.abort();
  }

  async #fetch(): Promise<void> {
    const answer = await getJson<SearchAnswer>(`${this.#url}&after=${this.#scannedTo}`, this.#abort.signal);
    this.seqs.push(...answer.hits);
    this.complete = answer.complete;
    this.#scannedTo = answer.scannedTo;
  }
}

/**
 * Search in the execution's lines, done by the server (`GET …/search?q=`): the hit count, and
 * next/previous to jump between hits (Enter = next, Shift+Enter = previous). A search the server
 * cut short by its time budget shows `N+ hits` and fetches more when the reader passes the last one;
 * Previous from its first hit says it cannot wrap to the last instead of wrapping to the last found.
 * A new query aborts the one under way; a refused or failed search says so in the count.
 */
export function mountSearch(id: string, log: LogView, tools: HTMLElement): void {
  const form = el('form', 'search');
  form.setAttribute('role', 'search');
  const input = el('input');
  input.type = 'search';
  input.maxLength = MAX_SEARCH_QUERY;
  input.placeholder = 'Search the log';
  input.setAttribute('aria-label', 'Search the log');
  const count = el('output', 'hit-count');
  let search: Hits | undefined;
  let current = -1;

  const counted = (s: Hits) => `${s.seqs.length}${s.complete ? '' : '+'} hit${s.seqs.length === 1 && s.complete ? '' : 's'}`;
  const show = (s: Hits, note = '') => {
    count.textContent = `${current >= 0 ? `${current + 1} of ` : ''}${counted(s)}${note}`;
  };
  const go = async (delta: 1 | -1) => {
    const query = input.value;
    if (!query) return;
    if (query !== search?.query) {
      search?.cancel();
      search = new Hits(id, query);
      current = -1;
      log.markHits([]);
      count.textContent = 'Searching…';
    }
    const s = search;
    try {
      // the condition is read again after each page: a second Enter while the first waits moves on from where the first got
      while (s === search && !s.complete && (delta > 0 ? current + 1 >= s.seqs.length : s.seqs.length === 0)) await s.more();
      if (s !== search) return;
      log.markHits(s.seqs);
      if (s.seqs.length === 0) return show(s);
      if (delta < 0 && current <= 0 && !s.complete) {
        current = 0;
        log.reveal(s.seqs[0]!);
        return show(s, ' — Previous does not wrap: the end of the log is not searched yet');
      }
      // Previous as the first move goes to the last hit
      const from = current < 0 && delta < 0 ? 0 : current;
      current = (from + delta + s.seqs.length) % s.seqs.length;
      log.reveal(s.seqs[current]!);
      show(s);
    } catch (error) {
      if (s !== search) return;
      // the next Enter asks again
      search = undefined;
      count.textContent = `Search failed: ${error instanceof Error ? error.message : String(error)}`;
    }
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
