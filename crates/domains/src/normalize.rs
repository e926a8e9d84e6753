//! From whatever was seen in a shared URL to a host we can reason about.
//!
//! Inputs are messy: upper case, a trailing dot, a port, a scheme, Unicode. This module turns
//! one into a lowercase ASCII (punycode) host, cuts it at the Public Suffix List boundary
//! with `psl` (ICANN and PRIVATE sections both, so `theguardian.co.com` has the registrable
//! domain `theguardian.co.com`, not `co.com`), and refuses what cannot be a registered name:
//! IP addresses, `localhost`, unknown top-level domains, bad characters. Refusing is not an
//! error: such input simply imitates nothing.

use std::borrow::Cow;

/// Longest DNS label, in bytes.
pub(crate) const MAX_LABEL_LEN: usize = 63;
/// Longest DNS name, in bytes.
const MAX_HOST_LEN: usize = 253;

/// Which section of the Public Suffix List the suffix comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SuffixKind {
    /// Delegated by ICANN: `de`, `co.uk`, `ltd`.
    Icann,
    /// Run by a private registry or platform: `co.com`, `eu.com`, `github.io`.
    Private,
}

/// A normalised host, cut into its parts.
#[derive(Debug, Clone)]
pub(crate) struct Host<'a> {
    host: Cow<'a, str>,
    registrable_start: usize,
    suffix_start: usize,
    suffix_kind: SuffixKind,
}

impl Host<'_> {
    /// The whole host, lowercase ASCII (IDN labels in punycode).
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The registrable domain: one label plus its public suffix.
    pub(crate) fn registrable(&self) -> &str {
        &self.host[self.registrable_start..]
    }

    /// The registrable label, without its suffix (`spiegel` in `www.spiegel.ltd`).
    pub(crate) fn label(&self) -> &str {
        &self.host[self.registrable_start..self.suffix_start - 1]
    }

    /// The label just left of the registrable domain (`diplomatie` in
    /// `www.diplomatie.gouv.fm`), if any.
    pub(crate) fn sub_label(&self) -> Option<&str> {
        if self.registrable_start == 0 {
            return None;
        }
        self.host[..self.registrable_start - 1].rsplit('.').next()
    }

    /// The public suffix (`ltd`, `co.com`).
    pub(crate) fn suffix(&self) -> &str {
        &self.host[self.suffix_start..]
    }

    pub(crate) fn suffix_kind(&self) -> SuffixKind {
        self.suffix_kind
    }
}

/// Normalise `input` into a [`Host`], or `None` when it cannot be a registered domain name.
pub(crate) fn host(input: &str) -> Option<Host<'_>> {
    let host = match plain(input) {
        Plain::Valid(host) => Cow::Borrowed(host),
        Plain::Invalid => return None,
        Plain::Other => messy(input)?,
    };
    cut(host)
}

enum Plain<'a> {
    /// Already a lowercase LDH host (trailing dot removed): the common case, one pass.
    Valid(&'a str),
    Invalid,
    /// Needs the general path: upper case, Unicode, a port, a scheme, whitespace.
    Other,
}

fn plain(input: &str) -> Plain<'_> {
    let s = input.strip_suffix('.').unwrap_or(input);
    if s.is_empty() || s.len() > MAX_HOST_LEN {
        return Plain::Other;
    }
    let (mut label_len, mut digits_only, mut all_numeric) = (0usize, true, true);
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'-' | b'_' => {
                label_len += 1;
                digits_only = false;
            }
            b'0'..=b'9' => label_len += 1,
            b'.' => {
                if label_len == 0 || label_len > MAX_LABEL_LEN {
                    return Plain::Invalid;
                }
                all_numeric &= digits_only;
                (label_len, digits_only) = (0, true);
            }
            _ => return Plain::Other,
        }
    }
    if label_len == 0 || label_len > MAX_LABEL_LEN || (all_numeric && digits_only) {
        return Plain::Invalid;
    }
    Plain::Valid(s)
}

