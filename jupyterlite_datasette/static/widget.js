// @ts-check
// The notebook side of the widget: a toolbar and a sandboxed frame whose every
// request is relayed to the kernel, where Datasette answers it in-process.
// Every message to the kernel and to the frames is listed in ../protocol.py.

/** Links on this origin inside the frame are Datasette's: it is the origin
 *  ds.client answers as, so the absolute URLs Datasette writes match it too. */
const INTERNAL_ORIGIN = "http://localhost";

/** What a browser asks for when it loads a page (some plugins answer HTML only to it). */
const NAVIGATION_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** A page frame that has to be replaced again this soon is not given the page again. */
const LEFT_AGAIN_MS = 5000;

/** Characters a page may keep in each Web Storage area, as browsers allow (5 M). */
const STORAGE_QUOTA = 5_000_000;

/** After this long without a reply, say so: the kernel may be busy or gone. */
const SLOW_REPLY_MS = 10000;

/** After this long without a reply, give up on it (a cell may run that long; a page rarely waits more). */
const REPLY_TIMEOUT_MS = 300_000;

/** The spinner turns only for waits a user notices: a quicker page would
 *  merely flicker it, and its animation frames take CPU from the kernel. */
const SPINNER_DELAY_MS = 150;

/**
 * @typedef {{ status: number, contentType: string, finalPath: string, headers: [string, string][], body: DataView | ArrayBuffer }} KernelResponse
 * @typedef {{ type?: "request" | "database", method?: string, path: string, navigation?: boolean, body?: ArrayBuffer, headers?: Record<string, string> }} KernelRequest
 * @typedef {Record<string, string>} StorageItems
 * @typedef {import("@anywidget/types").AnyModel<{ path: string, height: number, image_hosts: string[], _frame_js: string, _local_storage: StorageItems }>} Model
 */

/** Sends requests to the kernel as custom messages and matches the replies by id. */
class KernelChannel {
  /** @param {Model} model */
  constructor(model) {
    this.model = model;
    this.prefix = randomToken();
    this.count = 0;
    /** @type {Map<string, {resolve: (r: KernelResponse | null) => void, reject: (e: Error) => void, timer: ReturnType<typeof setTimeout>}>} */
    this.pending = new Map();
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
  }

