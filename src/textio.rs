//! Reading lines of text with a length limit, without ever holding a longer line whole: what
//! is past the limit is read in chunks and dropped up to the newline.

use std::io::{self, BufRead};

/// The longest input line `peilian score` reads: 1 MiB (1,048,576 bytes, newline excluded).
/// A longer line gets an error object of its own and is skipped.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// What one bounded read found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// End of input: nothing was read.
    End,
    /// A line (its bytes, without `\n` or `\r\n`, are in the buffer).
    Line,
    /// A line longer than the limit: the buffer holds its first `limit` bytes; the rest was
    /// read and dropped through the newline. `bytes` and `chars` measure the whole line
    /// (newline excluded; `chars` counts UTF-8 sequences).
    TooLong { bytes: u64, chars: u64 },
}

/// UTF-8 sequences in `b`: every byte that does not continue a sequence starts one.
fn count_chars(b: &[u8]) -> u64 {
    b.iter().filter(|&&x| x & 0xC0 != 0x80).count() as u64
}

/// Read one line into `buf` (cleared first), keeping at most `limit` bytes of it. Memory stays
/// within `limit` plus the reader's own buffer whatever the line's length.
pub fn read_line_bounded(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Read> {
    buf.clear();
    let (mut bytes, mut chars) = (0u64, 0u64);
    let mut over = false;
    let mut any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], true),
            None => (chunk, false),
        };
        bytes += part.len() as u64;
        if over {
            chars += count_chars(part);
        } else {
            let room = limit - buf.len();
            if part.len() <= room {
                buf.extend_from_slice(part);
            } else {
                // Characters are counted only for a line that runs over (off the hot path).
                buf.extend_from_slice(&part[..room]);
                chars = count_chars(buf) + count_chars(&part[room..]);
                over = true;
            }
        }
        let used = part.len() + usize::from(done);
        input.consume(used);
        if done {
            break;
        }
    }
    if !any {
        return Ok(Read::End);
    }
    if over {
        return Ok(Read::TooLong { bytes, chars });
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Read::Line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn all(text: &[u8], limit: usize, cap: usize) -> Vec<(Read, Vec<u8>)> {
        let mut r = BufReader::with_capacity(cap, text);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line_bounded(&mut r, &mut buf, limit).unwrap() {
                Read::End => return out,
                x => out.push((x, buf.clone())),
            }
        }
    }

    #[test]
    fn lines_short_long_blank_and_unterminated() {
        let text = "ab\r\n\n好好好好\nxyz".as_bytes();
        let got = all(text, 5, 3);
        assert_eq!(
            got,
            vec![
                (Read::Line, b"ab".to_vec()),
                (Read::Line, Vec::new()),
                (
                    Read::TooLong {
                        bytes: 12,
                        chars: 4
                    },
                    "好"
                        .as_bytes()
                        .iter()
                        .chain(&"好".as_bytes()[..2])
                        .copied()
                        .collect()
                ),
                (Read::Line, b"xyz".to_vec()),
            ]
        );
    }

    #[test]
    fn a_line_at_the_limit_is_whole() {
        assert_eq!(all(b"abcde\n", 5, 2), vec![(Read::Line, b"abcde".to_vec())]);
        assert!(matches!(
            all(b"abcdef\n", 5, 64)[0].0,
            Read::TooLong { bytes: 6, .. }
        ));
    }

    #[test]
    fn a_huge_line_never_grows_the_buffer_past_the_limit() {
        struct Endless(u64);
        impl std::io::Read for Endless {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    out[0] = b'\n';
                    return Ok(1);
                }
                let n = (out.len() as u64).min(self.0) as usize;
                out[..n].fill(b'x');
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let mut r = BufReader::with_capacity(4096, Endless(50_000_000));
        let mut buf = Vec::new();
        let got = read_line_bounded(&mut r, &mut buf, 1000).unwrap();
        assert_eq!(
            got,
            Read::TooLong {
                bytes: 50_000_000,
                chars: 50_000_000
            }
        );
        assert_eq!(buf.len(), 1000);
        assert!(buf.capacity() < 64 * 1024, "capacity {}", buf.capacity());
    }
}
