//! Tests of ketnoi-media against files made in code (`fixtures`) and against real files made
//! by ImageMagick and exiftool (`tests/fixtures/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixtures;
mod inspect;
mod jpeg;
mod png;
mod real_files;
mod robustness;
mod types;
mod webp;