/// The general path: scheme, credentials, port, case, IDNA.
fn messy(input: &str) -> Option<Cow<'_, str>> {
    let mut s = input.trim();
    if let Some(at) = s.find("://") {
        s = &s[at + 3..];
        s = s.split(['/', '?', '#']).next().unwrap_or("");
        if let Some(at) = s.rfind('@') {
            s = &s[at + 1..];
        }
    }
    // Port: exactly one colon followed by digits. More colons means IPv6.
    if let Some(colon) = s.find(':') {
        let port = &s[colon + 1..];
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s = &s[..colon];
    }
    let s = s.strip_suffix('.').unwrap_or(s);
    let s = s.strip_prefix("*.").unwrap_or(s);
    if s.is_empty() || s.len() > MAX_HOST_LEN * 4 {
        return None;
    }

    let host: Cow<'_, str> = if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(s.to_ascii_lowercase()) } else { Cow::Borrowed(s) }
    } else {
        Cow::Owned(idna::domain_to_ascii(s).ok()?)
    };
    if !valid_ascii_host(&host) {
        return None;
    }
    Some(host)
}

/// Cuts a valid lowercase ASCII host at the public suffix.
fn cut(host: Cow<'_, str>) -> Option<Host<'_>> {
    let domain = psl::domain(host.as_bytes())?;
    let suffix = domain.suffix();
    let suffix_kind = match suffix.typ()? {
        psl::Type::Icann => SuffixKind::Icann,
        psl::Type::Private => SuffixKind::Private,
    };
    let registrable_start = host.len() - domain.as_bytes().len();
    let suffix_start = host.len() - suffix.as_bytes().len();
    if suffix_start < registrable_start + 2 {
        return None;
    }
    Some(Host { host, registrable_start, suffix_start, suffix_kind })
}

/// LDH labels (underscores tolerated), no empty label, DNS lengths, and not an IPv4 address.
fn valid_ascii_host(host: &str) -> bool {
    if host.len() > MAX_HOST_LEN {
        return false;
    }
    let mut all_numeric = true;
    for label in host.split('.') {
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return false;
        }
        if !label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return false;
        }
        all_numeric &= label.bytes().all(|b| b.is_ascii_digit());
    }
    !all_numeric
}

/// The Unicode characters of an ASCII label, decoding punycode (`xn--`) when it is valid.
pub(crate) fn label_chars(label: &str) -> Vec<char> {
    if let Some(encoded) = label.strip_prefix("xn--")
        && let Some(decoded) = idna::punycode::decode(encoded)
        && !decoded.is_empty()
    {
        return decoded.into_iter().flat_map(char::to_lowercase).collect();
    }
    label.chars().collect()
}

/// Normalise a domain written in a reference list; it must be exactly a registrable domain.
/// Returns the ASCII form, or the reason it was refused.
pub(crate) fn registrable_domain(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let Some(host) = host(trimmed) else {
        return Err(format!("{trimmed:?} is not a domain under a known public suffix"));
    };
    if host.host() != host.registrable() {
        return Err(format!(
            "{trimmed:?} is not a registrable domain (its registrable domain is {:?})",
            host.registrable()
        ));
    }
    Ok(host.host().to_owned())
}

