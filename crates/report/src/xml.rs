//! GEXF 1.3 and GraphML writers.
//!
//! Both write one node per [`Node`] and one edge per [`EdgeRow`], in the
//! order of [`ReportData`], so the output is deterministic. Text goes
//! through [`escape`], which also replaces the characters XML 1.0 cannot
//! carry at all (most C0 controls, U+FFFE, U+FFFF) by U+FFFD.

use std::collections::HashMap;
use std::collections::HashSet;
use std::io;

use crate::data::{Node, ReportData};
use crate::out::Out;

/// Appends `s` to `out`, escaped for XML text and attribute values.
pub(crate) fn escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as references so attribute-value normalisation can't turn
            // them into spaces.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A double in the lexical form of `xs:double` that Gephi's Java parsers
/// also read; `None` for NaN and infinities (the value is then left out).
pub(crate) fn xs_double(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0".to_owned());
    }
    let a = x.abs();
    Some(if !(1e-4..1e15).contains(&a) { format!("{x:e}") } else { format!("{x}") })
}

/// Unique, non-empty XML ids for the nodes: the account id, unless it is
/// empty or already taken (then `node-<index>`, made unique if need be).
pub(crate) fn node_ids(nodes: &[Node]) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::with_capacity(nodes.len());
    let mut ids = Vec::with_capacity(nodes.len());
    // First pass: account ids that are unique keep their value, whatever
    // their position, so one duplicate doesn't rename an earlier account.
    let mut count: HashMap<&str, u32> = HashMap::with_capacity(nodes.len());
    for n in nodes {
        *count.entry(n.account_id.as_str()).or_default() += 1;
    }
    for n in nodes {
        if !n.account_id.is_empty() && count[n.account_id.as_str()] == 1 {
            seen.insert(n.account_id.clone());
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        if !n.account_id.is_empty() && count[n.account_id.as_str()] == 1 {
            ids.push(n.account_id.clone());
            continue;
        }
        let mut id = if n.account_id.is_empty() { format!("node-{i}") } else { format!("{}#{i}", n.account_id) };
        while seen.contains(&id) {
            id.push('_');
        }
        seen.insert(id.clone());
        ids.push(id);
    }
    ids
}

const PALETTE: [(u8, u8, u8); 16] = [
    (0x4e, 0x79, 0xa7),
    (0xf2, 0x8e, 0x2b),
    (0x59, 0xa1, 0x4f),
    (0xb0, 0x7a, 0xa1),
    (0x76, 0xb7, 0xb2),
    (0xed, 0xc9, 0x48),
    (0x9c, 0x75, 0x5f),
    (0xff, 0x9d, 0xa7),
    (0x2f, 0x6f, 0x9f),
    (0x8c, 0xd1, 0x7d),
    (0xd3, 0x72, 0x95),
    (0xa0, 0xcb, 0xe8),
    (0x86, 0xbc, 0xb6),
    (0xb6, 0x99, 0x2d),
    (0x49, 0x98, 0x94),
    (0xd4, 0xa6, 0xc8),
];

/// The colour of the cluster ranked `rank` in the report: the same as the
/// HTML report's (web/src/colors.js).
pub(crate) fn cluster_color(rank: Option<usize>) -> (u8, u8, u8) {
    let Some(rank) = rank else { return (0x9a, 0xa3, 0xad) };
    if let Some(&c) = PALETTE.get(rank) {
        return c;
    }
    let hue = (rank as f64 * 137.508) % 360.0;
    let light = [0.45, 0.58, 0.36][rank % 3];
    hsl_to_rgb(hue, 0.55, light)
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let a = s * l.min(1.0 - l);
    let f = |n: f64| {
        let k = (n + h / 30.0) % 12.0;
        let v = l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0);
        (v * 255.0).round().clamp(0.0, 255.0) as u8
    };
    (f(0.0), f(8.0), f(4.0))
}

fn cluster_ranks(data: &ReportData) -> HashMap<u32, usize> {
    let mut ranks = HashMap::with_capacity(data.clusters.len());
    for (rank, c) in data.clusters.iter().enumerate() {
        ranks.entry(c.cluster_id).or_insert(rank);
    }
    ranks
}

fn attr(out: &mut Out<'_>, name: &str, value: &str) {
    out.s(" ");
    out.s(name);
    out.s("=\"");
    escape(out.buf(), value);
    out.s("\"");
}

/// `YYYY-MM-DD` from an RFC 3339 timestamp, if it starts with one.
fn date_of(ts: &str) -> Option<&str> {
    let d = ts.get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)).then_some(d)
}

