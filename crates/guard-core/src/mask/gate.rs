//! The trigger prefilter: which lines of a chunk hold a trigger of some detector, and which
//! detectors those triggers let run. One SIMD multi-literal search (aho-corasick's Teddy) runs
//! over a whole chunk; lines it does not stop in are copied without looking at them again.

use aho_corasick::{AhoCorasick, AhoCorasickKind, BuildError, Input, MatchKind};

/// Triggers, searched through a chunk for the next line holding any, or through one line for
/// all it holds; either way each match is checked for the triggers it could hide.
#[derive(Debug)]
pub(crate) struct Gate {
    /// Leftmost-first over the triggers in [`teddy_order`], which keeps the scan fast.
    scan: AhoCorasick,
    /// For each pattern of `scan`: its trigger, and the triggers a match of it could hide from
    /// a non-overlapping search, with where they would start within the match.
    /// Checked at a match rather than run: detectors run only for triggers that are there.
    scan_triggers: Vec<(usize, Vec<(usize, usize)>)>,
    /// Every trigger, by index.
    triggers: Vec<Vec<u8>>,
    /// For each trigger, its detectors.
    owners: Vec<Vec<usize>>,
}

/// A trigger found by [`Gate::find_iter`].
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pattern: usize,
}

impl Gate {
    /// A gate over `triggers`, each with the detectors it lets run (distinct, not empty).
    pub(crate) fn new(triggers: &[&str], owners: Vec<Vec<usize>>) -> Result<Gate, BuildError> {
        let order = teddy_order(triggers);
        let scan = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(order.iter().map(|&t| triggers[t]))?;
        let scan_triggers = order
            .iter()
            .map(|&a| {
                let hidden = (0..triggers[a].len())
                    .flat_map(|k| (0..triggers.len()).map(move |b| (k, b)))
                    .filter(|&(k, b)| {
                        triggers[a].as_bytes()[k] == triggers[b].as_bytes()[0]
                            && (k, b) != (0, a)
                            && overlaps(&triggers[a].as_bytes()[k..], triggers[b].as_bytes())
                    })
                    .collect();
                (a, hidden)
            })
            .collect();
        Ok(Gate { scan, scan_triggers, triggers: triggers.iter().map(|t| t.as_bytes().to_vec()).collect(), owners })
    }

    /// The triggers in `text[from..]`, leftmost first, not overlapping.
    pub(crate) fn find_iter<'a>(&'a self, text: &'a [u8], from: usize) -> impl Iterator<Item = Hit> + 'a {
        self.scan.find_iter(Input::new(text).span(from..text.len())).map(|m| Hit {
            start: m.start(),
            end: m.end(),
            pattern: m.pattern().as_usize(),
        })
    }

    /// Marks in `on` the detectors that `hit`, found in `text` in a piece that ends at `end`,
    /// lets run: those of its trigger and of any trigger it hid, each if it ends by `end`. A
    /// match cut by the end of the piece belongs to neither piece, but a trigger it hid may lie
    /// wholly inside this one.
    pub(crate) fn mark(&self, hit: &Hit, text: &[u8], end: usize, on: &mut [bool]) {
        let (own, hidden) = &self.scan_triggers[hit.pattern];
        if hit.end <= end {
            self.mark_trigger(*own, on);
        }
        for &(k, b) in hidden {
            let at = hit.start + k;
            if at < end && text[at..end].starts_with(&self.triggers[b]) {
                self.mark_trigger(b, on);
            }
        }
    }

    fn mark_trigger(&self, trigger: usize, on: &mut [bool]) {
        for &i in &self.owners[trigger] {
            on[i] = true;
        }
    }

    /// Marks in `on` the detectors whose triggers are in `line`.
    pub(crate) fn mark_line(&self, line: &[u8], on: &mut [bool]) {
        for hit in self.find_iter(line, 0) {
            self.mark(&hit, line, line.len(), on);
        }
    }
}

/// How much a bucket position with these low and high nybble sets lets through: every byte
/// whose nybbles are both in the sets, lower-case letters counting 8. Worked out from the
/// sets rather than byte by byte, as it is asked a thousand times while masking starts.
fn accepted(lo: u16, hi: u16) -> f64 {
    let all = lo.count_ones() * hi.count_ones();
    // a-z is 0x61..=0x6f (high 6, low 1..=15) and 0x70..=0x7a (high 7, low 0..=10).
    let lower = (hi >> 6 & 1) as u32 * (lo & 0xfffe).count_ones() + (hi >> 7 & 1) as u32 * (lo & 0x07ff).count_ones();
    f64::from(all + 7 * lower)
}