  /**
   * Resolves with the response, or null when a newer navigation superseded it.
   * @param {KernelRequest} request
   * @returns {Promise<KernelResponse | null>}
   */
  request({ type = "request", method = "GET", path, navigation = false, body, headers }) {
    const id = `${this.prefix}-${++this.count}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(id, new Error(`no answer from the kernel in ${REPLY_TIMEOUT_MS / 60_000} minutes`)),
        REPLY_TIMEOUT_MS,
      );
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.model.send({ type, id, method, path, navigation, headers }, undefined, body ? [body] : []);
      } catch {
        // The widget manager refuses to send once the kernel has gone: shut down, or
        // restarted, which leaves this view's model behind in the kernel that ended.
        this.settle(id, new Error("the kernel that ran this widget has stopped or restarted: run the cell again"));
      }
    });
  }

  /**
   * End the wait for request `id`: with a response (null: superseded), or an error.
   * @param {string} id
   * @param {KernelResponse | null | Error} outcome
   */
  settle(id, outcome) {
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    clearTimeout(waiter.timer);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  /**
   * @param {any} msg
   * @param {(DataView | ArrayBuffer)[]} buffers
   */
  onMessage(msg, buffers) {
    // Another view's replies have ids this one never made: settle ignores them.
    if (msg?.type !== "response" || typeof msg.id !== "string") return;
    if (msg.cancelled) this.settle(msg.id, null);
    else if (msg.error) this.settle(msg.id, new Error(msg.error));
    else
      this.settle(msg.id, {
        status: msg.status,
        contentType: msg.content_type || "",
        finalPath: msg.final_path,
        headers: Array.isArray(msg.headers) ? msg.headers : [],
        body: buffers?.[0] ?? new ArrayBuffer(0),
      });
  }

  dispose() {
    this.model.off("msg:custom", this.onMessage);
    for (const id of [...this.pending.keys()]) this.settle(id, new Error("the widget's view was closed"));
  }
}

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The sealed box. Pages, and whatever scripts metadata and plugins put in
// them, run in a page frame sandboxed without allow-same-origin (an opaque
// origin: nothing reaches the notebook's DOM, cookies or token).
//
// - The page frame's policy names no host: scripts, styles, images and fonts
//   come only from inline text, data: and blob: URLs, so no script from the
//   network, and no fetch, beacon, image or stylesheet reaches it.
// - A frame can always try to navigate itself (meta refresh, location = ...,
//   a link the frame script did not catch). Only the policy of the document
//   that holds the frame refuses that, with frame-src 'none'. A site built
//   with the addon's frame policy gives the notebook's own page that policy:
//   the page frame then sits in the notebook. Anywhere else (JupyterLab on a
//   server, someone else's site) it sits in a shell frame whose policy does:
//
//     notebook (widget.js) -> [shell frame (runShell)] -> page frame (static/frame/)
//
//   If a new document loads in the page frame at all (an error page,
//   about:blank), the frame is removed and the view starts a fresh one.
// - The view answers only the page frame document it created, over a
//   MessagePort handed to that document when it loaded: a document that
//   replaced it cannot inherit the port, so it has no bridge.

/** The directive that refuses every navigation of a document's frames (about:srcdoc is exempt). */
const NO_FRAME_NAVIGATION = "frame-src 'none'";

/**
 * Whether the notebook's page itself refuses every navigation of its frames:
 * a policy in its head (page scripts of an opaque origin cannot add one) with
 * frame-src 'none'. A policy, once in force, cannot be taken back.
 */
function pageRefusesFrameNavigation() {
  for (const meta of document.head.querySelectorAll("meta[http-equiv='Content-Security-Policy' i]")) {
    const directives = (meta.getAttribute("content") ?? "").split(";");
    if (directives.some((directive) => directive.trim().replace(/\s+/g, " ").toLowerCase() === NO_FRAME_NAVIGATION)) {
      return true;
    }
  }
  return false;
}

/** What Python's image_hosts allows: a scheme, a host (maybe "*." first) and a port, nothing
 *  that could add another directive to the policy. */
const IMAGE_HOST = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5})?$/;

/**
 * The page frame's policy: no source names a host, except the image hosts
 * the user named (none unless they opted in).
 * @param {string[]} imageHosts
 */
function pageCsp(imageHosts) {
  const hosts = imageHosts.filter((host) => IMAGE_HOST.test(host));
  return [
    "default-src 'none'",
    // No nonce: page scripts could read it, and a nonce allows a script from any host.
    "script-src 'unsafe-inline' 'unsafe-eval' blob:",
    // blob: stylesheets are ones the frame made from Datasette's (scripts add <link>s).
    "style-src 'unsafe-inline' blob:",
    ["img-src data: blob:", ...hosts].join(" "),
    "font-src data: blob:",
    // What the page made itself (a chart's image to save), never a host.
    "connect-src data: blob:",
    "form-action 'none'",
  ].join("; ");
}

/**
 * The page frame's one document: its policy, a base URL on the internal
 * origin, and the frame's script.
 * @param {string} frameJs
 * @param {string} csp
 */
function frameDocument(frameJs, csp) {
  const script = frameJs.replace(/<\/(script)/gi, "<\\/$1");
  return (
    `<!doctype html><html data-internal-origin="${INTERNAL_ORIGIN}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta http-equiv="x-dns-prefetch-control" content="off">` +
    `<base href="${INTERNAL_ORIGIN}/"><script>${script}</script>` +
    `</head><body></body></html>`
  );
}

/**
 * The shell's document. The page frame's srcdoc document inherits this policy
 * (and adds its own), so it allows what a page needs, and adds frame-src
 * 'none': every navigation of the page frame is refused (about:srcdoc, which
 * the shell loads itself, is exempt). Nothing else is ever put in the shell.
 * @param {string} csp the page frame's policy
 */
function shellDocument(csp) {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}; ${NO_FRAME_NAVIGATION}">` +
    `<style>html,body{margin:0;height:100%;overflow:hidden}iframe{display:block;border:0;width:100%;height:100%}</style>` +
    `<script>(${runShell})();</script></head><body></body></html>`
  );
}

/**
 * The shell frame's script (runs there, stringified). It takes one port from
 * the view, then on each "open" makes a fresh page frame and hands that
 * frame's document the page port once it has loaded. Any later load means the
 * page frame holds some other document: it is removed and the view told.
 */
function runShell() {
  /** @type {MessagePort | null} */
  let view = null;
  window.addEventListener("message", (event) => {
    if (view || event.source !== window.parent || event.data?.type !== "connect" || !event.ports[0]) return;
    view = event.ports[0];
    view.onmessage = ({ data, ports }) => {
      if (data?.type === "open" && typeof data.html === "string" && ports[0]) open(data.html, ports[0]);
    };
  });

  /** @param {string} html @param {MessagePort} port */
  function open(html, port) {
    for (const old of document.querySelectorAll("iframe")) old.remove();
    const frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts allow-forms allow-modals");
    frame.allow = "clipboard-write; fullscreen";
    frame.title = "Datasette page";
    let loads = 0;
    frame.addEventListener("load", () => {
      if (++loads === 1) {
        frame.contentWindow?.postMessage({ type: "connect" }, "*", [port]);
      } else {
        frame.remove();
        view?.postMessage({ type: "left" });
      }
    });
    frame.srcdoc = html;
    document.body.append(frame);
  }
}

