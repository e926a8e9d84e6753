//! A buffered sink for the writers: they append text freely and learn about
//! an I/O error once, from [`Out::finish`].

use std::fmt;
use std::io;

const CHUNK: usize = 1 << 16;

pub(crate) struct Out<'w> {
    w: &'w mut dyn io::Write,
    buf: String,
    err: Option<io::Error>,
}

impl<'w> Out<'w> {
    pub(crate) fn new(w: &'w mut dyn io::Write) -> Self {
        Out { w, buf: String::with_capacity(CHUNK + 1024), err: None }
    }

    /// Appends `s`; writes the buffer out when it is full.
    pub(crate) fn s(&mut self, s: &str) {
        self.buf.push_str(s);
        if self.buf.len() >= CHUNK {
            self.drain();
        }
    }

    /// Appends a formatted value.
    pub(crate) fn f(&mut self, args: fmt::Arguments<'_>) {
        // Writing into a String cannot fail.
        let _ = fmt::Write::write_fmt(&mut self.buf, args);
        if self.buf.len() >= CHUNK {
            self.drain();
        }
    }

    /// The buffer, for writers that escape as they append.
    pub(crate) fn buf(&mut self) -> &mut String {
        &mut self.buf
    }

    /// Writes the buffer out if it is full (after direct use of [`Out::buf`]).
    pub(crate) fn maybe_drain(&mut self) {
        if self.buf.len() >= CHUNK {
            self.drain();
        }
    }

    fn drain(&mut self) {
        if self.err.is_none()
            && let Err(e) = self.w.write_all(self.buf.as_bytes())
        {
            self.err = Some(e);
        }
        self.buf.clear();
    }

    /// Writes what is left and flushes; returns the first error met.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.drain();
        match self.err.take() {
            Some(e) => Err(e),
            None => self.w.flush(),
        }
    }
}
