//! Helpers for reading client input.

use serde::{Deserialize, Deserializer};

/// Tells "field absent" (`None`) from "field set to null" (`Some(None)`) in a PATCH body.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Trims, and turns an empty string into `None`.
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub(crate) fn char_len(value: &str) -> usize {
    value.chars().count()
}
