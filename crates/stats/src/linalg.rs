//! Small dense solves for `k × k` systems (k = number of model columns).

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// Rows per parallel work unit. Chunks are fixed and summed in order, so
/// results do not depend on the number of threads.
const CHUNK: usize = 8192;

/// Sums per-row contributions `f(acc, i)` into a vector of length `len`,
/// over fixed row chunks in parallel, adding the chunk sums in chunk order.
pub(crate) fn par_sum(n: usize, len: usize, f: impl Fn(&mut [f64], usize) + Sync) -> Vec<f64> {
    let parts: Vec<Vec<f64>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut acc = vec![0.0; len];
            for i in c * CHUNK..n.min((c + 1) * CHUNK) {
                f(&mut acc, i);
            }
            acc
        })
        .collect();
    let mut total = vec![0.0; len];
    for p in parts {
        total.iter_mut().zip(p).for_each(|(t, v)| *t += v);
    }
    total
}

/// Applies `f(i, a_i, b_i)` to every row of two equally long slices in parallel.
pub(crate) fn par_update(
    a: &mut [f64],
    b: &mut [f64],
    f: impl Fn(usize, &mut f64, &mut f64) + Sync,
) {
    a.par_chunks_mut(CHUNK)
        .zip(b.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, (ca, cb))| {
            for (j, (x, y)) in ca.iter_mut().zip(cb.iter_mut()).enumerate() {
                f(c * CHUNK + j, x, y);
            }
        });
}

/// Symmetric `k × k` matrix from a row-major slice, mirroring the lower triangle.
pub(crate) fn sym(k: usize, a: &[f64]) -> DMatrix<f64> {
    DMatrix::from_fn(
        k,
        k,
        |i, j| if i >= j { a[i * k + j] } else { a[j * k + i] },
    )
}

/// Cholesky factor, rejected when a pivot is negligible relative to its
/// diagonal entry (numerically rank-deficient).
fn cholesky(a: &DMatrix<f64>) -> Option<nalgebra::Cholesky<f64, nalgebra::Dyn>> {
    let c = a.clone().cholesky()?;
    let l = c.l_dirty();
    let ok = (0..a.nrows()).all(|j| l[(j, j)] * l[(j, j)] > 1e-13 * a[(j, j)].abs());
    ok.then_some(c)
}

/// Whether `A` is numerically singular (relative pivot test on LU).
fn lu_singular(a: &DMatrix<f64>) -> bool {
    let lu = a.clone().lu();
    let u = lu.u();
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (0..a.nrows()).any(|j| u[(j, j)].abs() <= 1e-13 * scale)
}

/// Solves `A x = b` for symmetric positive definite `A` by Cholesky, falling
/// back to LU with partial pivoting; `None` when `A` is singular.
pub(crate) fn solve(a: &DMatrix<f64>, b: &[f64]) -> Option<Vec<f64>> {
    let rhs = DVector::from_column_slice(b);
    let x = match cholesky(a) {
        Some(c) => c.solve(&rhs),
        None if lu_singular(a) => return None,
        None => a.clone().lu().solve(&rhs)?,
    };
    x.iter()
        .all(|v| v.is_finite())
        .then(|| x.as_slice().to_vec())
}

/// Inverse of a symmetric positive definite matrix by Cholesky (row-major).
/// Returns `(inverse, positive_definite)`; falls back to LU when Cholesky fails.
pub(crate) fn spd_inverse(a: &DMatrix<f64>) -> Option<(Vec<f64>, bool)> {
    let k = a.nrows();
    let (inv, pd) = match cholesky(a) {
        Some(c) => (c.inverse(), true),
        None if lu_singular(a) => return None,
        None => (a.clone().try_inverse()?, false),
    };
    if inv.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(((0..k * k).map(|idx| inv[(idx / k, idx % k)]).collect(), pd))
}

/// The sandwich `A M A` of a symmetric row-major `k × k` bread `a` (already
/// inverted) and a meat whose lower triangle is in the row-major `meat`.
pub(crate) fn sandwich(k: usize, a: &[f64], meat: &[f64]) -> Vec<f64> {
    let a = DMatrix::from_row_slice(k, k, a);
    let s = &a * sym(k, meat) * &a;
    (0..k * k).map(|i| s[(i / k, i % k)]).collect()
}

/// Adds `w · x xᵀ` to the lower triangle of the row-major `acc`.
#[inline]
pub(crate) fn add_outer(acc: &mut [f64], x: &[f64], w: f64) {
    let k = x.len();
    for i in 0..k {
        let wi = w * x[i];
        for j in 0..=i {
            acc[i * k + j] += wi * x[j];
        }
    }
}
