//! The OpenAPI document is a contract with integrators: it changes only on purpose, in a commit
//! that shows the change to `docs/openapi.json`.

use std::path::Path;

#[test]
fn the_openapi_document_matches_the_committed_copy() {
    let doc = serde_json::to_string_pretty(&ketnoi_server::openapi_document())
        .unwrap_or_else(|e| panic!("the document does not serialise: {e}"))
        + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("KETNOI_UPDATE_OPENAPI").is_some() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI never rewrites the contract");
        std::fs::write(&path, &doc).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (write it with KETNOI_UPDATE_OPENAPI=1)", path.display())
    });
    if committed != doc {
        let first = committed.lines().zip(doc.lines()).position(|(a, b)| a != b);
        panic!(
            "the OpenAPI document differs from docs/openapi.json (first at line {}); if the \
             change is meant, rerun with KETNOI_UPDATE_OPENAPI=1 and commit the file",
            first.map_or_else(|| "end".to_owned(), |n| (n + 1).to_string())
        );
    }
}
