//! The pieces of a form that pages share: text fields as `lookup_field.html` draws them, the
//! error summary that links to them, and a form that carries only its token.

use serde::Deserialize;

/// A text field, as `lookup_field.html` draws it: label, hint, error and input.
#[derive(Debug, Default)]
pub(crate) struct Field {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) hint: String,
    pub(crate) value: String,
    /// The input's type: `text`, `search`, `datetime-local`…
    pub(crate) kind: &'static str,
    pub(crate) inputmode: &'static str,
    pub(crate) placeholder: &'static str,
    pub(crate) error: Option<String>,
}

impl Field {
    pub(crate) fn text(id: impl Into<String>, name: impl Into<String>, label: String) -> Self {
        Self { id: id.into(), name: name.into(), label, kind: "text", ..Self::default() }
    }

    pub(crate) fn hint(mut self, hint: String) -> Self {
        self.hint = hint;
        self
    }

    pub(crate) fn value(mut self, value: &str) -> Self {
        value.clone_into(&mut self.value);
        self
    }
}

/// A line of the error summary at the top of a page, linking to its field.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) field: String,
    pub(crate) message: String,
}

/// The summary of every field's error, in the order of the fields.
pub(crate) fn summary<'a>(fields: impl IntoIterator<Item = &'a Field>) -> Vec<Summary> {
    fields
        .into_iter()
        .filter_map(|f| {
            f.error.as_ref().map(|m| Summary { field: f.id.clone(), message: m.clone() })
        })
        .collect()
}

/// A form that carries only its token: the buttons that follow, close, delete.
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: Option<String>,
}
