//! ketnoi-store
