//! Opening inputs: files or stdin, plain, gzip or zstd, recognised by their
//! first bytes (never by extension), with a peek at the decompressed head so
//! the format can be sniffed before the stream is read.
//!
//! A stream that breaks part-way (a truncated download, a corrupt gzip or
//! zstd frame, an I/O error) does not lose what precedes the damage: the
//! decompressed stream ends at the last byte that could be read and the
//! error is kept in a [`Damage`] for the driver to report as a
//! `truncated_input` skip with its byte offset.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How many decompressed bytes [`Source::head`] holds for sniffing.
pub const HEAD_BYTES: usize = 256 * 1024;

/// The compression of an input, from its magic bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    fn sniff(b: &[u8]) -> Compression {
        if b.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if b.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// An opened input: its decompressed head (BOM removed) and the rest.
pub struct Source {
    /// The name used in diagnostics (the path as given, or `<stdin>`).
    pub name: String,
    pub compression: Compression,
    /// Whether the raw (compressed) bytes start with Parquet's magic.
    pub is_parquet: bool,
    /// Up to [`HEAD_BYTES`] decompressed bytes, BOM removed.
    pub head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    damage: Damage,
}

/// Where and why an input stream broke, shared between the stream and the
/// driver that reads it.
#[derive(Clone, Debug, Default)]
pub struct Damage(Arc<Mutex<Option<(u64, String)>>>);

impl Damage {
    /// The decompressed byte offset at which reading failed and the error, if it did.
    pub fn get(&self) -> Option<(u64, String)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Ends the stream at the first read error (other than `Interrupted`),
/// keeping the error and offset in a [`Damage`]; every byte delivered before
/// the error stays delivered.
struct Guarded {
    inner: Box<dyn Read + Send>,
    offset: u64,
    damage: Damage,
    done: bool,
}

impl Read for Guarded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.offset += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    *self.damage.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((self.offset, e.to_string()));
                    return Ok(0);
                }
            }
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("name", &self.name).field("compression", &self.compression).finish()
    }
}

/// Counts the bytes read through it.
struct Counting {
    inner: Box<dyn Read + Send>,
    counter: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn read_up_to(r: &mut dyn Read, buf: &mut Vec<u8>, n: usize) -> io::Result<()> {
    r.take(n as u64).read_to_end(buf)?;
    Ok(())
}

impl Source {
    /// Opens `path`, or standard input for `-`.
    pub fn open(path: &str) -> io::Result<Source> {
        Source::open_counted(path, None)
    }

    /// Like [`Source::open`], adding every raw (still compressed) byte read
    /// to `counter` when given: what a progress bar over input sizes needs.
    pub fn open_counted(path: &str, counter: Option<&Arc<AtomicU64>>) -> io::Result<Source> {
        let raw: Box<dyn Read + Send> =
            if path == "-" { Box::new(io::stdin()) } else { Box::new(File::open(Path::new(path))?) };
        let raw = match counter {
            Some(c) => Box::new(Counting { inner: raw, counter: Arc::clone(c) }),
            None => raw,
        };
        let name = if path == "-" { "<stdin>".into() } else { path.into() };
        Source::from_reader(name, raw)
    }

    /// Wraps any byte stream.
    pub fn from_reader(name: String, raw: Box<dyn Read + Send>) -> io::Result<Source> {
        let mut raw = BufReader::with_capacity(1 << 20, raw);
        let magic = raw.fill_buf()?;
        let compression = Compression::sniff(magic);
        let is_parquet = magic.starts_with(b"PAR1");
        let inner: Box<dyn Read + Send> = match compression {
            Compression::None => Box::new(raw),
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(raw)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(raw)?),
        };
        let damage = Damage::default();
        let mut rest: Box<dyn Read + Send> =
            Box::new(Guarded { inner, offset: 0, damage: damage.clone(), done: false });
        let mut head = Vec::with_capacity(HEAD_BYTES);
        read_up_to(&mut rest, &mut head, HEAD_BYTES)?;
        if head.starts_with(b"\xEF\xBB\xBF") {
            head.drain(..3);
        }
        Ok(Source { name, compression, is_parquet, head, rest, damage })
    }

    /// Where the stream broke, once it has been read to its end.
    pub fn damage(&self) -> Damage {
        self.damage.clone()
    }

    /// The whole decompressed stream, head first.
    pub fn into_reader(self) -> impl Read + Send {
        io::Cursor::new(self.head).chain(self.rest)
    }
}
