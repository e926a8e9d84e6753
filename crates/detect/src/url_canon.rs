//! URL canonicalisation for co_link's default mode.
//!
//! Two shares of one article should meet on one key however the link was
//! decorated. [`canonical_url`] parses with the WHATWG `url` crate (which
//! lowercases scheme and host, applies IDNA and drops default ports) and then
//!
//! * strips leading `www.` labels from the host (only while a dot remains);
//! * drops user info and the fragment;
//! * drops tracking parameters ([`is_tracking_param`]: `utm_*`, `fbclid`,
//!   `gclid`, `mc_cid`, `igshid`, `ref_src`, …) and sorts the others,
//!   keeping each `name=value` piece byte for byte;
//! * strips trailing slashes from the path (the root path becomes empty).
//!
//! Text without a scheme that looks like a host (`example.com/x`) is read as
//! `http://…`. Anything the parser rejects is kept as written, trimmed.
//! Canonicalisation is idempotent: `canonical_url(canonical_url(u)) ==
//! canonical_url(u)` (property-tested).
//!
//! The toolkit's compatibility mode never calls this: it compares raw URL
//! strings.

use url::Url;

/// Query parameters that only track the click, never select content.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mc_cid",
    "mc_eid",
    "igshid",
    "igsh",
    "ref_src",
    "ref_url",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wt_mc",
    "ncid",
    "cmpid",
    "s_cid",
    "spm",
    "scid",
    "si",
    "feature",
];

/// Whether a query parameter name is a tracking parameter (ASCII
/// case-insensitive): `utm_*` or one of a fixed list.
pub fn is_tracking_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING.contains(&lower.as_str())
}

fn looks_like_host(s: &str) -> bool {
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    let host =
        host.rsplit_once(':').map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host });
    host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b >= 0x80)
}

fn parse(s: &str) -> Option<Url> {
    match Url::parse(s) {
        Ok(u) => Some(u),
        Err(url::ParseError::RelativeUrlWithoutBase) if looks_like_host(s) => Url::parse(&format!("http://{s}")).ok(),
        Err(_) => None,
    }
}

/// The canonical form of a URL (see the module docs).
pub fn canonical_url(raw: &str) -> String {
    let trimmed = raw.trim();
    let Some(u) = parse(trimmed) else { return trimmed.to_owned() };
    let Some(host) = u.host_str().filter(|h| !h.is_empty()) else {
        // mailto:, tg:, data: … — no host to normalise; drop the fragment.
        let mut s = u.as_str().to_owned();
        if let Some(i) = s.find('#') {
            s.truncate(i);
        }
        // An opaque path keeps its spaces: those the fragment followed would
        // be trimmed from the input next time (found by fuzzing).
        s.truncate(s.trim_end().len());
        return s;
    };
    let mut host = host;
    while let Some(rest) = host.strip_prefix("www.") {
        if !rest.contains('.') {
            break;
        }
        host = rest;
    }
    let mut out = String::with_capacity(trimmed.len());
    out.push_str(u.scheme());
    out.push_str("://");
    out.push_str(host);
    if let Some(port) = u.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push_str(u.path().trim_end_matches('/'));
    if let Some(q) = u.query() {
        let mut params: Vec<&str> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .filter(|p| !is_tracking_param(p.split('=').next().unwrap_or(p)))
            .collect();
        if !params.is_empty() {
            params.sort_unstable();
            params.dedup();
            out.push('?');
            out.push_str(&params.join("&"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(raw: &str, want: &str) {
        assert_eq!(canonical_url(raw), want, "{raw}");
    }

    #[test]
    fn canonical_forms() {
        check("HTTP://WWW.Example.COM:80/a/b/?utm_source=x&b=2&a=1#frag", "http://example.com/a/b?a=1&b=2");
        check("https://example.com/", "https://example.com");
        check("https://example.com", "https://example.com");
        check("https://www.example.com/x?fbclid=abc", "https://example.com/x");
        check("https://example.com:8443/x/", "https://example.com:8443/x");
        check("https://user:pw@example.com/x", "https://example.com/x");
        check("example.com/path/", "http://example.com/path");
        check("www.google.com", "http://google.com");
        check("https://www.com/", "https://www.com");
        check("https://t.co/abc?s=20&igshid=1", "https://t.co/abc?s=20");
        check("https://EXAMPLE.com/Path/Case", "https://example.com/Path/Case");
        check("mailto:someone@example.com#x", "mailto:someone@example.com");
        check("not a url", "not a url");
        check("", "");
        check("https://bücher.example/", "https://xn--bcher-kva.example");
        // Fuzz regression (issue #16): not idempotent when spaces preceded a
        // dropped fragment in an opaque path.
        let raw =
            "httpc:./e.wri\t\t\t-                                                 #                  \tqaks.c0ouse-\0";
        check(raw, "httpc:./e.wri-");
        check("httpc:./e.wri-", "httpc:./e.wri-");
    }

    proptest! {
        #[test]
        fn canonicalisation_is_idempotent(
            scheme in prop_oneof!["http", "https", "HTTPS", "ftp", ""],
            www in prop_oneof!["", "www.", "WWW.", "www.www."],
            host in "[a-zA-Z0-9-]{1,8}(\\.[a-zA-Z]{2,4}){0,2}",
            port in prop_oneof!["", ":80", ":443", ":8080"],
            path in "(/[a-zA-Z0-9%._~-]{0,6}){0,3}/{0,2}",
            query in proptest::collection::vec("(utm_[a-z]{1,4}|fbclid|[a-z]{1,3})(=[a-zA-Z0-9%]{0,3})?", 0..4),
            frag in prop_oneof!["", "#x", "#"],
        ) {
            let q = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
            let sep = if scheme.is_empty() { "" } else { "://" };
            let raw = format!("{scheme}{sep}{www}{host}{port}{path}{q}{frag}");
            let once = canonical_url(&raw);
            prop_assert_eq!(canonical_url(&once), once.clone(), "raw {}", raw);
        }

        #[test]
        fn idempotent_on_arbitrary_text(raw in "\\PC{0,40}") {
            let once = canonical_url(&raw);
            prop_assert_eq!(canonical_url(&once), once.clone(), "raw {:?}", raw);
        }
    }
}