/**
 * The page frame (in the notebook, or in a shell frame there): one port to
 * each, a fresh page frame on demand.
 */
class SealedFrame {
  /**
   * @param {string} frameJs the page frame's script
   * @param {string[]} imageHosts hosts the user lets pages load images from
   * @param {{ onPageMessage: (message: any) => void, onLeft: () => void, onFresh: () => void, greeting: () => any }} handlers
   */
  constructor(frameJs, imageHosts, handlers) {
    this.frameJs = frameJs;
    this.csp = pageCsp(imageHosts);
    this.handlers = handlers;
    /** No shell: the notebook's page refuses the page frame's navigations itself. */
    this.direct = pageRefusesFrameNavigation();
    this.element = this.makeFrame();
    /** @type {MessagePort | null} */
    this.shell = null;
    /** @type {MessagePort | null} */
    this.page = null;
    /** The page frame's port, until its document has loaded (direct). */
    /** @type {MessagePort | null} */
    this.unsentPort = null;
    /** The window the page frame's document was connected in (direct). */
    /** @type {Window | null} */
    this.connectedWindow = null;
    /** @type {Promise<void> | undefined} */
    this.ready = undefined;
    this.isReady = false;
    this.resetReady();
    if (this.direct) this.openPage();
    else this.element.srcdoc = shellDocument(this.csp);
  }

  /** The frame the notebook holds: the page frame itself, or the shell. */
  makeFrame() {
    const frame = /** @type {HTMLIFrameElement} */ (
      // The page frame's flags are at most these. allow-forms: without it the page frame sees no
      // submit events. allow-modals, clipboard-write and fullscreen: Datasette's confirm() before
      // it drops a table, pages' "Copy" buttons, a dashboard's "Fullscreen", which the page frame
      // allows only after the user's own click or key (frame/gestures.js).
      element("iframe", {
        class: "jld-frame",
        sandbox: "allow-scripts allow-forms allow-modals",
        allow: "clipboard-write; fullscreen",
        title: "Datasette",
        "data-holds": this.direct ? "page" : "shell",
      })
    );
    frame.addEventListener("load", () => (this.direct ? this.pageLoaded(frame) : this.connectShell()));
    return frame;
  }

  /**
   * Other image hosts: a policy cannot be widened or narrowed in place, so
   * the frame starts again (and the page shown is shown again in it).
   * @param {string[]} imageHosts
   */
  setImageHosts(imageHosts) {
    this.csp = pageCsp(imageHosts);
    if (this.direct) {
      this.openPage();
      this.handlers.onFresh();
      return;
    }
    this.resetReady();
    this.element.srcdoc = shellDocument(this.csp);
  }

  /** From now on, `ready` waits for a new page frame (a wait already begun waits on for it too). */
  resetReady() {
    if (this.ready && !this.isReady) return;
    this.isReady = false;
    /** Resolves when the page frame's document is connected and ready. */
    /** @type {Promise<void>} */
    this.ready = new Promise((resolve) => {
      this.resolveReady = () => {
        this.isReady = true;
        resolve();
      };
    });
  }

  connectShell() {
    // The shell loads again when the notebook moves the widget in its page
    // (an iframe put back in a document reloads): it starts from nothing.
    const again = this.shell !== null;
    this.shell?.close();
    const channel = new MessageChannel();
    this.shell = channel.port1;
    this.shell.onmessage = ({ data }) => {
      if (data?.type === "left") {
        this.closePage();
        this.handlers.onLeft();
      }
    };
    this.element.contentWindow?.postMessage({ type: "connect" }, "*", [channel.port2]);
    this.openPage();
    if (again) this.handlers.onFresh();
  }

  /**
   * A document loaded in the page frame the notebook holds (direct): the one
   * made for it gets its port; any other load is another document, or the
   * frame put back in the notebook (a new window, which reloads it).
   * @param {HTMLIFrameElement} frame
   */
  pageLoaded(frame) {
    if (frame !== this.element) return;
    if (this.unsentPort) {
      this.connectedWindow = frame.contentWindow;
      frame.contentWindow?.postMessage({ type: "connect" }, "*", [this.unsentPort]);
      this.unsentPort = null;
    } else if (frame.contentWindow !== this.connectedWindow) {
      this.openPage();
      this.handlers.onFresh();
    } else {
      this.closePage();
      this.handlers.onLeft();
    }
  }