/// Normalise a domain written in a user's or the builtin list: a URL or host is cut to its
/// registrable domain (`https://www.spiegel.de/x` is `spiegel.de`), and a public suffix with
/// registrable children (`gov.pl`, `gouv.fr`) is kept as such, flagged `true`.
pub(crate) fn list_domain(text: &str) -> Result<(String, bool), String> {
    let trimmed = text.trim().trim_matches('"').trim();
    let mut s = trimmed;
    if let Some(at) = s.find("://") {
        s = &s[at + 3..];
    }
    s = s.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(host) = host(s) {
        return Ok((host.registrable().to_owned(), false));
    }
    let s = s.strip_suffix('.').unwrap_or(s);
    let ascii = if s.is_ascii() { s.to_ascii_lowercase() } else { idna::domain_to_ascii(s).unwrap_or_default() };
    if !ascii.is_empty()
        && valid_ascii_host(&ascii)
        && let Some(suffix) = psl::suffix(ascii.as_bytes())
        && suffix.typ().is_some()
        && suffix.as_bytes() == ascii.as_bytes()
    {
        if ascii.contains('.') {
            return Ok((ascii, true));
        }
        return Err(format!("{trimmed:?} is a top-level domain, not an outlet"));
    }
    Err(format!("{trimmed:?} is not a domain under a known public suffix"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `input` normalises to `expect` = (host, registrable, label, suffix), or to nothing.
    fn check(input: &str, expect: Option<(&str, &str, &str, &str)>) {
        let got = host(input)
            .map(|h| (h.host().to_owned(), h.registrable().to_owned(), h.label().to_owned(), h.suffix().to_owned()));
        let expect = expect.map(|(a, b, c, d)| (a.into(), b.into(), c.into(), d.into()));
        assert_eq!(got, expect, "input {input:?}");
    }

    #[test]
    fn hosts() {
        check("WWW.Spiegel.LTD.", Some(("www.spiegel.ltd", "spiegel.ltd", "spiegel", "ltd")));
        check("news.bild.work", Some(("news.bild.work", "bild.work", "bild", "work")));
        check("theguardian.co.com", Some(("theguardian.co.com", "theguardian.co.com", "theguardian", "co.com")));
        check("https://user@www.faz.ltd:8443/path?q#f", Some(("www.faz.ltd", "faz.ltd", "faz", "ltd")));
        check("bbc.co.uk:443", Some(("bbc.co.uk", "bbc.co.uk", "bbc", "co.uk")));
        check("süddeutsche.de", Some(("xn--sddeutsche-9db.de", "xn--sddeutsche-9db.de", "xn--sddeutsche-9db", "de")));
    }

    #[test]
    fn refused() {
        for input in [
            "",
            ".",
            "..",
            "localhost",
            "com",
            "co.uk",
            "1.2.3.4",
            "127.0.0.1:80",
            "[::1]",
            "2001:db8::1",
            "foo.invalidtld",
            "a b.com",
            "a..com",
            "spiegel.de:",
            "spiegel.de:x",
            "-",
            "\u{0}.com",
            "é",
        ] {
            check(input, None);
        }
    }

    #[test]
    fn punycode_labels_decode() {
        assert_eq!(label_chars("xn--sddeutsche-9db"), "süddeutsche".chars().collect::<Vec<_>>());
        assert_eq!(label_chars("xn--zz"), "xn--zz".chars().collect::<Vec<_>>());
        assert_eq!(label_chars("spiegel"), "spiegel".chars().collect::<Vec<_>>());
    }

    #[test]
    fn user_list_domains() {
        assert_eq!(list_domain("https://www.Spiegel.de/politik"), Ok(("spiegel.de".to_owned(), false)));
        assert_eq!(list_domain("news.sky.com"), Ok(("sky.com".to_owned(), false)));
        assert_eq!(list_domain("mswia.gov.pl"), Ok(("mswia.gov.pl".to_owned(), false)));
        assert_eq!(list_domain("gov.pl"), Ok(("gov.pl".to_owned(), true)));
        assert_eq!(list_domain("GOUV.FR."), Ok(("gouv.fr".to_owned(), true)));
        assert!(list_domain("com").unwrap_err().contains("top-level"));
        assert!(list_domain("nonsense").is_err());
        assert!(list_domain("foo.invalidtld").is_err());
    }

    #[test]
    fn list_domains() {
        assert_eq!(registrable_domain(" SZ.de "), Ok("sz.de".to_owned()));
        assert!(registrable_domain("news.sky.com").unwrap_err().contains("sky.com"));
        assert!(registrable_domain("nonsense").is_err());
    }
}
