//! Who is asking, and what they may do.
//!
//! Two ways in: a session cookie (`swarmscan_session`, set by
//! `POST /api/login`) or an API token (`Authorization: Bearer sws_…`). A
//! request with a session cookie and an unsafe method (anything but GET,
//! HEAD, OPTIONS) must also carry the session's CSRF token in
//! `X-CSRF-Token`: a cookie is sent by the browser on its own, a header is
//! not. A bearer token is never sent on its own, so it needs no CSRF token.
//!
//! Secrets are random (the OS's generator) and stored only as hashes:
//! passwords with argon2 (default parameters: Argon2id, 19 MiB, 2 passes),
//! session ids and API tokens — 32 random bytes each, so a fast hash is
//! enough — with SHA-256.
//!
//! Roles: an **admin** may do everything, including managing users; an
//! **analyst** uploads datasets, runs jobs on datasets they own or that are
//! shared with them, watches the live sources the server allows (a job
//! without a dataset, seen by its creator and the admins), and shares their
//! own datasets; a **viewer** reads the datasets shared with them and their
//! jobs' results, and can neither upload, run nor share.

use crate::store::{Dataset, Role, Store, StoreError, User};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "swarmscan_session";
/// The header that carries a cookie session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How API tokens begin (so they are recognisable in logs and scanners).
pub const TOKEN_PREFIX: &str = "sws_";
/// How long a session lasts, seconds.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// `n` random bytes from the operating system, as lower-case hex.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // The OS generator failing is not something a server can work around.
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    hex(&b)
}

pub fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter().fold(String::with_capacity(b.len() * 2), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    })
}

/// SHA-256 of `s`, hex: how session ids and tokens are stored.
pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// An argon2 PHC string for `password` (slow on purpose: call it off the
/// async threads).
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters and a random salt cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// A new API token as shown to its owner once, and the hash stored.
pub fn new_token() -> (String, String) {
    let token = format!("{TOKEN_PREFIX}{}", random_hex(32));
    let hash = sha256_hex(&token);
    (token, hash)
}

/// A random password for the first admin: 24 hex characters (96 bits).
pub fn new_password() -> String {
    random_hex(12)
}

/// Creates the user `admin` with a random password when the store has no
/// user yet; returns the password (to be shown once).
pub fn bootstrap_admin(store: &Store) -> Result<Option<String>, StoreError> {
    if store.user_count()? > 0 {
        return Ok(None);
    }
    let password = new_password();
    Ok(store.add_user("admin", Role::Admin, &hash_password(&password))?.map(|_| password))
}

/// What a request was authenticated by.
#[derive(Clone, Debug)]
pub enum Via {
    /// A session: its id's hash and its CSRF token.
    Session(String, String),
    Token,
}

/// May `user` see `d` (and its jobs and results)?
pub fn can_read(store: &Store, user: &User, d: &Dataset) -> Result<bool, StoreError> {
    Ok(user.role == Role::Admin || d.owner == user.id || store.is_shared_with(&d.id, user.id)?)
}

/// May `user` start a job on `d`? (Reading is checked first.)
pub fn can_run(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Analyst)
}

/// May `user` share `d`?
pub fn can_share(user: &User, d: &Dataset) -> bool {
    user.role == Role::Admin || (user.role == Role::Analyst && d.owner == user.id)
}

/// May `user` upload datasets?
pub fn can_upload(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Analyst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horse ", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == 4 + 64);
        assert_eq!(ha, sha256_hex(&a));
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a[4..]));
    }
}
