//! Escaping for GitHub-flavoured Markdown, as cmark-gfm (GitHub's renderer of comments and job
//! summaries) reads it. Everything the markdown report prints from a snapshot (class, function,
//! property and script names, string contents, file names, budgets) goes through one of these,
//! so that it renders as the same text and never as markup: `Detached <li>` must not open a list
//! item, `validate* @ <eval>` must not lose `<eval>` as an unknown HTML tag, and a `|` must not
//! split a table cell.
//!
//! Two contexts need different rules. Outside code spans Markdown and HTML characters are
//! backslash-escaped or written as entities ([`text`]). Inside a code span nothing is
//! interpreted, so nothing can be escaped: the span's backtick fence is made longer than any run
//! of backticks in the text ([`code`]). In a table cell a `|` ends the cell even inside a code
//! span, so the table form of each ([`text`] always, [`cell_code`]) writes it as `\|`, which the
//! table extension turns back into `|` before it parses the cell's inlines.

/// Inline text, in a paragraph, heading or table cell: renders as exactly `s` (line breaks
/// become spaces, since they would end a table row or the paragraph).
///
/// - `<`, `>`, `&` become entities: no raw HTML, no `<…>` autolink, no entity of the text's own.
/// - `` \ ` * _ [ ] | ~ $ `` are backslash-escaped: no code span, emphasis, link, strikethrough
///   (GFM), cell end (GFM tables) or math (GitHub), and a `\` stays itself.
/// - At the start, `#`, `+`, `-`, `=` and the `.` or `)` of a number are escaped, so that the
///   text cannot start a heading, list or setext underline if it ever begins a line.
/// - GFM's extended autolinks are broken up: `://` becomes `\://`, `www.` becomes `www\.`, and
///   the `@` of an e-mail address is preceded by an empty HTML comment (cmark-gfm joins escaped
///   characters back into the text it scans for addresses; a comment is not text, and GitHub
///   removes it from the page).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let marker = block_marker_len(s);
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let rest = &s[i + c.len_utf8()..];
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            ':' if rest.starts_with("//") => out.push_str("\\:"),
            '.' if i >= 3 && s.as_bytes()[i - 3..i].eq_ignore_ascii_case(b"www") => {
                out.push_str("\\.")
            }
            '@' if prev.is_some_and(is_email_local) && rest.starts_with(is_alphanumeric) => {
                out.push_str("<!-- -->@")
            }
            _ if i + c.len_utf8() == marker => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// The byte length of a block marker at the start of `s` whose last character must be escaped
/// (`#`, `+`, `-`, `=`, or up to nine digits and `.` or `)`), or 0.
fn block_marker_len(s: &str) -> usize {
    if s.starts_with(['#', '+', '-', '=']) {
        return 1;
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    match s.as_bytes().get(digits) {
        Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
        _ => 0,
    }
}

/// Can `c` end the local part of an e-mail address, as GFM's autolink extension reads one?
fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_')
}

fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// A code span outside tables (list items, headings, paragraphs) that shows exactly `s`.
///
/// CommonMark reads no escapes in a code span; it ends at the first run of as many backticks
/// as opened it. So the fence is one backtick longer than the longest run in `s`, and when `s`
/// starts or ends with a backtick, or starts and ends with a space, one space pads each side
/// (the one space a code span strips from each side). Line breaks become spaces.
pub fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.is_empty() {
        // A code span cannot be empty: show one space.
        return "` `".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let stripped = s.starts_with(' ') && s.ends_with(' ') && s.contains(|c| c != ' ');
    let pad = if s.starts_with('`') || s.ends_with('`') || stripped {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A code span in a table cell: [`code`] with each `|` written `\|`, as the GFM table extension
/// requires even inside code spans (it removes the backslash before the span is read).
pub fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_html_and_markdown() {
        assert_eq!(text("Detached <li> ×3"), "Detached &lt;li&gt; ×3");
        assert_eq!(text("a&amp;b"), "a&amp;amp;b");
        assert_eq!(text("validate* @ <eval>:3"), "validate\\* @ &lt;eval&gt;:3");
        assert_eq!(
            text("a|b `c` _d_ [x](y) ~~e~~ $f$ \\"),
            "a\\|b \\`c\\` \\_d\\_ \\[x\\](y) \\~\\~e\\~\\~ \\$f\\$ \\\\"
        );
        assert_eq!(text("line\nbreak\r"), "line break ");
    }

    #[test]
    fn text_escapes_block_markers_only_at_the_start() {
        assert_eq!(text("# h # i"), "\\# h # i");
        assert_eq!(text("- a - b"), "\\- a - b");
        assert_eq!(text("+ a"), "\\+ a");
        assert_eq!(text("==="), "\\===");
        assert_eq!(text("12. item 3. x"), "12\\. item 3. x");
        assert_eq!(text("1) item"), "1\\) item");
        assert_eq!(text("1234567890. no"), "1234567890. no");
        assert_eq!(text("12 items."), "12 items.");
    }

    #[test]
    fn text_breaks_autolinks() {
        assert_eq!(text("see http://x.io"), "see http\\://x.io");
        assert_eq!(text("www.x.io WWW.y"), "www\\.x.io WWW\\.y");
        assert_eq!(text("me@x.io"), "me<!-- -->@x.io");
        assert_eq!(text("f @ x.js @6049"), "f @ x.js @6049");
    }

    #[test]
    fn code_fences_are_longer_than_any_backtick_run() {
        assert_eq!(code("Map"), "`Map`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a``b`"), "``` a``b` ```");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code(" a "), "`  a  `");
        assert_eq!(code(" a"), "` a`");
        assert_eq!(code("  "), "`  `");
        assert_eq!(code(""), "` `");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code("a|b <li>"), "`a|b <li>`");
    }

    #[test]
    fn cell_code_escapes_pipes() {
        assert_eq!(cell_code("a|b"), "`a\\|b`");
        assert_eq!(cell_code("a\\|b"), "`a\\\\|b`");
    }
}
