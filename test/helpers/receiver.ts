import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One request a receiver got; `at` by the test's clock (ms). */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status it was answered with. */
  status: number;
}

/** A scripted answer; the last one repeats. */
export interface Answer {
  status: number;
  /** Never answer: the request is recorded and left open until the receiver closes (a hook that hangs). */
  hang?: boolean;
  headers?: Record<string, string>;
  body?: string;
}

/** A real HTTP receiver on 127.0.0.1 (a stand-in for Slack, a generic webhook, a flaky or rate-limiting hook). */
export interface Receiver {
  url: string;
  received: Received[];
  /** Replaces the script of answers (consumed in order, the last repeats). */
  answer(...answers: Answer[]): void;
  close(): Promise<void>;
}

/** Starts a receiver on a free port answering `answers` in order (default: 200 `ok`, as Slack answers). */
export async function startReceiver(...answers: Answer[]): Promise<Receiver> {
  let script = answers.length > 0 ? answers : [{ status: 200, body: 'ok' }];
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const a = script.length > 1 ? script.shift()! : script[0]!;
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString(), at: Date.now(), status: a.status });
      if (a.hang) return;
      response.writeHead(a.status, a.headers ?? {});
      response.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (...next) => {
      script = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
