// Runs a Python script in Pyodide under Node, for the site's build (bytecode.py):
//   node run_in_pyodide.mjs PYODIDE_DIR STDLIB_ZIP SCRIPT [ARGS...]
// The host's file system is mounted at /host, so SCRIPT and its ARGS are host paths under it.
// Column positions are left out of the bytecode (PYTHONNODEBUGRANGES): a traceback then marks no
// columns, and the compiled modules are a fifth smaller.
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pyodideDir, stdlib, script, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: pyodideDir + path.sep,
  stdLibURL: stdlib,
  env: { PYTHONNODEBUGRANGES: "1" },
});
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: "/" }, "/host");
pyodide.globals.set("argv", pyodide.toPy(["/host" + path.resolve(script), ...args]));
pyodide.runPython("import runpy, sys; sys.argv = list(argv); runpy.run_path(sys.argv[0], run_name='__main__')");
