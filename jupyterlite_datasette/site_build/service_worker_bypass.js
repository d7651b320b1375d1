// @ts-check
// Put at the head of the site's service-worker.js by the site's build (addon.py), before
// JupyterLite's own service worker.
//
// JupyterLite's worker answers its own API (the kernel's reads of /drive and of stdin, and a
// heartbeat) for the page. Every other request it only passes on with fetch() unless its cache
// is on (`enableCache`, off by default): the kernel's wheels, Pyodide's files and the database
// a notebook opens then cross the worker's JavaScript as streams, on a machine whose cores are
// already busy with JupyterLab's boot and the kernel's start. Here those requests skip its
// listener, so the browser fetches them itself, as it would with no service worker.
// The type check knows a page's globals, not a service worker's: its fetch event is typed here.
/** @typedef {Event & {request: Request}} FetchEvent */
(function () {
  const caching = new URL(self.location.href).searchParams.get("enableCache") === "true";
  self.addEventListener("fetch", (/** @type {any} */ fetched) => {
    const event = /** @type {FetchEvent} */ (fetched);
    const url = new URL(event.request.url);
    const itsOwnApi = url.origin === self.location.origin && url.pathname.includes("/api/");
    if (!caching && !itsOwnApi) {
      // No respondWith(): the request goes to the network as if no worker were there.
      event.stopImmediatePropagation();
    }
  });
})();
