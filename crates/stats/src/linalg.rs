//! Small dense solves for `k × k` systems (k = number of model columns).

use nalgebra::{DMatrix, DVector};

/// Symmetric `k × k` matrix from a row-major slice, mirroring the lower triangle.
pub(crate) fn sym(k: usize, a: &[f64]) -> DMatrix<f64> {
    DMatrix::from_fn(k, k, |i, j| if i >= j { a[i * k + j] } else { a[j * k + i] })
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
    x.iter().all(|v| v.is_finite()).then(|| x.as_slice().to_vec())
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
