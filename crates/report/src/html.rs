//! The self-contained HTML report.
//!
//! The page is a small static skeleton plus three inlined pieces: the
//! stylesheet and script built from `web/` (committed under `assets/`), and
//! the data as JSON. The JSON is a compact form of [`ReportData`]
//! (format `swarmscan-report/1`): each distinct string is stored once in
//! `strings`, each distinct post once in `posts`, and nodes, edges and
//! evidence are arrays of indexes. Edges of one cluster cite the same posts
//! over and over, so this keeps a 10,000-account report to a size a browser
//! opens quickly. `web/src/data.js` reads it back.

use std::collections::HashMap;
use std::io;

use serde::Serialize;

use crate::data::{Action, Evidence, InputRow, Lookalike, Param, ReportData, SignalRow, Totals};
use crate::out::Out;

const SCRIPT: &str = include_str!("../assets/report.js");
const STYLE: &str = include_str!("../assets/report.css");
const FORMAT: &str = "swarmscan-report/1";

/// Interns strings and posts in order of first appearance (deterministic).
#[derive(Default)]
struct Tables<'a> {
    strings: Vec<&'a str>,
    string_ids: HashMap<&'a str, u32>,
    posts: Vec<[u32; 5]>,
    post_ids: HashMap<[u32; 5], u32>,
}

impl<'a> Tables<'a> {
    fn string(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.string_ids.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s);
        self.string_ids.insert(s, i);
        i
    }

    fn post(&mut self, a: &'a Action) -> u32 {
        let key = [
            self.string(&a.post_id),
            self.string(&a.account_id),
            self.string(&a.username),
            self.string(&a.time),
            self.string(&a.text),
        ];
        if let Some(&i) = self.post_ids.get(&key) {
            return i;
        }
        let i = self.posts.len() as u32;
        self.posts.push(key);
        self.post_ids.insert(key, i);
        i
    }

    /// (target, post a, post b, dt_s, lookalike 0/1)
    fn evidence(&mut self, e: &'a Evidence) -> (u32, u32, u32, f64, u8) {
        (self.string(&e.target), self.post(&e.a), self.post(&e.b), e.dt_s, u8::from(e.lookalike))
    }
}

type EvidenceOut = (u32, u32, u32, f64, u8);

#[derive(Serialize)]
struct ClusterOut<'a> {
    id: u32,
    size: u32,
    score: f64,
    signals: &'a [(String, f64)],
    members: &'a [u32],
    top_targets: &'a [(String, String, u32)],
    /// (domain, count, imitates)
    domains: Vec<(&'a str, u32, Option<&'a str>)>,
    timeline: &'a [(String, u32)],
    evidence: Vec<EvidenceOut>,
    /// How its members were found (`clusters.csv`'s `why`).
    why: &'a str,
}

#[derive(Serialize)]
struct Payload<'a> {
    format: &'static str,
    title: &'a str,
    version: &'a str,
    generated: &'a str,
    inputs: &'a [InputRow],
    totals: &'a Totals,
    parameters: &'a [Param],
    signals: &'a [SignalRow],
    lookalikes: &'a [Lookalike],
    /// (account id, username, cluster, score, signals, why)
    nodes: Vec<(u32, u32, u32, f64, Vec<u32>, u32)>,
    /// (source, target, signal, weight, p_value, evidence)
    edges: Vec<(u32, u32, u32, u32, f64, Vec<EvidenceOut>)>,
    clusters: Vec<ClusterOut<'a>>,
    /// (post id, account id, username, time, text), as string indexes.
    posts: Vec<[u32; 5]>,
    strings: Vec<&'a str>,
}

fn payload(data: &ReportData) -> Payload<'_> {
    let mut t = Tables::default();
    let nodes = data
        .nodes
        .iter()
        .map(|n| {
            let signals = n.signals.iter().map(|s| t.string(s)).collect();
            (t.string(&n.account_id), t.string(&n.username), n.cluster, n.score, signals, t.string(&n.why))
        })
        .collect();
    let edges = data
        .edges
        .iter()
        .map(|e| {
            let evidence = e.evidence.iter().map(|ev| t.evidence(ev)).collect();
            (e.source, e.target, t.string(&e.signal), e.weight, e.p_value, evidence)
        })
        .collect();
    let clusters = data
        .clusters
        .iter()
        .map(|c| ClusterOut {
            id: c.cluster_id,
            size: c.size,
            score: c.score,
            signals: &c.signals,
            members: &c.members,
            top_targets: &c.top_targets,
            domains: c.domains.iter().map(|d| (d.domain.as_str(), d.count, d.imitates.as_deref())).collect(),
            timeline: &c.timeline,
            evidence: c.evidence.iter().map(|ev| t.evidence(ev)).collect(),
            why: &c.why,
        })
        .collect();
    Payload {
        format: FORMAT,
        title: &data.title,
        version: &data.version,
        generated: &data.generated,
        inputs: &data.inputs,
        totals: &data.totals,
        parameters: &data.parameters,
        signals: &data.signals,
        lookalikes: &data.lookalikes,
        nodes,
        edges,
        clusters,
        posts: t.posts,
        strings: t.strings,
    }
}

