import { button, el, getJson } from './dom.js';
import type { ReportJson } from '../../protocol/responses.js';

/** Row height in px; the stylesheet's `.log-view li` has the same height. */
const ROW = 20;
/** Rows fetched per request. */
const BLOCK = 500;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 30;
/**
 * Most px the scroll box's content is made tall, below every engine's cap on an element's size
 * (Chromium: 33 554 428 layout px, which a HiDPI screen or zoom makes fewer CSS px; Firefox:
 * ~17 895 697 px). A log taller than this (500 000 rows) is scaled: scrollTop maps proportionally.
 */
const MAX_HEIGHT = 10_000_000;

/** How far the log reaches (see the server's `LogExtent`). */
export interface Extent {
  lastSeq: number;
  quota: number;
}

/**
 * The virtualized log: every stored line reachable by scrolling, fetched by range in blocks of
 * {@link BLOCK} rows (`GET …/reports?after=&limit=`). Rows are positions in the stored log: with
 * the line quota's gap, the first ⌊quota/2⌋ lines, one marker row, then the rolling rest. Line
 * numbers are seq + 1 and link to `#L<n>`. Follows the end while the reader is at the bottom.
 *
 * The log's own height (rows × {@link ROW}) is its "virtual" height; the scroll box's content is
 * that, capped at {@link MAX_HEIGHT}; past the cap a scrollTop stands for scrollTop × scale virtual
 * px, the scale making the end of the scroll range the end of the log.
 */
export class LogView {
  readonly #id: string;
  readonly #viewport: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #jump: HTMLButtonElement;
  /** Says when a permalink names a line that the line quota dropped. */
  readonly #note: HTMLOutputElement;
  readonly #blocks = new Map<number, Array<ReportJson | undefined>>();
  readonly #loading = new Set<number>();
  /** Blocks fetched whole (a block may also hold only live lines). */
  readonly #complete = new Set<number>();
  #extent: Extent;
  #atEnd = true;
  /** scrollTop at the last scroll event or auto-scroll, to tell the reader scrolling up. */
  #lastTop = 0;
  #highlight = -1;
  #hits = new Set<number>();
  #scheduled = false;

