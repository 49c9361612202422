//! Slack messages built from a notification: Block Kit blocks and the plain `text` fallback,
//! every value escaped for mrkdwn and cut to Block Kit's limits. Pure functions.

use crate::notify::message::{one_line, show, Drift, Event, Notice};
use driftd_core::{Change, ChangeOp, FindingKind, Tier};
use slack_morphism::prelude::*;

/// Block Kit's limits.
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const HEADER_MAX: usize = 150;
const BLOCKS_MAX: usize = 50;
/// The plain `text` fallback (notifications, screen readers); Slack cuts at 40 000.
const TEXT_MAX: usize = 3000;
/// One change line: long values are cut so many changes fit.
const LINE_MAX: usize = 600;
const VALUE_MAX: usize = 250;
/// Sections of changes in one message; the rest is counted.
const CHANGE_BLOCKS_MAX: usize = 10;
/// Sections of a notice's lines. Besides the per-block limits, Slack answers
/// `msg_blocks_too_long` past roughly 13 000 characters of block text in one message (observed,
/// not documented: slackapi/bolt-js#2509); three full sections, the summary and the header stay
/// under it.
const NOTICE_LINE_BLOCKS_MAX: usize = 3;

/// Escapes a value for Slack's mrkdwn (and `text`): `&`, `<` and `>`, as Slack documents, and
/// control characters (a live value's terminal escapes, NUL) as their Unicode pictures.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(crate::notify::message::control_picture(c).unwrap_or(c)),
        }
    }
    out
}

/// Cuts `s` to at most `max` characters, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// [`truncate`] for escaped text: never leaves half an entity (`&am…`).
pub fn truncate_escaped(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut kept: String = s.chars().take(max.saturating_sub(1)).collect();
    if let Some(amp) = kept.rfind('&') {
        if !kept[amp..].contains(';') {
            kept.truncate(amp);
        }
    }
    kept.push('…');
    kept
}

/// Escaped and cut: the one way a payload value enters a message.
fn esc(s: &str, max: usize) -> String {
    truncate_escaped(&escape(s), max)
}

/// `• path: expected → actual`, escaped; long values cut so many changes fit.
pub fn change_line(c: &Change) -> String {
    let path = esc(&c.path, 200);
    let (expected, actual) = (
        truncate(&show(&c.expected), VALUE_MAX),
        truncate(&show(&c.actual), VALUE_MAX),
    );
    let line = match c.op {
        ChangeOp::Add => format!("• {path}: added {}", escape(&actual)),
        ChangeOp::Remove => format!("• {path}: removed (was {})", escape(&expected)),
        ChangeOp::Replace => format!("• {path}: {} → {}", escape(&expected), escape(&actual)),
    };
    truncate_escaped(&line, LINE_MAX)
}

/// The changes as section texts, each within [`SECTION_MAX`], at most `max_blocks` of them; what
/// does not fit is counted in the last one.
pub fn change_sections(changes: &[Change], max_blocks: usize) -> Vec<String> {
    let lines: Vec<String> = changes.iter().map(change_line).collect();
    pack_sections("*Changes*", &lines, max_blocks, " change(s)")
}

/// Escaped lines packed into section texts after `heading` (may be empty), each within
/// [`SECTION_MAX`], at most `max_blocks` of them; what does not fit is counted in the last one
/// (`… and N more{noun}`), so a reader knows the list goes on.
fn pack_sections(heading: &str, lines: &[String], max_blocks: usize, noun: &str) -> Vec<String> {
    if lines.is_empty() || max_blocks == 0 {
        return Vec::new();
    }
    // Room kept in every section for the "… and N more" line.
    const RESERVE: usize = 100;
    let mut sections = Vec::new();
    let mut cur = heading.to_string();
    for (i, line) in lines.iter().enumerate() {
        if cur.chars().count() + 1 + line.chars().count() > SECTION_MAX - RESERVE {
            if sections.len() + 1 == max_blocks {
                cur.push_str(&format!("\n_… and {} more{noun}_", lines.len() - i));
                sections.push(cur);
                return sections;
            }
            sections.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(line);
    }
    sections.push(cur);
    sections
}

fn mrkdwn(text: String) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text))
}

fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(SlackBlockPlainText::new(esc(text, HEADER_MAX)).into()).into()
}

