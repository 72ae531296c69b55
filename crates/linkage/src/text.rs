//! String normalisation, similarity measures and phonetic codes.
//!
//! All measures work on bytes: input is normalised to upper-case ASCII first
//! (non-ASCII bytes are kept and compared as bytes).

/// Trim, upper-case ASCII and collapse runs of whitespace to one space.
pub fn normalise(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    words_into(raw, &mut out, |_| true);
    out
}

/// Letters only (for phonetic codes and name keys).
fn letters(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_uppercase())
        .collect()
}

/// Jaro similarity in [0, 1].
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() <= 64 {
        jaro_short(a, b)
    } else {
        jaro_long(a, b)
    }
}

/// Jaro for strings of at most 64 bytes: match flags in bit masks.
fn jaro_short(a: &[u8], b: &[u8]) -> f64 {
    let window = (b.len() / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
            if b_flags & (1 << j) == 0 && cb == ca {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut bf = b_flags;
    let mut af = a_flags;
    while af != 0 {
        let i = af.trailing_zeros() as usize;
        let j = bf.trailing_zeros() as usize;
        if a[i] != b[j] {
            transpositions += 1;
        }
        af &= af - 1;
        bf &= bf - 1;
    }
    jaro_value(matches, transpositions, a.len(), b.len())
}

fn jaro_value(matches: usize, transpositions: usize, la: usize, lb: usize) -> f64 {
    let m = matches as f64;
    let t = (transpositions / 2) as f64;
    (m / la as f64 + m / lb as f64 + (m - t) / m) / 3.0
}

fn jaro_long(a: &[u8], b: &[u8]) -> f64 {
    let window = (b.len() / 2).saturating_sub(1);
    let mut a_flags = vec![false; a.len()];
    let mut b_flags = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_flags[j] && b[j] == ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags[i] {
            while !b_flags[j] {
                j += 1;
            }
            if ca != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    jaro_value(matches, transpositions, a.len(), b.len())
}

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters,
/// boost applied when the Jaro similarity exceeds 0.7).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let j = jaro(a, b);
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

/// Damerau–Levenshtein distance (optimal string alignment), capped: returns
/// `cap + 1` as soon as the distance is known to exceed `cap`.
pub fn damerau_levenshtein_capped(a: &[u8], b: &[u8], cap: usize) -> usize {
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    if a == b {
        return 0;
    }
    const N: usize = 48;
    let n = b.len();
    if n + 1 > N {
        return dl_rows(
            a,
            b,
            cap,
            &mut vec![0; n + 1],
            &mut vec![0; n + 1],
            &mut vec![0; n + 1],
        );
    }
    let (mut r0, mut r1, mut r2) = ([0usize; N], [0usize; N], [0usize; N]);
    dl_rows(a, b, cap, &mut r0[..=n], &mut r1[..=n], &mut r2[..=n])
}

fn dl_rows(
    a: &[u8],
    b: &[u8],
    cap: usize,
    prev2: &mut [usize],
    prev: &mut [usize],
    cur: &mut [usize],
) -> usize {
    let n = b.len();
    for (j, x) in prev.iter_mut().enumerate() {
        *x = j;
    }
    let (mut prev2, mut prev, mut cur) = (prev2, prev, cur);
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > cap {
            return cap + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n].min(cap + 1)
}

/// American Soundex (letter + three digits); empty when there are no letters.
pub fn soundex(s: &str) -> String {
    fn code(c: u8) -> u8 {
        match c {
            b'B' | b'F' | b'P' | b'V' => b'1',
            b'C' | b'G' | b'J' | b'K' | b'Q' | b'S' | b'X' | b'Z' => b'2',
            b'D' | b'T' => b'3',
            b'L' => b'4',
            b'M' | b'N' => b'5',
            b'R' => b'6',
            b'H' | b'W' => b'h',
            _ => b'0',
        }
    }
    let l = letters(s);
    let Some(&first) = l.first() else {
        return String::new();
    };
    let mut out = vec![first];
    let mut last = code(first);
    for &c in &l[1..] {
        let d = code(c);
        if d == b'h' {
            continue;
        }
        if d != b'0' && d != last {
            out.push(d);
            if out.len() == 4 {
                break;
            }
        }
        last = d;
    }
    while out.len() < 4 {
        out.push(b'0');
    }
    String::from_utf8(out).unwrap_or_default()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'A' | b'E' | b'I' | b'O' | b'U')
}

/// NYSIIS phonetic code (the original algorithm, truncated to 6 characters).
pub fn nysiis(s: &str) -> String {
    let mut w = letters(s);
    if w.is_empty() {
        return String::new();
    }
    // Prefixes.
    let prefix_map: [(&[u8], &[u8]); 6] = [
        (b"MAC", b"MCC"),
        (b"KN", b"NN"),
        (b"K", b"C"),
        (b"PH", b"FF"),
        (b"PF", b"FF"),
        (b"SCH", b"SSS"),
    ];
    for (from, to) in prefix_map {
        if w.starts_with(from) {
            w.splice(0..from.len(), to.iter().copied());
            break;
        }
    }
    // Suffixes.
    let suffix_map: [(&[u8], &[u8]); 7] = [
        (b"EE", b"Y"),
        (b"IE", b"Y"),
        (b"DT", b"D"),
        (b"RT", b"D"),
        (b"RD", b"D"),
        (b"NT", b"D"),
        (b"ND", b"D"),
    ];
    for (from, to) in suffix_map {
        if w.ends_with(from) {
            let at = w.len() - from.len();
            w.truncate(at);
            w.extend_from_slice(to);
            break;
        }
    }
    // Translate in place (every replacement keeps the length), so "the
    // previous character" is the already translated one.
    let mut key = vec![w[0]];
    let mut i = 1;
    while i < w.len() {
        let c = w[i];
        let rest = &w[i..];
        let rep: &[u8] = if rest.starts_with(b"EV") {
            b"AF"
        } else if is_vowel(c) {
            b"A"
        } else if c == b'Q' {
            b"G"
        } else if c == b'Z' {
            b"S"
        } else if c == b'M' {
            b"N"
        } else if rest.starts_with(b"KN") {
            b"NN"
        } else if c == b'K' {
            b"C"
        } else if rest.starts_with(b"SCH") {
            b"SSS"
        } else if rest.starts_with(b"PH") {
            b"FF"
        } else if (c == b'H' && (!is_vowel(w[i - 1]) || i + 1 == w.len() || !is_vowel(w[i + 1])))
            || (c == b'W' && is_vowel(w[i - 1]))
        {
            std::slice::from_ref(&w[i - 1])
        } else {
            std::slice::from_ref(&w[i])
        };
        let rep = rep.to_vec();
        w[i..i + rep.len()].copy_from_slice(&rep);
        for &r in &rep {
            if key.last() != Some(&r) {
                key.push(r);
            }
        }
        i += rep.len();
    }
    if key.len() > 1 && key.last() == Some(&b'S') {
        key.pop();
    }
    if key.len() > 2 && key.ends_with(b"AY") {
        let n = key.len();
        key.splice(n - 2..n, [b'Y']);
    }
    if key.len() > 1 && key.last() == Some(&b'A') {
        key.pop();
    }
    key.truncate(6);
    String::from_utf8(key).unwrap_or_default()
}

/// Street-type and direction abbreviations, long form to short form.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("STREET", "ST"),
    ("AVENUE", "AVE"),
    ("ROAD", "RD"),
    ("DRIVE", "DR"),
    ("LANE", "LN"),
    ("COURT", "CT"),
    ("BOULEVARD", "BLVD"),
    ("PLACE", "PL"),
    ("CIRCLE", "CIR"),
    ("CIRCUIT", "CCT"),
    ("CRESCENT", "CRES"),
    ("TERRACE", "TCE"),
    ("HIGHWAY", "HWY"),
    ("MOUNTAIN", "MTN"),
    ("HEIGHTS", "HTS"),
    ("EXTENSION", "EXT"),
    ("PARKWAY", "PKWY"),
    ("CREEK", "CRK"),
    ("TURNPIKE", "TPKE"),
    ("SQUARE", "SQ"),
    ("NORTH", "N"),
    ("SOUTH", "S"),
    ("EAST", "E"),
    ("WEST", "W"),
    ("APARTMENT", "APT"),
    ("SUITE", "STE"),
];

const UNIT_WORDS: &[&str] = &["APT", "STE", "UNIT", "#", "FLAT", "LOT", "RM"];

/// Append the words of `raw` kept by `keep` (other characters dropped,
/// whitespace separating words), upper-cased and joined by single spaces.
pub fn words_into(raw: &str, out: &mut String, keep: impl Fn(char) -> bool) {
    let start = out.len();
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_space = out.len() > start;
        } else if keep(c) {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c.to_ascii_uppercase());
        }
    }
}

