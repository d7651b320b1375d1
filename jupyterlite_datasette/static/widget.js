// @ts-check
// The notebook side of the widget: a toolbar and a sandboxed frame whose every
// request is relayed to the kernel, where Datasette answers it in-process.

/** Links on this origin inside the frame are Datasette's: it is the origin
 *  ds.client answers as, so the absolute URLs Datasette writes match it too. */
const INTERNAL_ORIGIN = "http://localhost";

/** After this long without a reply, say so: the kernel may be busy or gone. */
const SLOW_REPLY_MS = 10000;

/**
 * @typedef {{ status: number, contentType: string, finalPath: string, body: DataView | ArrayBuffer }} KernelResponse
 * @typedef {{ method?: string, path: string, navigation?: boolean, body?: ArrayBuffer, contentType?: string }} KernelRequest
 * @typedef {import("@anywidget/types").AnyModel<{ path: string, height: number, _frame_js: string }>} Model
 */

/** Sends requests to the kernel as custom messages and matches the replies by id. */
class KernelChannel {
  /** @param {Model} model */
  constructor(model) {
    this.model = model;
    this.prefix = randomToken();
    this.count = 0;
    /** @type {Map<string, {resolve: (r: KernelResponse | null) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
  }

  /**
   * Resolves with the response, or null when a newer navigation superseded it.
   * @param {KernelRequest} request
   * @returns {Promise<KernelResponse | null>}
   */
  request({ method = "GET", path, navigation = false, body, contentType }) {
    const id = `${this.prefix}-${++this.count}`;
    const headers = contentType ? { "content-type": contentType } : undefined;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.model.send({ kind: "request", id, method, path, navigation, headers }, undefined, body ? [body] : []);
      } catch {
        // The widget manager refuses to send once the kernel has gone.
        this.pending.delete(id);
        reject(new Error("the kernel is not running; restart it and run the cell again"));
      }
    });
  }

  /**
   * @param {any} msg
   * @param {(DataView | ArrayBuffer)[]} buffers
   */
  onMessage(msg, buffers) {
    if (msg?.kind !== "response") return;
    const waiter = this.pending.get(msg.id);
    if (!waiter) return; // another view's request
    this.pending.delete(msg.id);
    if (msg.cancelled) waiter.resolve(null);
    else if (msg.error) waiter.reject(new Error(msg.error));
    else
      waiter.resolve({
        status: msg.status,
        contentType: msg.content_type || "",
        finalPath: msg.final_path,
        body: buffers?.[0] ?? new ArrayBuffer(0),
      });
  }

  dispose() {
    this.model.off("msg:custom", this.onMessage);
  }
}

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The frame's one document: a strict CSP (no network at all, scripts only
 * with the nonce), a base URL on the internal origin, and the shim.
 * @param {string} frameJs
 */
function frameDocument(frameJs) {
  const nonce = randomToken();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
    "font-src data:",
    "form-action 'none'",
  ].join("; ");
  const script = frameJs.replace(/<\/(script)/gi, "<\\/$1");
  return (
    `<!doctype html><html data-internal-origin="${INTERNAL_ORIGIN}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<base href="${INTERNAL_ORIGIN}/"><script nonce="${nonce}">${script}</script>` +
    `</head><body></body></html>`
  );
}

const decoder = new TextDecoder();

/** Milliseconds since the epoch, comparable between the page and its frame. */
const now = () => performance.timeOrigin + performance.now();

/** @param {KernelResponse} response */
function bodyText(response) {
  return decoder.decode(response.body);
}

