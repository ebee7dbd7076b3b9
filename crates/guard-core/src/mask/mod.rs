//! Secret masking: replaces credentials in a command's output (and in command lines written
//! to the audit log) with `[masked:KIND]`, keeping what names them (`AWS_SECRET_ACCESS_KEY=`,
//! `password:`, the user and host of a URL). Pure: bytes in, bytes out, no I/O.
//!
//! What a secret looks like is data ([`Detectors`], from `rules/mask/secrets.yaml` plus any a
//! policy adds); [`Masker`] applies it to a stream, [`mask_str`] to a whole string.
//!
//! # Streaming
//!
//! Detectors work on lines, so the masker holds back the current incomplete line and nothing
//! else: a secret cut across reads is masked exactly as if it had come in one piece, and
//! feeding one byte at a time gives the same output as feeding everything at once. State that
//! spans lines (inside a PEM private-key block, inside the `data:` of a Kubernetes Secret) is
//! carried from line to line, never buffered: the body of a key is dropped as it passes.
//!
//! A line with no newline for 64 KiB is masked and written in pieces of that size; the cut
//! points depend only on the bytes, so chunking still does not matter, but a secret that
//! straddles a cut of such a long line is seen as two halves.
//!
//! # Latency
//!
//! Holding the incomplete line would hide a prompt or the echo of a typed key until the next
//! newline. So the runner calls [`Masker::flush`] when the child has been quiet for a few
//! milliseconds: the held line is masked as it stands and written, but still kept, so what
//! completes it is judged with the whole line in view (a key name seen before the pause still
//! masks the value after it). The trade-off: a secret whose own characters are split by such a
//! pause can show the part before the pause. Programs write lines whole (stdio buffers them)
//! and pauses fall between writes, so this costs interactive use nothing and rarely matters.
//!
//! # Binary output
//!
//! Bytes pass through untouched unless a detector matches: NUL bytes, invalid UTF-8 and
//! escape sequences are copied exactly. The masker does not try to tell binary from text; if a
//! detector matches text inside binary data (a key in a core dump, a token in a tarball), it is
//! replaced, changing the binary's length: a leaked secret is worse than a damaged binary
//! stream, which nobody reads on a terminal anyway.
//!
//! # Cost
//!
//! Each detector lists literal triggers. One SIMD multi-literal search (aho-corasick's Teddy)
//! over each chunk finds the lines that hold any trigger; only those run regexes, and only the
//! regexes of detectors whose triggers they hold. Lines without one are copied in bulk, so
//! ordinary output pays one fast scan and a copy.

mod detector;
mod detectors;
mod engine;
mod gate;
mod masker;

pub use detector::Detector;
pub use detectors::Detectors;
pub use masker::Masker;