  constructor(id: string, viewport: HTMLElement, extent: Extent, tools: HTMLElement) {
    this.#id = id;
    this.#viewport = viewport;
    this.#extent = extent;
    viewport.replaceChildren();
    viewport.classList.add('virtual');
    this.#spacer = el('div', 'spacer');
    this.#list = el('ol', 'lines');
    this.#spacer.append(this.#list);
    viewport.append(this.#spacer);
    this.#jump = button('Jump to end ↓', () => this.scrollToEnd(), 'jump');
    this.#jump.hidden = true;
    this.#note = el('output', 'log-note');
    tools.append(this.#jump, this.#note);
    viewport.addEventListener('scroll', () => {
      // only the reader scrolls up: a scroll event after lines grew the log below an auto-scroll is no reason to stop following
      if (viewport.scrollTop < this.#lastTop - 1) this.#atEnd = false;
      else if (viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - ROW * 2) this.#atEnd = true;
      this.#lastTop = viewport.scrollTop;
      this.#jump.hidden = this.#atEnd;
      this.#schedule();
    });
    // a reader's own gesture upwards stops following at once, before a live line can scroll the view back down
    const stopFollowing = () => {
      this.#atEnd = false;
      this.#jump.hidden = false;
    };
    viewport.addEventListener('wheel', (event) => event.deltaY < 0 && stopFollowing(), { passive: true });
    viewport.addEventListener('keydown', (event) => ['ArrowUp', 'PageUp', 'Home'].includes(event.key) && stopFollowing());
    window.addEventListener('resize', () => this.#schedule());
    this.#resize();
  }

  get rows(): number {
    const { dropped } = this.#quota();
    return dropped > 0 ? this.#extent.quota + 1 : this.#extent.lastSeq + 1;
  }

  /** Row of a seq (a dropped seq maps to the marker row). */
  rowOf(seq: number): number {
    const { head, dropped } = this.#quota();
    if (dropped === 0 || seq < head) return seq;
    if (seq < head + dropped) return head;
    return seq - dropped + 1;
  }

  /** Seq of a row (the marker row has the first dropped seq). */
  seqOf(row: number): number {
    const { head, dropped } = this.#quota();
    if (dropped === 0 || row <= head) return row;
    return head + dropped + (row - head - 1);
  }

  /** Adds lines that arrived live (in seq order, after what the view knows) and follows the end when the reader is there. */
  addLive(lines: ReportJson[]): void {
    if (lines.length === 0) return;
    const top = this.#top();
    const droppedBefore = this.#quota().dropped;
    this.#extent = { ...this.#extent, lastSeq: Math.max(this.#extent.lastSeq, lines.at(-1)!.seq) };
    // the rolling part of a full quota shifts by one row per new line: forget what was cached past the head
    if (this.#quota().dropped !== droppedBefore)
      for (const b of [...this.#blocks.keys()]) {
        if (b * BLOCK + BLOCK <= this.#quota().head) continue;
        this.#blocks.delete(b);
        this.#complete.delete(b);
      }
    for (const line of lines) this.#put(this.rowOf(line.seq), line);
    this.#resize();
    if (this.#atEnd) this.scrollToEnd();
    // scaled, the same scrollTop stands for a later row once the log grew: keep the reader's row in place
    else if (this.#scale() !== 1) this.#scrollTo(top);
  }

  scrollToEnd(): void {
    this.#viewport.scrollTop = this.#viewport.scrollHeight;
    this.#lastTop = this.#viewport.scrollTop;
    this.#atEnd = true;
    this.#jump.hidden = true;
    this.#schedule();
  }

  /**
   * Scrolls line `seq` into the middle of the view, and the view into the window, and highlights it;
   * a line the quota dropped highlights the marker row, and the note says so.
   */
  reveal(seq: number): void {
    this.#highlight = seq;
    const row = this.rowOf(seq);
    const { head, dropped } = this.#quota();
    this.#note.textContent =
      dropped > 0 && row === head ? `Line ${seq + 1} was dropped by the line quota (lines ${head + 1}–${head + dropped} were not kept).` : '';
    this.#viewport.scrollIntoView({ block: 'center' });
    this.#scrollTo(row * ROW - this.#viewport.clientHeight / 2);
    this.#atEnd = false;
    this.#jump.hidden = false;
    this.#schedule();
  }

  /** Marks these seqs as search hits. */
  markHits(seqs: Iterable<number>): void {
    this.#hits = new Set(seqs);
    this.#schedule();
  }

  #quota(): { head: number; dropped: number } {
    const { lastSeq, quota } = this.#extent;
    return { head: Math.floor(quota / 2), dropped: Math.max(0, lastSeq + 1 - quota) };
  }

  #resize(): void {
    const height = Math.min(this.rows * ROW, MAX_HEIGHT);
    this.#spacer.style.height = `${height}px`;
    this.#viewport.style.setProperty('--rows-height', `${height + 20}px`);
    this.#schedule();
  }

  /** Virtual px per scrollTop px: 1 unless the log is taller than {@link MAX_HEIGHT}. */
  #scale(): number {
    const total = this.rows * ROW;
    const view = this.#viewport.clientHeight;
    const scrollable = MAX_HEIGHT - view;
    return total > MAX_HEIGHT && scrollable > 0 ? (total - view) / scrollable : 1;
  }

  /** The virtual px at the top of the view. */
  #top(): number {
    return this.#viewport.scrollTop * this.#scale();
  }

  /** Scrolls so that virtual px `top` is at the top of the view (as far as the log reaches). */
  #scrollTo(top: number): void {
    this.#viewport.scrollTop = Math.max(0, top) / this.#scale();
    this.#lastTop = this.#viewport.scrollTop;
  }

  #put(row: number, line: ReportJson): void {
    const b = Math.floor(row / BLOCK);
    let block = this.#blocks.get(b);
    if (!block) this.#blocks.set(b, (block = []));
    block[row - b * BLOCK] = line;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    requestAnimationFrame(() => {
      this.#scheduled = false;
      this.#render();
    });
  }

  #render(): void {
    const rows = this.rows;
    const top = this.#top();
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(rows, Math.ceil((top + this.#viewport.clientHeight) / ROW) + OVERSCAN);
    const items: HTMLLIElement[] = [];
    for (let row = first; row < last; row++) {
      const b = Math.floor(row / BLOCK);
      const line = this.#blocks.get(b)?.[row - b * BLOCK];
      const complete = this.#complete.has(b);
      if (!line && !complete) void this.#load(b);
      items.push(this.#item(row, line, complete));
    }
    // row r is r × ROW - top below the view's top edge, which is scrollTop into the content
    this.#list.style.transform = `translateY(${this.#viewport.scrollTop + first * ROW - top}px)`;
    this.#list.replaceChildren(...items);
  }

  /** One row; without `line`, a row still loading (`…`) or, in a fetched block, a seq that holds no line. */
  #item(row: number, line: ReportJson | undefined, fetched: boolean): HTMLLIElement {
    const li = el('li');
    const { head, dropped } = this.#quota();
    const target = this.#highlight >= 0 && this.rowOf(this.#highlight) === row;
    if (dropped > 0 && row === head) {
      li.className = target ? 'quota target' : 'quota';
      li.append(el('span', 'ln', '…'), el('span', 'tx', line?.text ?? `[exec-track: ${dropped} lines dropped by the line quota]`));
      return li;
    }
    const seq = this.seqOf(row);
    const n = String(seq + 1);
    li.id = `L${n}`;
    const link = el('a', 'ln', n);
    link.href = `#L${n}`;
    li.append(link, el('span', 'tx', line ? line.text : fetched ? '' : '…'));
    if (line?.stream === 'stderr') li.classList.add('err');
    if (!line) li.classList.add(fetched ? 'hole' : 'pending');
    if (target) li.classList.add('target');
    if (this.#hits.has(seq)) li.classList.add('hit');
    return li;
  }

  async #load(b: number): Promise<void> {
    if (this.#loading.has(b) || this.#complete.has(b)) return;
    this.#loading.add(b);
    try {
      const start = b * BLOCK;
      const count = Math.min(BLOCK, this.rows - start);
      if (count <= 0) return;
      const body = await getJson<{ reports: ReportJson[] }>(`/api/v1/executions/${this.#id}/reports?after=${this.seqOf(start) - 1}&limit=${count}`);
      const block: Array<ReportJson | undefined> = this.#blocks.get(b) ?? [];
      // by seq, not by position: seqs have holes (a resource sample between lines takes one)
      for (const line of body.reports) {
        const i = this.rowOf(line.seq) - start;
        if (i >= 0 && i < BLOCK) block[i] ??= line;
      }
      this.#blocks.set(b, block);
      this.#complete.add(b);
      this.#schedule();
    } finally {
      this.#loading.delete(b);
    }
  }
}
