//! A name index for search: which persons' names could match a typed name,
//! without comparing the name with every person. Names are kept as a
//! vocabulary — each distinct word and each distinct whole name once, with
//! the persons who bear it — so a query compares itself with the site's
//! distinct names (a few thousand even for tens of thousands of persons)
//! and returns only the persons of those that match. Dates of birth are
//! looked up by key: the typed date and every date one character away.
//!
//! The caller's similarity and threshold decide, so the candidates are
//! exactly the persons whose names the caller's own scoring would accept
//! (every word of the query close to some word of a name, or the whole
//! query close to a whole name); the caller then scores and filters them
//! as before. Pure: no I/O, no clock.
//!
//! [`Recent`] keeps a bounded number of such indexes (one per site), the
//! most recently used first.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// The names of a site's persons. `K` is the person's key.
#[derive(Debug, Clone)]
pub struct NameIndex<K> {
    keys: Vec<K>,
    words: HashMap<String, Vec<u32>>,
    names: HashMap<String, Vec<u32>>,
    dobs: HashMap<String, Vec<u32>>,
    /// Every character of a stored date, by position (for one-off dates).
    date_chars: Vec<Vec<char>>,
}

impl<K: Copy + Eq + Hash> NameIndex<K> {
    /// Builds the index from each person's key, normalised names (whole
    /// names; their words are indexed too) and date of birth.
    pub fn build(persons: impl IntoIterator<Item = (K, Vec<String>, Option<String>)>) -> Self {
        let mut ix = NameIndex {
            keys: Vec::new(),
            words: HashMap::new(),
            names: HashMap::new(),
            dobs: HashMap::new(),
            date_chars: Vec::new(),
        };
        for (key, names, dob) in persons {
            ix.add(key, names, dob);
        }
        ix
    }

    /// Adds one person (or more names of a person already indexed).
    pub fn add(&mut self, key: K, names: Vec<String>, dob: Option<String>) {
        let slot = self.keys.len() as u32;
        self.keys.push(key);
        let post = |m: &mut HashMap<String, Vec<u32>>, s: &str| {
            let v = m.entry(s.to_string()).or_default();
            if v.last() != Some(&slot) {
                v.push(slot);
            }
        };
        for n in names.iter().filter(|n| !n.is_empty()) {
            post(&mut self.names, n);
            for w in n.split_whitespace() {
                post(&mut self.words, w);
            }
        }
        if let Some(d) = dob.filter(|d| !d.is_empty()) {
            for (i, ch) in d.chars().enumerate() {
                if self.date_chars.len() <= i {
                    self.date_chars.push(Vec::new());
                }
                if !self.date_chars[i].contains(&ch) {
                    self.date_chars[i].push(ch);
                }
            }
            post(&mut self.dobs, &d);
        }
    }

    /// How many entries (persons, or additions) the index holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The persons one of whose names could match the normalised `query`:
    /// each word of the query scores at least `threshold` against some word
    /// of the person's names, or the whole query against a whole name or
    /// a single word.
    pub fn by_name(
        &self,
        query: &str,
        threshold: f64,
        score: impl Fn(&str, &str) -> f64,
    ) -> HashSet<K> {
        let mut out: HashSet<u32> = HashSet::new();
        // Per word: the intersection over the query's words of the persons
        // bearing a close word.
        let mut per_word: Option<HashSet<u32>> = None;
        for w in query.split_whitespace() {
            let close: HashSet<u32> = self
                .words
                .iter()
                .filter(|(v, _)| score(w, v) >= threshold)
                .flat_map(|(_, slots)| slots.iter().copied())
                .collect();
            per_word = Some(match per_word {
                None => close,
                Some(prev) => prev.intersection(&close).copied().collect(),
            });
        }
        out.extend(per_word.unwrap_or_default());
        // Whole: the query against every whole name and every word.
        for (v, slots) in self.names.iter().chain(self.words.iter()) {
            if score(query, v) >= threshold {
                out.extend(slots.iter().copied());
            }
        }
        out.into_iter().map(|s| self.keys[s as usize]).collect()
    }

    /// The persons born on `date` or on a date differing from it in one
    /// character (a typo).
    pub fn by_date(&self, date: &str) -> HashSet<K> {
        let mut out = HashSet::new();
        let mut take = |d: &str| {
            if let Some(slots) = self.dobs.get(d) {
                out.extend(slots.iter().map(|s| self.keys[*s as usize]));
            }
        };
        take(date);
        let chars: Vec<char> = date.chars().collect();
        for (i, own) in chars.iter().enumerate() {
            for ch in self.date_chars.get(i).into_iter().flatten() {
                if ch != own {
                    let mut c = chars.clone();
                    c[i] = *ch;
                    take(&c.into_iter().collect::<String>());
                }
            }
        }
        out
    }
}

/// A bounded map that keeps the `cap` most recently used values: a read or
/// an insert makes a key the most recent, and an insert beyond `cap`
/// evicts the least recent.
#[derive(Debug)]
pub struct Recent<K, V> {
    cap: usize,
    tick: u64,
    map: HashMap<K, (u64, V)>,
}

impl<K: Eq + Hash + Clone, V: Clone> Recent<K, V> {
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            tick: 0,
            map: HashMap::new(),
        }
    }

    pub fn get(&mut self, k: &K) -> Option<V> {
        self.tick += 1;
        let t = self.tick;
        self.map.get_mut(k).map(|(used, v)| {
            *used = t;
            v.clone()
        })
    }

    pub fn insert(&mut self, k: K, v: V) {
        self.tick += 1;
        self.map.insert(k, (self.tick, v));
        while self.map.len() > self.cap {
            let Some(oldest) = self
                .map
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.map.remove(&oldest);
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> f64 {
        if a == b { 1.0 } else { 0.0 }
    }

    #[test]
    fn finds_by_word_whole_name_and_near_date() {
        let ix = NameIndex::build([
            (
                1,
                vec!["dana reyes".into(), "dana".into(), "reyes".into()],
                Some("1988-04-02".into()),
            ),
            (2, vec!["lee park".into()], Some("1990-01-01".into())),
        ]);
        assert_eq!(ix.by_name("reyes", 0.9, same), HashSet::from([1]));
        assert_eq!(ix.by_name("dana reyes", 0.9, same), HashSet::from([1]));
        assert_eq!(ix.by_name("park lee", 0.9, same), HashSet::from([2]));
        assert!(ix.by_name("dana park", 0.9, same).is_empty());
        assert_eq!(ix.by_date("1988-04-03"), HashSet::from([1]));
        assert!(ix.by_date("1988-05-03").is_empty());
    }

    #[test]
    fn recent_keeps_the_most_recently_used() {
        let mut r = Recent::new(2);
        r.insert("a", 1);
        r.insert("b", 2);
        assert_eq!(r.get(&"a"), Some(1));
        r.insert("c", 3);
        assert_eq!(
            (r.get(&"a"), r.get(&"b"), r.get(&"c")),
            (Some(1), None, Some(3))
        );
        assert_eq!(r.len(), 2);
    }
}
