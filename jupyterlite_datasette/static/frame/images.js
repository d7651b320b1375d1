// Images on Datasette's paths (a plugin's static files, datasette-media and
// the like). The frame's CSP lets images load only from data: and blob: URLs,
// so their bytes come through the kernel and are shown from a blob: URL.

/** @type {Map<string, Promise<string>>} path -> blob: URL, for Datasette's static files (kept) */
const staticImages = new Map();
/** @type {string[]} blob: URLs of the page shown, let go when it goes */
let pageImages = [];

/**
 * @param {string} path
 * @returns {Promise<string>}
 */
async function imageBlobUrl(path) {
  const response = await kernelFetch(INTERNAL + path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/**
 * Show the image at `path` in `img`, from the kernel.
 * @param {HTMLImageElement} img
 * @param {string} path
 */
function loadImage(img, path) {
  let url = staticImages.get(path);
  if (!url) {
    url = imageBlobUrl(path);
    if (cacheable(path)) {
      staticImages.set(path, url);
      url.catch(() => staticImages.delete(path)); // tried again on the next page
    } else {
      url.then((blobUrl) => pageImages.push(blobUrl), () => {});
    }
  }
  url.then(
    (blobUrl) => {
      // Unless a page script pointed the image elsewhere meanwhile.
      if (!img.hasAttribute("src") || internalPath(img.getAttribute("src")) === path) img.src = blobUrl;
    },
    () => img.dispatchEvent(new Event("error")),
  );
}

/**
 * A page about to go in: its images are loaded from the kernel, never by the
 * browser (whose request the CSP would refuse, with an error in the console).
 * @param {ParentNode} page
 */
function takeImages(page) {
  for (const img of page.querySelectorAll("img[src]")) {
    const path = internalPath(img.getAttribute("src"));
    if (!path) continue;
    img.removeAttribute("src");
    loadImage(/** @type {HTMLImageElement} */ (img), path);
  }
}

/** The page shown has gone: its images' bytes can go too. */
function forgetPageImages() {
  for (const url of pageImages.splice(0)) URL.revokeObjectURL(url);
}

// Images that page scripts add, or point elsewhere, once the page is in.
new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    if (mutation.type === "attributes") {
      const img = /** @type {HTMLImageElement} */ (mutation.target);
      const path = img.localName === "img" ? internalPath(img.getAttribute("src")) : null;
      if (path) loadImage(img, path);
      continue;
    }
    for (const node of mutation.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const element = /** @type {Element} */ (node);
      const path = element.localName === "img" ? internalPath(element.getAttribute("src")) : null;
      if (path) loadImage(/** @type {HTMLImageElement} */ (element), path);
      else takeImages(element);
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["src"] });