fn section(text: String) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(mrkdwn(truncate_escaped(&text, SECTION_MAX)))
        .into()
}

fn context(text: String) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(truncate_escaped(&text, FIELD_MAX)),
    )])
    .into()
}

fn tier_icon(tier: Tier) -> &'static str {
    match tier {
        Tier::Critical => "🔴",
        Tier::Warning => "🟠",
        Tier::Info => "🔵",
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn kind_phrase(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Missing => "deleted out of band",
        FindingKind::Changed => "changed out of band",
        FindingKind::Unmanaged => "not in any Terraform state",
        FindingKind::Pending => "change not yet applied",
        FindingKind::Violation => "breaks a policy",
    }
}

/// The resource's facts as section fields (label and escaped value).
fn resource_fields(d: &Drift) -> SlackBlock {
    let f = &d.finding;
    let mut fields = vec![
        ("Target", d.target.as_str()),
        ("Tier", f.tier.as_str()),
        ("Resource type", f.resource_type.as_str()),
        ("Resource ID", f.resource_id.as_str()),
    ];
    for (label, value) in [
        ("Address", &f.address),
        ("Region", &f.region),
        ("Source", &f.source),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            fields.push((label, v));
        }
    }
    let fields = fields
        .into_iter()
        .map(|(label, v)| mrkdwn(format!("*{label}*\n{}", esc(v, FIELD_MAX - 40))))
        .collect();
    SlackSectionBlock::new().with_fields(fields).into()
}

fn seen_line(d: &Drift) -> String {
    let mut parts = Vec::new();
    if let Some(life) = &d.finding.lifecycle {
        parts.push(format!("First seen {}", esc(&life.first_seen, 64)));
        parts.push(format!("seen in {} scan(s)", life.times_seen));
        parts.push(format!("last {}", esc(&life.last_seen, 64)));
    }
    parts.push(format!("fingerprint {}", esc(&d.finding.fingerprint, 80)));
    parts.join(" · ")
}

/// A trigger or repeat: header, resource fields, changes, lifecycle.
pub fn drift_content(d: &Drift) -> SlackMessageContent {
    let f = &d.finding;
    let repeat = d.event == Event::Repeat;
    let title = format!(
        "{} {} drift{}: {} {}",
        tier_icon(f.tier),
        capitalized(f.tier.as_str()),
        if repeat { " still open" } else { "" },
        f.resource_type,
        f.resource_id,
    );
    let mut blocks = vec![
        header(&title),
        section(format!(
            "{} is *{}*",
            esc(&f.resource_id, 500),
            kind_phrase(f.kind)
        )),
        resource_fields(d),
    ];
    // Header, summary, fields and context take 4 of the 50 blocks.
    let room = CHANGE_BLOCKS_MAX.min(BLOCKS_MAX - 4);
    blocks.extend(change_sections(&f.changes, room).into_iter().map(section));
    blocks.push(context(seen_line(d)));
    debug_assert!(blocks.len() <= BLOCKS_MAX);
    let text = if repeat {
        format!("Still open: {}", escape(&d.summary))
    } else {
        escape(&d.summary)
    };
    SlackMessageContent::new()
        .with_text(truncate_escaped(&text, TEXT_MAX))
        .with_blocks(blocks)
}

/// The original message, edited once the drift is gone.
pub fn resolved_content(d: &Drift) -> SlackMessageContent {
    let f = &d.finding;
    let title = format!("✅ Resolved: {} {}", f.resource_type, f.resource_id);
    let mut detail = format!("The drift on {} is gone", esc(&f.resource_id, 500));
    if let Some(at) = f.lifecycle.as_ref().and_then(|l| l.resolved_at.as_deref()) {
        detail.push_str(&format!(" (resolved {})", esc(at, 64)));
    }
    detail.push('.');
    let blocks = vec![
        header(&title),
        section(detail),
        resource_fields(d),
        context(seen_line(d)),
    ];
    SlackMessageContent::new()
        .with_text(truncate_escaped(
            &format!("Resolved: {}", escape(&d.summary)),
            TEXT_MAX,
        ))
        .with_blocks(blocks)
}

/// The reply in the thread when the drift is gone.
pub fn resolved_reply(d: &Drift) -> SlackMessageContent {
    let text = format!(
        "✅ Resolved: the drift on {} {} is gone.",
        esc(&d.finding.resource_type, 200),
        esc(&d.finding.resource_id, 500)
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(text)])
}

