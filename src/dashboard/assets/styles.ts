/** The dashboard's one stylesheet, served at /assets/dashboard.css (no inline styles: the CSP forbids them). */
export const DASHBOARD_CSS = String.raw`
:root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0969da;--accent-fg:#fff;--danger:#cf222e;--ok:#1a7f37;--warn:#9a6700;--focus:#0969da;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--soft:#151b23;--accent:#4493f8;--accent-fg:#0d1117;--danger:#f85149;--ok:#3fb950;--warn:#d29922;--focus:#4493f8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
:focus-visible{outline:2px solid var(--focus);outline-offset:2px;border-radius:3px}
.skip{position:absolute;left:-999px;top:0}.skip:focus{left:8px;top:8px;background:var(--bg);padding:6px 10px;z-index:9}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--soft)}
.brand{font-weight:700;color:var(--fg);text-decoration:none;margin-right:8px}
.top nav ul{display:flex;flex-wrap:wrap;gap:2px 4px;list-style:none;margin:0;padding:0}
.top nav a{display:block;padding:4px 8px;border-radius:6px;color:var(--fg);text-decoration:none}
.top nav a:hover{background:var(--line)}
.top nav a[aria-current=page]{background:var(--bg);box-shadow:inset 0 -2px 0 var(--accent);font-weight:600}
.who{margin-left:auto;display:flex;align-items:center;gap:8px;color:var(--muted)}
main{max-width:1040px;margin:0 auto;padding:20px}
footer{max-width:1040px;margin:0 auto;padding:16px 20px 32px;color:var(--muted);font-size:13px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}.bar h2,.card h3:first-child{margin-top:0}h3{font-size:15px;margin:16px 0 6px}
.sub{color:var(--muted);margin:0 0 16px}
.bar{display:flex;flex-wrap:wrap;align-items:center;gap:8px;justify-content:space-between;margin-bottom:12px}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
button,.btn{font:inherit;font-weight:600;padding:5px 14px;border-radius:6px;border:1px solid var(--line);background:var(--soft);color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block;line-height:1.5}
button:hover,.btn:hover{border-color:var(--muted)}
.primary{background:var(--accent);color:var(--accent-fg);border-color:var(--accent)}
.danger{color:var(--danger)}.danger:hover{background:var(--danger);color:#fff;border-color:var(--danger)}
button[disabled]{opacity:.55;cursor:not-allowed}
form.inline{display:inline}
label{display:block;font-weight:600;margin:14px 0 4px}
.check label,label.check{display:flex;gap:6px;align-items:center;font-weight:400;margin:4px 0}
input[type=text],input[type=search],input[type=password],input:not([type]),select,textarea{font:inherit;width:100%;max-width:640px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
textarea{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;min-height:220px}
.compact{align-items:flex-end}.compact label{margin-top:0}.compact input,.compact select{width:auto}
fieldset{border:1px solid var(--line);border-radius:6px;max-width:640px;margin:14px 0;padding:6px 12px 10px}
legend{font-weight:600;padding:0 4px}
.hint{color:var(--muted);font-size:13px;margin:2px 0 0}
.error{color:var(--danger);font-size:13px;margin:4px 0 0}
.error ul{margin:0;padding-left:18px}
[aria-invalid=true]{border-color:var(--danger)!important}
.alert{border:1px solid var(--line);border-left:4px solid var(--accent);background:var(--soft);padding:10px 14px;border-radius:6px;margin:12px 0}
.alert.bad{border-left-color:var(--danger)}.alert.good{border-left-color:var(--ok)}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:10px 0;background:var(--bg)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.cards .card{margin:0}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}
tr:last-child td{border-bottom:0}
th{background:var(--soft);font-size:13px;color:var(--muted);font-weight:600}
.badge{display:inline-block;font-size:12px;padding:0 8px;border-radius:999px;border:1px solid var(--line);color:var(--muted);white-space:nowrap}
.badge.ok,.badge.completed,.badge.active,.badge.public{color:var(--ok);border-color:var(--ok)}
.badge.failed,.badge.cancelled,.badge.inactive{color:var(--danger);border-color:var(--danger)}
.badge.waiting_approval,.badge.running,.badge.pending{color:var(--warn);border-color:var(--warn)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow-x:auto;white-space:pre-wrap;word-break:break-word;margin:6px 0}
.snippet{margin:10px 0}.snippet .row{justify-content:space-between}
.tabs{display:flex;gap:4px;flex-wrap:wrap;margin:0 0 12px;padding:0;list-style:none}
.tabs a{padding:4px 12px;border-radius:999px;border:1px solid var(--line);text-decoration:none;color:var(--fg)}
.tabs a[aria-current=page]{background:var(--accent);color:var(--accent-fg);border-color:var(--accent)}
.graph{max-width:100%;height:auto;border:1px solid var(--line);border-radius:8px;background:var(--soft)}
.graph rect{fill:var(--bg);stroke:var(--line);stroke-width:1.5}
.graph text{fill:var(--fg);font-size:12px;font-family:system-ui,sans-serif}
.graph .edge{stroke:var(--muted);stroke-width:1.5;fill:none}
.graph .arrowhead{fill:var(--muted)}
.graph .s-running rect,.graph .s-waiting_approval rect{stroke:var(--warn);stroke-width:2.5}
.graph .s-completed rect{stroke:var(--ok);stroke-width:2.5}
.graph .s-failed rect,.graph .s-blocked rect{stroke:var(--danger);stroke-width:2.5}
.graph .s-skipped rect,.graph .s-cancelled rect{stroke:var(--muted);stroke-dasharray:4 3}
.chart{max-width:100%;height:auto}
.chart text{fill:var(--muted);font-size:11px;font-family:system-ui,sans-serif}
.chart .axis{stroke:var(--line)}.chart .limit{stroke:var(--danger);stroke-dasharray:4 3}
.chart .a-claude{fill:#d97757}.chart .a-cursor{fill:#6e7dd8}.chart .a-codex{fill:#2da44e}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:13px;color:var(--muted);list-style:none;padding:0;margin:4px 0}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.swatch.a-claude{background:#d97757}.swatch.a-cursor{background:#6e7dd8}.swatch.a-codex{background:#2da44e}
progress{width:120px;vertical-align:middle}
.events{max-height:320px;overflow-y:auto;list-style:none;padding:0;margin:0;border:1px solid var(--line);border-radius:8px}
.events li{padding:4px 10px;border-bottom:1px solid var(--line);font-family:ui-monospace,monospace;font-size:12px;word-break:break-word}
.approval{border:2px solid var(--warn);border-radius:8px;padding:12px 16px;margin:12px 0}
details.confirm{margin:12px 0}details.confirm summary{cursor:pointer;color:var(--danger);font-weight:600}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin:12px 0}
.stat{border:1px solid var(--line);border-radius:8px;padding:10px 14px}.stat b{display:block;font-size:22px}
.muted{color:var(--muted)}.mono{font-family:ui-monospace,monospace;word-break:break-all}
[hidden]{display:none!important}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:600px){main{padding:14px}.top{padding:8px 12px}.who{margin-left:0}th,td{padding:6px 8px}}
`;
