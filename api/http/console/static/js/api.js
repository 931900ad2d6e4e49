// The HTTP API as the console calls it (docs/http.md): the bearer token, the acting user
// (Roster-Actor), an Idempotency-Key per command, and the consistency token a command returns
// sent with the queries after it, so that a table reloaded after a change shows the change.

// A refusal or failure: the problem+json document's code and sentence (RFC 9457).
export class ApiError extends Error {
  constructor(status, problem, text) {
    const detail = problem?.detail || text || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.code = problem?.code || `HTTP_${status}`;
    this.title = problem?.title || '';
    this.detail = detail;
  }
}

// A random command id. crypto.randomUUID needs a secure context, which a console served over
// plain HTTP on a private address is not; getRandomValues works everywhere.
function commandId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'console-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}

export class Api {
  constructor(token, actor) {
    this.token = token;
    this.actor = actor;
    this.consistency = '';
  }

  async request(method, url, { body, query } = {}) {
    const headers = { Authorization: `Bearer ${this.token}`, 'Roster-Actor': this.actor };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'GET') {
      if (this.consistency) headers['Roster-Consistency-Token'] = this.consistency;
    } else {
      headers['Idempotency-Key'] = commandId();
    }
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
      }
      const text = params.toString();
      if (text) url += '?' + text;
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, { code: 'UNREACHABLE', detail: `rosterd did not answer: ${e.message}` });
    }
    const position = res.headers.get('Roster-Consistency-Token');
    if (position) this.consistency = position;
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) throw new ApiError(res.status, data, text);
    return data;
  }

  // A download (the audit export): the bytes as a Blob and the file name the server gave.
  async download(url, query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    if (params.toString()) url += '?' + params.toString();
    let res;
    try {
      res = await fetch(url, { headers: { Authorization: `Bearer ${this.token}`, 'Roster-Actor': this.actor } });
    } catch (e) {
      throw new ApiError(0, { code: 'UNREACHABLE', detail: `rosterd did not answer: ${e.message}` });
    }
    if (!res.ok) {
      const text = await res.text();
      let problem = null;
      try { problem = JSON.parse(text); } catch { problem = null; }
      throw new ApiError(res.status, problem, text);
    }
    // A download cut short by the server (chunked, without its last chunk) rejects here.
    const blob = await res.blob();
    const named = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
    return { blob, filename: named ? named[1] : 'roster-audit' };
  }

  get(url, query) { return this.request('GET', url, { query }); }
  post(url, body = {}) { return this.request('POST', url, { body }); }
  patch(url, body = {}) { return this.request('PATCH', url, { body }); }
  del(url) { return this.request('DELETE', url); }
}
