//! Line continuations (`r\⏎m` is `rm` to bash) are removed before parsing, because the grammar
//! splits words at them. Removal follows bash: not inside single quotes, comments, `$'…'` or
//! quoted-delimiter heredocs. The returned map turns positions in the joined text back into
//! positions in the original.

#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetMap {
    /// `(position in joined text, bytes removed before it)`, ascending.
    cuts: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub(crate) fn original(&self, pos: usize) -> usize {
        let i = self.cuts.partition_point(|&(at, _)| at <= pos);
        if i == 0 {
            pos
        } else {
            pos + self.cuts[i - 1].1
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Normal,
    Single,
    Double,
    AnsiC,
    Comment,
}

/// Join continued lines. Returns `None` when there is nothing to join.
pub(crate) fn join(src: &str) -> Option<(String, OffsetMap)> {
    if !src.contains("\\\n") {
        return None;
    }
    let b = src.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut map = OffsetMap::default();
    let mut removed = 0usize;
    let mut state = State::Normal;
    let mut pending: Vec<(String, bool, bool)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match state {
            State::Normal | State::Double if c == b'\\' && b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                removed += 2;
                map.cuts.push((out.len(), removed));
                continue;
            }
            State::Normal | State::Double if c == b'\\' => {
                out.push(c);
                if let Some(&n) = b.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            State::Normal => match c {
                b'\'' => state = State::Single,
                b'"' => state = State::Double,
                b'$' if b.get(i + 1) == Some(&b'\'') => {
                    out.extend_from_slice(b"$'");
                    i += 2;
                    state = State::AnsiC;
                    continue;
                }
                b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')') => {
                    state = State::Comment
                }
                b'<' if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') => {
                    if let Some((delim, quoted, strip, end)) = heredoc_delimiter(b, i + 2) {
                        pending.push((delim, quoted, strip));
                        out.extend_from_slice(&b[i..end]);
                        i = end;
                        continue;
                    }
                }
                b'\n' if !pending.is_empty() => {
                    out.push(c);
                    i += 1;
                    for (delim, quoted, strip) in std::mem::take(&mut pending) {
                        i = copy_heredoc(b, i, &delim, quoted, strip, &mut out, &mut map, &mut removed);
                    }
                    continue;
                }
                _ => {}
            },
            State::Single if c == b'\'' => state = State::Normal,
            State::Double if c == b'"' => state = State::Normal,
            State::AnsiC if c == b'\\' => {
                out.push(c);
                if let Some(&n) = b.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            State::AnsiC if c == b'\'' => state = State::Normal,
            State::Comment if c == b'\n' => {
                state = State::Normal;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    // Only whole `\⏎` pairs (ASCII) were removed, so the result is still UTF-8.
    let text = String::from_utf8(out).ok()?;
    Some((text, map))
}

/// Parse `[-] [ws] WORD` after `<<`: delimiter text, whether quoted, whether `<<-`, end index.
fn heredoc_delimiter(b: &[u8], mut i: usize) -> Option<(String, bool, bool, usize)> {
    let strip = b.get(i) == Some(&b'-');
    if strip {
        i += 1;
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let mut delim = Vec::new();
    let mut quoted = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'\'' | b'"' => {
                quoted = true;
                let q = c;
                i += 1;
                while let Some(&d) = b.get(i) {
                    i += 1;
                    if d == q {
                        break;
                    }
                    delim.push(d);
                }
            }
            b'\\' => {
                quoted = true;
                if let Some(&d) = b.get(i + 1) {
                    delim.push(d);
                }
                i += 2;
            }
            b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
            _ => {
                delim.push(c);
                i += 1;
            }
        }
    }
    if delim.is_empty() {
        return None;
    }
    Some((String::from_utf8_lossy(&delim).into_owned(), quoted, strip, i.min(b.len())))
}

/// Copy a heredoc body starting at `i` up to and including its delimiter line.
#[allow(clippy::too_many_arguments)]
fn copy_heredoc(
    b: &[u8],
    mut i: usize,
    delim: &str,
    quoted: bool,
    strip: bool,
    out: &mut Vec<u8>,
    map: &mut OffsetMap,
    removed: &mut usize,
) -> usize {
    while i < b.len() {
        let line_end = b[i..].iter().position(|&c| c == b'\n').map(|p| i + p + 1).unwrap_or(b.len());
        let line = &b[i..line_end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = if strip { trim_tabs(content) } else { content };
        if content == delim.as_bytes() {
            out.extend_from_slice(line);
            return line_end;
        }
        if !quoted && line.ends_with(b"\\\n") && !line.ends_with(b"\\\\\n") {
            out.extend_from_slice(&line[..line.len() - 2]);
            *removed += 2;
            map.cuts.push((out.len(), *removed));
        } else {
            out.extend_from_slice(line);
        }
        i = line_end;
    }
    i
}

fn trim_tabs(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'\t').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_outside_quotes_and_maps_back() {
        let (t, m) = join("r\\\nm -rf x").unwrap();
        assert_eq!(t, "rm -rf x");
        assert_eq!(m.original(0), 0);
        assert_eq!(m.original(1), 3);
        assert_eq!(m.original(3), 5);
    }

    #[test]
    fn keeps_single_quotes_and_comments() {
        assert_eq!(join("echo 'a\\\nb'").unwrap().0, "echo 'a\\\nb'");
        assert_eq!(join("# c \\\nrm x").unwrap().0, "# c \\\nrm x");
        assert_eq!(join("echo \"a\\\nb\"").unwrap().0, "echo \"ab\"");
    }

    #[test]
    fn quoted_heredoc_body_is_verbatim() {
        let src = "cat <<'E'\na\\\nb\nE\nr\\\nm";
        assert_eq!(join(src).unwrap().0, "cat <<'E'\na\\\nb\nE\nrm");
        let src = "cat <<E\na\\\nb\nE\n";
        assert_eq!(join(src).unwrap().0, "cat <<E\nab\nE\n");
    }
}