/// The order in which to give triggers to aho-corasick, which decides how fast its SIMD
/// searcher (Teddy) scans. Teddy tests the first few bytes of every trigger at once (as many as
/// the shortest has, up to 4), by their high and low nybbles, in 8 or 16 buckets (16 above 32
/// triggers); a bucket lets through any mix of its triggers' nybbles. Triggers that share low
/// nybbles (case variants: `pass`, `PASS`) always share a bucket, and aho-corasick (1.1) gives
/// each new set of them the bucket its index picks, round-robin. Left in sorted order, unlike
/// triggers pool by chance (`Key` with `curl` lets every `ker` of `worker` through) and the
/// scan runs several times slower on ordinary output.
///
/// So the sets are spread over the buckets greedily, each where it widens what the bucket
/// lets through least, the widest sets first and no bucket taking more than its share; then
/// the order is built so the round-robin lands each set in its bucket, repeating a trigger
/// already placed where a slot has nothing else to take. If that would take more triggers than
/// Teddy accepts, the triggers go as they are: slower, never wrong, as the order only decides
/// speed.
fn teddy_order(triggers: &[&str]) -> Vec<usize> {
    const TEDDY_MAX: usize = 64;
    let plain = (0..triggers.len()).collect();
    let Some(width) = triggers.iter().map(|t| t.len().min(4)).min() else { return plain };
    let buckets = if triggers.len() > 32 { 16 } else { 8 };
    // Sets of triggers sharing the low nybbles Teddy looks at.
    // Taken in sorted order, so the arrangement (and the speed) does not depend on the order
    // detectors list their triggers.
    let mut sorted: Vec<usize> = (0..triggers.len()).collect();
    sorted.sort_by_key(|&i| triggers[i]);
    let mut sets: Vec<Vec<usize>> = Vec::new();
    for (i, t) in sorted.into_iter().map(|i| (i, triggers[i])) {
        let low = |t: &str| t.bytes().take(width).fold(0u16, |key, b| key << 4 | u16::from(b & 0xf));
        match sets.iter_mut().find(|s| low(triggers[s[0]]) == low(t)) {
            Some(s) => s.push(i),
            None => sets.push(vec![i]),
        }
    }
    // How much text a bucket holding `members` lets through: the byte strings it accepts, those
    // of lower-case letters (most of any output) counting for more.
    let breadth = |members: &[usize]| -> f64 {
        (0..width)
            .map(|j| {
                let (mut lo, mut hi) = (0u16, 0u16);
                for &m in members {
                    let b = triggers[m].as_bytes()[j];
                    lo |= 1 << (b & 0xf);
                    hi |= 1 << (b >> 4);
                }
                accepted(lo, hi)
            })
            .product()
    };
    let mut widest: Vec<(f64, Vec<usize>)> = sets.into_iter().map(|s| (breadth(&s), s)).collect();
    widest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let sets: Vec<Vec<usize>> = widest.into_iter().map(|(_, s)| s).collect();
    let share = sets.len().div_ceil(buckets);
    let mut held: Vec<Vec<usize>> = vec![Vec::new(); buckets];
    // What each bucket lets through now (nothing, while it is empty).
    let mut held_breadth = vec![0.0; buckets];
    let mut placed: Vec<Vec<usize>> = vec![Vec::new(); buckets];
    for (s, set) in sets.iter().enumerate() {
        let (widened, best) = (0..buckets)
            .filter(|&b| placed[b].len() < share)
            .map(|b| {
                let with: Vec<usize> = held[b].iter().chain(set).copied().collect();
                (breadth(&with), b)
            })
            .min_by(|x, y| (x.0 - held_breadth[x.1]).total_cmp(&(y.0 - held_breadth[y.1])))
            .expect("the shares cover every set");
        held_breadth[best] = widened;
        held[best].extend(set);
        placed[best].push(s);
    }
    // aho-corasick puts the first trigger of a new set at index i into bucket `buckets-1 - i %
    // buckets`; the other triggers of a set follow it wherever they come. Which bucket is which
    // does not matter, so the fullest are taken first, and a slot left over is only ever after
    // some trigger to repeat.
    placed.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut order: Vec<usize> = Vec::new();
    let mut followers: Vec<usize> = Vec::new();
    let mut next = vec![0; buckets];
    while next.iter().zip(&placed).any(|(n, p)| *n < p.len()) {
        let b = order.len() % buckets;
        match placed[b].get(next[b]) {
            Some(&s) => {
                next[b] += 1;
                order.push(sets[s][0]);
                followers.extend(&sets[s][1..]);
            }
            None => order.push(followers.pop().unwrap_or(order[0])),
        }
    }
    order.extend(followers);
    if order.len() > TEDDY_MAX || (order.len() > 32) != (triggers.len() > 32) {
        return plain;
    }
    order
}