/// Appends `s` escaped for HTML text and attribute values.
fn escape_html(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Copies serde_json's output with `<`, `>` and `&` written as `\u003c`,
/// `\u003e` and `\u0026`. They can only occur inside JSON strings, where the
/// escapes mean the same, and without them no `</script>` or `<!--` can
/// appear in the data block.
fn push_json_for_script(out: &mut Out<'_>, json: &[u8]) {
    let mut start = 0;
    for (i, &b) in json.iter().enumerate() {
        let rep = match b {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            _ => continue,
        };
        // serde_json writes UTF-8 and these are ASCII, so the cuts fall on
        // character boundaries.
        out.s(std::str::from_utf8(&json[start..i]).unwrap_or_default());
        out.s(rep);
        start = i + 1;
    }
    out.s(std::str::from_utf8(&json[start..]).unwrap_or_default());
}

pub(crate) fn write(data: &ReportData, w: &mut dyn io::Write) -> io::Result<()> {
    let json = serde_json::to_vec(&payload(data)).map_err(io::Error::other)?;
    let title = if data.title.is_empty() { "swarmscan report" } else { data.title.as_str() };

    let mut out = Out::new(w);
    out.s("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.s("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // The page may load nothing: no fetch, no image, no font, no frame.
    out.s(concat!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; ",
        "base-uri 'none'; form-action 'none'\">\n",
    ));
    if let Some(secs) = data.refresh_s {
        // A live report (`swarmscan watch`): the page is rewritten as results change.
        out.s(&format!("<meta http-equiv=\"refresh\" content=\"{secs}\">\n"));
    }
    out.s("<meta name=\"generator\" content=\"swarmscan");
    if !data.version.is_empty() {
        out.s(" ");
        escape_html(out.buf(), &data.version);
    }
    out.s("\">\n<title>");
    escape_html(out.buf(), title);
    out.s("</title>\n<style>");
    out.s(STYLE);
    out.s("</style>\n</head>\n<body>\n");
    out.s(concat!(
        "<noscript><p class=\"fatal\">This report needs JavaScript to show its network and tables. ",
        "Its data is the JSON block with id &quot;swarmscan-data&quot; in this file.</p></noscript>\n",
        "<div id=\"app\"></div>\n",
    ));
    write_about(&mut out, data);
    out.s("<script type=\"application/json\" id=\"swarmscan-data\">");
    push_json_for_script(&mut out, &json);
    out.s("</script>\n<script>");
    out.s(SCRIPT);
    out.s("</script>\n</body>\n</html>\n");
    out.finish()
}

fn write_about(out: &mut Out<'_>, data: &ReportData) {
    out.s("<footer class=\"about\"><section id=\"about\">\n<h2>About this report</h2>\n<p>Made by swarmscan");
    if !data.version.is_empty() {
        out.s(" ");
        escape_html(out.buf(), &data.version);
    }
    if !data.generated.is_empty() {
        out.s(" on ");
        escape_html(out.buf(), &data.generated);
    }
    out.s(concat!(
        ". This file is self-contained: it loads nothing from the network, and its content policy forbids it to. ",
        "The network shows the accounts of the reported clusters; a link joins two accounts that acted on the same ",
        "targets more closely in time than chance explains (one link per account pair, with the evidence of each ",
        "signal). Links in red carry evidence on a lookalike domain of a news outlet. A cluster is a pattern worth ",
        "a look, not proof of coordination: read the evidence.</p>\n",
        "<p>The same network is available as GEXF and GraphML for Gephi.</p>\n",
        "<details><summary>Third-party software in this page and its licences</summary>\n<pre>",
    ));
    escape_html(out.buf(), crate::THIRD_PARTY_LICENSES);
    out.s("</pre></details>\n</section></footer>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Cluster, EdgeRow, Node};

    #[test]
    fn a_live_report_reloads_itself_and_a_finished_one_does_not() {
        let mut data = ReportData::default();
        let html = |d: &ReportData| {
            let mut buf = Vec::new();
            write(d, &mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        assert!(!html(&data).contains("http-equiv=\"refresh\""));
        data.refresh_s = Some(60);
        assert!(html(&data).contains("<meta http-equiv=\"refresh\" content=\"60\">"));
    }

    fn action(post: &str, account: &str, text: &str) -> Action {
        Action {
            post_id: post.into(),
            account_id: account.into(),
            username: format!("user_{account}"),
            time: "2024-05-01T10:00:00Z".into(),
            text: text.into(),
        }
    }

    fn render(data: &ReportData) -> String {
        let mut buf = Vec::new();
        write(data, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn data_block(html: &str) -> &str {
        let start = html.find("id=\"swarmscan-data\">").unwrap() + "id=\"swarmscan-data\">".len();
        let len = html[start..].find("</script>").unwrap();
        &html[start..start + len]
    }

    #[test]
    fn assets_cannot_close_their_elements() {
        for (name, text) in [("report.js", SCRIPT), ("report.css", STYLE)] {
            let lower = text.to_ascii_lowercase();
            for bad in ["</script", "</style", "<!--"] {
                assert!(!lower.contains(bad), "{name} contains {bad}");
            }
        }
    }

    #[test]
    fn hostile_text_stays_inside_the_data_block() {
        let hostile = "</script><script>alert(1)</script><!-- & </SCRIPT >";
        let ev = Evidence {
            target: hostile.into(),
            a: action("1", "a", hostile),
            b: action("2", "b", "ok"),
            dt_s: 3.0,
            lookalike: false,
        };
        let data = ReportData {
            title: "<b>t</b>".into(),
            nodes: vec![
                Node { index: 0, account_id: "a".into(), username: hostile.into(), ..Node::default() },
                Node { index: 1, account_id: "b".into(), ..Node::default() },
            ],
            edges: vec![EdgeRow {
                source: 0,
                target: 1,
                signal: "co_link".into(),
                evidence: vec![ev],
                ..EdgeRow::default()
            }],
            ..ReportData::default()
        };
        let html = render(&data);
        assert!(html.contains("<title>&lt;b&gt;t&lt;/b&gt;</title>"));
        let block = data_block(&html);
        assert!(!block.contains('<') && !block.contains('>') && !block.contains('&'));
        // Only the page's own two script elements open; everything else is escaped.
        assert_eq!(html.matches("<script").count(), 2);
        // The block is still valid JSON that holds the original text.
        let v: serde_json::Value = serde_json::from_str(block).unwrap();
        let strings: Vec<&str> = v["strings"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert!(strings.contains(&hostile));
    }

    #[test]
    fn posts_and_strings_are_stored_once() {
        let ev = |t: &str| Evidence {
            target: t.into(),
            a: action("1", "a", "same text"),
            b: action("2", "b", "same text"),
            dt_s: 1.5,
            lookalike: t.contains("lookalike"),
        };
        let data = ReportData {
            nodes: (0..3)
                .map(|i| Node { index: i, account_id: format!("{i}"), cluster: 4, ..Node::default() })
                .collect(),
            edges: vec![
                EdgeRow {
                    source: 0,
                    target: 1,
                    signal: "co_link".into(),
                    evidence: vec![ev("x"), ev("y")],
                    ..EdgeRow::default()
                },
                EdgeRow {
                    source: 1,
                    target: 2,
                    signal: "co_link".into(),
                    evidence: vec![ev("x")],
                    ..EdgeRow::default()
                },
                EdgeRow {
                    source: 0,
                    target: 1,
                    signal: "co_repost".into(),
                    p_value: f64::NAN,
                    evidence: vec![ev("https://lookalike.example/a")],
                    ..EdgeRow::default()
                },
            ],
            clusters: vec![Cluster {
                cluster_id: 4,
                members: vec![0, 1, 2],
                evidence: vec![ev("x")],
                ..Cluster::default()
            }],
            ..ReportData::default()
        };
        let html = render(&data);
        let v: serde_json::Value = serde_json::from_str(data_block(&html)).unwrap();
        assert_eq!(v["format"], FORMAT);
        assert_eq!(v["posts"].as_array().unwrap().len(), 2);
        let strings = v["strings"].as_array().unwrap();
        assert_eq!(strings.iter().filter(|s| *s == "same text").count(), 1);
        let edges = v["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 3);
        // A NaN p-value is written as null (the page shows "–").
        assert!(edges[2][4].is_null());
        assert_eq!(edges[2][5][0][4], 1);
        assert_eq!(v["clusters"][0]["evidence"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn why_lines_reach_the_data_block() {
        let node_why =
            "pair test: 2 significant pairs in the cluster; best co_link 7 shared (expected 0.120), p=3.10e-9";
        let cluster_why = "3 accounts in 2 significant pairs (best p=3.10e-9); 1 added by the group test";
        let data = ReportData {
            nodes: vec![
                Node { index: 0, account_id: "a".into(), cluster: 4, why: node_why.into(), ..Node::default() },
                Node { index: 1, account_id: "b".into(), cluster: 4, ..Node::default() },
            ],
            clusters: vec![Cluster {
                cluster_id: 4,
                members: vec![0, 1],
                why: cluster_why.into(),
                ..Cluster::default()
            }],
            ..ReportData::default()
        };
        let html = render(&data);
        let v: serde_json::Value = serde_json::from_str(data_block(&html)).unwrap();
        let string = |i: &serde_json::Value| v["strings"][i.as_u64().unwrap() as usize].as_str().unwrap().to_string();
        // nodes: (account id, username, cluster, score, signals, why); web/src/data.js reads index 5.
        assert_eq!(string(&v["nodes"][0][5]), node_why);
        assert_eq!(string(&v["nodes"][1][5]), "");
        assert_eq!(v["clusters"][0]["why"], cluster_why);
    }

    #[test]
    fn same_data_same_bytes() {
        let data = ReportData {
            title: "r".into(),
            nodes: vec![Node { index: 0, account_id: "a".into(), signals: vec!["co_link".into()], ..Node::default() }],
            ..ReportData::default()
        };
        assert_eq!(render(&data), render(&data.clone()));
    }
}
