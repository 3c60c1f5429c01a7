// The page's only way out: fetch() to this node's own origin (the CSP allows nothing else).
// The API token lives in sessionStorage (this tab only) and travels as a bearer header, never in a URL.

const TOKEN_KEY = 'dave.apiToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refused request: the API's { code, message } and the HTTP status. */
export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra) {
  const h = { accept: 'application/json', ...extra };
  const t = token.get();
  if (t) h.authorization = `Bearer ${t}`;
  return h;
}

/** Calls the API; resolves to the JSON answer, rejects with ApiFailure. */
export async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      // writes say what they send (the API may refuse a write of any other type)
      headers: headers(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (err) {
    throw new ApiFailure(0, 'ERR_CONNECTION', `the node did not answer (${err.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  if (!res.ok) throw new ApiFailure(res.status, json?.code ?? `HTTP_${res.status}`, json?.message ?? text.slice(0, 200));
  return json;
}

const MAX_PENDING = 1 << 20; // an event larger than 1 MiB means something is wrong: reconnect

/**
 * Reads GET /events (Server-Sent Events) with fetch, so the token can go in
 * a header (EventSource cannot send one), and reconnects after a pause.
 * onEvent(name, data); onState('live' | 'retry', failure?). Returns stop().
 */
export function streamEvents(onEvent, onState) {
  let stopped = false;
  let ctrl = null;
  let retryMs = 2000;
  const dispatch = (block) => {
    let name = 'message';
    const data = [];
    for (const raw of block.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      else if (line.startsWith('retry:')) retryMs = Math.min(60_000, Math.max(500, Number(line.slice(6)) || retryMs));
    }
    if (data.length === 0) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    onEvent(name, parsed);
  };
  const once = async () => {
    ctrl = new AbortController();
    const res = await fetch('/events', { headers: headers({ accept: 'text/event-stream' }), cache: 'no-store', credentials: 'omit', signal: ctrl.signal });
    if (!res.ok) {
      let j = null;
      try {
        j = await res.json();
      } catch {
        j = null;
      }
      throw new ApiFailure(res.status, j?.code ?? `HTTP_${res.status}`, j?.message ?? '');
    }
    onState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        dispatch(buf.slice(0, i));
        buf = buf.slice(i + 2);
      }
      if (buf.length > MAX_PENDING) {
        ctrl.abort();
        return;
      }
    }
  };
  (async () => {
    while (!stopped) {
      let failure = null;
      try {
        await once();
      } catch (err) {
        if (stopped) return;
        failure = err instanceof ApiFailure ? err : new ApiFailure(0, 'ERR_CONNECTION', 'the event stream broke');
      }
      if (stopped) return;
      onState('retry', failure);
      await new Promise((r) => setTimeout(r, retryMs + Math.random() * 500));
    }
  })();
  return () => {
    stopped = true;
    ctrl?.abort();
  };
}
