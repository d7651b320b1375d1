// fetch() and XMLHttpRequest for page scripts: requests to Datasette's paths
// are answered by the kernel; anything else is left to the browser, where the
// frame's CSP refuses it at once (as a sandboxed page offline would fail).

import { INTERNAL, ask, pathOf, realFetch, realSetTimeout, resolve } from "./core.js";

/** Statuses whose responses can have no body. */
const NULL_BODY_STATUSES = [101, 103, 204, 205, 304];

/**
 * @param {RequestInfo | URL} input
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
export async function kernelFetch(input, init) {
  const request = new Request(input instanceof Request ? input : String(resolve(String(input))?.href ?? input), init);
  const url = new URL(request.url);
  if (url.origin !== INTERNAL) return realFetch(request);
  if (request.signal.aborted) throw request.signal.reason;
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : await request.arrayBuffer();
  const reply = ask(
    { type: "fetch", method: request.method, path: pathOf(url), headers: Object.fromEntries(request.headers), body },
    body ? [body] : [],
  );
  const aborted = new Promise((_resolve, reject) =>
    request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true }),
  );
  const answer = await Promise.race([reply, aborted]);
  if (answer.error) throw new TypeError(`Failed to fetch ${url.pathname}: ${answer.error}`);
  return new Response(NULL_BODY_STATUSES.includes(answer.status) ? null : answer.body, {
    status: answer.status,
    headers: answer.headers,
  });
}

/** Enough of XMLHttpRequest for page scripts and plugins, carried by kernelFetch. */
class KernelXMLHttpRequest extends EventTarget {
  static UNSENT = 0;
  static OPENED = 1;
  static HEADERS_RECEIVED = 2;
  static LOADING = 3;
  static DONE = 4;

  constructor() {
    super();
    this.readyState = 0;
    this.status = 0;
    this.statusText = "";
    /** @type {any} */
    this.response = null;
    this.responseText = "";
    this.responseType = "";
    this.responseURL = "";
    this.timeout = 0;
    this.withCredentials = false;
    this.upload = new EventTarget();
    /** @type {[string, string][]} */
    this.responseHeaders = [];
    this.controller = new AbortController();
    this.method = "GET";
    this.url = "";
    /** @type {Record<string, string>} */
    this.requestHeaders = {};
  }

  /** @param {string} method @param {string} url @param {boolean} [async] */
  open(method, url, async = true) {
    if (!async) throw new DOMException("synchronous requests are not supported here", "InvalidAccessError");
    this.method = method.toUpperCase();
    this.url = resolve(url)?.href ?? url;
    this.requestHeaders = {};
    this.controller = new AbortController();
    this.setState(1);
  }

  /** @param {string} name @param {string} value */
  setRequestHeader(name, value) {
    this.requestHeaders[name] = value;
  }

  overrideMimeType() {}

  /** @param {string} name */
  getResponseHeader(name) {
    const values = this.responseHeaders.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    return values.length ? values.join(", ") : null;
  }

  getAllResponseHeaders() {
    return this.responseHeaders.map(([key, value]) => `${key}: ${value}\r\n`).join("");
  }

  /** @param {BodyInit | null} [body] */
  send(body = null) {
    const signal = this.controller.signal;
    this.fire("loadstart");
    const timer = this.timeout ? realSetTimeout(() => this.controller.abort("timeout"), this.timeout) : 0;
    kernelFetch(this.url, { method: this.method, headers: this.requestHeaders, body, signal })
      .then(async (response) => {
        const bytes = await response.arrayBuffer();
        if (signal.aborted) return;
        this.status = response.status;
        this.statusText = response.statusText;
        this.responseURL = this.url;
        this.responseHeaders = [...response.headers];
        this.setState(2);
        this.setState(3);
        this.response = this.decode(bytes, response.headers.get("content-type") || "");
        this.setState(4);
        this.fire("load");
        this.fire("loadend");
      })
      .catch(() => {
        if (signal.aborted && signal.reason !== "timeout") return; // abort() has reported it
        this.setState(4);
        this.fire(signal.reason === "timeout" ? "timeout" : "error");
        this.fire("loadend");
      })
      .finally(() => clearTimeout(timer));
  }

  abort() {
    this.controller.abort();
    if (this.readyState === 0 || this.readyState === 4) return;
    this.setState(4);
    this.fire("abort");
    this.fire("loadend");
  }

  /** @param {ArrayBuffer} bytes @param {string} contentType */
  decode(bytes, contentType) {
    if (this.responseType === "arraybuffer") return bytes;
    if (this.responseType === "blob") return new Blob([bytes], { type: contentType });
    const text = new TextDecoder().decode(bytes);
    if (this.responseType === "json") {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    }
    if (this.responseType === "document") return new DOMParser().parseFromString(text, "text/html");
    this.responseText = text;
    return text;
  }

  /** @param {number} state */
  setState(state) {
    this.readyState = state;
    this.fire("readystatechange");
  }

  /** @param {string} type */
  fire(type) {
    const event = type === "readystatechange" ? new Event(type) : new ProgressEvent(type);
    const handler = /** @type {any} */ (this)[`on${type}`];
    if (typeof handler === "function") handler.call(this, event);
    this.dispatchEvent(event);
  }
}

Object.assign(KernelXMLHttpRequest.prototype, { UNSENT: 0, OPENED: 1, HEADERS_RECEIVED: 2, LOADING: 3, DONE: 4 });
window.fetch = kernelFetch;
window.XMLHttpRequest = /** @type {any} */ (KernelXMLHttpRequest);
