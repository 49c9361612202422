//! `--format html`: one self-contained page (no external assets, works offline from disk) for the
//! application operator: per target, completeness and coverage first, then every finding as a
//! card with expected (state) vs actual (live), then what was not scanned. A small inline script
//! filters by kind, tier, resource type and free text; its initial state can come from the URL
//! fragment (`report.html#q=sg-123&tier=critical&kind=changed&type=aws_instance`).
//!
//! Safety: every value that came from state, the cloud or the config goes through [`esc`]; the
//! script reads only `data-*` attributes and text of the DOM (no data is embedded in it), and the
//! page carries a Content-Security-Policy that allows exactly the inline `<style>` and `<script>`
//! below, by SHA-256 hash, and nothing else.
//!
//! [`esc`], [`CSS`], [`changes_table`] and [`tier_badge`] are shared with the web dashboard.

use driftd_core::{Change, ChangeOp, Finding, FindingKind, Report, Tier};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    esc_into(&mut out, s);
    out
}

/// [`esc`] appending to `out`, so that rendering 10,000 findings does not allocate per value.
/// Control characters (a live value's ESC sequences, BEL, NUL) are shown as their Unicode
/// pictures (`␛`, `␇`, `␀`), C1 controls as `�`: inert in a page, and still visible.
fn esc_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (rep, len): (std::borrow::Cow<'static, str>, usize) = match b {
            b'&' => ("&amp;".into(), 1),
            b'<' => ("&lt;".into(), 1),
            b'>' => ("&gt;".into(), 1),
            b'"' => ("&quot;".into(), 1),
            b'\'' => ("&#39;".into(), 1),
            b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            0x00..=0x1f => (
                char::from_u32(0x2400 + u32::from(b))
                    .unwrap_or('\u{fffd}')
                    .to_string()
                    .into(),
                1,
            ),
            0x7f => ("\u{2421}".into(), 1),
            0xc2 if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => ("\u{fffd}".into(), 2),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[start..i]);
        out.push_str(&rep);
        i += len;
        start = i;
    }
    out.push_str(&s[start..]);
}

