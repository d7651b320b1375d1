// Runs in <head>, as plugin scripts do, so it waits for the document.
document.addEventListener("DOMContentLoaded", async () => {
  const note = document.createElement("p");
  note.id = "jld-plugin";
  note.textContent = `plugin ran on ${location.pathname}${location.search}`;
  document.body.prepend(note);

  // Navigating from script, as plugins do: through `location`, like a tab.
  const go = document.createElement("button");
  go.id = "jld-plugin-go";
  go.textContent = "Michigan";
  go.addEventListener("click", () => (location.href = "/fixtures/states?code=MI"));
  note.after(go);
  // ... and in place of this page in the history.
  const replace = document.createElement("button");
  replace.id = "jld-plugin-replace";
  replace.textContent = "California instead";
  replace.addEventListener("click", () => location.replace("/fixtures/states?code=CA"));
  go.after(replace);

  // An image a script adds, from the plugin's static files.
  const image = document.createElement("img");
  image.id = "jld-plugin-script-image";
  image.alt = "dot";
  image.src = "/-/static-plugins/jld_test_plugin/dot.svg";
  go.after(image);

  // What the scripts before this one declared, the module's work, and location in every spelling.
  note.dataset.globals = [jldConst + jldLet, JldClass.answer(), typeof jldAsync, jldVar].join(" ");
  note.dataset.readyStates = window.jldReadyStates.join(" ");
  note.dataset.module = [window.jldModule.readyState, window.jldModule.doubled, window.jldModule.meta, await window.jldModule.lazy].join(" ");
  note.dataset.cycle = window.jldModule.cycle;
  note.dataset.locations = [window.location.pathname, document.location.search, location.href === document.URL].join(" ");

  const background = document.createElement("div");
  background.id = "jld-plugin-background";
  go.after(background);
  // CSS a script writes: a style property and a <style> element of its own.
  const styled = document.createElement("div");
  styled.className = "jld-plugin-css-image";
  styled.id = "jld-plugin-script-style";
  styled.style.backgroundImage = "url(/-/static-plugins/jld_test_plugin/dot.svg)";
  const scriptStyle = document.createElement("style");
  scriptStyle.textContent = "#jld-plugin-background { border-image: url(/-/static-plugins/jld_test_plugin/dot.svg) 1; }";
  go.after(styled, scriptStyle);

  // A stylesheet and a script added by a script: they load, and say so.
  const late = document.createElement("link");
  late.rel = "stylesheet";
  late.onload = () => (note.dataset.lateCss = getComputedStyle(note).borderTopStyle);
  late.href = "/-/static-plugins/jld_test_plugin/late.css";
  document.head.append(late);
  const lateScript = document.createElement("script");
  lateScript.onload = () => (note.dataset.lateJs = window.jldLate);
  lateScript.src = "/-/static-plugins/jld_test_plugin/late.js";
  document.head.append(lateScript);

  // The address moves with history.pushState, and the page stays.
  const push = document.createElement("button");
  push.id = "jld-plugin-push";
  push.textContent = "push";
  push.addEventListener("click", () => {
    history.pushState({ pushed: 1 }, "", "?pushed=1");
    note.dataset.pushed = `${location.search} ${history.state.pushed}`;
  });
  go.after(push);

  fetch("https://example.com/").then(
    () => (note.dataset.external = "reached"),
    () => (note.dataset.external = "refused"),
  );

  const xhr = new XMLHttpRequest();
  xhr.open("GET", "/-/plugins.json");
  xhr.responseType = "json";
  xhr.onload = () => (note.dataset.plugins = xhr.response.map((plugin) => plugin.name).join(" "));
  xhr.send();

  // Web Storage, where plugins keep their state: it lasts from page to page.
  const visits = Number(localStorage.getItem("jld-visits") || 0) + 1;
  localStorage.setItem("jld-visits", String(visits));
  sessionStorage.setItem("jld-session", "kept");
  note.dataset.visits = `${visits} ${sessionStorage.getItem("jld-session")}`;

  // Code made at run time, as charting bundles make it.
  note.dataset.evaluated = String(eval("6 * 7") + new Function("a", "return a * 2")(1));
  // ... and that code sees the page's location too, however it is made.
  const indirect = eval;
  note.dataset.evaluatedLocations = [
    eval("location.pathname"),
    (0, eval)("window.location.pathname"),
    indirect("document.location.pathname"),
    Function("return location.pathname")(),
  ].join(" ");
  setTimeout("document.getElementById('jld-plugin').dataset.timedLocation = location.pathname", 0);

  const versions = await (await fetch("/-/versions.json")).json();
  note.dataset.datasette = versions.datasette.version;
});
