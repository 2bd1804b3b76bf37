//! Markdown to HTML that is safe to put in a page: no script, no event handlers, no
//! `javascript:` links, whatever the author typed.

use pulldown_cmark::{html, Options, Parser};

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer nofollow")).clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_ordinary_markdown() {
        let html = render("# Plan\n\n- **bold** and `code`\n- [docs](https://example.com)");
        assert!(html.contains("<h1>Plan</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<code>code</code>"));
        assert!(html.contains(r#"href="https://example.com""#));
        assert!(html.contains("noopener"));
    }

    #[test]
    fn strips_script_elements() {
        let html = render("hello <script>alert(1)</script> world");
        assert!(!html.to_lowercase().contains("<script"));
        assert!(!html.contains("alert(1)</script>"));
    }

    #[test]
    fn strips_event_handler_attributes() {
        for payload in [
            r#"<img src="x" onerror="alert(1)">"#,
            r#"<a href="/" onclick="alert(1)">x</a>"#,
            r#"<svg onload="alert(1)"></svg>"#,
            r#"<div onmouseover='alert(1)'>x</div>"#,
        ] {
            let html = render(payload).to_lowercase();
            assert!(!html.contains("onerror") && !html.contains("onclick"), "{payload} → {html}");
            assert!(!html.contains("onload") && !html.contains("onmouseover"), "{payload} → {html}");
        }
    }

    #[test]
    fn strips_javascript_urls_in_links_and_markdown() {
        for payload in [
            "[x](javascript:alert(1))",
            r#"<a href="javascript:alert(1)">x</a>"#,
            r#"<iframe src="javascript:alert(1)"></iframe>"#,
        ] {
            let html = render(payload).to_lowercase();
            assert!(!html.contains("javascript:"), "{payload} → {html}");
            assert!(!html.contains("<iframe"), "{payload} → {html}");
        }
    }

    #[test]
    fn strips_style_and_form_elements() {
        let html = render(r#"<style>body{display:none}</style><form action="/x"><input name="a"></form>"#);
        assert!(!html.contains("<style") && !html.contains("<form") && !html.contains("<input"));
    }
}
