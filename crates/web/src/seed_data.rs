//! Stub.
use crate::error::AppError;
use handoff_store::Store;

#[derive(Debug, Default, Clone)]
pub struct Report {
    pub participants: usize,
    pub contacts: usize,
}

pub async fn populate(_store: &Store) -> Result<Report, AppError> {
    Ok(Report::default())
}
