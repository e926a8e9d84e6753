//! A prepared network written to disk and read back
//! ([`Prepared::spill`], [`Prepared::unspill`]), so that a caller short of
//! memory can release it between two uses without building it again.
//!
//! The format is private to one run (the file never outlives the process
//! that wrote it): fixed-width little-endian columns of the sorted actions
//! (`key`, `ts_ms`, `account`, `row`), the account ranks, and the names of
//! the level's own keys in symbol order (for co_text, each key's first
//! text). Reading it back gives the same actions, ranks and key names, so
//! every result computed from the level is the same (tested against the
//! level it was written from).

use crate::detectors::KeySpace;
use crate::engine::{Prepared, Ranks};
use crate::keyed::KeyedActions;
use crate::network::Network;
use crate::params::Params;
use std::io::{self, BufReader, BufWriter, Read, Write};
use swarmscan_model::{Events, Interner, Sym};

const MAGIC: &[u8; 8] = b"swlevel1";
/// Values converted per write or read call.
const CHUNK: usize = 1 << 14;

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("spilled level: {what}"))
}

/// Writes `values` as fixed-width little-endian numbers, `N` bytes each.
fn put<T: Copy, const N: usize>(w: &mut impl Write, values: &[T], bytes: impl Fn(T) -> [u8; N]) -> io::Result<()> {
    w.write_all(&(values.len() as u64).to_le_bytes())?;
    let mut buf = Vec::with_capacity(CHUNK * N);
    for chunk in values.chunks(CHUNK) {
        buf.clear();
        for &v in chunk {
            buf.extend_from_slice(&bytes(v));
        }
        w.write_all(&buf)?;
    }
    Ok(())
}

fn get_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// Reads what [`put`] wrote; `expect` is the count the caller knows, if any.
fn take<T, const N: usize>(
    r: &mut impl Read,
    expect: Option<usize>,
    value: impl Fn([u8; N]) -> T,
) -> io::Result<Vec<T>> {
    let n = usize::try_from(get_u64(r)?).map_err(|_| invalid("column too long"))?;
    if expect.is_some_and(|e| e != n) {
        return Err(invalid("columns of different lengths"));
    }
    let mut out = Vec::with_capacity(n);
    let mut buf = vec![0u8; CHUNK * N];
    let mut left = n;
    while left > 0 {
        let m = left.min(CHUNK);
        r.read_exact(&mut buf[..m * N])?;
        out.extend(buf[..m * N].chunks_exact(N).map(|c| value(c.try_into().expect("N bytes"))));
        left -= m;
    }
    Ok(out)
}

impl<'a> Prepared<'a> {
    /// Whether [`Prepared::spill`] can write this level: every level but
    /// co_similar's own network, whose token sets are not written.
    pub fn can_spill(&self) -> bool {
        self.similar.is_none()
    }

    /// Writes the level to `w` for [`Prepared::unspill`]. Fails with
    /// `Unsupported` for a level that [`can_spill`](Prepared::can_spill)
    /// says no to.
    pub fn spill(&self, w: impl Write) -> io::Result<()> {
        if !self.can_spill() {
            return Err(io::Error::new(io::ErrorKind::Unsupported, "co_similar's token sets are not spilled"));
        }
        let mut w = BufWriter::with_capacity(1 << 20, w);
        w.write_all(MAGIC)?;
        let space = match &self.keys {
            KeySpace::None => 0u8,
            KeySpace::Posts => 1,
            KeySpace::Strings => 2,
            KeySpace::Local(_) => 3,
            KeySpace::Texts(_) => 4,
        };
        w.write_all(&[u8::from(self.multi), u8::from(self.keyed), space])?;
        put(&mut w, &self.ka.key, u32::to_le_bytes)?;
        put(&mut w, &self.ka.ts_ms, i64::to_le_bytes)?;
        put(&mut w, &self.ka.account, u32::to_le_bytes)?;
        put(&mut w, &self.ka.row, u32::to_le_bytes)?;
        put(&mut w, &self.ranks.sym_of, |s: Sym| s.0.to_le_bytes())?;
        if let KeySpace::Local(names) = &self.keys {
            w.write_all(&(names.len() as u64).to_le_bytes())?;
            for name in names.iter() {
                w.write_all(&(name.len() as u64).to_le_bytes())?;
                w.write_all(name.as_bytes())?;
            }
        }
        if let KeySpace::Texts(rep) = &self.keys {
            put(&mut w, rep, u32::to_le_bytes)?;
        }
        w.flush()
    }