/// The stylesheet of the report and the dashboard (light, dark and print).
pub const CSS: &str = r#":root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1b1f24;--muted:#5b6470;--card:#fff;--border:#d5dbe1;--code:#eef1f4;--crit:#b42318;--crit-bg:#fde8e6;--warn:#8a5200;--warn-bg:#fff1d1;--info:#1d5ea8;--info-bg:#e2eefc;--ok:#17663a;--ok-bg:#e2f4e8;--exp-bg:#fdeeee;--act-bg:#e8f6ec;--exp-mark:#f7b9b3;--act-mark:#a6dfb5}
@media (prefers-color-scheme:dark){:root{--bg:#0f1216;--fg:#e4e7eb;--muted:#9aa4af;--card:#181c22;--border:#2e353e;--code:#22272e;--crit:#ff8a80;--crit-bg:#3b1715;--warn:#f5c061;--warn-bg:#3a2a0c;--info:#8cbcff;--info-bg:#142741;--ok:#7ddc9b;--ok-bg:#12301d;--exp-bg:#2e1718;--act-bg:#13291a;--exp-mark:#7a2a26;--act-mark:#1f5b31}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:1200px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 6px}
h3{font-size:15px;margin:18px 0 8px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.page-head{border-bottom:1px solid var(--border);padding-bottom:10px;margin-bottom:12px}
.banner{border-radius:6px;padding:10px 14px;margin:10px 0;font-weight:600;border:1px solid}
.banner p{margin:4px 0 0;font-weight:400}
.banner.ok{background:var(--ok-bg);color:var(--ok);border-color:var(--ok)}
.banner.incomplete{background:var(--warn-bg);color:var(--warn);border-color:var(--warn);border-width:2px}
.banner.drift{background:var(--crit-bg);color:var(--crit);border-color:var(--crit)}
.insync{font-size:24px;font-weight:700;text-align:center;padding:28px 16px;border-radius:8px;margin:14px 0;background:var(--ok-bg);color:var(--ok);border:1px solid var(--ok)}
.nodrift-incomplete{font-size:19px;font-weight:700;text-align:center;padding:22px 16px;border-radius:8px;margin:14px 0;background:var(--warn-bg);color:var(--warn);border:2px dashed var(--warn)}
.insync p,.nodrift-incomplete p{font-size:14px;font-weight:400;margin:6px 0 0}
.overview{border-collapse:collapse;margin:8px 0 4px;width:100%}
.overview th,.overview td{border-bottom:1px solid var(--border);padding:4px 8px;text-align:left}
.filters{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;gap:8px;align-items:center;background:var(--bg);padding:8px 0;border-bottom:1px solid var(--border);margin-bottom:8px}
.filters input,.filters select,.filters button{font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--border);border-radius:5px;padding:5px 8px}
.filters input{flex:1 1 260px;min-width:180px}
#shown-count{margin-left:auto;font-weight:600}
section.target{margin:18px 0 34px}
.scan-meta{margin:2px 0 6px;color:var(--muted)}
.coverage{display:flex;align-items:center;gap:8px;flex-wrap:wrap;margin:6px 0}
.coverage meter{width:180px;height:12px}
.counts{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0;margin:6px 0}
.counts li{border:1px solid var(--border);background:var(--card);border-radius:14px;padding:2px 10px}
.counts li.zero{opacity:.55}
.counts b{font-size:15px}
.badge{display:inline-block;border-radius:4px;padding:0 7px;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;border:1px solid}
.tier-critical{color:var(--crit);background:var(--crit-bg);border-color:var(--crit)}
.tier-warning{color:var(--warn);background:var(--warn-bg);border-color:var(--warn)}
.tier-info{color:var(--info);background:var(--info-bg);border-color:var(--info)}
.kind{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;border:1px solid var(--border);color:var(--muted)}
.finding{background:var(--card);border:1px solid var(--border);border-left:5px solid var(--border);border-radius:6px;padding:10px 14px;margin:10px 0}
.finding[hidden],.no-match[hidden]{display:none}
.finding[data-tier=critical]{border-left-color:var(--crit)}
.finding[data-tier=warning]{border-left-color:var(--warn)}
.finding[data-tier=info]{border-left-color:var(--info)}
.f-head{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.f-type{color:var(--muted)}
.f-id{font-weight:700;font-size:14px;word-break:break-all}
.f-meta{display:flex;flex-wrap:wrap;gap:4px 16px;margin:4px 0 2px;color:var(--muted);font-size:13px}
.f-meta code{color:var(--fg)}
.fp{font-size:11px;color:var(--muted)}
.note{margin:6px 0 0;color:var(--muted)}
table.changes{border-collapse:collapse;width:100%;margin-top:8px;table-layout:fixed}
table.changes th,table.changes td{border:1px solid var(--border);padding:4px 6px;vertical-align:top;text-align:left}
table.changes th{background:var(--code);font-weight:600;font-size:12px}
table.changes col.c-path{width:20%}
table.changes col.c-op{width:9%}
table.changes td.path{word-break:break-all}
td.val{overflow-wrap:anywhere}
td.val.exp{background:var(--exp-bg)}
td.val.act{background:var(--act-bg)}
td.val .from{font-size:.85em;opacity:.75;margin-top:.2em}
td.val pre,td.val .str{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
mark.exp{background:var(--exp-mark);color:inherit;border-radius:2px;font-weight:700}
mark.act{background:var(--act-mark);color:inherit;border-radius:2px;font-weight:700}
.none{color:var(--muted);font-style:italic}
.rule{font-size:12px;color:var(--muted);margin-bottom:2px}
.op{font-size:12px;font-weight:600}
.op-add{color:var(--ok)}
.op-remove{color:var(--crit)}
.op-replace{color:var(--warn)}
table.skipped{border-collapse:collapse;width:100%}
table.skipped th,table.skipped td{border:1px solid var(--border);padding:4px 6px;text-align:left;vertical-align:top}
table.skipped td.reason{overflow-wrap:anywhere}
.target-shown{color:var(--muted);font-size:13px;margin:4px 0}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@media print{:root{color-scheme:light;--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--border:#999;--code:#eee;--crit:#a00;--crit-bg:#fff;--warn:#7a4a00;--warn-bg:#fff;--info:#1d4f8a;--info-bg:#fff;--ok:#145c32;--ok-bg:#fff;--exp-bg:#fff;--act-bg:#fff;--exp-mark:#f4c7c3;--act-mark:#c8ebd1}
body{font-size:11px;background:#fff;color:#000}
.filters,.target-shown,.no-match{display:none!important}
.finding[hidden]{display:block!important}
.finding{break-inside:avoid;page-break-inside:avoid}
section.target{break-before:auto}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

/// The filter script. It reads only the DOM (`data-kind`, `data-tier`, `data-type` and the text
/// of each `.finding`), so no report data is ever inside a `<script>`.
const SCRIPT: &str = r#"(function () {
  'use strict';
  var q = document.getElementById('f-q');
  var kind = document.getElementById('f-kind');
  var tier = document.getElementById('f-tier');
  var type = document.getElementById('f-type');
  var reset = document.getElementById('f-reset');
  var shown = document.getElementById('shown-count');
  if (!q || !kind || !tier || !type || !shown) { return; }
  var sections = Array.prototype.map.call(document.querySelectorAll('section.target'), function (s) {
    return {
      cards: Array.prototype.slice.call(s.querySelectorAll('.finding')),
      counter: s.querySelector('.target-shown .n'),
      none: s.querySelector('.no-match'),
      texts: null
    };
  });
  var total = 0;
  sections.forEach(function (s) { total += s.cards.length; });
  function setSelect(sel, v) {
    sel.value = v;
    if (sel.value !== v) {
      var o = document.createElement('option');
      o.value = v;
      o.textContent = v;
      sel.appendChild(o);
      sel.value = v;
    }
  }
  function fromHash() {
    var h = location.hash.replace(/^#/, '');
    if (h !== '' && h.indexOf('=') < 0) { return false; }
    var p = new URLSearchParams(h);
    q.value = p.get('q') || '';
    setSelect(kind, p.get('kind') || '');
    setSelect(tier, p.get('tier') || '');
    setSelect(type, p.get('type') || '');
    return true;
  }
  function toHash() {
    var p = new URLSearchParams();
    if (q.value.trim() !== '') { p.set('q', q.value.trim()); }
    if (kind.value !== '') { p.set('kind', kind.value); }
    if (tier.value !== '') { p.set('tier', tier.value); }
    if (type.value !== '') { p.set('type', type.value); }
    var s = p.toString();
    try {
      history.replaceState(null, '', s === '' ? location.pathname + location.search : '#' + s);
    } catch (e) { /* some browsers refuse history on file: URLs; the filter still applies */ }
  }
  function apply() {
    var needle = q.value.trim().toLowerCase();
    var k = kind.value, t = tier.value, ty = type.value;
    var n = 0;
    sections.forEach(function (s) {
      if (needle !== '' && s.texts === null) {
        s.texts = s.cards.map(function (c) { return c.textContent.toLowerCase(); });
      }
      var m = 0;
      for (var i = 0; i < s.cards.length; i++) {
        var c = s.cards[i];
        var ok = (k === '' || c.getAttribute('data-kind') === k) &&
          (t === '' || c.getAttribute('data-tier') === t) &&
          (ty === '' || c.getAttribute('data-type') === ty) &&
          (needle === '' || s.texts[i].indexOf(needle) >= 0);
        if (c.hidden === ok) { c.hidden = !ok; }
        if (ok) { m++; }
      }
      if (s.counter) { s.counter.textContent = String(m); }
      if (s.none) { s.none.hidden = !(m === 0 && s.cards.length > 0); }
      n += m;
    });
    shown.textContent = n + ' of ' + total + ' findings shown';
    shown.setAttribute('data-shown', String(n));
    shown.setAttribute('data-total', String(total));
  }
  var timer = null;
  q.addEventListener('input', function () {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; apply(); toHash(); }, 80);
  });
  [kind, tier, type].forEach(function (sel) {
    sel.addEventListener('change', function () { apply(); toHash(); });
  });
  if (reset) {
    reset.addEventListener('click', function () {
      q.value = '';
      kind.value = '';
      tier.value = '';
      type.value = '';
      apply();
      toHash();
    });
  }
  window.addEventListener('hashchange', function () { if (fromHash()) { apply(); } });
  document.addEventListener('keydown', function (e) {
    var tag = e.target && e.target.tagName;
    if (e.key === '/' && tag !== 'INPUT' && tag !== 'SELECT' && tag !== 'TEXTAREA') {
      e.preventDefault();
      q.focus();
    } else if (e.key === 'Escape' && e.target === q) {
      q.value = '';
      apply();
      toHash();
    }
  });
  fromHash();
  apply();
})();
"#;

const KINDS: [FindingKind; 4] = [
    FindingKind::Missing,
    FindingKind::Changed,
    FindingKind::Unmanaged,
    FindingKind::Pending,
];
const TIERS: [Tier; 3] = [Tier::Critical, Tier::Warning, Tier::Info];

/// The tier as a colored badge, e.g. `<span class="badge tier-critical">critical</span>`.
pub fn tier_badge(tier: Tier) -> String {
    format!(
        "<span class=\"badge tier-{t}\" title=\"tier {t}\">{t}</span>",
        t = tier.as_str()
    )
}

/// Expected (state) vs actual (live) of one finding as an HTML fragment: a table with one row per
/// changed attribute, the differing parts highlighted; for a finding without attribute changes
/// (missing, unmanaged), one sentence that says what the finding means.
pub fn changes_table(f: &Finding) -> String {
    let mut out = String::new();
    write_changes(&mut out, f);
    out
}

/// The whole page for the reports of one run (one section per target).
pub fn render(reports: &[Report]) -> String {
    let total: usize = reports.iter().map(|r| r.findings.len()).sum();
    // About 1.5 kB per finding; one allocation up front instead of a dozen doublings.
    let mut out = String::with_capacity(16 * 1024 + total * 1600);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        csp()
    );
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>driftd report",
    );
    for (i, r) in reports.iter().enumerate() {
        out.push_str(if i == 0 { " · " } else { ", " });
        esc_into(&mut out, &r.target);
    }
    out.push_str("</title>\n<style>");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<div class=\"wrap\">\n");

    page_header(&mut out, reports, total);
    filters(&mut out, reports, total);
    out.push_str("<main>\n");
    for (i, r) in reports.iter().enumerate() {
        target_section(&mut out, i, r);
    }
    out.push_str("</main>\n");
    let version = reports
        .first()
        .map(|r| r.tool.version.as_str())
        .unwrap_or("");
    out.push_str("<footer>Generated by driftd ");
    esc_into(&mut out, version);
    out.push_str(
        ". Self-contained: no network access. Filters can be set from the URL: \
         <code>#q=text&amp;tier=critical&amp;kind=changed&amp;type=aws_instance</code>.</footer>\n\
         </div>\n<script>",
    );
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// The Content-Security-Policy: nothing but the exact inline style and script of the page.
fn csp() -> String {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:",
        sha256_b64(CSS),
        sha256_b64(SCRIPT)
    )
}

fn sha256_b64(s: &str) -> String {
    base64(&Sha256::digest(s.as_bytes()))
}

/// Standard base64, the encoding CSP hash sources use.
fn base64(bytes: &[u8]) -> String {
    crate::secret::base64(bytes)
}

fn incomplete(r: &Report) -> bool {
    !r.scan.complete || !r.skipped.is_empty()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn page_header(out: &mut String, reports: &[Report], total: usize) {
    out.push_str("<header class=\"page-head\">\n<h1>driftd drift report</h1>\n");
    out.push_str("<div class=\"muted\">");
    if reports.is_empty() {
        out.push_str("No target was checked.");
    } else {
        out.push_str(if reports.len() == 1 {
            "Target "
        } else {
            "Targets "
        });
        for (i, r) in reports.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("<b>");
            esc_into(out, &r.target);
            out.push_str("</b>");
        }
        // RFC 3339 UTC timestamps compare correctly as text.
        let start = reports.iter().map(|r| r.scan.started_at.as_str()).min();
        let end = reports.iter().map(|r| r.scan.finished_at.as_str()).max();
        if let (Some(s), Some(e)) = (start, end) {
            out.push_str(" · scanned ");
            esc_into(out, s);
            out.push_str(" → ");
            esc_into(out, e);
        }
    }
    out.push_str("</div>\n");

    let not_scanned: usize = reports.iter().map(|r| r.skipped.len()).sum();
    let any_incomplete = reports.iter().any(incomplete);
    // With one target, its section right below says the same.
    let several = reports.len() > 1;
    if several && any_incomplete {
        let _ = write!(
            out,
            "<div class=\"banner incomplete\" id=\"overall-status\" data-status=\"incomplete\">\
             ⚠ INCOMPLETE: {} not scanned",
            plural(not_scanned, "scope", "scopes")
        );
        out.push_str(
            "<p>Resources in those scopes were not compared: they are neither drift nor in \
             sync. See “Not scanned” below.</p></div>\n",
        );
    } else if several {
        out.push_str(
            "<div class=\"banner ok\" id=\"overall-status\" data-status=\"complete\">\
             Scan complete: every scope was scanned.</div>\n",
        );
    }

    if several {
        out.push_str(
            "<table class=\"overview\"><thead><tr><th>Target</th><th>Scan</th><th>Findings</th>\
             <th>Critical</th><th>Warning</th><th>Info</th><th>Coverage</th></tr></thead><tbody>\n",
        );
        for (i, r) in reports.iter().enumerate() {
            let _ = write!(out, "<tr><td><a href=\"#target-{i}\">");
            esc_into(out, &r.target);
            out.push_str("</a></td><td>");
            if incomplete(r) {
                let _ = write!(
                    out,
                    "<b class=\"op-remove\">INCOMPLETE</b> ({} not scanned)",
                    r.skipped.len()
                );
            } else {
                out.push_str("complete");
            }
            let _ = write!(out, "</td><td>{}</td>", r.findings.len());
            for t in TIERS {
                let _ = write!(
                    out,
                    "<td>{}</td>",
                    r.findings.iter().filter(|f| f.tier == t).count()
                );
            }
            let _ = writeln!(out, "<td>{:.1}%</td></tr>", r.summary.coverage_pct);
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\" id=\"total-findings\" data-total=\"{total}\">{} in total.</p>",
        plural(total, "finding", "findings")
    );
    out.push_str("</header>\n");
}

fn filters(out: &mut String, reports: &[Report], total: usize) {
    out.push_str(
        "<nav class=\"filters\" id=\"filters\" aria-label=\"Filters\">\n\
         <input type=\"search\" id=\"f-q\" placeholder=\"Search id, address, attribute, value… (press /)\" \
         aria-label=\"Search findings\" autocomplete=\"off\">\n\
         <select id=\"f-kind\" aria-label=\"Kind\"><option value=\"\">all kinds</option>",
    );
    for k in KINDS {
        let _ = write!(out, "<option value=\"{k}\">{k}</option>");
    }
    out.push_str(
        "</select>\n<select id=\"f-tier\" aria-label=\"Tier\"><option value=\"\">all tiers</option>",
    );
    for t in TIERS {
        let _ = write!(out, "<option value=\"{t}\">{t}</option>");
    }
    out.push_str(
        "</select>\n<select id=\"f-type\" aria-label=\"Resource type\"><option value=\"\">all resource types</option>",
    );
    let types: BTreeSet<&str> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(|f| f.resource_type.as_str()))
        .collect();
    for t in types {
        out.push_str("<option value=\"");
        esc_into(out, t);
        out.push_str("\">");
        esc_into(out, t);
        out.push_str("</option>");
    }
    let _ = writeln!(
        out,
        "</select>\n<button type=\"button\" id=\"f-reset\">Reset</button>\n\
         <span id=\"shown-count\" aria-live=\"polite\" data-shown=\"{total}\" data-total=\"{total}\">\
         {total} of {total} findings shown</span>\n</nav>"
    );
}

fn target_section(out: &mut String, i: usize, r: &Report) {
    let _ = write!(
        out,
        "<section class=\"target\" id=\"target-{i}\" data-target=\""
    );
    esc_into(out, &r.target);
    let _ = write!(
        out,
        "\" data-complete=\"{}\">\n<h2>Target <code>",
        !incomplete(r)
    );
    esc_into(out, &r.target);
    out.push_str("</code>");
    out.push_str("</h2>\n<div class=\"scan-meta\">Scanned ");
    esc_into(out, &r.scan.started_at);
    out.push_str(" → ");
    esc_into(out, &r.scan.finished_at);
    out.push_str(" · driftd ");
    esc_into(out, &r.tool.version);
    out.push_str("</div>\n");

    let sum = &r.summary;
    if incomplete(r) {
        let _ = write!(
            out,
            "<div class=\"banner incomplete status\" data-status=\"incomplete\">⚠ INCOMPLETE: {} not scanned\
             <p>This report does not cover every scope: resources there were not compared and \
             are not reported as missing.",
            plural(r.skipped.len(), "scope", "scopes")
        );
        if sum.not_scanned > 0 {
            let _ = write!(
                out,
                " {} from state could not be checked.",
                plural(sum.not_scanned, "resource", "resources")
            );
        }
        out.push_str("</p></div>\n");
    } else {
        out.push_str(
            "<div class=\"banner ok status\" data-status=\"complete\">Scan complete: every scope was scanned.</div>\n",
        );
    }
    let _ = write!(
        out,
        "<div class=\"coverage\" data-coverage=\"{pct:.1}\" data-compared=\"{}\" data-not-compared=\"{}\">\
         <b>Coverage {pct:.1}%</b>\
         <meter min=\"0\" max=\"100\" value=\"{pct:.1}\" title=\"resources compared / all resources\"></meter>\
         <span>{} compared of {} ({} managed, {} unmanaged)</span>",
        sum.compared,
        sum.not_compared,
        sum.compared,
        plural(sum.total, "resource", "resources"),
        sum.managed,
        sum.unmanaged,
        pct = sum.coverage_pct
    );
    if sum.not_compared > 0 {
        let _ = write!(
            out,
            "<span class=\"op-remove\"><a href=\"#not-compared-{i}\">{} not compared</a></span>\
             <span class=\"muted\">({})</span>",
            sum.not_compared,
            super::not_compared_causes(sum).join(" · ")
        );
    }
    out.push_str("</div>\n");

    out.push_str("<ul class=\"counts\" aria-label=\"Findings by kind and tier\">");
    for t in TIERS {
        let n = r.findings.iter().filter(|f| f.tier == t).count();
        let _ = write!(
            out,
            "<li class=\"tier-{t}{}\" data-count-tier=\"{t}\"><b>{n}</b> {t}</li>",
            if n == 0 { " zero" } else { "" }
        );
    }
    for k in KINDS {
        let n = r.findings.iter().filter(|f| f.kind == k).count();
        let _ = write!(
            out,
            "<li class=\"{}\" data-count-kind=\"{k}\"><b>{n}</b> {k}</li>",
            if n == 0 { "zero" } else { "" }
        );
    }
    out.push_str("</ul>\n");

    if r.findings.is_empty() {
        if incomplete(r) {
            let _ = writeln!(
                out,
                "<div class=\"nodrift-incomplete\" data-status=\"no-drift-incomplete\">Scan INCOMPLETE \
                 — no finding in what was compared<p>{} not scanned: resources there may have drifted. \
                 {} compared {} their state; coverage {:.1}%.</p></div>",
                plural(r.skipped.len(), "scope was", "scopes were"),
                plural(sum.managed, "managed resource", "managed resources"),
                if sum.managed == 1 { "matches" } else { "match" },
                sum.coverage_pct
            );
        } else if sum.not_compared > 0 {
            let _ = writeln!(
                out,
                "<div class=\"nodrift-incomplete\" data-status=\"no-drift-partial\">{}\
                 <p>{} neither drift nor in sync: see “Not compared” below. Coverage {:.1}%.</p></div>",
                esc(&crate::output::no_finding_sentence(r)),
                plural(sum.not_compared, "resource is", "resources are"),
                sum.coverage_pct
            );
        } else {
            let _ = writeln!(
                out,
                "<div class=\"insync\" data-status=\"in-sync\">✓ In sync — {} {} their state\
                 <p>Coverage {:.1}% · {} unmanaged.</p></div>",
                plural(sum.managed, "managed resource", "managed resources"),
                if sum.managed == 1 { "matches" } else { "match" },
                sum.coverage_pct,
                plural(sum.unmanaged, "resource", "resources"),
            );
        }
    } else {
        let n = r.findings.len();
        let _ = writeln!(
            out,
            "<h3>Findings</h3>\n<p class=\"target-shown\"><span class=\"n\">{n}</span> of {n} findings of this target shown</p>\n\
             <p class=\"no-match note\" hidden>No finding of this target matches the filters.</p>"
        );
        for f in &r.findings {
            finding(out, f);
        }
    }

    if !r.skipped.is_empty() {
        let _ = write!(
            out,
            "<h3 id=\"skipped-{i}\">Not scanned ({}): not compared, never reported missing</h3>\n\
             <table class=\"skipped\"><thead><tr><th>Provider</th><th>Resource type</th><th>Scope</th>\
             <th>Reason</th></tr></thead><tbody>\n",
            r.skipped.len()
        );
        for k in &r.skipped {
            out.push_str("<tr><td>");
            esc_into(out, &k.provider);
            out.push_str("</td><td><code>");
            esc_into(out, &k.resource_type);
            if let Some(a) = &k.attribute {
                out.push('.');
                esc_into(out, a);
                out.push_str("</code> <span class=\"muted\">(this attribute only)</span>");
            } else {
                out.push_str("</code>");
            }
            out.push_str("</td><td>");
            esc_into(out, &k.scope);
            out.push_str("</td><td class=\"reason\">");
            esc_into(out, &k.reason);
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    if !r.not_compared.is_empty() {
        let _ = write!(
            out,
            "<h3 id=\"not-compared-{i}\">Not compared ({}): neither drift nor in sync</h3>\n\
             <table class=\"skipped not-compared\"><thead><tr><th>Resources</th><th>Provider</th>\
             <th>Resource type</th><th>Where</th><th>Why</th></tr></thead><tbody>\n",
            sum.not_compared
        );
        for e in &r.not_compared {
            let _ = write!(
                out,
                "<tr data-category=\"{}\"><td>{}</td><td>",
                e.category, e.count
            );
            esc_into(out, &e.provider);
            out.push_str("</td><td>");
            match &e.resource_type {
                Some(t) => {
                    out.push_str("<code>");
                    esc_into(out, t);
                    out.push_str("</code>");
                }
                None => out.push_str("<span class=\"muted\">(whole module)</span>"),
            }
            out.push_str("</td><td>");
            let mut first = true;
            for part in [&e.scope, &e.address, &e.source].into_iter().flatten() {
                if !first {
                    out.push_str(" · ");
                }
                first = false;
                esc_into(out, part);
            }
            out.push_str("</td><td class=\"reason\"><b>");
            esc_into(out, e.category.label());
            out.push_str("</b>");
            if e.reason != driftd_core::NotCompared::UNSUPPORTED {
                out.push_str(": ");
                esc_into(out, &e.reason);
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn finding(out: &mut String, f: &Finding) {
    out.push_str("<article class=\"finding\" id=\"");
    esc_into(out, &f.fingerprint);
    let _ = write!(
        out,
        "\" data-tier=\"{}\" data-kind=\"{}\" data-type=\"",
        f.tier, f.kind
    );
    esc_into(out, &f.resource_type);
    out.push_str("\">\n<div class=\"f-head\">");
    out.push_str(&tier_badge(f.tier));
    let _ = write!(
        out,
        " <span class=\"kind kind-{k}\">{k}</span> ",
        k = f.kind
    );
    out.push_str("<span class=\"f-type mono\">");
    esc_into(out, &f.resource_type);
    out.push_str("</span> <code class=\"f-id\">");
    esc_into(out, &f.resource_id);
    out.push_str("</code></div>\n<div class=\"f-meta\">");
    let meta = [
        ("address", f.address.as_deref()),
        ("region", f.region.as_deref()),
        ("source", f.source.as_deref()),
        ("provider", Some(f.provider.as_str())),
        ("engine", Some(f.engine.as_str())),
    ];
    for (label, v) in meta {
        if let Some(v) = v {
            let _ = write!(out, "<span>{label} <code>");
            esc_into(out, v);
            out.push_str("</code></span>");
        }
    }
    out.push_str("<span class=\"fp mono\">fingerprint ");
    esc_into(out, &f.fingerprint);
    out.push_str("</span></div>\n");
    write_changes(out, f);
    out.push_str("</article>\n");
}

fn write_changes(out: &mut String, f: &Finding) {
    if f.changes.is_empty() {
        out.push_str("<p class=\"note\">");
        match f.kind {
            FindingKind::Missing => {
                out.push_str("Recorded in ");
                match &f.source {
                    Some(s) => {
                        out.push_str("<code>");
                        esc_into(out, s);
                        out.push_str("</code>");
                    }
                    None => out.push_str("state"),
                }
                out.push_str(", not found live: deleted out of band or never created.");
            }
            FindingKind::Unmanaged => out.push_str(
                "Exists live, in no state of this target: created by hand or by other code.",
            ),
            FindingKind::Pending => {
                out.push_str("Code differs from state: a change not applied yet.")
            }
            FindingKind::Changed => out.push_str("Differs from state (no attribute detail)."),
            FindingKind::Violation => {
                out.push_str("</p>\n");
                write_policy(out, f);
                return;
            }
        }
        out.push_str("</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"changes\"><colgroup><col class=\"c-path\"><col class=\"c-op\"><col><col></colgroup>\
         <thead><tr><th>Attribute</th><th>Change</th><th>Expected (state)</th><th>Actual (live)</th></tr></thead><tbody>\n",
    );
    for c in &f.changes {
        change_row(out, c);
    }
    out.push_str("</tbody></table>\n");
}

/// A violation: the policy, its messages and what to do.
fn write_policy(out: &mut String, f: &Finding) {
    let Some(p) = &f.policy else {
        return;
    };
    out.push_str("<div class=\"policy\"><p>Breaks policy <code>");
    esc_into(out, &p.id);
    out.push_str("</code>: ");
    esc_into(out, &p.title);
    out.push_str("</p><ul>\n");
    for m in &p.messages {
        out.push_str("<li>");
        esc_into(out, &m.text);
        if let Some(path) = &m.path {
            out.push_str(" <code>");
            esc_into(out, path);
            out.push_str("</code>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>");
    if let Some(r) = &p.remediation {
        out.push_str("<p class=\"note\">To fix: ");
        esc_into(out, r);
        out.push_str("</p>");
    }
    out.push_str("</div>\n");
}

fn change_row(out: &mut String, c: &Change) {
    let (op, label) = match c.op {
        ChangeOp::Add => ("add", "+ added live"),
        ChangeOp::Remove => ("remove", "− removed live"),
        ChangeOp::Replace => ("replace", "~ changed"),
    };
    out.push_str("<tr><td class=\"path\"><code>");
    esc_into(out, &c.path);
    let _ = write!(
        out,
        "</code></td><td><span class=\"op op-{op}\" data-op=\"{op}\">{label}</span></td>"
    );
    let exp = Shown::of(&c.expected);
    let act = Shown::of(&c.actual);
    out.push_str("<td class=\"val exp\">");
    let (exp_html, act_html) = pair(&exp, &act);
    out.push_str(&exp_html);
    if let Some(p) = super::provenance(c) {
        out.push_str("<div class=\"from\">");
        esc_into(out, &p);
        out.push_str("</div>");
    }
    out.push_str("</td><td class=\"val act\">");
    out.push_str(&act_html);
    out.push_str("</td></tr>\n");
}

/// How a value is displayed: absent, a plain string, or pretty-printed JSON (also for strings
/// that hold a JSON document, such as IAM policies).
enum Shown<'a> {
    None,
    Str(&'a str),
    Json { text: String, rule: Option<String> },
}

impl<'a> Shown<'a> {
    fn of(v: &'a Value) -> Shown<'a> {
        match v {
            Value::Null => Shown::None,
            Value::String(s) => {
                let t = s.trim_start();
                if t.starts_with('{') || t.starts_with('[') {
                    if let Ok(doc) = serde_json::from_str::<Value>(s) {
                        if doc.is_object() || doc.is_array() {
                            return Shown::json(&doc);
                        }
                    }
                }
                Shown::Str(s)
            }
            other => Shown::json(other),
        }
    }

    fn json(v: &Value) -> Shown<'a> {
        let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
        let rule = v.as_object().and_then(rule_summary);
        Shown::Json { text, rule }
    }
}

/// A security group rule as a firewall line (`tcp 22 from 0.0.0.0/0`), shown above its JSON.
fn rule_summary(m: &serde_json::Map<String, Value>) -> Option<String> {
    let proto = m.get("protocol")?.as_str()?;
    let from = m.get("from_port").and_then(Value::as_i64).unwrap_or(0);
    let to = m.get("to_port").and_then(Value::as_i64).unwrap_or(from);
    let ports = if proto == "-1" || proto == "all" {
        "all traffic".to_string()
    } else if from == to {
        format!("{proto} {from}")
    } else {
        format!("{proto} {from}-{to}")
    };
    let mut sources = Vec::new();
    for key in [
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
        "security_groups",
    ] {
        if let Some(items) = m.get(key).and_then(Value::as_array) {
            sources.extend(items.iter().filter_map(Value::as_str));
        }
    }
    if m.get("self").and_then(Value::as_bool) == Some(true) {
        sources.push("self");
    }
    Some(if sources.is_empty() {
        ports
    } else {
        format!("{ports} from {}", sources.join(", "))
    })
}

/// The inner HTML of the expected and the actual cell, with what differs marked.
fn pair(exp: &Shown<'_>, act: &Shown<'_>) -> (String, String) {
    match (exp, act) {
        (Shown::Str(a), Shown::Str(b)) => {
            let (pre, a_mid, b_mid) = split_common(a, b);
            (
                marked_str(a, pre, a_mid, "exp"),
                marked_str(b, pre, b_mid, "act"),
            )
        }
        (Shown::Json { text: a, rule: ra }, Shown::Json { text: b, rule: rb }) => {
            let la: Vec<&str> = a.lines().collect();
            let lb: Vec<&str> = b.lines().collect();
            let (ma, mb) = diff_lines(&la, &lb);
            (
                json_block(ra.as_deref(), &la, &ma, "exp"),
                json_block(rb.as_deref(), &lb, &mb, "act"),
            )
        }
        // Different shapes (one side absent, string vs number): each side differs as a whole.
        _ => (whole(exp, "exp"), whole(act, "act")),
    }
}

fn whole(v: &Shown<'_>, class: &str) -> String {
    match v {
        Shown::None => "<span class=\"none\">(none)</span>".to_string(),
        Shown::Str(s) => marked_str(s, 0, s.len(), class),
        Shown::Json { text, rule } => {
            let lines: Vec<&str> = text.lines().collect();
            // Only one side exists (a rule added or removed): the cell color says it all, marking
            // every line would just be noise.
            json_block(rule.as_deref(), &lines, &vec![false; lines.len()], class)
        }
    }
}

/// Byte lengths of the common prefix and of the differing middles of `a` and `b` (char-aligned).
fn split_common(a: &str, b: &str) -> (usize, usize, usize) {
    let pre: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (ra, rb) = (&a[pre..], &b[pre..]);
    let suf: usize = ra
        .chars()
        .rev()
        .zip(rb.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>()
        .min(ra.len().min(rb.len()));
    (pre, ra.len() - suf, rb.len() - suf)
}

fn marked_str(s: &str, pre: usize, mid: usize, class: &str) -> String {
    if s.is_empty() {
        return "<span class=\"none\">(empty string)</span>".to_string();
    }
    let mut out = String::with_capacity(s.len() + 48);
    out.push_str("<code class=\"str\">");
    esc_into(&mut out, &s[..pre]);
    if mid > 0 {
        let _ = write!(out, "<mark class=\"{class}\">");
        esc_into(&mut out, &s[pre..pre + mid]);
        out.push_str("</mark>");
    }
    esc_into(&mut out, &s[pre + mid..]);
    out.push_str("</code>");
    out
}

fn json_block(rule: Option<&str>, lines: &[&str], marks: &[bool], class: &str) -> String {
    let mut out = String::new();
    if let Some(r) = rule {
        out.push_str("<div class=\"rule\">");
        esc_into(&mut out, r);
        out.push_str("</div>");
    }
    out.push_str("<pre>");
    for (i, (line, &m)) in lines.iter().zip(marks).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if m {
            let _ = write!(out, "<mark class=\"{class}\">");
            esc_into(&mut out, line);
            out.push_str("</mark>");
        } else {
            esc_into(&mut out, line);
        }
    }
    out.push_str("</pre>");
    out
}

/// Which lines of `a` and of `b` are not part of a longest common subsequence, i.e. differ.
/// Values are small; past a size where the quadratic table would be wasteful, a line counts as
/// differing when the other side does not have it at all.
fn diff_lines(a: &[&str], b: &[&str]) -> (Vec<bool>, Vec<bool>) {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > 250_000 {
        let sa: BTreeSet<&str> = a.iter().copied().collect();
        let sb: BTreeSet<&str> = b.iter().copied().collect();
        return (
            a.iter().map(|l| !sb.contains(l)).collect(),
            b.iter().map(|l| !sa.contains(l)).collect(),
        );
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let w = m + 1;
    let mut lcs = vec![0u32; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if a[i] == b[j] {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let (mut ma, mut mb) = (vec![true; n], vec![true; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            ma[i] = false;
            mb[j] = false;
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (ma, mb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::report::{ScanInfo, Tool};
    use driftd_core::{Skipped, Summary};
    use serde_json::json;

    const HOSTILE: &str = "<script>alert(1)</script>";
    const HOSTILE2: &str = "\"><img src=x onerror=alert(1)>";

    fn finding(kind: FindingKind, tier: Tier, ty: &str, id: &str, changes: Vec<Change>) -> Finding {
        Finding {
            engine: Default::default(),
            fingerprint: format!("{:032x}", id.len() * 7919 + ty.len()),
            kind,
            tier,
            provider: "aws".into(),
            resource_type: ty.into(),
            resource_id: id.into(),
            address: Some(format!("{ty}.main")),
            region: Some("us-east-1".into()),
            source: Some("terraform.tfstate".into()),
            changes,
            policy: None,
        }
    }

    fn change(path: &str, op: ChangeOp, expected: Value, actual: Value) -> Change {
        Change {
            path: path.into(),
            op,
            expected,
            actual,
            expected_from: None,
            code: None,
        }
    }

    fn report(target: &str, findings: Vec<Finding>, skipped: Vec<Skipped>) -> Report {
        Report {
            schema_version: 1,
            tool: Tool {
                name: "driftd".into(),
                version: "0.1.0".into(),
            },
            target: target.into(),
            scan: ScanInfo {
                started_at: "2026-11-23T14:11:03Z".into(),
                finished_at: "2026-11-23T14:11:04Z".into(),
                complete: skipped.is_empty(),
                api_calls: None,
                throttles: None,
            },
            summary: Summary {
                resources: 15,
                compared: 15,
                total: 15,
                managed: 14,
                changed: findings.len(),
                unmanaged: 1,
                coverage_pct: 100.0,
                ..Summary::default()
            },
            findings,
            skipped,
            ignored: Vec::new(),
            expired_ignores: Vec::new(),
            policy_errors: Vec::new(),
            not_compared: Vec::new(),
        }
    }

    fn demo() -> Report {
        report(
            "demo",
            vec![
                finding(
                    FindingKind::Missing,
                    Tier::Critical,
                    "aws_ebs_volume",
                    "vol-f555",
                    vec![],
                ),
                finding(
                    FindingKind::Changed,
                    Tier::Critical,
                    "aws_security_group",
                    "sg-123",
                    vec![change(
                        "ingress",
                        ChangeOp::Add,
                        Value::Null,
                        json!({"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "protocol": "tcp", "to_port": 22}),
                    )],
                ),
                finding(
                    FindingKind::Changed,
                    Tier::Warning,
                    "aws_instance",
                    "i-9",
                    vec![change(
                        "instance_type",
                        ChangeOp::Replace,
                        json!("t3.micro"),
                        json!("m5.xlarge"),
                    )],
                ),
            ],
            vec![],
        )
    }

    /// The text between `<tag>` and `</tag>`, the way the browser hashes it.
    fn inline(html: &str, tag: &str) -> String {
        let open = format!("<{tag}>");
        let start = html.find(&open).expect("open tag") + open.len();
        let end = start + html[start..].find(&format!("</{tag}>")).expect("close");
        html[start..end].to_string()
    }

    fn hash(s: &str) -> String {
        base64(&Sha256::digest(s.as_bytes()))
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn control_characters_are_shown_inert() {
        assert_eq!(
            esc("a\u{1b}[31mred\u{1b}]0;t\u{7}\0\u{7f}\u{85}é\t\n<b>"),
            "a\u{241b}[31mred\u{241b}]0;t\u{2407}\u{2400}\u{2421}\u{fffd}é\t\n&lt;b&gt;"
        );
        let out = esc("\u{1b}\u{7}\u{0}\u{8}\u{9b}");
        assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
    }

    #[test]
    fn csp_hashes_match_the_inline_style_and_script() {
        let html = render(&[demo()]);
        let style = inline(&html, "style");
        let script = inline(&html, "script");
        assert_eq!(style, CSS);
        let expected = format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:\">",
            hash(&style),
            hash(&script)
        );
        assert!(html.contains(&expected), "CSP missing or wrong");
        // One inline style and one inline script, nothing else to allow.
        assert_eq!(html.matches("<style").count(), 1);
        assert_eq!(html.matches("<script").count(), 1);
        // No inline handlers and no external references.
        assert!(!html.contains(" onclick="));
        assert!(!html.contains(" style=\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn hostile_values_are_text_everywhere() {
        let mut f = finding(
            FindingKind::Changed,
            Tier::Info,
            HOSTILE,
            HOSTILE2,
            vec![
                change(
                    &format!("tags.{HOSTILE}"),
                    ChangeOp::Replace,
                    json!(HOSTILE2),
                    json!(HOSTILE),
                ),
                change(
                    &format!("tags.{HOSTILE2}"),
                    ChangeOp::Add,
                    Value::Null,
                    json!({ HOSTILE: HOSTILE2 }),
                ),
                change(
                    "policy",
                    ChangeOp::Replace,
                    json!(format!("{{\"a\": \"{}\"}}", "</pre></script>")),
                    json!("{\"a\": \"<b>\"}"),
                ),
            ],
        );
        f.fingerprint = HOSTILE2.into();
        f.address = Some(HOSTILE.into());
        f.region = Some(HOSTILE2.into());
        f.source = Some(HOSTILE.into());
        let mut r = report(
            HOSTILE2,
            vec![f],
            vec![Skipped {
                provider: HOSTILE.into(),
                resource_type: HOSTILE2.into(),
                scope: HOSTILE.into(),
                attribute: Some(HOSTILE2.into()),
                reason: HOSTILE.into(),
            }],
        );
        r.tool.version = HOSTILE.into();
        r.scan.started_at = HOSTILE2.into();
        let mut other = report(HOSTILE, vec![], vec![]);
        other.findings.push(finding(
            FindingKind::Missing,
            Tier::Critical,
            "aws_instance",
            "i-1",
            vec![],
        ));
        other.findings[0].source = Some(HOSTILE2.into());
        let html = render(&[r, other]);
        for bad in [
            "<script>alert",
            "<img",
            "onerror=alert(1)>",
            "</pre></script>",
            ": \"<b>",
        ] {
            assert!(!html.contains(bad), "unescaped {bad:?}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;a&quot;: &quot;&lt;b&gt;&quot;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert_eq!(html.matches("<script>").count(), 1);
        assert_eq!(html.matches("</script>").count(), 1);
        // Attribute values stay inside their quotes.
        assert!(html.contains("id=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
        assert!(html.contains("data-type=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    }

    #[test]
    fn findings_carry_filter_attributes_and_counters() {
        let html = render(&[demo()]);
        assert_eq!(html.matches("<article class=\"finding\"").count(), 3);
        assert!(html.contains(
            "data-tier=\"critical\" data-kind=\"changed\" data-type=\"aws_security_group\""
        ));
        assert!(html.contains("id=\"shown-count\""));
        assert!(html.contains(">3 of 3 findings shown</span>"));
        assert!(html.contains("<option value=\"aws_instance\">aws_instance</option>"));
        assert!(html.contains("tcp 22 from 0.0.0.0/0"));
        assert!(html.contains("data-count-tier=\"critical\"><b>2</b> critical"));
        assert!(html.contains("data-count-kind=\"missing\"><b>1</b> missing"));
        // Whole-value change: both strings shown, each marked.
        assert!(html.contains("<mark class=\"exp\">t3.micro</mark>"));
        assert!(html.contains("<mark class=\"act\">m5.xlarge</mark>"));
        assert!(html.contains("Scan complete"));
        assert!(!html.contains("INCOMPLETE"));
        assert!(!html.contains("In sync"));
    }

    #[test]
    fn in_sync_says_so_with_coverage() {
        let html = render(&[report("prod", vec![], vec![])]);
        assert!(html.contains("✓ In sync — 14 managed resources match their state"));
        assert!(html.contains("Coverage 100.0%"));
        assert!(html.contains("0 of 0 findings shown"));
        assert!(!html.contains("INCOMPLETE"));
        assert!(!html.contains("Not compared"));
    }

    #[test]
    fn what_was_not_compared_is_listed_and_never_in_sync() {
        use driftd_core::{NotCompared, NotComparedKind};
        let mut r = report("prod", vec![], vec![]);
        r.not_compared = vec![
            NotCompared::new(
                NotComparedKind::NotSupported,
                "aws",
                Some("aws_db_instance"),
                NotCompared::UNSUPPORTED,
            ),
            NotCompared::new(NotComparedKind::NotEvaluated, "aws", None, HOSTILE)
                .at(Some("module.vpc"), Some("main.tf:3")),
        ];
        r.summary.recount(&r.not_compared);
        let html = render(&[r]);
        assert!(!html.contains("In sync"), "{html}");
        assert!(html.contains("No drift in the 15 resources compared; 2 not compared."));
        assert!(html.contains("Coverage 88.2%"));
        assert!(html.contains("data-not-compared=\"2\""));
        assert!(html.contains("<h3 id=\"not-compared-0\">Not compared (2)"));
        assert!(html.contains("<code>aws_db_instance</code>"));
        assert!(html.contains("module.vpc · main.tf:3"));
        assert!(html.contains("not evaluated from code</b>: &lt;script&gt;"));
        assert!(!html.contains(HOSTILE));
    }

    #[test]
    fn incomplete_without_findings_is_not_all_clear() {
        let skipped = vec![Skipped {
            provider: "aws".into(),
            resource_type: "aws_ebs_volume".into(),
            scope: "eu-west-1".into(),
            attribute: None,
            reason: "access denied: DescribeVolumes".into(),
        }];
        let html = render(&[report("prod", vec![], skipped)]);
        assert!(html.contains("INCOMPLETE: 1 scope not scanned"));
        assert!(!html.contains("In sync"));
        assert!(!html.contains('✓'));
        assert!(!html.contains("Scan complete"));
        assert!(html.contains("access denied: DescribeVolumes"));
        assert!(html.contains("<td>eu-west-1</td>"));
        assert!(html.contains("data-status=\"no-drift-incomplete\""));
    }

    #[test]
    fn several_targets_get_one_section_each() {
        let mut b = report("staging", vec![], vec![]);
        b.summary.managed = 3;
        let html = render(&[demo(), b]);
        assert_eq!(html.matches("<section class=\"target\"").count(), 2);
        assert!(html.contains("id=\"target-0\" data-target=\"demo\""));
        assert!(html.contains("id=\"target-1\" data-target=\"staging\""));
        assert!(html.contains("<a href=\"#target-1\">staging</a>"));
        assert!(html.contains("id=\"overall-status\" data-status=\"complete\""));
        assert!(!render(&[demo()]).contains("overall-status"));
        assert!(html.contains("✓ In sync — 3 managed resources match their state"));
        assert!(html.contains("3 of 3 findings shown"));
        assert!(html.contains("<title>driftd report · demo, staging</title>"));
    }

    #[test]
    fn output_is_deterministic_apart_from_timestamps() {
        let a = render(&[demo(), report("x", vec![], vec![])]);
        assert_eq!(a, render(&[demo(), report("x", vec![], vec![])]));
        let mut later = demo();
        later.scan.started_at = "2027-01-01T00:00:00Z".into();
        later.scan.finished_at = "2027-01-01T00:00:01Z".into();
        let b = render(&[later, report("x", vec![], vec![])]);
        let norm = |s: &str| {
            s.replace("2026-11-23T14:11:03Z", "T0")
                .replace("2026-11-23T14:11:04Z", "T1")
                .replace("2027-01-01T00:00:00Z", "T0")
                .replace("2027-01-01T00:00:01Z", "T1")
        };
        assert_eq!(norm(&a), norm(&b));
    }

    #[test]
    fn string_differences_are_marked_in_both_values() {
        let f = finding(
            FindingKind::Changed,
            Tier::Info,
            "aws_instance",
            "i-1",
            vec![change(
                "tags.Env",
                ChangeOp::Replace,
                json!("prod-eu-1"),
                json!("prod-us-1"),
            )],
        );
        let t = changes_table(&f);
        assert!(t.contains("prod-<mark class=\"exp\">eu</mark>-1"), "{t}");
        assert!(t.contains("prod-<mark class=\"act\">us</mark>-1"), "{t}");
        assert_eq!(split_common("héllo", "hallo"), (1, 2, 1));
        assert_eq!(split_common("aa", "aaa"), (2, 0, 1));
    }

    #[test]
    fn json_values_are_pretty_printed_with_changed_lines_marked() {
        let f = finding(
            FindingKind::Changed,
            Tier::Warning,
            "aws_iam_policy",
            "p",
            vec![change(
                "policy",
                ChangeOp::Replace,
                json!("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}"),
                json!("{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}"),
            )],
        );
        let t = changes_table(&f);
        assert!(
            t.contains("<pre>{\n<mark class=\"exp\">  &quot;Action&quot;"),
            "{t}"
        );
        assert!(t.contains(
            "<mark class=\"exp\">  &quot;Action&quot;: &quot;s3:GetObject&quot;,</mark>"
        ));
        assert!(t.contains("<mark class=\"act\">  &quot;Action&quot;: &quot;s3:*&quot;,</mark>"));
        assert!(!t.contains("<mark class=\"exp\">  &quot;Effect"));
        let missing = finding(
            FindingKind::Missing,
            Tier::Critical,
            "aws_ebs_volume",
            "v",
            vec![],
        );
        assert!(changes_table(&missing).contains("not found live"));
        assert_eq!(
            tier_badge(Tier::Critical),
            "<span class=\"badge tier-critical\" title=\"tier critical\">critical</span>"
        );
    }
}
