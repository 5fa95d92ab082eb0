//! ketnoi-server