/// A notice: header with the tier's icon and the title, the summary, then the lines in as few
/// sections as fit (at most [`NOTICE_LINE_BLOCKS_MAX`]), each escaped and cut to [`LINE_MAX`];
/// the rest is counted.
pub fn notice_content(n: &Notice) -> SlackMessageContent {
    let title = match n.title.as_str() {
        "" => format!("driftd {}", n.event.as_str()),
        t => one_line(t),
    };
    let mut blocks = vec![header(&format!("{} {title}", tier_icon(n.tier)))];
    let summary = n.summary.as_str();
    // Slack rejects a section with empty text.
    if !summary.is_empty() {
        blocks.push(section(esc(summary, SECTION_MAX)));
    }
    let room = NOTICE_LINE_BLOCKS_MAX.min(BLOCKS_MAX - blocks.len());
    let lines: Vec<String> = n
        .lines
        .iter()
        .map(|l| esc(&one_line(l), LINE_MAX))
        .collect();
    blocks.extend(pack_sections("", &lines, room, "").into_iter().map(section));
    debug_assert!(blocks.len() <= BLOCKS_MAX);
    let text = if summary.is_empty() { &title } else { summary };
    SlackMessageContent::new()
        .with_text(esc(text, TEXT_MAX))
        .with_blocks(blocks)
}

