// @ts-check
// Runs inside the sandboxed page frame (opaque origin, no allow-same-origin).
// One long-lived document: each Datasette page is swapped into it, so the
// stylesheets parsed once stay parsed and no document is torn down per click.
// It talks only to its parent window, by postMessage.
(() => {
  /** Links and forms on this origin are Datasette's; the parent sets it. */
  const INTERNAL = document.documentElement.dataset.internalOrigin || "";
  const parentWindow = window.parent;
  const base = /** @type {HTMLBaseElement} */ (document.querySelector("base"));

  let currentPath = "/";
  /** The newest render asked for; an older one still waiting is dropped. */
  let latestRender = 0;
  /** Time of the click or submit that started the navigation in flight. */
  let startedAt = 0;
  /** When the page being shown was asked for, answered and received, for benchmarks. */
  let timing = {};
  /** @type {Map<string, HTMLStyleElement>} stylesheet href -> its inlined <style> */
  const stylesheets = new Map();

  /** @param {any} message */
  function post(message) {
    // The frame's own origin is opaque, so the parent's cannot be named;
    // messages carry only what the page itself could see.
    parentWindow.postMessage(message, "*");
  }

  /** @param {string | null} href */
  function resolve(href) {
    try {
      return new URL(href ?? "", base.href);
    } catch {
      return null;
    }
  }

  /** @param {URL} url */
  const pathOf = (url) => url.pathname + url.search;

  const decoder = new TextDecoder();

  /** Milliseconds since the epoch, comparable with the parent's clock. */
  const now = () => performance.timeOrigin + performance.now();

  /** @param {string} hash */
  function scrollToFragment(hash) {
    const id = decodeURIComponent(hash.slice(1));
    const target = id ? document.getElementById(id) || document.getElementsByName(id)[0] : null;
    if (target) target.scrollIntoView();
    else if (!id || hash === "#top") window.scrollTo(0, 0);
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {{body?: ArrayBuffer, contentType?: string}} [payload]
   */
  function navigate(method, path, payload = {}) {
    post({ type: "navigate", method, path, ...payload });
  }

  /** @param {URL} url */
  function followUrl(url) {
    if (url.origin === INTERNAL) {
      if (url.hash && pathOf(url) === currentPath) scrollToFragment(url.hash);
      else navigate("GET", pathOf(url));
    } else if (url.protocol === "http:" || url.protocol === "https:") {
      post({ type: "external", url: url.href });
    }
    // Any other scheme (javascript:, data:, file:) is ignored on purpose.
  }

  // Capture phase on window: the browser must never navigate this frame itself.
  window.addEventListener(
    "click",
    (event) => {
      const target = /** @type {Element} */ (event.target);
      const link = target?.closest?.("a[href], area[href]");
      if (!link || event.button !== 0) return;
      event.preventDefault();
      const url = resolve(link.getAttribute("href"));
      if (!url) return;
      startedAt = now();
      followUrl(url);
    },
    true,
  );
  // Middle clicks would open a tab on a URL that only exists in the kernel.
  window.addEventListener("auxclick", (event) => event.preventDefault(), true);

  window.addEventListener(
    "submit",
    (event) => {
      event.preventDefault();
      startedAt = now();
      submitForm(
        /** @type {HTMLFormElement} */ (event.target),
        /** @type {HTMLElement | null} */ (event.submitter),
      );
    },
    true,
  );

  /**
   * @param {HTMLFormElement} form
   * @param {HTMLElement | null} submitter
   */
  async function submitForm(form, submitter) {
    const button = /** @type {HTMLButtonElement | null} */ (submitter);
    const method = (button?.getAttribute("formmethod") || form.getAttribute("method") || "GET").toUpperCase();
    // form.action would resolve against about:srcdoc; the base URL is the page's.
    const url = resolve(button?.getAttribute("formaction") || form.getAttribute("action") || currentPath);
    if (!url) return;
    const data = new FormData(form, submitter);
    if (method === "GET") {
      url.search = new URLSearchParams(/** @type {any} */ (data)).toString();
      url.hash = "";
      followUrl(url);
      return;
    }
    if (url.origin !== INTERNAL) return;
    const enctype = button?.getAttribute("formenctype") || form.enctype;
    // Response serialises the body exactly as a browser would send it.
    const encoded =
      enctype === "multipart/form-data"
        ? new Response(data)
        : new Response(new URLSearchParams(/** @type {any} */ (data)));
    const contentType = encoded.headers.get("content-type") || "";
    navigate(method, pathOf(url), { body: await encoded.arrayBuffer(), contentType });
  }

  /**
   * The page's stylesheets on Datasette's origin, in document order.
   * @param {Document} page
   */
  function stylesheetHrefs(page) {
    const hrefs = [];
    for (const link of page.head.querySelectorAll("link[rel~=stylesheet][href]")) {
      const url = resolve(link.getAttribute("href"));
      if (url && url.origin === INTERNAL) hrefs.push(pathOf(url));
    }
    return hrefs;
  }

  /**
   * Put `page` in place of the current content, reusing parsed stylesheets.
   * @param {Document} page
   * @param {string} path
   * @param {string[]} hrefs
   */
  function swap(page, path, hrefs) {
    const head = document.head;
    for (const old of head.querySelectorAll("[data-page]")) old.remove();
    for (const [href, style] of stylesheets) if (!hrefs.includes(href)) style.remove();
    for (const href of hrefs) {
      const style = stylesheets.get(href);
      if (style) head.append(style); // moving a <style> keeps its parsed sheet
    }
    // The page's own inline <style> blocks come after its stylesheets.
    for (const style of page.head.querySelectorAll("style")) {
      const copy = document.importNode(style, true);
      copy.dataset.page = "";
      head.append(copy);
    }
    document.title = page.title;
    currentPath = path;
    base.href = INTERNAL + path;
    document.documentElement.replaceChild(document.adoptNode(page.body), document.body);
    window.scrollTo(0, 0);
    rendered();
  }

  /**
   * @param {string} text
   * @param {string} path
   */
  function showText(text, path) {
    for (const old of document.head.querySelectorAll("[data-page]")) old.remove();
    const body = document.createElement("body");
    body.className = "jld-text";
    const pre = document.createElement("pre");
    pre.textContent = text; // text, never markup
    body.append(pre);
    currentPath = path;
    base.href = INTERNAL + path;
    document.documentElement.replaceChild(body, document.body);
    window.scrollTo(0, 0);
    rendered();
  }

  function rendered() {
    const detail = { path: currentPath, startedAt, ...timing, swapped: now() };
    window.dispatchEvent(new CustomEvent("datasette:rendered", { detail }));
    post({ type: "rendered", path: currentPath });
  }

  window.addEventListener("message", (event) => {
    if (event.source !== parentWindow) return;
    const message = event.data;
    if (message.type === "render" || message.type === "text") {
      latestRender = message.id;
      timing = { ...message.timing, received: now() };
    }
    if (message.type === "render") {
      const page = new DOMParser().parseFromString(decoder.decode(message.html), "text/html");
      const hrefs = stylesheetHrefs(page);
      const missing = hrefs.filter((href) => !stylesheets.has(href));
      if (missing.length === 0) {
        swap(page, message.path, hrefs);
        return;
      }
      const id = message.id;
      const onStyles = (/** @type {MessageEvent} */ reply) => {
        if (reply.source !== parentWindow || reply.data.type !== "stylesheets" || reply.data.id !== id) return;
        window.removeEventListener("message", onStyles);
        if (id !== latestRender) return; // a newer page has been asked for
        for (const [href, css] of Object.entries(reply.data.stylesheets)) {
          const style = document.createElement("style");
          style.dataset.href = href;
          style.textContent = css;
          stylesheets.set(href, style);
        }
        swap(page, message.path, hrefs);
      };
      window.addEventListener("message", onStyles);
      post({ type: "stylesheets", id, hrefs: missing });
    } else if (message.type === "text") {
      showText(message.text, message.path);
    }
  });

  post({ type: "ready" });
})();
