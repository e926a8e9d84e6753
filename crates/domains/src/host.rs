//! Hosts of shared URLs.

/// The host of a URL or bare domain, lower-cased, without scheme, userinfo,
/// port, path, query or fragment; `None` if nothing host-like remains.
pub fn url_host(s: &str) -> Option<String> {
    let s = s.trim();
    let rest = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s.strip_prefix("//").unwrap_or(s),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.starts_with('[') { host } else { host.split(':').next().unwrap_or(host) };
    let host = host.trim_end_matches('.').to_lowercase();
    (host.contains('.') && !host.contains(char::is_whitespace)).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn hosts_from_urls() {
        let check = |s: &str, want: Option<&str>| assert_eq!(url_host(s).as_deref(), want, "{s}");
        check("https://WWW.Spiegel.LTD/politik?x=1#a", Some("www.spiegel.ltd"));
        check("http://user:pw@fox-news.top:8080/x", Some("fox-news.top"));
        check("washingtonpost.pm", Some("washingtonpost.pm"));
        check("bild.work.", Some("bild.work"));
        check("coortweet:url:123", None);
        check("", None);
        check("https://[::1]/x", None);
    }
}