/// Append the canonical form of an address: punctuation removed, street
/// words abbreviated; with `core_only`, without an apartment/suite/unit part.
pub fn address_into(raw: &str, out: &mut String, core_only: bool) {
    let start = out.len();
    for word in raw
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .filter(|w| !w.is_empty())
    {
        let short = ABBREVIATIONS
            .iter()
            .find(|(long, _)| long.eq_ignore_ascii_case(word))
            .map(|(_, s)| *s);
        let is_unit = match short {
            Some(s) => UNIT_WORDS.contains(&s),
            None => UNIT_WORDS.iter().any(|u| u.eq_ignore_ascii_case(word)),
        };
        if is_unit && core_only {
            break;
        }
        if out.len() > start {
            out.push(' ');
        }
        match short {
            Some(s) => out.push_str(s),
            None => out.extend(word.chars().map(|c| c.to_ascii_uppercase())),
        }
    }
}

/// Canonical address: (full form, form without an apartment/suite/unit part).
pub fn address_forms(s: &str) -> (String, String) {
    let (mut full, mut core) = (String::new(), String::new());
    address_into(s, &mut full, false);
    address_into(s, &mut core, true);
    (full, core)
}

/// 64-bit FNV-1a hash; 0 is reserved for "no key" and never returned.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

/// Combine two key hashes (order-sensitive); 0 if either is 0.
pub fn combine(a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        return 0;
    }
    let mut h = a ^ b.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^= h >> 31;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (h ^ (h >> 27)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_jaro_winkler_values() {
        assert!((jaro_winkler(b"MARTHA", b"MARHTA") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"DWAYNE", b"DUANE") - 0.84).abs() < 1e-3);
        assert!((jaro_winkler(b"DIXON", b"DICKSONX") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler(b"ABC", b"ABC"), 1.0);
        assert_eq!(jaro_winkler(b"ABC", b"XYZ"), 0.0);
    }

    #[test]
    fn known_damerau_levenshtein_values() {
        assert_eq!(damerau_levenshtein_capped(b"SMITH", b"SMITH", 2), 0);
        assert_eq!(damerau_levenshtein_capped(b"SMITH", b"SMIHT", 2), 1);
        assert_eq!(damerau_levenshtein_capped(b"SMITH", b"SMYTHE", 2), 2);
        assert_eq!(damerau_levenshtein_capped(b"SMITH", b"JONES", 2), 3);
        assert_eq!(damerau_levenshtein_capped(b"", b"AB", 2), 2);
    }

    #[test]
    fn phonetic_codes() {
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Rupert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261");
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(nysiis("JOHNSON"), nysiis("JONSON"));
        assert_eq!(nysiis("KNIGHT"), nysiis("NIGHT"));
        assert_eq!(nysiis("MACKENZIE"), nysiis("MCKENZIE"));
        assert!(!nysiis("SMITH").is_empty());
        assert_eq!(nysiis(""), "");
    }

    #[test]
    fn address_canonical_forms() {
        let (full, core) = address_forms("2878 Taylor Street Apt. 028");
        assert_eq!(full, "2878 TAYLOR ST APT 028");
        assert_eq!(core, "2878 TAYLOR ST");
        assert_eq!(address_forms("2878 TAYLOR ST").0, core);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn short_and_long_jaro_agree(a in "[A-F]{1,20}", b in "[A-F]{1,20}") {
            let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            prop_assert!((jaro_short(a.as_bytes(), b.as_bytes()) - jaro_long(a.as_bytes(), b.as_bytes())).abs() < 1e-12);
        }
    }
}