/// `driftd notify test`.
pub fn test_content() -> SlackMessageContent {
    let text = "driftd test notification: this channel works.".to_string();
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(format!(
            ":white_check_mark: *{text}*\nDrift alerts routed to this channel will arrive here."
        ))])
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::{json, Value};

    pub(crate) fn payload(changes: Vec<Value>) -> Value {
        json!({
            "version": 1,
            "event": "trigger",
            "target": "prod <net> & co",
            "summary": "[critical] prod: aws_security_group sg-1 changed out of band: ingress <@here>",
            "finding": {
                "fingerprint": "fp1",
                "kind": "changed",
                "tier": "critical",
                "provider": "aws",
                "resource_type": "aws_security_group",
                "resource_id": "sg-1",
                "address": "module.net.aws_security_group.web",
                "region": "us-east-1",
                "source": null,
                "changes": changes,
                "first_seen": "2026-01-01T00:00:00Z",
                "last_seen": "2026-01-01T01:00:00Z",
                "times_seen": 3,
                "resolved_at": null,
                "reopened": 0
            }
        })
    }

    /// The typed drift of a JSON form, as the outbox gives it back.
    pub(crate) fn drift_of(p: &Value) -> Drift {
        serde_json::from_value(p.clone()).unwrap()
    }

    fn notice_of(p: &Value) -> Notice {
        serde_json::from_value(p.clone()).unwrap()
    }

    fn change_of(c: &Value) -> Change {
        serde_json::from_value(c.clone()).unwrap()
    }

    fn json_of(c: &SlackMessageContent) -> Value {
        serde_json::to_value(c).unwrap()
    }

    #[test]
    fn escaping_covers_the_three_characters() {
        assert_eq!(escape("a & <b> &amp;"), "a &amp; &lt;b&gt; &amp;amp;");
        assert_eq!(escape("<!channel>"), "&lt;!channel&gt;");
        assert_eq!(
            escape("a\u{1b}[2J\u{7}\u{9b}\nb"),
            "a\u{241b}[2J\u{2407}\u{fffd}\nb"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn truncation_marks_the_cut_and_keeps_entities_whole() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ééééé", 3), "éé…");
        // "ab&amp;" cut at 5 would leave "ab&a": the entity goes whole.
        assert_eq!(truncate_escaped("ab&amp;cd", 5), "ab…");
        assert_eq!(truncate_escaped("ab&amp;cd", 8), "ab&amp;…");
        assert_eq!(truncate_escaped("short", 10), "short");
        let long = escape(&"<".repeat(5000));
        let cut = truncate_escaped(&long, SECTION_MAX);
        assert!(cut.chars().count() <= SECTION_MAX);
        assert!(cut.ends_with("&lt;…"));
    }

    #[test]
    fn change_lines_escape_values() {
        let c =
            json!({"path": "tags.<Env>", "op": "replace", "expected": "a&b", "actual": "<script>"});
        assert_eq!(
            change_line(&change_of(&c)),
            "• tags.&lt;Env&gt;: a&amp;b → &lt;script&gt;"
        );
        let c = json!({"path": "ingress", "op": "add", "expected": null, "actual": {"port": 22}});
        assert_eq!(
            change_line(&change_of(&c)),
            "• ingress: added {\"port\":22}"
        );
        let c = json!({"path": "x", "op": "remove", "expected": 3, "actual": null});
        assert_eq!(change_line(&change_of(&c)), "• x: removed (was 3)");
        let c = json!({"path": "x", "op": "replace", "expected": "a".repeat(1000), "actual": "b"});
        assert!(change_line(&change_of(&c)).chars().count() <= LINE_MAX);
    }

    #[test]
    fn many_changes_are_split_and_counted() {
        let changes: Vec<Value> = (0..500)
            .map(|i| json!({"path": format!("tags.k{i}"), "op": "replace", "expected": "x".repeat(200), "actual": "y".repeat(200)}))
            .collect();
        let changes: Vec<Change> = changes.iter().map(change_of).collect();
        let sections = change_sections(&changes, 5);
        assert_eq!(sections.len(), 5);
        assert!(sections.iter().all(|s| s.chars().count() <= SECTION_MAX));
        assert!(sections[4].contains("more change(s)_"), "{}", sections[4]);
        let shown: usize = sections.iter().map(|s| s.matches("• ").count()).sum();
        let more: usize = sections[4]
            .rsplit("… and ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(shown + more, 500);
        // Few changes: one section, nothing counted.
        let sections = change_sections(&changes[..2], 5);
        assert_eq!(sections.len(), 1);
        assert!(!sections[0].contains("more"));
        assert!(change_sections(&[], 5).is_empty());
    }

    #[test]
    fn trigger_blocks_hold_the_facts_within_limits() {
        let changes: Vec<Value> = (0..300)
            .map(|i| json!({"path": format!("ingress.{i}"), "op": "replace", "expected": "<old>", "actual": "0.0.0.0/0 & more"}))
            .collect();
        let c = json_of(&drift_content(&drift_of(&payload(changes))));
        let blocks = c["blocks"].as_array().unwrap();
        assert!(blocks.len() <= BLOCKS_MAX);
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[0]["text"]["type"], "plain_text");
        let h = blocks[0]["text"]["text"].as_str().unwrap();
        assert!(h.contains("Critical drift: aws_security_group sg-1"), "{h}");
        assert!(h.chars().count() <= HEADER_MAX);
        let all = c.to_string();
        assert!(all.contains("prod &lt;net&gt; &amp; co"));
        assert!(!all.contains("<net>"));
        assert!(all.contains("module.net.aws_security_group.web"));
        assert!(all.contains("us-east-1"));
        assert!(all.contains("• ingress.0: &lt;old&gt; → 0.0.0.0/0 &amp; more"));
        assert!(all.contains("First seen 2026-01-01T00:00:00Z · seen in 3 scan(s)"));
        for b in blocks {
            if let Some(t) = b["text"]["text"].as_str() {
                assert!(t.chars().count() <= SECTION_MAX);
            }
        }
        let text = c["text"].as_str().unwrap();
        assert!(text.contains("ingress &lt;@here&gt;"), "{text}");
        // A missing source is left out, not shown as null.
        assert!(!all.contains("*Source*"));
    }

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        let mut p = payload(vec![]);
        p["finding"]["resource_id"] = json!(format!("sg-{}", "9".repeat(400)));
        p["summary"] = json!("s".repeat(10_000));
        let c = json_of(&drift_content(&drift_of(&p)));
        let h = c["blocks"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(h.chars().count(), HEADER_MAX);
        assert!(h.ends_with('…'));
        let text = c["text"].as_str().unwrap();
        assert_eq!(text.chars().count(), TEXT_MAX);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn repeat_and_resolve_say_so() {
        let mut p = payload(vec![]);
        p["event"] = json!("repeat");
        let c = json_of(&drift_content(&drift_of(&p)));
        assert!(c["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("drift still open"));
        assert!(c["text"].as_str().unwrap().starts_with("Still open: "));
        p["event"] = json!("resolve");
        p["finding"]["resolved_at"] = json!("2026-01-02T00:00:00Z");
        let c = json_of(&resolved_content(&drift_of(&p)));
        assert!(c["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("✅ Resolved: aws_security_group sg-1"));
        assert!(c.to_string().contains("resolved 2026-01-02T00:00:00Z"));
        assert!(c["text"].as_str().unwrap().starts_with("Resolved: "));
    }

    pub(crate) fn notice(event: &str, lines: Vec<String>) -> Value {
        json!({
            "version": 1,
            "event": event,
            "target": "prod-net",
            "tier": "critical",
            "title": "12 new drifts in <prod> & co <!channel>",
            "summary": "Look at sg-1 first <@here>",
            "lines": lines,
        })
    }

    /// The text of every block, as Slack counts it for `msg_blocks_too_long`.
    fn block_texts(c: &Value) -> Vec<String> {
        c["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"]["text"].as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn notices_escape_title_summary_and_lines() {
        let p = notice(
            "summary",
            vec![
                "[critical] aws_instance i-1 changed: <script> & co".into(),
                "[warning] tag <!here> moved\nBcc".into(),
            ],
        );
        let c = json_of(&notice_content(&notice_of(&p)));
        let blocks = c["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 3, "{c}");
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(
            blocks[0]["text"]["text"],
            "🔴 12 new drifts in &lt;prod&gt; &amp; co &lt;!channel&gt;"
        );
        assert_eq!(
            blocks[1]["text"]["text"],
            "Look at sg-1 first &lt;@here&gt;"
        );
        assert_eq!(
            blocks[2]["text"]["text"],
            "[critical] aws_instance i-1 changed: &lt;script&gt; &amp; co\n\
             [warning] tag &lt;!here&gt; moved Bcc"
        );
        let all = c.to_string();
        for raw in ["<prod>", "<!channel>", "<@here>", "<script>", "<!here>"] {
            assert!(!all.contains(raw), "{raw} in {all}");
        }
        assert_eq!(c["text"], "Look at sg-1 first &lt;@here&gt;");
        assert!(!all.contains("more"), "{all}");
    }

    #[test]
    fn notices_without_summary_or_lines_are_a_header_only() {
        let mut p = notice("degraded", vec![]);
        p["summary"] = json!("");
        p["tier"] = json!("warning");
        let c = json_of(&notice_content(&notice_of(&p)));
        let blocks = c["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 1, "{c}");
        assert!(blocks[0]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("🟠 "));
        // The fallback text is never empty.
        assert!(c["text"].as_str().unwrap().starts_with("12 new drifts"));
        p["title"] = json!("");
        let c = json_of(&notice_content(&notice_of(&p)));
        assert_eq!(c["blocks"][0]["text"]["text"], "🟠 driftd degraded");
    }

    #[test]
    fn many_long_notice_lines_stay_within_limits_and_are_counted() {
        let lines: Vec<String> = (0..500)
            .map(|i| format!("[warning] r{i}: {}", "<&>".repeat(300)))
            .collect();
        let c = json_of(&notice_content(&notice_of(&notice("digest", lines))));
        let blocks = c["blocks"].as_array().unwrap();
        assert!(blocks.len() <= BLOCKS_MAX);
        assert!(blocks.len() <= 2 + NOTICE_LINE_BLOCKS_MAX);
        let texts = block_texts(&c);
        assert!(texts[0].chars().count() <= HEADER_MAX);
        assert!(texts.iter().all(|t| t.chars().count() <= SECTION_MAX));
        let total: usize = texts.iter().map(|t| t.chars().count()).sum();
        assert!(total <= 13_000, "{total} characters of block text");
        let last = texts.last().unwrap();
        let more: usize = last
            .rsplit("… and ")
            .next()
            .unwrap()
            .trim_end_matches("more_")
            .trim()
            .parse()
            .unwrap();
        assert!(last.ends_with(&format!("_… and {more} more_")), "{last}");
        let shown: usize = texts[2..]
            .iter()
            .map(|t| t.matches("[warning] r").count())
            .sum();
        assert!(shown > 0);
        assert_eq!(shown + more, 500);
        // Long lines are cut before an entity, never in it (`&am…`).
        for t in &texts[2..] {
            for cut in t.split('…').rev().skip(1) {
                let tail = &cut[cut.rfind('&').unwrap_or(0)..];
                assert!(!tail.starts_with('&') || tail.contains(';'), "{tail}");
            }
        }
    }
}