  /** A fresh page frame, with a port of its own. */
  openPage() {
    this.closePage();
    this.resetReady();
    const channel = new MessageChannel();
    this.page = channel.port1;
    this.page.onmessage = ({ data }) => {
      if (data?.type === "ready") this.resolveReady?.();
      else if (data) this.handlers.onPageMessage(data);
    };
    // Queued on the port before any message of the page: what the frame needs before page scripts run.
    this.page.postMessage(this.handlers.greeting());
    const html = frameDocument(this.frameJs, this.csp);
    if (!this.direct) {
      this.shell?.postMessage({ type: "open", html }, [channel.port2]);
      return;
    }
    // A new frame each time, as the shell makes: a frame that held another
    // document is never used again, and the tab's history gains no entry.
    const fresh = this.element.hasAttribute("srcdoc") ? this.makeFrame() : this.element;
    fresh.style.height = this.element.style.height;
    this.unsentPort = channel.port2;
    fresh.srcdoc = html;
    const old = this.element;
    this.element = fresh;
    if (old !== fresh) old.replaceWith(fresh);
  }

  closePage() {
    this.page?.close();
    this.page = null;
    this.unsentPort?.close();
    this.unsentPort = null;
  }

  /** @param {any} message @param {Transferable[]} [transfer] */
  post(message, transfer = []) {
    this.page?.postMessage(message, transfer);
  }

  dispose() {
    this.closePage();
    this.shell?.close();
  }
}

const decoder = new TextDecoder();

/** Milliseconds since the epoch, comparable between the page and its frame. */
const now = () => performance.timeOrigin + performance.now();

/** The S of JupyterLab's Ctrl+S (Cmd+S): its key bindings read keyCode. */
const SAVE_KEY_CODE = 83;
/** Ctrl+S or Cmd+S, JupyterLab's key for saving. */
const isSaveKey = (/** @type {KeyboardEvent} */ event) =>
  event.keyCode === SAVE_KEY_CODE && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;

/** @param {KernelResponse} response */
function bodyText(response) {
  return decoder.decode(response.body);
}

/**
 * The body's bytes, without a copy: a view whose buffer can be transferred
 * to the frame (the reply is not used here afterwards).
 * @param {DataView | ArrayBuffer} body
 */
function bytesOf(body) {
  return body instanceof DataView ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body);
}

/** @param {string} contentType */
const mediaType = (contentType) => contentType.split(";")[0].trim().toLowerCase();

/** @param {string} type */
const isJson = (type) => type === "application/json" || type.endsWith("+json");

/** JavaScript MIME types, as browsers match them for scripts. */
const JAVASCRIPT_TYPES = new Set([
  "application/javascript", "application/ecmascript", "application/x-ecmascript", "application/x-javascript",
  "text/javascript", "text/ecmascript", "text/x-ecmascript", "text/x-javascript", "text/jscript", "text/livescript",
]);

/**
 * @typedef {"script" | "stylesheet"} AssetKind
 * @type {Record<AssetKind, (type: string) => boolean>} what Datasette must serve each kind as
 */
const ASSET_TYPES = {
  script: (type) => JAVASCRIPT_TYPES.has(type),
  stylesheet: (type) => type === "text/css",
};

/** @param {string} path the last segment of a path, as a file name */
function fileNameOf(path) {
  const segment = new URL(path, INTERNAL_ORIGIN).pathname.split("/").pop() || "";
  return decodeURIComponent(segment) || "download";
}

/**
 * The file name a response downloads as, or "" when it is a page to show:
 * what Datasette marks as an attachment, CSV/TSV, and anything not text.
 * @param {KernelResponse} response
 */
function downloadName(response) {
  if (response.status !== 200) return "";
  const disposition = response.headers.find(([key]) => key.toLowerCase() === "content-disposition")?.[1] || "";
  if (/^\s*attachment/i.test(disposition)) {
    const named = /filename="([^"]+)"|filename=([^;\s]+)/i.exec(disposition);
    return named ? named[1] || named[2] : fileNameOf(response.finalPath);
  }
  const type = mediaType(response.contentType);
  const path = new URL(response.finalPath, INTERNAL_ORIGIN).pathname;
  if (type === "text/csv" || type === "text/tab-separated-values" || /\.(csv|tsv)$/i.test(path)) {
    return fileNameOf(response.finalPath);
  }
  const shown = type === "text/html" || type.startsWith("text/") || isJson(type) || type === "application/javascript";
  return shown ? "" : fileNameOf(response.finalPath);
}

/**
 * Where the text typed in the address field leads: a path on Datasette, typed
 * with or without its first slash, or as the URL the widget's links have
 * (what "Copy link address" gives); or another site's http(s) URL.
 * @param {string} typed
 * @returns {{path: string, url?: undefined} | {path?: undefined, url: string}}
 */