/** @param {KernelResponse} response */
function readableText(response) {
  const type = response.contentType.split(";")[0].trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) {
    const text = bodyText(response);
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  if (type.startsWith("text/") || type === "application/javascript") return bodyText(response);
  return `${type || "unknown type"}: ${response.body.byteLength} bytes`;
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {string} [text]
 */
function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

class DatasetteView {
  /**
   * @param {Model} model
   * @param {HTMLElement} el
   */
  constructor(model, el) {
    this.model = model;
    this.kernel = new KernelChannel(model);
    /** @type {string[]} */
    this.history = [];
    this.index = -1;
    /** The history slot being loaded, so that a second Back counts from it. */
    /** @type {number | undefined} */
    this.loadingIndex = undefined;
    /** Counts navigations: only the newest may change what is shown. */
    this.latest = 0;
    this.renders = 0;
    /** @type {Map<string, Promise<string>>} */
    this.stylesheetCache = new Map();

    this.root = element("div", { class: "jld-widget" });
    const toolbar = element("div", { class: "jld-toolbar" });
    this.back = element("button", { type: "button", title: "Back", "aria-label": "Back" }, "\u2190");
    this.forward = element("button", { type: "button", title: "Forward", "aria-label": "Forward" }, "\u2192");
    this.reload = element("button", { type: "button", title: "Reload", "aria-label": "Reload" }, "\u27f3");
    const addressForm = element("form", { class: "jld-address" });
    this.address = /** @type {HTMLInputElement} */ (
      element("input", { type: "text", "aria-label": "Datasette path", spellcheck: "false", autocomplete: "off" })
    );
    addressForm.append(this.address);
    this.spinner = element("span", { class: "jld-spinner", role: "status", "aria-label": "Loading" });
    toolbar.append(this.back, this.forward, this.reload, addressForm, this.spinner);
    this.error = element("div", { class: "jld-error", role: "alert" });
    this.error.hidden = true;
    this.frame = /** @type {HTMLIFrameElement} */ (
      // No allow-same-origin: the page gets an opaque origin and cannot reach
      // the notebook's DOM, cookies or token. allow-forms is what lets the
      // shim see submit events at all.
      element("iframe", { class: "jld-frame", sandbox: "allow-scripts allow-forms", title: "Datasette" })
    );
    this.root.append(toolbar, this.error, this.frame);
    el.append(this.root);

    this.back.addEventListener("click", () => this.moveInHistory(-1));
    this.forward.addEventListener("click", () => this.moveInHistory(1));
    this.reload.addEventListener("click", () => this.go(this.history[this.index] ?? model.get("path"), this.index));
    // Keys typed here are for the address, not JupyterLab's notebook shortcuts
    // (Enter would otherwise put the cell into edit mode).
    this.address.addEventListener("keydown", (event) => event.stopPropagation());
    addressForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const typed = this.address.value.trim();
      this.go(typed.startsWith("/") ? typed : `/${typed}`);
    });

    this.onFrameMessage = this.onFrameMessage.bind(this);
    this.onModelMessage = this.onModelMessage.bind(this);
    this.onHeight = () => (this.frame.style.height = `${model.get("height")}px`);
    window.addEventListener("message", this.onFrameMessage);
    model.on("msg:custom", this.onModelMessage);
    model.on("change:height", this.onHeight);
    this.onHeight();

    /** @type {Promise<void>} */
    this.frameReady = new Promise((resolve) => (this.resolveFrameReady = resolve));
    this.frame.srcdoc = frameDocument(model.get("_frame_js"));
    this.updateButtons();
    this.go(model.get("path"));
  }

  /**
   * Load `path` in the kernel and show it. `at` is the history slot the page
   * fills; by default a new entry after the current one.
   * @param {string} path
   * @param {number} [at]
   * @param {{method?: string, body?: ArrayBuffer, contentType?: string}} [options]
   */
  async go(path, at, { method = "GET", body, contentType } = {}) {
    const ticket = ++this.latest;
    this.loadingIndex = at;
    this.setBusy(true);
    this.showError("");
    this.address.value = path;
    const slow = setTimeout(
      () => this.showError(`No answer from the kernel for ${path}: it may be busy running a cell, or stopped.`),
      SLOW_REPLY_MS,
    );
    try {
      const requested = now();
      const response = await this.kernel.request({ method, path, navigation: true, body, contentType });
      if (!response || ticket !== this.latest) return; // a newer navigation won
      this.record(response.finalPath, at);
      await this.show(response, { requested, replied: now() });
    } catch (error) {
      if (ticket !== this.latest) return;
      this.address.value = this.history[this.index] ?? path;
      this.showError(`Could not load ${path}: ${/** @type {Error} */ (error).message}`);
    } finally {
      clearTimeout(slow);
      if (ticket === this.latest) {
        this.loadingIndex = undefined;
        this.setBusy(false);
      }
    }
  }

  /** @param {number} step */
  moveInHistory(step) {
    const target = (this.loadingIndex ?? this.index) + step;
    if (target >= 0 && target < this.history.length) this.go(this.history[target], target);
  }

  /**
   * @param {string} finalPath
   * @param {number} [at]
   */
  record(finalPath, at) {
    if (at === undefined) {
      if (this.history[this.index] !== finalPath) {
        this.history.splice(this.index + 1, Infinity, finalPath);
        this.index = this.history.length - 1;
      }
    } else {
      this.index = at;
      this.history[at] = finalPath;
    }
    this.address.value = finalPath;
    this.root.dataset.path = finalPath;
    this.updateButtons();
  }

  /**
   * @param {KernelResponse} response
   * @param {{requested: number, replied: number}} timing when the kernel was asked and answered
   */
  async show(response, timing) {
    await this.frameReady;
    const id = ++this.renders;
    const path = response.finalPath;
    const window = this.frame.contentWindow;
    if (response.contentType.startsWith("text/html")) {
      // The bytes move to the frame (no copy) and are decoded there.
      const body = response.body;
      const bytes = new Uint8Array(body instanceof DataView ? body.buffer : body, body instanceof DataView ? body.byteOffset : 0, body.byteLength);
      window?.postMessage({ type: "render", id, path, timing, html: bytes }, "*", [bytes.buffer]);
    } else {
      window?.postMessage({ type: "text", id, path, timing, text: readableText(response) }, "*");
    }
  }

  /** @param {string} href */
  stylesheet(href) {
    let css = this.stylesheetCache.get(href);
    if (!css) {
      css = this.kernel.request({ path: href }).then(
        (response) => (response && response.status === 200 ? bodyText(response) : ""),
        () => {
          this.stylesheetCache.delete(href); // try again on the next page
          return "";
        },
      );
      this.stylesheetCache.set(href, css);
    }
    return css;
  }

  /** @param {MessageEvent} event */
  async onFrameMessage(event) {
    // Only the frame this view created may ask for anything.
    if (event.source !== this.frame.contentWindow || !event.data) return;
    const message = event.data;
    switch (message.type) {
      case "ready":
        this.resolveFrameReady?.();
        break;
      case "navigate":
        if (typeof message.path === "string" && message.path.startsWith("/")) {
          this.go(message.path, undefined, {
            method: String(message.method || "GET"),
            body: message.body instanceof ArrayBuffer ? message.body : undefined,
            contentType: typeof message.contentType === "string" ? message.contentType : undefined,
          });
        }
        break;
      case "external":
        if (typeof message.url === "string" && /^https?:\/\//i.test(message.url)) {
          window.open(message.url, "_blank", "noopener,noreferrer");
        }
        break;
      case "stylesheets": {
        const hrefs = (Array.isArray(message.hrefs) ? message.hrefs : []).filter(
          (/** @type {unknown} */ href) => typeof href === "string" && href.startsWith("/"),
        );
        const texts = await Promise.all(hrefs.map((/** @type {string} */ href) => this.stylesheet(href)));
        const stylesheets = Object.fromEntries(hrefs.map((/** @type {string} */ href, i) => [href, texts[i]]));
        this.frame.contentWindow?.postMessage({ type: "stylesheets", id: message.id, stylesheets }, "*");
        break;
      }
    }
  }

  /** @param {any} message */
  onModelMessage(message) {
    // The kernel asks to navigate when Python sets `.path`.
    if (message?.kind === "navigate" && typeof message.path === "string") this.go(message.path);
  }

  /** @param {boolean} busy */
  setBusy(busy) {
    this.root.classList.toggle("jld-busy", busy);
    this.root.setAttribute("aria-busy", String(busy));
  }

  /** @param {string} message */
  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  updateButtons() {
    /** @type {HTMLButtonElement} */ (this.back).disabled = this.index <= 0;
    /** @type {HTMLButtonElement} */ (this.forward).disabled = this.index >= this.history.length - 1;
  }

  dispose() {
    window.removeEventListener("message", this.onFrameMessage);
    this.model.off("msg:custom", this.onModelMessage);
    this.model.off("change:height", this.onHeight);
    this.kernel.dispose();
  }
}

export default {
  /** @param {{ model: Model, el: HTMLElement }} props */
  render({ model, el }) {
    const view = new DatasetteView(model, el);
    return () => view.dispose();
  },
};
