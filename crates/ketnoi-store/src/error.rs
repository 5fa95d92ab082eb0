/// What can go wrong in storage.
///
/// `Conflict`, `NotFound` and `MissingReference` are the caller's fault (the server answers 409,
/// 404 and 422); the rest are ours.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique field already holds that value.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The thing to change does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A reference (area, agency, parent) points at nothing.
    #[error("{0} refers to something that does not exist")]
    MissingReference(&'static str),
    /// The database URL names no backend ketnoi has.
    #[error("unsupported database URL: use sqlite://PATH or postgres://…")]
    UnsupportedUrl,
    /// A stored value no longer parses: the database was edited by hand or is damaged.
    #[error("stored value is invalid: {0}")]
    Corrupt(#[from] ketnoi_core::InvalidInput),
    /// The database failed.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the error is the caller's fault rather than ours.
    pub fn is_user_fault(&self) -> bool {
        matches!(self, Self::Conflict(_) | Self::NotFound(_) | Self::MissingReference(_))
    }
}

/// Turns unique and foreign-key violations into the caller's errors, naming what clashed.
pub(crate) fn classify(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::MissingReference(what)
        }
        _ => StoreError::Database(e),
    }
}
