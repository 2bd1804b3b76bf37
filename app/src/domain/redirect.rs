//! Where to go after signing in: only a path on this site, never another origin.

/// `next` if it is a path on this site, else the project list.
///
/// Browsers read `//evil.example`, `/\evil.example` and `https:evil.example` as other
/// sites, so only a single leading `/` followed by something that is not a slash or a
/// backslash passes; control characters and backslashes anywhere are refused too.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|path| is_local_path(path)).unwrap_or("/").to_owned()
}

fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2048
        && !path.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for good in ["/", "/tasks/0193", "/projects/1?status=todo#x"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https:evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            " /tasks",
            "/\t/evil.example",
            "/tasks\n",
            "",
            "tasks",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
