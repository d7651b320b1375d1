// @ts-check
/**
 * A JupyterLite plugin: JupyterLab's own MathJax plugin, activated the first time a cell or
 * an output holds text MathJax would read, not when the first one renders. JupyterLab asks
 * its typesetter to typeset every Markdown cell and HTML output; its MathJax plugin then
 * loads and sets up MathJax (some 360 kB of script, run on the page's one thread) whether
 * or not there is math. In a notebook opened from a link, that work came while the notebook,
 * its saved outputs and the kernel were starting: on 2 cores, without it, the saved page
 * showed half a second sooner (README).
 *
 * This plugin provides the typesetter in the place of JupyterLab's (its package.json
 * disables that plugin), and hands every node with math to it: MathJax, as JupyterLab sets
 * it up, reads TeX alone, whose delimiters ($, \( \[ and \begin) all hold a `$` or a `\`.
 * A node without either has nothing MathJax would change.
 *
 * Written as the webpack container JupyterLite loads (`{init, get}` on
 * `window._JUPYTERLAB[name]`), by hand: what it needs of JupyterLab (the typesetter's
 * token, the translator's, and the MathJax plugin itself) it takes from the modules
 * JupyterLab shares with its extensions, which `init` is given.
 */
(function () {
  const NAME = "jupyterlite-datasette-lazy-math";

  /**
   * JupyterLab's shared modules: package name -> version -> how to load it.
   * @type {Record<string, Record<string, {get(): Promise<() => any>}>>}
   */
  let shared = {};

  /** Orders versions number by number ("4.10.0" after "4.6.4"). */
  const byVersion = new Intl.Collator("en", { numeric: true }).compare;

  /**
   * The module `name` as JupyterLab's own plugins get it: its highest version shared, as
   * webpack resolves a singleton.
   * @param {string} name
   */
  async function sharedModule(name) {
    const versions = Object.keys(shared[name] ?? {});
    if (!versions.length) {
      throw new Error(`${NAME}: JupyterLab shares no ${name}`);
    }
    const newest = versions.sort(byVersion)[versions.length - 1];
    return (await shared[name][newest].get())();
  }

  /**
   * The MathJax plugin's context menu on math, as its settings declare it: JupyterLab reads
   * no settings of a disabled plugin, so they are added here once the plugin runs.
   */
  const MENU = [
    { type: "separator", selector: ".MathJax", rank: 12 },
    { command: "mathjax:clipboard", selector: ".MathJax", rank: 13 },
    { command: "mathjax:scale", selector: ".MathJax", rank: 13 },
    { command: "mathjax:scale", selector: ".MathJax", rank: 13, args: { scale: 1.5 } },
    { type: "separator", selector: ".MathJax", rank: 13 },
  ];

  /** Whether MathJax could find math in `node`: TeX's delimiters all hold a `$` or a `\`. */
  const mayHoldMath = (/** @type {Node} */ node) => /[$\\]/.test(node.textContent ?? "");

  /**
   * @param {any} ILatexTypesetter the token JupyterLab's renderers ask for
   * @param {any} ITranslator
   */
  function lazyTypesetter(ILatexTypesetter, ITranslator) {
    return {
      id: `${NAME}:plugin`,
      description: "Provides the LaTeX typesetter, with MathJax loaded when there is math",
      autoStart: true,
      provides: ILatexTypesetter,
      optional: [ITranslator],
      /** @param {any} app @param {any} translator */
      activate(app, translator) {
        /** @type {Promise<{typeset(node: HTMLElement): void | Promise<void>}> | undefined} */
        let mathjax;
        return {
          /** @param {HTMLElement} node */
          async typeset(node) {
            if (!mayHoldMath(node)) {
              return;
            }
            // JupyterLab's plugin, activated as JupyterLab would have: its commands come with it.
            mathjax ??= sharedModule("@jupyterlab/mathjax-extension").then((module) => {
              const typesetter = module.default.activate(app, translator);
              for (const item of MENU) app.contextMenu.addItem(item);
              return typesetter;
            });
            try {
              await (await mathjax).typeset(node);
            } catch (error) {
              console.error(`${NAME}: MathJax failed`, error); // as JupyterLab's own typesetter reports it
            }
          },
        };
      },
    };
  }

  const registry = /** @type {any} */ (window);
  registry._JUPYTERLAB = registry._JUPYTERLAB || {};
  registry._JUPYTERLAB[NAME] = {
    /** @param {typeof shared} shareScope */
    init(shareScope) {
      shared = shareScope;
    },
    /** @param {string} module */
    async get(module) {
      if (module !== "./extension") {
        throw new Error(`${NAME} has no module ${module}`);
      }
      const [rendermime, translation] = await Promise.all([
        sharedModule("@jupyterlab/rendermime"),
        sharedModule("@jupyterlab/translation"),
      ]);
      const plugin = lazyTypesetter(rendermime.ILatexTypesetter, translation.ITranslator);
      return () => ({ __esModule: true, default: plugin });
    },
  };
})();
