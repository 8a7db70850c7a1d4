// The report page's stylesheet, inlined in <style>: a light, quiet look that reads on a laptop screen.
export const CSS = `
:root {
  --ink: #212529; --muted: #6c757d; --line: #e9ecef; --card: #fff; --bg: #f5f6f8; --accent: #364fc7;
  --ok: #2b8a3e; --ok-bg: #ebfbee; --bad: #c92a2a; --bad-bg: #fff5f5; --mid: #e67700; --mid-bg: #fff9db;
  --none: #868e96; --none-bg: #f1f3f5;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
header.top { background: #1b1f3b; color: #f8f9fa; padding: 9px 32px 8px; }
header.top h1 { display: inline-block; margin: 0 14px 0 0; font-size: 19px; font-weight: 650; letter-spacing: .2px; }
header.top > .muted { display: inline; font-size: 12.5px; color: #adb5bd; }
header.top h1 .badge { font-size: 12px; vertical-align: middle; margin-left: 8px; }
.meta { display: flex; flex-wrap: wrap; gap: 2px 20px; margin: 3px 0 0; padding: 0; color: #ced4da; font-size: 12px; }
.meta div { display: flex; gap: 6px; }
.meta dt { color: #8d94b8; }
.meta dd { margin: 0; color: #f1f3f5; }
nav.workloads { position: sticky; top: 0; z-index: 5; background: #fffffff0; border-bottom: 1px solid var(--line);
  padding: 4px 32px; display: flex; gap: 4px; flex-wrap: wrap; backdrop-filter: blur(4px); }
nav.workloads a { color: var(--accent); text-decoration: none; padding: 3px 10px; border-radius: 999px; font-size: 13px; }
nav.workloads a:hover { background: #edf2ff; }
main { max-width: 1400px; margin: 0 auto; padding: 8px 24px 40px; }
section { margin: 0 0 26px; }
h2 { font-size: 18px; margin: 22px 0 10px; font-weight: 650; }
h2 small { font-weight: 400; color: var(--muted); font-size: 14px; margin-left: 6px; }
h3 { font-size: 14px; margin: 0 0 6px; font-weight: 600; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
  box-shadow: 0 1px 2px #0000000a; }
.banner { border-radius: 10px; padding: 10px 14px; margin: 0 0 16px; background: var(--mid-bg); color: #7c4a03;
  border: 1px solid #ffe066; font-weight: 600; }
.verdicts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 8px 10px; align-items: start; }
#verdicts h2 { margin: 4px 0 6px; }
#verdicts h2 small { font-size: 12px; }
.vcard { display: flow-root; background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 6px 10px 5px 10px; box-shadow: 0 1px 2px #0000000a; }
.vcard h3 { font-size: 14px; margin: 0 0 3px; cursor: help; }
.vcard h3 .label { margin: 0 8px 0 0; vertical-align: 1px; }
.vcard .headline { margin: 0; font-size: 13px; line-height: 1.38; color: var(--ink); }
.vcard .pic { float: right; width: 330px; height: 122px; margin: 0 0 0 10px; position: relative; }
.vcard .nopic { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 12px;
  background: repeating-linear-gradient(135deg, #f8f9fa, #f8f9fa 8px, #f1f3f5 8px, #f1f3f5 16px); border-radius: 6px; }
.vcard details { margin-top: 4px; font-size: 12px; color: var(--muted); }
.vcard details summary { cursor: pointer; font-size: 11.5px; width: fit-content; }
.vcard details[open] { color: var(--ink); }
.vcard details > :not(summary) { clear: both; }
.vcard:has(> details[open]) { grid-column: 1 / -1; }
table.matchups td:nth-child(-n + 4) { white-space: nowrap; }
.vcard .summary { margin: 6px 0 0; color: #495057; }
.vcard details ul { margin: 4px 0 2px; padding-left: 18px; color: #495057; }
table.matchups { font-size: 11.5px; margin-top: 4px; }
table.matchups th, table.matchups td { padding: 3px 6px; }
table.matchups th { font-size: 10.5px; }
table.matchups tr.o-loss td:nth-child(7) { color: var(--bad); font-weight: 600; }
table.matchups tr.o-win td:nth-child(7), table.matchups tr.o-cannot-serve td:nth-child(7) { color: var(--ok); font-weight: 600; }
table.matchups tr.o-undecided td:nth-child(7) { color: var(--mid); font-weight: 600; }
.verdict { border-left: 5px solid var(--none); }
.verdict .label { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .6px;
  padding: 2px 8px; border-radius: 999px; margin-bottom: 6px; }
.verdict p { margin: 4px 0 0; color: #343a40; }
.verdict details { margin-top: 6px; color: var(--muted); font-size: 12.5px; }
.verdict ul { margin: 4px 0 0; padding-left: 18px; }
.v-supported { border-left-color: var(--ok); } .v-supported .label { background: var(--ok-bg); color: var(--ok); }
.v-not-supported { border-left-color: var(--bad); } .v-not-supported .label { background: var(--bad-bg); color: var(--bad); }
.v-depends { border-left-color: var(--mid); } .v-depends .label { background: var(--mid-bg); color: var(--mid); }
.v-undecided { border-left-color: var(--mid); } .v-undecided .label { background: var(--none-bg); color: var(--mid); }
.v-not-measured .label { background: var(--none-bg); color: var(--none); }
.reco ul { margin: 0; padding-left: 20px; } .reco li { margin: 3px 0; }
.two { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 14px; }
@media (max-width: 980px) { .two { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .3px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 7px; vertical-align: baseline; }
.win { color: #e8590c; margin-left: 4px; }
.mark { display: inline-block; min-width: 16px; padding: 0 4px; margin-left: 3px; border-radius: 4px; background: #fff3bf;
  color: #7c4a03; font-size: 11px; font-weight: 700; text-align: center; cursor: help; }
.status { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
.winner { margin: 10px 0 2px; font-weight: 600; }
.comparisons, .reasons { margin: 2px 0 0; padding-left: 18px; color: #495057; font-size: 13px; }
.reasons { color: var(--bad); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; margin-top: 12px;
  align-items: start; }
.chart { position: relative; height: 300px; }
#overview .chart { height: 380px; }
.failures { display: grid; gap: 12px; margin-top: 12px; }
.chart-card h3 .muted { font-weight: 400; }
.empty { display: flex; align-items: center; justify-content: center; height: 120px; color: var(--muted);
  background: repeating-linear-gradient(135deg, #f8f9fa, #f8f9fa 8px, #f1f3f5 8px, #f1f3f5 16px); border-radius: 8px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; background: #364fc7; color: #fff; font-size: 12px; font-weight: 600; }
.badge.warn { background: #f08c00; }
pre.log { background: #1b1f3b; color: #e9ecef; padding: 10px 12px; border-radius: 8px; overflow-x: auto; font-size: 12px; margin: 6px 0 0; }
.legend ul { list-style: none; padding-left: 0; margin: 0; }
.legend li { margin: 3px 0; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 0 0 28px; }
`;
