//! The web pages: one HTML page, one script and one style sheet, the browser
//! side of the same JSON API (`crates/serve/ui/`). They are compiled into
//! the binary, so a server needs nothing on disk to show them.
//!
//! The page signs in with `POST /api/login`, keeps the CSRF token in memory
//! (recovering it from `GET /api/me` after a reload) and builds every view
//! from API answers with DOM nodes, never with markup from data: dataset
//! names, user names and `why` lines are whatever an uploader wrote.
//!
//! Every answer here carries a strict Content-Security-Policy (no inline
//! script or style, nothing from another origin, no framing, no form posts:
//! the script sends everything with `fetch`), `nosniff`, no referrer, and
//! `no-cache` so a new server's pages are picked up at once.

use crate::Shared;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;

const INDEX_HTML: &str = include_str!("../ui/index.html");
const APP_JS: &str = include_str!("../ui/app.js");
const APP_CSS: &str = include_str!("../ui/app.css");

/// What the pages may load and do: their own script and style, data: images,
/// requests to this server; nothing inline, no frames, no form posts.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// A static asset with its content type and the pages' security headers.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let headers: [(HeaderName, HeaderValue); 5] = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (headers, body).into_response()
}

/// The routes of the web pages (everything outside `/api/`).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route("/ui/app.js", get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route("/ui/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_assets() {
        // No inline script or style (the CSP would block them), nothing
        // from elsewhere.
        assert!(INDEX_HTML.contains(r#"<script type="module" src="/ui/app.js"></script>"#));
        assert!(INDEX_HTML.contains(r#"<link rel="stylesheet" href="/ui/app.css">"#));
        assert_eq!(INDEX_HTML.matches("<script").count(), 1);
        assert!(!INDEX_HTML.contains("<style") && !INDEX_HTML.contains("style="));
        for text in [INDEX_HTML, APP_JS, APP_CSS] {
            assert!(!text.contains("http://") && !text.contains("https://"), "no external assets");
        }
        // The script never turns data into markup.
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
            assert!(!APP_JS.contains(sink), "app.js uses {sink}");
        }
    }
}
