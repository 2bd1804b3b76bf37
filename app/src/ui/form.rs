//! Reading a submitted form's fields.

use leptos::ev::SubmitEvent;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement};

/// The fields of a submitted form; the default submission is prevented.
pub struct FormValues(Option<FormData>);

impl FormValues {
    pub fn from_submit(ev: &SubmitEvent) -> Self {
        ev.prevent_default();
        let form = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok());
        Self(form.and_then(|f| FormData::new_with_form(&f).ok()))
    }

    pub fn get(&self, name: &str) -> String {
        self.0.as_ref().and_then(|d| d.get(name).as_string()).unwrap_or_default()
    }

    pub fn get_all(&self, name: &str) -> Vec<String> {
        self.0.as_ref().map(|d| d.get_all(name).iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default()
    }

    /// `None` when the field is empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.trim().is_empty())
    }
}

/// "a, b ,c" → ["a", "b", "c"].
pub fn split_labels(value: &str) -> Vec<String> {
    value.split(',').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect()
}