fn creator(data: &ReportData) -> String {
    if data.version.is_empty() { "swarmscan".to_owned() } else { format!("swarmscan {}", data.version) }
}

fn description(data: &ReportData) -> String {
    let title = if data.title.is_empty() { "swarmscan report" } else { data.title.as_str() };
    format!("{title}: accounts of the reported clusters and their significant links (one edge per signal)")
}

pub(crate) fn write_gexf(data: &ReportData, w: &mut dyn io::Write) -> io::Result<()> {
    let mut out = Out::new(w);
    let ids = node_ids(&data.nodes);
    let ranks = cluster_ranks(data);

    out.s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.s(concat!(
        "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n"
    ));
    out.s("  <meta");
    if let Some(d) = date_of(&data.generated) {
        attr(&mut out, "lastmodifieddate", d);
    }
    out.s(">\n    <creator>");
    escape(out.buf(), &creator(data));
    out.s("</creator>\n    <description>");
    escape(out.buf(), &description(data));
    out.s("</description>\n  </meta>\n");
    out.s("  <graph mode=\"static\" defaultedgetype=\"undirected\" idtype=\"string\">\n");
    out.s(concat!(
        "    <attributes class=\"node\" mode=\"static\">\n",
        "      <attribute id=\"cluster\" title=\"cluster\" type=\"long\"/>\n",
        "      <attribute id=\"score\" title=\"score\" type=\"double\"/>\n",
        "      <attribute id=\"username\" title=\"username\" type=\"string\"/>\n",
        "    </attributes>\n",
        "    <attributes class=\"edge\" mode=\"static\">\n",
        "      <attribute id=\"signal\" title=\"signal\" type=\"string\"/>\n",
        "      <attribute id=\"p_value\" title=\"p_value\" type=\"double\"/>\n",
        "    </attributes>\n",
    ));

    out.f(format_args!("    <nodes count=\"{}\">\n", data.nodes.len()));
    for (n, id) in data.nodes.iter().zip(&ids) {
        out.s("      <node");
        attr(&mut out, "id", id);
        attr(&mut out, "label", if n.username.is_empty() { &n.account_id } else { &n.username });
        out.s(">\n        <attvalues>\n");
        out.f(format_args!("          <attvalue for=\"cluster\" value=\"{}\"/>\n", n.cluster));
        if let Some(score) = xs_double(n.score) {
            out.f(format_args!("          <attvalue for=\"score\" value=\"{score}\"/>\n"));
        }
        out.s("          <attvalue for=\"username\"");
        attr(&mut out, "value", &n.username);
        out.s("/>\n        </attvalues>\n");
        let (r, g, b) = cluster_color(ranks.get(&n.cluster).copied());
        out.f(format_args!("        <viz:color r=\"{r}\" g=\"{g}\" b=\"{b}\"/>\n"));
        out.s("      </node>\n");
    }
    out.s("    </nodes>\n");

    out.f(format_args!("    <edges count=\"{}\">\n", data.edges.len()));
    for (i, e) in data.edges.iter().enumerate() {
        out.f(format_args!("      <edge id=\"e{i}\""));
        attr(&mut out, "source", &ids[e.source as usize]);
        attr(&mut out, "target", &ids[e.target as usize]);
        if !e.signal.is_empty() {
            attr(&mut out, "kind", &e.signal);
        }
        out.f(format_args!(" weight=\"{}\">\n        <attvalues>\n", e.weight));
        out.s("          <attvalue for=\"signal\"");
        attr(&mut out, "value", &e.signal);
        out.s("/>\n");
        if let Some(p) = xs_double(e.p_value) {
            out.f(format_args!("          <attvalue for=\"p_value\" value=\"{p}\"/>\n"));
        }
        out.s("        </attvalues>\n      </edge>\n");
    }
    out.s("    </edges>\n  </graph>\n</gexf>\n");
    out.finish()
}