/// Masks a whole string (a command line for the audit log, a captured output).
pub fn mask_str(detectors: &Detectors, text: &str) -> String {
    if !detectors.may_match(text) {
        return text.to_string();
    }
    let mut masker = Masker::new(detectors);
    let mut out = Vec::with_capacity(text.len());
    masker.feed(text.as_bytes(), &mut out);
    masker.finish(&mut out);
    // Placeholders are ASCII and replace whole matches of UTF-8 text, so this never loses.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::masker::LINE_CAP;
    use super::*;

    fn feed_in(text: &[u8], sizes: &[usize], cap: usize) -> Vec<u8> {
        feed_with(crate::testdata::detectors(), text, sizes, cap)
    }

    /// Masks `text` with `set`, fed in chunks of `sizes` (repeated), lines held to `cap`.
    fn feed_with(set: &Detectors, text: &[u8], sizes: &[usize], cap: usize) -> Vec<u8> {
        let mut m = Masker::new(set).with_line_cap(cap);
        let mut out = Vec::new();
        let mut rest = text;
        for &n in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (a, b) = rest.split_at(n.min(rest.len()));
            m.feed(a, &mut out);
            rest = b;
        }
        m.finish(&mut out);
        out
    }

    #[test]
    fn masks_what_each_line_holds() {
        let table: &[(&str, &str)] = &[
            ("plain text\n", "plain text\n"),
            (
                "export GITHUB_TOKEN=ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\n",
                "export GITHUB_TOKEN=[masked:github_token]\n",
            ),
            ("DB_PASSWORD=hunter2 psql\n", "DB_PASSWORD=[masked:secret] psql\n"),
            ("https://bob:pw123@host/x", "https://bob:[masked:url_password]@host/x"),
            ("a\r\npassword: hunter2\r\nb", "a\r\npassword: [masked:secret]\r\nb"),
            ("no newline at the end: token=abcdef", "no newline at the end: token=[masked:secret]"),
            (
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\nBBBB\n-----END EC PRIVATE KEY-----\nafter\n",
                "-----BEGIN EC PRIVATE KEY-----\n[masked:private_key]\n-----END EC PRIVATE KEY-----\nafter\n",
            ),
            (
                "-----BEGIN PRIVATE KEY-----\r\nAAAA\r\nBBBB\r\n-----END PRIVATE KEY-----\r\n",
                "-----BEGIN PRIVATE KEY-----\r\n[masked:private_key]\r\n-----END PRIVATE KEY-----\r\n",
            ),
            // An unterminated block ends at the first line that is not key material.
            ("-----BEGIN PRIVATE KEY-----\nAAAA\n$ ls\n", "-----BEGIN PRIVATE KEY-----\n[masked:private_key]\n$ ls\n"),
            (
                "data:\n  k: ZmFrZS1kYi1wYXNzIQ==\n\n  j: YWRtaW4=\nkind: Secret\n  x: YWRtaW4=\n",
                "data:\n  k: [masked:k8s_secret]\n\n  j: [masked:k8s_secret]\nkind: Secret\n  x: YWRtaW4=\n",
            ),
            ("bin\0\u{1}\u{ff} token=abc123\n", "bin\0\u{1}\u{ff} token=[masked:secret]\n"),
        ];
        for (input, want) in table {
            assert_eq!(mask_str(crate::testdata::detectors(), input), *want, "input {input:?}");
        }
    }

    #[test]
    fn invalid_utf8_passes_through_byte_exact() {
        let input: &[u8] = b"\xff\xfe\x00\x80 GITHUB_TOKEN=ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d \xc3\n\x00\x01";
        let out = feed_in(input, &[3], LINE_CAP);
        assert_eq!(out, b"\xff\xfe\x00\x80 GITHUB_TOKEN=[masked:github_token] \xc3\n\x00\x01");
    }

    #[test]
    fn chunking_never_changes_the_output() {
        let text = b"x\ndata:\n  a: YWRtaW4=\nAKIAAB69M64P2G158Z6T and more text token: abcdefgh\n\
            -----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\nno newline token=zzz";
        for cap in [4, 7, 16, LINE_CAP] {
            let whole = feed_in(text, &[text.len()], cap);
            for sizes in [&[1][..], &[2], &[3, 5], &[13, 1, 2]] {
                assert_eq!(feed_in(text, sizes, cap), whole, "cap {cap}, chunks {sizes:?}");
            }
        }
    }

    /// Triggers cut by the end of a piece of a long line (`pass` at 6..10 with a cap of 8) are
    /// searched for again after it, whichever chunk the cut falls in.
    #[test]
    fn a_trigger_cut_by_a_piece_of_a_long_line_is_judged_the_same_in_any_chunks() {
        let text = b"aaaaa password=hunter2 sk-proj-J8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Z\nx TOKEN=abc\n";
        for cap in [3, 8, 9, 12, LINE_CAP] {
            let whole = feed_in(text, &[text.len()], cap);
            for cut in 1..text.len() {
                assert_eq!(feed_in(text, &[cut, text.len()], cap), whole, "cap {cap}, cut at {cut}");
            }
        }
        assert_eq!(
            feed_in(text, &[text.len()], LINE_CAP),
            b"aaaaa password=[masked:secret] [masked:openai_key]\nx TOKEN=[masked:secret]\n"
        );
    }

    /// `abcd` is cut by the end of an 8-byte piece; `defg`, which it hides from the search, starts
    /// the next piece and is masked there however the input is chunked.
    #[test]
    fn a_trigger_hidden_by_one_cut_off_is_still_found() {
        let set = crate::testdata::detectors()
            .with([
                Detector::custom("abcd", "abcd").unwrap().with_triggers(&["abcd"]),
                Detector::custom("defg", "defg").unwrap().with_triggers(&["defg"]),
            ])
            .unwrap();
        let text = b"xxxxxabcdefg\n";
        for cut in 1..=text.len() {
            let mut m = Masker::new(&set).with_line_cap(8);
            let mut out = Vec::new();
            m.feed(&text[..cut], &mut out);
            m.feed(&text[cut..], &mut out);
            m.finish(&mut out);
            assert_eq!(String::from_utf8_lossy(&out), "xxxxxabc[masked:defg]\n", "cut at {cut}");
        }
    }

    #[test]
    fn a_long_line_is_emitted_in_pieces_not_held_whole() {
        let mut m = Masker::new(crate::testdata::detectors()).with_line_cap(10);
        let mut out = Vec::new();
        m.feed(&[b'a'; 25], &mut out);
        assert_eq!(out.len(), 20);
        assert_eq!(m.held(), 5);
    }

    #[test]
    fn flush_writes_a_prompt_and_completes_the_line_in_context() {
        let mut m = Masker::new(crate::testdata::detectors());
        let mut out = Vec::new();
        m.feed(b"Password: ", &mut out);
        assert!(out.is_empty());
        m.flush(&mut out);
        assert_eq!(out, b"Password: ");
        assert_eq!(m.held(), 0);
        m.flush(&mut out); // nothing new, nothing written
        m.feed(b"hunter2\nnext", &mut out);
        assert_eq!(out, b"Password: [masked:secret]\n");
        m.finish(&mut out);
        assert_eq!(out, b"Password: [masked:secret]\nnext");
    }

    #[test]
    fn flush_inside_a_secret_writes_its_placeholder_once() {
        let mut m = Masker::new(crate::testdata::detectors());
        let mut out = Vec::new();
        m.feed(b"TOKEN=abc", &mut out);
        m.flush(&mut out);
        m.feed(b"def ok\n", &mut out);
        assert_eq!(out, b"TOKEN=[masked:secret] ok\n");
    }

    #[test]
    fn flush_inside_a_key_block_leaks_nothing() {
        let mut m = Masker::new(crate::testdata::detectors());
        let mut out = Vec::new();
        m.feed(b"-----BEGIN PRIVATE KEY-----\nMIIEvQIB", &mut out);
        m.flush(&mut out);
        m.feed(b"ADANBgkq\nhkiG9w0B", &mut out);
        m.flush(&mut out);
        m.feed(b"AQEFAASC\n-----END PRIVATE KEY-----\n", &mut out);
        assert_eq!(out, b"-----BEGIN PRIVATE KEY-----\n[masked:private_key]\n-----END PRIVATE KEY-----\n");
    }

    proptest::proptest! {
        /// Triggers only ever spare work: detectors that find their own literal mask the same
        /// with triggers as without (when every line is looked at), whatever the line cap and
        /// the chunks, multibyte and overlapping triggers included.
        #[test]
        fn triggers_never_change_what_is_masked(
            words in proptest::collection::vec("[abcé-]{1,4}", 1..5),
            text in "[abcé\\- \n]{0,60}",
            cap in 3usize..12,
            chunks in proptest::collection::vec(1usize..9, 1..5),
        ) {
            let detector = |i: usize, w: &String| Detector::custom(&format!("t{i}"), &regex::escape(w)).unwrap();
            let gated = crate::testdata::detectors()
                .with(words.iter().enumerate().map(|(i, w)| detector(i, w).with_triggers(&[w.as_str()])))
                .unwrap();
            let every_line = crate::testdata::detectors().with(words.iter().enumerate().map(|(i, w)| detector(i, w))).unwrap();
            proptest::prop_assert_eq!(
                feed_with(&gated, text.as_bytes(), &chunks, cap),
                feed_with(&every_line, text.as_bytes(), &chunks, cap)
            );
        }
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        for d in crate::testdata::detectors().iter() {
            for text in &d.examples.mask {
                let once = mask_str(crate::testdata::detectors(), text);
                assert_eq!(mask_str(crate::testdata::detectors(), &once), once, "{}", d.id);
            }
        }
    }
}
