/** The report's own styles (inlined; diff2html and highlight.js bring theirs). */
export const PAGE_STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 20px 28px 40px; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: var(--fg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow: auto; max-height: 480px; white-space: pre-wrap; word-break: break-word; margin: 6px 0; }
pre.task { max-height: 260px; }
.muted { color: var(--muted); }
.note { color: var(--warn); margin: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.winner-box { border: 1px solid #4ac26b; background: #dafbe1; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.winner-box.none { border-color: var(--line); background: var(--bg-soft); }
table.members, table.commands { border-collapse: collapse; width: 100%; margin: 6px 0; }
table.members th, table.members td, table.commands th, table.commands td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
table.members th, table.commands th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; }
table.members td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.members tr.winner { background: #f0fff4; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge.good { color: var(--ok); }
.badge.bad { color: var(--bad); }
.badge.neutral { color: var(--muted); }
.badge.star { color: #fff; background: var(--ok); border-color: var(--ok); }
.ins { color: var(--ok); }
.del { color: var(--bad); }
svg.timeline { width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.tl-grid { stroke: #eaeef2; }
.tl-tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
.tl-label { font-size: 12px; fill: var(--fg); font-family: ui-monospace, monospace; }
.tl-wait { fill: #d0d7de; }
.tl-run { fill: #ddf4ff; stroke: #54aeff; stroke-width: 0.5; }
.tl-turn { fill: #b6e3ff; }
.tl-quiet { fill: #fff8c5; }
.tl-command { fill: #8250df; opacity: 0.55; }
.tl-check { fill: #4ac26b; }
.tl-check.tl-failed, .tl-turn.tl-failed { fill: #ff8182; }
.tl-mark { stroke: #fff; stroke-width: 1; }
.tl-mark-command { fill: #8250df; }
.tl-mark-file { fill: #bf8700; }
.tl-mark-message { fill: #0969da; }
.tl-mark-tool { fill: #57606a; }
.tl-mark-error, .tl-mark.tl-failed { fill: var(--bad); }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); margin: 4px 0 0; padding: 0; list-style: none; }
.legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: -1px; }
.legend .k-wait { background: #d0d7de; } .legend .k-run { background: #ddf4ff; border: 1px solid #54aeff; } .legend .k-turn { background: #b6e3ff; }
.legend .k-quiet { background: #fff8c5; } .legend .k-command { background: #8250df; } .legend .k-check { background: #4ac26b; }
.legend .k-file { background: #bf8700; border-radius: 50%; } .legend .k-error { background: var(--bad); border-radius: 50%; } .legend .k-message { background: #0969da; border-radius: 50%; }
details.run { border: 1px solid var(--line); border-radius: 8px; margin: 14px 0; padding: 0 14px; }
details.run[open] { padding-bottom: 12px; }
details.run > summary { cursor: pointer; padding: 10px 0; font-weight: 600; font-size: 15px; }
details.output > summary { cursor: pointer; color: var(--accent); }
.diff-toolbar { display: flex; gap: 6px; align-items: center; margin: 6px 0; }
.diff-toolbar button { font: inherit; font-size: 12px; border: 1px solid var(--line); background: var(--bg-soft); border-radius: 6px; padding: 2px 10px; cursor: pointer; }
.diff-toolbar button[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
td.exit-ok { color: var(--ok); white-space: nowrap; }
td.exit-bad { color: var(--bad); white-space: nowrap; font-weight: 600; }
/* highlight.js's theme paints a white box behind each highlighted line; the diff's own colours must show. */
.d2h-wrapper .hljs { background: transparent; padding: 0; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
`;
