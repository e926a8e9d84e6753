//! GEXF and GraphML written from a fixture parse back (roxmltree) with the
//! right counts, ids and attributes.

mod common;

use std::collections::{HashMap, HashSet};

use swarmscan_report::{ReportData, write_gexf, write_graphml};

const GEXF_NS: &str = "http://gexf.net/1.3";
const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";

fn render(f: fn(&ReportData, &mut dyn std::io::Write) -> std::io::Result<()>, data: &ReportData) -> String {
    let mut buf = Vec::new();
    f(data, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

fn attvalues(el: roxmltree::Node<'_, '_>) -> HashMap<String, String> {
    el.descendants()
        .filter(|n| n.has_tag_name((GEXF_NS, "attvalue")))
        .map(|n| (n.attribute("for").unwrap().to_owned(), n.attribute("value").unwrap().to_owned()))
        .collect()
}

#[test]
fn gexf_round_trips() {
    let data = common::small();
    let text = render(write_gexf, &data);
    let doc = roxmltree::Document::parse(&text).expect("GEXF is well-formed XML");
    let root = doc.root_element();
    assert!(root.has_tag_name((GEXF_NS, "gexf")));
    assert_eq!(root.attribute("version"), Some("1.3"));
    let graph = root.children().find(|n| n.has_tag_name((GEXF_NS, "graph"))).unwrap();
    assert_eq!(graph.attribute("defaultedgetype"), Some("undirected"));

    // Declared attributes.
    let declared: HashSet<(String, String)> = graph
        .descendants()
        .filter(|n| n.has_tag_name((GEXF_NS, "attribute")))
        .map(|n| (n.parent().unwrap().attribute("class").unwrap().to_owned(), n.attribute("id").unwrap().to_owned()))
        .collect();
    for (class, id) in
        [("node", "cluster"), ("node", "score"), ("node", "username"), ("edge", "signal"), ("edge", "p_value")]
    {
        assert!(declared.contains(&(class.to_owned(), id.to_owned())), "{class} attribute {id} not declared");
    }

    let nodes: Vec<_> = graph.descendants().filter(|n| n.has_tag_name((GEXF_NS, "node"))).collect();
    assert_eq!(nodes.len(), data.nodes.len());
    for (el, node) in nodes.iter().zip(&data.nodes) {
        assert_eq!(el.attribute("id"), Some(node.account_id.as_str()));
        let av = attvalues(*el);
        assert_eq!(av["cluster"], node.cluster.to_string());
        assert_eq!(av["score"].parse::<f64>().unwrap(), node.score);
        // Control characters are replaced, everything else survives.
        let expected: String = node.username.chars().map(|c| if c == '\u{1}' { '\u{FFFD}' } else { c }).collect();
        assert_eq!(av["username"], expected);
        assert_eq!(el.attribute("label"), Some(expected.as_str()));
    }

    let edges: Vec<_> = graph.descendants().filter(|n| n.has_tag_name((GEXF_NS, "edge"))).collect();
    assert_eq!(edges.len(), data.edges.len());
    let ids: HashSet<&str> = edges.iter().map(|e| e.attribute("id").unwrap()).collect();
    assert_eq!(ids.len(), edges.len(), "edge ids are unique");
    // Parallel edges (same pair, different signals) exist in the fixture and
    // stay apart by `kind`.
    let mut kinds: HashSet<(&str, &str, &str)> = HashSet::new();
    let mut pairs: HashSet<(&str, &str)> = HashSet::new();
    for (el, row) in edges.iter().zip(&data.edges) {
        let (s, t) = (el.attribute("source").unwrap(), el.attribute("target").unwrap());
        assert_eq!(s, data.nodes[row.source as usize].account_id);
        assert_eq!(t, data.nodes[row.target as usize].account_id);
        assert_eq!(el.attribute("kind"), Some(row.signal.as_str()));
        assert!(kinds.insert((s, t, el.attribute("kind").unwrap())), "two edges of one kind between {s} and {t}");
        pairs.insert((s, t));
        assert_eq!(el.attribute("weight").unwrap().parse::<u32>().unwrap(), row.weight);
        let av = attvalues(*el);
        assert_eq!(av["signal"], row.signal);
        assert_eq!(av["p_value"].parse::<f64>().unwrap(), row.p_value);
    }
    assert!(pairs.len() < edges.len(), "the fixture should have parallel edges");
}

#[test]
fn graphml_round_trips() {
    let data = common::small();
    let text = render(write_graphml, &data);
    let doc = roxmltree::Document::parse(&text).expect("GraphML is well-formed XML");
    let root = doc.root_element();
    assert!(root.has_tag_name((GRAPHML_NS, "graphml")));
    let keys: HashMap<&str, (&str, &str, &str)> = root
        .children()
        .filter(|n| n.has_tag_name((GRAPHML_NS, "key")))
        .map(|n| {
            let id = n.attribute("id").unwrap();
            (id, (n.attribute("for").unwrap(), n.attribute("attr.name").unwrap(), n.attribute("attr.type").unwrap()))
        })
        .collect();
    assert_eq!(keys["cluster"], ("node", "cluster", "long"));
    assert_eq!(keys["score"], ("node", "score", "double"));
    assert_eq!(keys["username"], ("node", "username", "string"));
    assert_eq!(keys["signal"], ("edge", "signal", "string"));
    assert_eq!(keys["weight"], ("edge", "weight", "double"));
    assert_eq!(keys["p_value"], ("edge", "p_value", "double"));

    let graph = root.children().find(|n| n.has_tag_name((GRAPHML_NS, "graph"))).unwrap();
    assert_eq!(graph.attribute("edgedefault"), Some("undirected"));
    let data_of = |el: roxmltree::Node<'_, '_>| -> HashMap<String, String> {
        el.children()
            .filter(|n| n.has_tag_name((GRAPHML_NS, "data")))
            .map(|n| (n.attribute("key").unwrap().to_owned(), n.text().unwrap_or("").to_owned()))
            .collect()
    };

    let nodes: Vec<_> = graph.children().filter(|n| n.has_tag_name((GRAPHML_NS, "node"))).collect();
    assert_eq!(nodes.len(), data.nodes.len());
    for (el, node) in nodes.iter().zip(&data.nodes) {
        assert_eq!(el.attribute("id"), Some(node.account_id.as_str()));
        let d = data_of(*el);
        assert_eq!(d["cluster"], node.cluster.to_string());
        assert_eq!(d["score"].parse::<f64>().unwrap(), node.score);
        let expected: String = node.username.chars().map(|c| if c == '\u{1}' { '\u{FFFD}' } else { c }).collect();
        assert_eq!(d["username"], expected);
        assert_eq!(d["label"], expected);
    }
    let edges: Vec<_> = graph.children().filter(|n| n.has_tag_name((GRAPHML_NS, "edge"))).collect();
    assert_eq!(edges.len(), data.edges.len());
    let ids: HashSet<&str> = edges.iter().map(|e| e.attribute("id").unwrap()).collect();
    assert_eq!(ids.len(), edges.len());
    for (el, row) in edges.iter().zip(&data.edges) {
        assert_eq!(el.attribute("source"), Some(data.nodes[row.source as usize].account_id.as_str()));
        assert_eq!(el.attribute("target"), Some(data.nodes[row.target as usize].account_id.as_str()));
        let d = data_of(*el);
        assert_eq!(d["signal"], row.signal);
        assert_eq!(d["weight"].parse::<f64>().unwrap(), f64::from(row.weight));
        assert_eq!(d["p_value"].parse::<f64>().unwrap(), row.p_value);
    }
}

#[test]
fn awkward_values_still_make_valid_xml() {
    let mut data = common::small();
    data.title = "a <title> & \u{0}".into();
    data.nodes[0].account_id = String::new();
    data.nodes[1].account_id = data.nodes[2].account_id.clone();
    data.nodes[2].score = f64::NAN;
    data.edges[0].p_value = f64::INFINITY;
    data.edges[1].signal = "co\u{b}link\u{FFFF}".into();
    for f in [write_gexf, write_graphml] {
        let text = render(f, &data);
        let doc = roxmltree::Document::parse(&text).expect("well-formed");
        let ids: Vec<&str> =
            doc.descendants().filter(|n| n.tag_name().name() == "node").map(|n| n.attribute("id").unwrap()).collect();
        assert_eq!(ids.len(), data.nodes.len());
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "node ids stay unique");
        assert!(ids.iter().all(|i| !i.is_empty()));
        // Every edge points at a node that exists.
        let idset: HashSet<&str> = ids.iter().copied().collect();
        for e in doc.descendants().filter(|n| n.tag_name().name() == "edge") {
            assert!(idset.contains(e.attribute("source").unwrap()));
            assert!(idset.contains(e.attribute("target").unwrap()));
        }
        assert!(text.contains("co\u{FFFD}link\u{FFFD}"));
    }
}

#[test]
fn same_data_same_bytes() {
    let data = common::small();
    assert_eq!(render(write_gexf, &data), render(write_gexf, &common::small()));
    assert_eq!(render(write_graphml, &data), render(write_graphml, &common::small()));
}