pub(crate) fn write_graphml(data: &ReportData, w: &mut dyn io::Write) -> io::Result<()> {
    let mut out = Out::new(w);
    let ids = node_ids(&data.nodes);

    out.s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.s(concat!(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns ",
        "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n",
        "  <key id=\"username\" for=\"node\" attr.name=\"username\" attr.type=\"string\"/>\n",
        "  <key id=\"cluster\" for=\"node\" attr.name=\"cluster\" attr.type=\"long\"/>\n",
        "  <key id=\"score\" for=\"node\" attr.name=\"score\" attr.type=\"double\"/>\n",
        "  <key id=\"signal\" for=\"edge\" attr.name=\"signal\" attr.type=\"string\"/>\n",
        "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n",
        "  <key id=\"p_value\" for=\"edge\" attr.name=\"p_value\" attr.type=\"double\"/>\n",
        "  <graph id=\"swarmscan\" edgedefault=\"undirected\">\n",
    ));
    out.s("    <desc>");
    escape(out.buf(), &format!("{} ({})", description(data), creator(data)));
    out.s("</desc>\n");

    let data_el = |out: &mut Out<'_>, key: &str, value: &str| {
        out.s("      <data key=\"");
        out.s(key);
        out.s("\">");
        escape(out.buf(), value);
        out.s("</data>\n");
        out.maybe_drain();
    };
    for (n, id) in data.nodes.iter().zip(&ids) {
        out.s("    <node");
        attr(&mut out, "id", id);
        out.s(">\n");
        data_el(&mut out, "label", if n.username.is_empty() { &n.account_id } else { &n.username });
        data_el(&mut out, "username", &n.username);
        data_el(&mut out, "cluster", &n.cluster.to_string());
        if let Some(score) = xs_double(n.score) {
            data_el(&mut out, "score", &score);
        }
        out.s("    </node>\n");
    }
    for (i, e) in data.edges.iter().enumerate() {
        out.f(format_args!("    <edge id=\"e{i}\""));
        attr(&mut out, "source", &ids[e.source as usize]);
        attr(&mut out, "target", &ids[e.target as usize]);
        out.s(">\n");
        data_el(&mut out, "signal", &e.signal);
        data_el(&mut out, "weight", &e.weight.to_string());
        if let Some(p) = xs_double(e.p_value) {
            data_el(&mut out, "p_value", &p);
        }
        out.s("    </edge>\n");
    }
    out.s("  </graph>\n</graphml>\n");
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = String::new();
        escape(&mut out, s);
        out
    }

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_carry() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(esc("x\u{0}y\u{1b}z\u{FFFE}\u{FFFF}"), "x\u{FFFD}y\u{FFFD}z\u{FFFD}\u{FFFD}");
        assert_eq!(esc("t\tn\nr\r"), "t&#9;n&#10;r&#13;");
        assert_eq!(esc("é 😀 \u{7f} \u{85}"), "é 😀 \u{7f} \u{85}");
    }

    #[test]
    fn doubles_use_a_lexical_form_both_sides_read() {
        assert_eq!(xs_double(0.5).as_deref(), Some("0.5"));
        assert_eq!(xs_double(-0.0).as_deref(), Some("0"));
        assert_eq!(xs_double(3.0).as_deref(), Some("3"));
        assert_eq!(xs_double(1.5e-12).as_deref(), Some("1.5e-12"));
        assert_eq!(xs_double(2e20).as_deref(), Some("2e20"));
        assert_eq!(xs_double(f64::NAN), None);
        assert_eq!(xs_double(f64::INFINITY), None);
    }

    #[test]
    fn node_ids_are_unique_and_non_empty() {
        let node = |id: &str| Node { account_id: id.to_owned(), ..Node::default() };
        let nodes = vec![node("a"), node("b"), node("b"), node(""), node("b#1"), node("node-3")];
        let ids = node_ids(&nodes);
        assert_eq!(ids[0], "a");
        assert_eq!(ids[4], "b#1");
        assert_eq!(ids[5], "node-3");
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(ids.iter().all(|i| !i.is_empty()));
    }

    #[test]
    fn cluster_colours_match_the_html_palette() {
        assert_eq!(cluster_color(Some(0)), (0x4e, 0x79, 0xa7));
        assert_eq!(cluster_color(None), (0x9a, 0xa3, 0xad));
        // Past the palette: hsl((16 * 137.508) % 360, 55%, 58%), as colors.js computes it.
        let (r, g, b) = cluster_color(Some(16));
        assert_eq!(format!("#{r:02x}{g:02x}{b:02x}"), "#cfa859");
        let (r, g, b) = cluster_color(Some(100));
        assert_eq!(format!("#{r:02x}{g:02x}{b:02x}"), "#bacf59");
    }

    #[test]
    fn dates_come_from_rfc3339() {
        assert_eq!(date_of("2024-05-01T10:00:00Z"), Some("2024-05-01"));
        assert_eq!(date_of("yesterday"), None);
        assert_eq!(date_of(""), None);
    }
}
