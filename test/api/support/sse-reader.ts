/**
 * Test support: reads a text/event-stream with fetch and collects its
 * events ({ event, data } with data parsed as JSON), until closed.
 */
export interface SseEvent {
  event: string;
  data: any;
}

export interface SseReader {
  status: number;
  events: SseEvent[];
  /** The raw text received so far. */
  text(): string;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** The first event named `name` (after index `from`) satisfying `pred`, waiting at most `ms`. */
  next(name: string, pred?: (d: any) => boolean, ms?: number, from?: number): Promise<SseEvent>;
  close(): void;
}

export async function readSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const events: SseEvent[] = [];
  let raw = '';
  let buf = '';
  const ended = (async () => {
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const s = decoder.decode(chunk, { stream: true });
        raw += s;
        buf += s;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data !== undefined) events.push({ event: ev, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted or reset
    }
  })();
  return {
    status: res.status,
    events,
    text: () => raw,
    ended,
    async next(name, pred = () => true, ms = 10_000, from = 0) {
      const end = Date.now() + ms;
      for (;;) {
        const found = events.slice(from).find((e) => e.event === name && pred(e.data));
        if (found) return found;
        if (Date.now() > end) throw new Error(`no "${name}" event within ${ms} ms (got ${events.map((e) => e.event).join(', ')})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => ctrl.abort(),
  };
}