function typedAddress(typed) {
  if (/^(https?:)?\/\//i.test(typed) && URL.canParse(typed, INTERNAL_ORIGIN)) {
    const url = new URL(typed, INTERNAL_ORIGIN);
    return url.origin === INTERNAL_ORIGIN ? { path: url.pathname + url.search + url.hash } : { url: url.href };
  }
  return { path: typed.startsWith("/") ? typed : `/${typed}` };
}

/*
 * The toolbar is in the notebook's document, where each write (an attribute, even set to the
 * value it has) costs the notebook's page a frame of style, layout and paint; on every click
 * that frame competed with the new page's for the processor. These write only what changes.
 */

/** @param {HTMLElement} node @param {boolean} hidden */
function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/** @param {HTMLElement} node @param {boolean} disabled */
function setDisabled(node, disabled) {
  const button = /** @type {HTMLButtonElement} */ (node);
  if (button.disabled !== disabled) button.disabled = disabled;
}

/**
 * Save bytes as a file through the browser's own download, exactly as they are.
 * @param {DataView | ArrayBuffer} body
 * @param {string} name
 */
function saveFile(body, name) {
  // octet-stream: the browser saves the bytes and never renders them.
  // (The comm's buffers are never shared memory, which is all BlobPart rules out.)
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (body)], { type: "application/octet-stream" }));
  const link = element("a", { href: url, download: name });
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** @param {KernelResponse} response */
function readableText(response) {
  const type = mediaType(response.contentType);
  if (isJson(type)) {
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

/**
 * Asks before another host opens: the address is shown in the widget's own
 * bar, outside the page frame, and opens in a new tab only on the user's
 * click there. Page scripts can forge a link click, but not this one.
 */
class ExternalLinkPrompt {
  constructor() {
    this.element = element("div", { class: "jld-external", role: "alertdialog", "aria-label": "Open another site?" });
    this.element.hidden = true;
    this.url = "";
    this.address = element("code", { class: "jld-external-url" });
    const open = element("button", { type: "button", class: "jld-external-open" }, "Open in a new tab");
    const cancel = element("button", { type: "button", class: "jld-external-cancel" }, "Cancel");
    this.lead = element("span");
    this.element.append(this.lead, this.address, open, cancel);
    open.addEventListener("click", () => {
      if (this.url) window.open(this.url, "_blank", "noopener,noreferrer");
      this.hide();
    });
    cancel.addEventListener("click", () => this.hide());
  }

  /**
   * @param {string} url
   * @param {string} lead what leads there
   */
  ask(url, lead = "The page links to another site: ") {
    this.url = url;
    this.lead.textContent = lead;
    this.address.textContent = url;
    this.element.hidden = false;
  }

  hide() {
    this.url = "";
    setHidden(this.element, true);
  }
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
    /** The HTML response shown, kept to show again in a fresh page frame. */
    /** @type {KernelResponse | null} */
    this.shownPage = null;
    /** The non-HTML response shown as text, which the download button saves. */
    /** @type {KernelResponse | null} */
    this.shownText = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.spinnerTimer = undefined;
    /** True while the address field holds what the user typed and has not submitted. */
    this.addressEdited = false;

    this.root = element("div", { class: "jld-widget" });
    const toolbar = element("div", { class: "jld-toolbar" });
    this.back = element("button", { type: "button", title: "Back", "aria-label": "Back" }, "\u2190");
    this.forward = element("button", { type: "button", title: "Forward", "aria-label": "Forward" }, "\u2192");
    this.reload = element("button", { type: "button", title: "Reload", "aria-label": "Reload" }, "\u27f3");
    this.download = element("button", { type: "button", class: "jld-download", title: "Download this response" }, "\u2913");
    this.download.hidden = true;
    this.downloadDatabase = element(
      "button",
      { type: "button", class: "jld-download-db", title: "Download the database shown, as a .db file" },
      ".db",
    );
    const addressForm = element("form", { class: "jld-address" });
    this.address = /** @type {HTMLInputElement} */ (
      element("input", { type: "text", "aria-label": "Datasette path", spellcheck: "false", autocomplete: "off" })
    );
    addressForm.append(this.address);
    this.spinner = element("span", { class: "jld-spinner", role: "status", "aria-label": "Loading" });
    toolbar.append(this.back, this.forward, this.reload, addressForm, this.download, this.downloadDatabase, this.spinner);
    this.error = element("div", { class: "jld-error", role: "alert" });
    this.error.hidden = true;
    this.external = new ExternalLinkPrompt();
    /** When the page frame last had to be replaced, to stop a page that leaves again and again. */
    this.lastLeft = -Infinity;
    /** This view's sessionStorage (a tab's lasts as long as the tab). */
    /** @type {StorageItems} */
    this.sessionItems = {};
    /** The localStorage this view last gave the model, to tell its own changes from others'. */
    /** @type {StorageItems | undefined} */
    this.ownLocalItems = undefined;
    this.frame = new SealedFrame(model.get("_frame_js"), model.get("image_hosts") || [], {
      onPageMessage: (message) => this.onFrameMessage(message),
      onLeft: () => this.pageLeft(),
      onFresh: () => this.showAgain(),
      greeting: () => ({ type: "storage", local: model.get("_local_storage") || {}, session: this.sessionItems }),
    });
    this.root.append(toolbar, this.external.element, this.error, this.frame.element);
    el.append(this.root);

    this.back.addEventListener("click", () => this.moveInHistory(-1));
    this.forward.addEventListener("click", () => this.moveInHistory(1));
    this.reload.addEventListener("click", () => this.go(this.shownPath(), this.index));
    this.download.addEventListener("click", () => {
      if (this.shownText) saveFile(this.shownText.body, fileNameOf(this.shownText.finalPath));
    });
    this.downloadDatabase.addEventListener("click", () => this.saveDatabase());
    // Keys typed here are for the address, not JupyterLab's notebook shortcuts
    // (Enter would otherwise put the cell into edit mode).
    this.address.addEventListener("keydown", (event) => {
      // Except Ctrl+S (Cmd+S), which saves the notebook from wherever it is typed.
      if (!isSaveKey(event)) event.stopPropagation();
      // As in a browser's address bar, Escape gives back the page's address.
      if (event.key === "Escape") {
        this.addressEdited = false;
        this.showAddress(this.shownPath());
      }
    });
    this.address.addEventListener("input", () => (this.addressEdited = true));
    addressForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.addressEdited = false;
      const typed = typedAddress(this.address.value.trim());
      if (typed.path !== undefined) {
        this.go(typed.path);
      } else {
        // Another site, as a link to it: it opens in a new tab once the user confirms.
        this.showAddress(this.shownPath());
        this.external.ask(typed.url, "The address is on another site: ");
      }
    });

    this.onModelMessage = this.onModelMessage.bind(this);
    this.onHeight = () => (this.frame.element.style.height = `${model.get("height")}px`);
    this.onImageHosts = () => this.frame.setImageHosts(model.get("image_hosts") || []);
    this.onLocalStorage = () => {
      // Another view of the widget (or the kernel) changed it: this page sees it too.
      const items = model.get("_local_storage") || {};
      if (items !== this.ownLocalItems) this.frame.post({ type: "storage", local: items });
    };
    model.on("msg:custom", this.onModelMessage);
    model.on("change:height", this.onHeight);
    model.on("change:image_hosts", this.onImageHosts);
    model.on("change:_local_storage", this.onLocalStorage);
    this.onHeight();

    this.updateButtons();
    // A new view shows the address it opens, as a tab opened on a link does; had it waited for
    // the first page, that page's address could land inside what the user was typing there.
    this.showAddress(model.get("path"));
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
    /** @type {Record<string, string>} */
    const headers = { accept: NAVIGATION_ACCEPT };
    if (contentType) headers["content-type"] = contentType;
    const ticket = ++this.latest;
    this.loadingIndex = at;
    this.setBusy(true);
    this.showError("");
    // The prompt was about the page being left.
    this.external.hide();
    // The address changes when the page comes, as a tab's does for a link.
    const slow = setTimeout(
      () => this.showError(`No answer from the kernel for ${path}: it may be busy running a cell, or stopped.`),
      SLOW_REPLY_MS,
    );
    try {
      const requested = now();
      const response = await this.kernel.request({ method, path, navigation: true, body, headers });
      if (!response || ticket !== this.latest) return; // a newer navigation won
      // It came, late perhaps: "no answer" holds no longer.
      this.showError("");
      const name = downloadName(response);
      if (name) {
        // As in a browser tab: the file is saved and the page stays.
        saveFile(response.body, name);
        this.showAddress(this.history[this.index] ?? "");
        return;
      }
      this.record(response.finalPath, at);
      await this.show(response, { requested, replied: now() });
    } catch (error) {
      if (ticket !== this.latest) return;
      this.showAddress(this.history[this.index] ?? path);
      this.showError(`Could not load ${path}: ${/** @type {Error} */ (error).message}`);
    } finally {
      clearTimeout(slow);
      if (ticket === this.latest) {
        this.loadingIndex = undefined;
        this.setBusy(false);
      }
    }
  }

  /** The path of the page shown: its history slot, or the model's before the first page came. */
  shownPath() {
    return this.history[this.index] ?? this.model.get("path");
  }

  /** The database of the page shown, as the kernel has it now (writes included). */
  async saveDatabase() {
    const path = this.shownPath();
    this.showError("");
    try {
      const response = await this.kernel.request({ type: "database", path });
      if (response) saveFile(response.body, downloadName(response) || "database.db");
    } catch (error) {
      this.showError(`Could not download the database: ${/** @type {Error} */ (error).message}`);
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
    this.showAddress(finalPath);
    this.updateButtons();
  }

  /**
   * @param {KernelResponse} response
   * @param {{requested: number, replied: number}} timing when the kernel was asked and answered
   */
  async show(response, timing) {
    await this.frame.ready;
    const id = ++this.renders;
    const path = response.finalPath;
    const html = mediaType(response.contentType) === "text/html";
    this.shownText = html ? null : response;
    setHidden(this.download, html);
    if (html) {
      // A copy stays here, so that the page can be shown again in a fresh
      // frame; the frame's bytes move to it and are decoded there.
      this.shownPage = response;
      const bytes = bytesOf(response.body).slice();
      this.frame.post({ type: "render", id, path, timing, html: bytes }, [bytes.buffer]);
    } else {
      this.shownPage = null;
      this.frame.post({ type: "text", id, path, timing, text: readableText(response) });
    }
  }

  /** The page frame is new: show what was shown. */
  showAgain() {
    const shown = this.shownPage ?? this.shownText;
    if (shown) this.show(shown, { requested: now(), replied: now() });
  }

  /**
   * The page frame held another document (a page script or tag navigated it,
   * and the shell refused the navigation): show the page again in a fresh
   * frame, once; a page that does it again is not shown again.
   */
  pageLeft() {
    const again = performance.now() - this.lastLeft < LEFT_AGAIN_MS;
    this.lastLeft = performance.now();
    this.frame.openPage();
    const path = this.shownPath();
    if (again || !this.shownPage) {
      this.showError(
        `The page ${path} tried again to load another address in the widget; it was stopped, ` +
          "and the page is not shown again. Go back, or to another page.",
      );
      return;
    }
    this.showError(`The page ${path} tried to load another address in the widget; it was stopped.`);
    this.showAgain();
  }

  /**
   * The text of a script or stylesheet on Datasette, "" if it cannot be had
   * or Datasette does not serve it as that kind: a CSV or text response never
   * becomes a script, as a browser tab would refuse it too. (The frame keeps
   * Datasette's static files itself.)
   * @param {AssetKind} kind
   * @param {string} href
   */
  asset(kind, href) {
    return this.kernel.request({ path: href }).then(
      (response) =>
        response && response.status === 200 && ASSET_TYPES[kind](mediaType(response.contentType)) ? bodyText(response) : "",
      () => "",
    );
  }

  /**
   * A page script's fetch() or XMLHttpRequest, answered by the kernel: only
   * requests to Datasette's own paths, as a tab on the same page could make.
   * @param {any} message
   */
  async relayFetch(message) {
    const reply = { type: "reply", id: message.id };
    try {
      if (typeof message.path !== "string" || !message.path.startsWith("/")) throw new Error("not a path on Datasette");
      const headers = Object.fromEntries(
        Object.entries(message.headers || {}).filter(
          ([key, value]) => typeof value === "string" && key.toLowerCase() !== "cookie",
        ),
      );
      const response = await this.kernel.request({
        method: String(message.method || "GET"),
        path: message.path,
        body: message.body instanceof ArrayBuffer ? message.body : undefined,
        headers: /** @type {Record<string, string>} */ (headers),
      });
      if (!response) throw new Error("cancelled");
      const body = bytesOf(response.body);
      this.frame.post({ ...reply, status: response.status, headers: response.headers, body }, [body.buffer]);
    } catch (error) {
      this.frame.post({ ...reply, error: /** @type {Error} */ (error).message });
    }
  }

  /**
   * What the page frame asks for. It comes only over the page frame's own
   * port, and is only ever what a tab on the page could do: Datasette's
   * paths, downloads of Datasette's responses, and other hosts after the
   * user confirms them here.
   * @param {any} message
   */
  async onFrameMessage(message) {
    switch (message.type) {
      case "visit":
        if (typeof message.path === "string" && message.path.startsWith("/")) {
          // location.replace: the page takes the shown page's history entry.
          const at = message.replace === true && this.index >= 0 ? this.index : undefined;
          this.go(message.path, at, {
            method: String(message.method || "GET"),
            body: message.body instanceof ArrayBuffer ? message.body : undefined,
            contentType: typeof message.content_type === "string" ? message.content_type : undefined,
          });
        }
        break;
      case "download":
        // A file the page made, on the user's click there (frame/downloads.js).
        if (message.body instanceof ArrayBuffer && typeof message.name === "string") {
          saveFile(message.body, message.name);
        }
        break;
      case "external":
        // A page script can forge any click: another host opens only once the user confirms it here.
        if (typeof message.url === "string" && /^https?:\/\//i.test(message.url)) this.external.ask(message.url);
        break;
      case "assets": {
        /** @type {[AssetKind, string][]} */
        const wanted = [];
        for (const kind of /** @type {AssetKind[]} */ (["script", "stylesheet"])) {
          for (const href of Array.isArray(message[kind]) ? message[kind] : []) {
            if (typeof href === "string" && href.startsWith("/")) wanted.push([kind, href]);
          }
        }
        const texts = await Promise.all(wanted.map(([kind, href]) => this.asset(kind, href)));
        /** @type {Record<AssetKind, Record<string, string>>} */
        const assets = { script: {}, stylesheet: {} };
        wanted.forEach(([kind, href], i) => (assets[kind][href] = texts[i]));
        this.frame.post({ type: "reply", id: message.id, assets });
        break;
      }
      case "fetch":
        this.relayFetch(message);
        break;
      case "storage":
        this.storeItems(message);
        break;
      case "save":
        this.saveNotebook(message);
        break;
      case "history":
        // history.pushState/replaceState: the page's URL moved, with no new page.
        // A path on Datasette only: not "//host/…", which is another host's URL.
        if (typeof message.path === "string" && /^\/(?!\/)/.test(message.path)) {
          this.record(message.path, message.replace ? this.index : undefined);
          this.model.send({ type: "location", path: message.path });
        }
        break;
    }
  }

  /**
   * Ctrl+S (Cmd+S) typed in the page: the same key goes to JupyterLab, which
   * never sees keys typed in a frame, from where the widget sits. The message
   * can only ever be this one key: the worst a page script that forged it
   * could do is save the notebook, which JupyterLab's autosave does anyway.
   * @param {any} message
   */
  saveNotebook(message) {
    const modifiers = { ctrlKey: message.ctrl === true, metaKey: message.meta === true };
    if (!modifiers.ctrlKey && !modifiers.metaKey) return;
    const init = { key: "s", code: "KeyS", keyCode: SAVE_KEY_CODE, bubbles: true, cancelable: true, ...modifiers };
    this.root.dispatchEvent(new KeyboardEvent("keydown", init));
  }

  /**
   * A page script changed localStorage or sessionStorage: the frame sends the
   * area's items whole. localStorage goes to the kernel, so it lasts as long
   * as the widget; sessionStorage stays with this view.
   * @param {any} message
   */
  storeItems(message) {
    const items = message.items;
    if (!items || typeof items !== "object") return;
    /** @type {StorageItems} */
    const checked = {};
    let size = 0;
    for (const [key, value] of Object.entries(items)) {
      if (typeof value !== "string") return;
      checked[key] = value;
      size += key.length + value.length;
    }
    if (size > STORAGE_QUOTA) return; // the frame refuses this too, as a browser does
    if (message.area === "session") {
      this.sessionItems = checked;
    } else if (message.area === "local") {
      this.ownLocalItems = checked;
      this.model.set("_local_storage", checked);
      this.model.save_changes();
    }
  }

  /** @param {any} message */
  onModelMessage(message) {
    // The kernel asks to navigate when Python sets `.path`.
    if (message?.type === "navigate" && typeof message.path === "string") this.go(message.path);
  }

  /**
   * Show `path` in the address field, unless the user is typing there: a
   * page arriving must not take away what they typed.
   * @param {string} path
   */
  showAddress(path) {
    if (this.addressEdited && document.activeElement === this.address) return;
    this.addressEdited = false;
    if (this.address.value !== path) this.address.value = path;
  }

  /** @param {boolean} busy */
  setBusy(busy) {
    this.root.setAttribute("aria-busy", String(busy));
    clearTimeout(this.spinnerTimer);
    if (this.root.classList.contains("jld-spinning")) this.root.classList.remove("jld-spinning");
    if (busy) this.spinnerTimer = setTimeout(() => this.root.classList.add("jld-spinning"), SPINNER_DELAY_MS);
  }

  /** @param {string} message */
  showError(message) {
    if (this.error.textContent !== message) this.error.textContent = message;
    setHidden(this.error, !message);
  }

  updateButtons() {
    setDisabled(this.back, this.index <= 0);
    setDisabled(this.forward, this.index >= this.history.length - 1);
  }

  dispose() {
    this.frame.dispose();
    this.model.off("msg:custom", this.onModelMessage);
    this.model.off("change:height", this.onHeight);
    this.model.off("change:image_hosts", this.onImageHosts);
    this.model.off("change:_local_storage", this.onLocalStorage);
    clearTimeout(this.spinnerTimer);
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
