// The dashboard is one more client of the public API: every call goes through here, with the operator's key.

const keyName = 'fleetgrains.apiKey';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function storedKey() {
  return sessionStorage.getItem(keyName);
}

export function storeKey(key) {
  if (key) sessionStorage.setItem(keyName, key);
  else sessionStorage.removeItem(keyName);
}

function headers(extra = {}) {
  const key = storedKey();
  return key ? { 'X-Api-Key': key, ...extra } : extra;
}

async function problemText(response) {
  try {
    const problem = await response.json();
    const fieldErrors = problem.errors ? Object.values(problem.errors).flat().join(' ') : '';
    return [problem.detail, fieldErrors].filter(Boolean).join(' ') || problem.title || response.statusText;
  } catch {
    return response.statusText;
  }
}

/** GET/PUT/POST /api{path}; the parsed JSON answer, or an ApiError with the problem's detail. */
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`/api${path}`, init);
  if (!response.ok) throw new ApiError(response.status, await problemText(response));
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Follows a server-sent events feed of the API. EventSource cannot send the key header, so the stream is read with
 * fetch and parsed here (event, id, data; see the HTML standard's event-stream format). It reconnects on its own,
 * backing off from 1 s to 10 s, until close() is called or the key is refused (onUnauthorized).
 */
export function follow(path, { onEvent, onState = () => {}, onUnauthorized = () => {} }) {
  let closed = false;
  let controller = null;
  let delay = 1000;

  async function connectOnce() {
    controller = new AbortController();
    const response = await fetch(`/api${path}`, { headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal });
    if (response.status === 401) {
      closed = true;
      onState('closed');
      onUnauthorized();
      return;
    }
    if (!response.ok || !response.body) throw new ApiError(response.status, await problemText(response));
    onState('live');
    delay = 1000;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  function dispatch(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) onEvent(type, JSON.parse(data.join('\n')));
  }

  (async () => {
    while (!closed) {
      try {
        await connectOnce();
      } catch (error) {
        if (closed) return;
        console.info(`live feed ${path}: ${error.message}; reconnecting in ${delay / 1000} s`);
      }
      if (closed) return;
      onState('reconnecting');
      await new Promise(resolve => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  })();

  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
