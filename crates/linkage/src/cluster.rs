//! Dedupe clustering: connected components of pairs above a threshold, joined
//! strongest pair first, never letting a cluster grow past a size limit (so a
//! chain of weak links cannot glue unrelated people together).

use crate::model::ScoredPair;

/// Cluster ids (the smallest row index in each cluster) for `n` records.
pub fn connected_components(
    n: usize,
    pairs: &[ScoredPair],
    threshold: f64,
    max_size: usize,
) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut size: Vec<u32> = vec![1; n];
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let p = parent[x as usize];
            parent[x as usize] = parent[p as usize];
            x = p;
        }
        x
    }
    let mut order: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| p.match_probability >= threshold)
        .collect();
    order.sort_by(|a, b| {
        b.match_weight
            .total_cmp(&a.match_weight)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
    for p in order {
        let (a, b) = (find(&mut parent, p.left), find(&mut parent, p.right));
        if a == b || (size[a as usize] + size[b as usize]) as usize > max_size {
            continue;
        }
        let (root, child) = if a < b { (a, b) } else { (b, a) };
        parent[child as usize] = root;
        size[root as usize] += size[child as usize];
    }
    (0..n as u32).map(|x| find(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(left: u32, right: u32, p: f64) -> ScoredPair {
        ScoredPair {
            left,
            right,
            pattern: 0,
            match_weight: p,
            match_probability: p,
        }
    }

    #[test]
    fn components_with_size_guard() {
        let pairs = [
            pair(0, 1, 0.9),
            pair(1, 2, 0.8),
            pair(3, 4, 0.4),
            pair(2, 3, 0.6),
        ];
        assert_eq!(
            connected_components(5, &pairs, 0.5, 100),
            vec![0, 0, 0, 0, 4]
        );
        // With clusters capped at 3 the weakest link (2-3) is refused.
        assert_eq!(connected_components(5, &pairs, 0.5, 3), vec![0, 0, 0, 3, 4]);
    }
}
