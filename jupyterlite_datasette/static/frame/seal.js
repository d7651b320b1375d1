// What the frame takes away so that no page script reaches the network or a
// script realm of its own. The frame's policy already refuses every request
// to a host; these routes are the ones a policy does not govern:
// - WebRTC (no CSP directive in Chromium): its constructors are removed here,
//   before any page script runs;
// - nested documents (iframe srcdoc, frame, object, embed) would be fresh
//   realms with those constructors back: removed from each page, and at once
//   when a script adds one (before the nested document can load);
// - navigation hints and pings (<link rel=preconnect|prefetch|...>, <a ping>)
//   and <meta http-equiv> (refresh would navigate the frame): removed. A
//   navigation that gets through anyway is refused by the shell's policy.
// The DOM methods used here are taken before page scripts can replace them.

export const apply = Reflect.apply;
export const { remove, querySelectorAll, matches, removeAttribute } = Element.prototype;
const documentQuery = Document.prototype.querySelectorAll;

/** Elements that load a document, or a plugin, of their own. */
const NESTED_DOCUMENTS = "iframe, frame, object, embed, portal, fencedframe";
/** Link relations that have the browser connect or fetch ahead of time (preconnect and
 *  dns-prefetch are not governed by any CSP directive). */
const HINTS = ["prefetch", "preconnect", "dns-prefetch", "preload", "modulepreload", "prerender"];
/** What goes wherever it appears. */
const UNSEALED = [NESTED_DOCUMENTS, "meta[http-equiv]", ...HINTS.map((rel) => `link[rel~=${rel} i]`)].join(", ");

for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCIceTransport", "RTCDataChannel"]) {
  delete (/** @type {any} */ (window))[name];
}

/**
 * Remove what would reach the network or a new realm from `root` and below.
 * @param {Element} root
 */
function sealElement(root) {
  if (apply(matches, root, [UNSEALED])) {
    apply(remove, root, []);
    return;
  }
  for (const element of apply(querySelectorAll, root, [UNSEALED])) apply(remove, element, []);
  if (apply(matches, root, ["[ping]"])) apply(removeAttribute, root, ["ping"]);
  for (const element of apply(querySelectorAll, root, ["[ping]"])) apply(removeAttribute, element, ["ping"]);
}

/**
 * A parsed page, before any of it goes into this document.
 * @param {Document} page
 */
export function sealPage(page) {
  for (const element of apply(documentQuery, page, [UNSEALED])) apply(remove, element, []);
  for (const element of apply(documentQuery, page, ["[ping]"])) apply(removeAttribute, element, ["ping"]);
}

// What page scripts add later: removed before the browser can load it (a
// nested document loads in a later task; this runs at the end of the script).
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    if (mutation.type === "attributes") sealElement(/** @type {Element} */ (mutation.target));
    else for (const node of mutation.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) sealElement(/** @type {Element} */ (node));
  }
}).observe(document, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: ["ping", "rel", "http-equiv", "src", "srcdoc", "data"],
});