    /// Reads back a level that [`Prepared::spill`] wrote from a network of
    /// `events` prepared with `network` and `params`.
    pub fn unspill(events: &'a Events, network: Network, params: &Params, r: impl Read) -> io::Result<Prepared<'a>> {
        let mut r = BufReader::with_capacity(1 << 20, r);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(invalid("not a spilled level"));
        }
        let mut flags = [0u8; 3];
        r.read_exact(&mut flags)?;
        let key = take(&mut r, None, u32::from_le_bytes)?;
        let n = Some(key.len());
        let ts_ms = take(&mut r, n, i64::from_le_bytes)?;
        let account = take(&mut r, n, u32::from_le_bytes)?;
        let row = take(&mut r, n, u32::from_le_bytes)?;
        let sym_of: Vec<Sym> = take(&mut r, Some(events.account_ids.len()), |b| Sym(u32::from_le_bytes(b)))?;
        let mut rank_of = vec![0u32; sym_of.len()];
        for (rank, s) in sym_of.iter().enumerate() {
            *rank_of.get_mut(s.idx()).ok_or_else(|| invalid("an account out of range"))? = rank as u32;
        }
        let keys = match flags[2] {
            0 => KeySpace::None,
            1 => KeySpace::Posts,
            2 => KeySpace::Strings,
            3 => {
                let mut names = Interner::new();
                let mut s = Vec::new();
                for _ in 0..get_u64(&mut r)? {
                    let len = usize::try_from(get_u64(&mut r)?).map_err(|_| invalid("a name too long"))?;
                    s.resize(len, 0);
                    r.read_exact(&mut s)?;
                    names.intern(std::str::from_utf8(&s).map_err(|_| invalid("a name not in UTF-8"))?);
                }
                KeySpace::Local(names)
            }
            4 => {
                let rep = take(&mut r, None, u32::from_le_bytes)?;
                if rep.iter().any(|&i| i as usize > events.texts.len()) {
                    return Err(invalid("a text out of range"));
                }
                KeySpace::Texts(rep)
            }
            _ => return Err(invalid("unknown key space")),
        };
        Ok(Prepared {
            events,
            network,
            params: params.clone(),
            ka: KeyedActions { key, ts_ms, account, row },
            keys,
            multi: flags[0] != 0,
            similar: None,
            ranks: Ranks { rank_of, sym_of },
            keyed: flags[1] != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::network::Network;
    use crate::params::{Mode, Params};
    use crate::{Prepared, prepare};
    use swarmscan_model::{Events, Interner, Kind, RawEvent, RawUrl};

    fn events() -> Events {
        let mut ev = Events::new();
        for i in 0..200u32 {
            let (id, account, target) = (format!("p{i}"), format!("u{}", i % 17), format!("p{}", i % 9));
            let text = format!("the same words again {} and {}", i % 5, i % 3);
            let url = format!("https://example.org/{}", i % 7);
            let urls = [RawUrl { written: &url, expanded: "" }];
            ev.push(&RawEvent {
                post_id: &id,
                account_id: &account,
                ts_ms: i64::from(i) * 1_000,
                kind: Some(if i % 3 == 0 { Kind::Repost } else { Kind::Post }),
                target: (i % 3 == 0).then_some(target.as_str()),
                text: &text,
                urls: &urls,
                ..Default::default()
            });
        }
        ev
    }

    /// Spilled and read back, a level runs to the same edges, with the same
    /// actions, accounts and key names: for levels keyed by posts, by
    /// strings and by their own (local) names.
    #[test]
    fn a_spilled_level_reads_back_the_same() {
        let ev = events();
        let p = Params::new(Mode::Default);
        let mut levels: Vec<Prepared<'_>> = [Network::CoRepost, Network::CoLink, Network::CoText]
            .into_iter()
            .map(|n| prepare(&ev, n, &p).unwrap())
            .collect();
        // A rekeyed level with local names (as the scan's bursts are).
        let base = &levels[0];
        let mut names = Interner::new();
        let keys: Vec<u32> =
            base.keyed_actions().key.iter().map(|&k| names.intern(&format!("burst {}", k % 4)).0).collect();
        levels.push(base.rekey(&keys, Some(names), &p).unwrap());
        for level in &levels {
            assert!(level.can_spill());
            let mut file = Vec::new();
            level.spill(&mut file).unwrap();
            let back = Prepared::unspill(&ev, level.network(), &p, file.as_slice()).unwrap();
            assert_eq!(back.keyed_actions(), level.keyed_actions());
            assert_eq!(back.account_syms(), level.account_syms());
            for k in level.keyed_actions().key.iter().copied() {
                assert_eq!(back.key(k), level.key(k));
            }
            let edges = level.run();
            assert!(!edges.edges.is_empty(), "{:?}: no edge to compare", level.network());
            assert_eq!(back.run(), edges, "{:?}", level.network());
            // A truncated file is an error, never a panic or a shorter level.
            for cut in [0, 5, file.len() / 2, file.len() - 1] {
                assert!(Prepared::unspill(&ev, level.network(), &p, &file[..cut]).is_err());
            }
        }
        // co_similar's own network keeps token sets that are not written.
        let similar = prepare(&ev, Network::CoSimilar, &p).unwrap();
        assert!(!similar.can_spill());
        assert!(similar.spill(Vec::new()).is_err());
    }
}