/// Whether `a` (the rest of a trigger from some offset on) and trigger `b` agree where both
/// have bytes, so that `b` can start where `a` does.
fn overlaps(a: &[u8], b: &[u8]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_a_bucket_accepts_is_counted_as_byte_by_byte() {
        let by_byte = |lo: u16, hi: u16| -> f64 {
            (0..=255u8)
                .filter(|b| lo >> (b & 0xf) & 1 == 1 && hi >> (b >> 4) & 1 == 1)
                .map(|b| if b.is_ascii_lowercase() { 8.0 } else { 1.0 })
                .sum()
        };
        let masks = [0u16, 1, 0x8000, 0xfffe, 0x07ff, 0xffff, 0x00c0, 0x0041, 0x1234, 0xa5a5, 0x0800];
        for lo in masks {
            for hi in masks {
                assert_eq!(accepted(lo, hi), by_byte(lo, hi), "lo {lo:#06x} hi {hi:#06x}");
            }
        }
    }

    use super::*;

    #[test]
    fn the_order_holds_every_trigger() {
        let builtin = &crate::testdata::detectors().triggers()[..];
        let sets: &[&[&str]] = &[builtin, &["pass"], &["pass", "PASS", "Pass"], &["abc", "abcd", "xyz1", "ab-c"]];
        for triggers in sets {
            let order = teddy_order(triggers);
            let mut seen: Vec<usize> = order.clone();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen, (0..triggers.len()).collect::<Vec<_>>(), "{triggers:?}");
            assert!(order.len() <= 64);
        }
    }

    #[test]
    fn every_trigger_is_found_and_runs_its_detectors() {
        let triggers = ["pass", "assword", "sk-", "k-l", "ghp_", "PASS"];
        let owners = (0..triggers.len()).map(|i| vec![i]).collect();
        let gate = Gate::new(&triggers, owners).unwrap();
        for (i, t) in triggers.iter().enumerate() {
            for text in [t.to_string(), format!("x {t} y"), format!("{t}{t}")] {
                let mut on = vec![false; triggers.len()];
                for hit in gate.find_iter(text.as_bytes(), 0) {
                    gate.mark(&hit, text.as_bytes(), text.len(), &mut on);
                }
                assert!(on[i], "{t} in {text:?}");
                let mut each = vec![false; triggers.len()];
                gate.mark_line(text.as_bytes(), &mut each);
                assert!(each[i], "{t} in {text:?}, line by line");
            }
        }
        // One match hides another: `password` is found as `pass`, `ask-l` as `sk-`.
        let mut on = vec![false; triggers.len()];
        let text = b"password ask-l";
        for hit in gate.find_iter(text, 0) {
            gate.mark(&hit, text, text.len(), &mut on);
        }
        assert!(on[0] && on[1] && on[2] && on[3]);
    }

    /// What the search marks in a piece is exactly the triggers wholly inside it, checked one by
    /// one: a trigger one match hides counts only when it is there, and one hidden by a match
    /// that the end of the piece cuts still counts. Multibyte triggers are bytes like any other.
    #[test]
    fn the_search_marks_exactly_the_triggers_in_the_piece() {
        let triggers = ["pass", "assword", "sk-", "k-l", "ghp_", "PASS", "ss", "c", "bécéa", "é-x", "aa"];
        let owners = (0..triggers.len()).map(|i| vec![i]).collect();
        let gate = Gate::new(&triggers, owners).unwrap();
        let texts = [
            "passed",
            "password",
            "passk-l",
            "pask-",
            "ghp_x PASS",
            "asswor",
            "sk-l",
            "pass ss",
            "xbécéaaa",
            "é-x c",
            "aaaa",
        ];
        for text in texts.map(str::as_bytes) {
            for end in 1..=text.len() {
                let mut scanned = vec![false; triggers.len()];
                for hit in gate.find_iter(text, 0).take_while(|h| h.start < end) {
                    gate.mark(&hit, text, end, &mut scanned);
                }
                let there: Vec<bool> =
                    triggers.iter().map(|t| text[..end].windows(t.len()).any(|w| w == t.as_bytes())).collect();
                assert_eq!(scanned, there, "{:?} up to byte {end}", String::from_utf8_lossy(text));
            }
        }
    }
}
