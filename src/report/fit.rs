//! Fitting text to a width: table cells wrapped between words (never inside one) so that a
//! comfy-table fits, and plain lines wrapped the same way.

use comfy_table::{Cell, CellAlignment, Table};

use super::layout::Layout;

/// Left-aligns the text `columns` and, when the table is wider than the layout's width,
/// wraps the cells of the `flexible` ones between words (a long path after a `/`) to share
/// the room that the other columns leave.
pub(super) fn finish(
    mut table: Table,
    columns: &[usize],
    flexible: &[usize],
    cells: &[Vec<String>],
    layout: &Layout,
) -> String {
    for &i in columns {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Left);
        }
    }
    let header: Vec<String> = table
        .header()
        .map(|h| h.cell_iter().map(|c| c.content()).collect())
        .unwrap_or_default();
    let widths = layout
        .width
        .map(|w| column_widths(&header, cells, flexible, usize::from(w)));
    if let Some(w) = &widths
        && w.iter().any(Option::is_some)
    {
        table.set_header(
            header
                .iter()
                .zip(w)
                .map(|(h, w)| Cell::new(wrap_cell(h, w.unwrap_or(usize::MAX)))),
        );
        for (i, _) in header.iter().enumerate().skip(1) {
            if !columns.contains(&i)
                && let Some(col) = table.column_mut(i)
            {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    for row in cells {
        table.add_row(row.iter().enumerate().map(|(i, text)| {
            match widths.as_ref().and_then(|w| w[i]) {
                Some(w) => Cell::new(wrap_cell(text, w)),
                None => Cell::new(text),
            }
        }));
    }
    let mut text = table.to_string();
    text.push('\n');
    match layout.width.map(usize::from) {
        Some(width) if text_width(&text) > width => {
            let all: Vec<usize> = (0..header.len()).collect();
            if flexible.len() < all.len() {
                let mut table = new_table_like(&header);
                for &i in columns {
                    if let Some(col) = table.column_mut(i) {
                        col.set_cell_alignment(CellAlignment::Left);
                    }
                }
                let again = finish(table, columns, &all, cells, layout);
                if text_width(&again) <= width {
                    return again;
                }
            }
            records(&header, columns, cells, width)
        }
        _ => text,
    }
}

/// A table like [`super::table::new_table`]'s with these headers.
fn new_table_like(header: &[String]) -> Table {
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    super::table::new_table(&header)
}

/// A table too wide for `width` even with every cell wrapped, as one record per row: its
/// text columns on a line, then each other column's header and value.
fn records(header: &[String], columns: &[usize], cells: &[Vec<String>], width: usize) -> String {
    let width = Some(width.min(u16::MAX as usize) as u16);
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    for row in cells {
        let title: Vec<String> = (0..row.len())
            .filter(|&i| i == 0 || columns.contains(&i))
            .map(|i| one_line(&row[i]))
            .filter(|t| !t.is_empty())
            .collect();
        out.push_str(&wrap_indented(&title.join("  "), width, 2));
        let details: Vec<String> = (0..row.len())
            .filter(|&i| i != 0 && !columns.contains(&i))
            .filter(|&i| !row[i].trim().is_empty())
            .map(|i| format!("{}: {}", one_line(&header[i]), one_line(&row[i])))
            .collect();
        out.push_str(&packed(&details, width, 4));
    }
    out
}

/// `fields` joined by " · " on lines of `width` indented by `indent`, a field broken only
/// when it is longer than a line.
fn packed(fields: &[String], width: Option<u16>, indent: usize) -> String {
    let room = width.map_or(usize::MAX, usize::from).saturating_sub(indent);
    let mut out = String::new();
    let mut line = String::new();
    for field in fields {
        let len = field.chars().count();
        if !line.is_empty() && line.chars().count() + 3 + len > room {
            out.push_str(&wrap_indented(
                &format!("{}{line}", " ".repeat(indent)),
                width,
                indent,
            ));
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(field);
    }
    if !line.is_empty() {
        out.push_str(&wrap_indented(
            &format!("{}{line}", " ".repeat(indent)),
            width,
            indent,
        ));
    }
    out
}

/// Every line of a text report fitted to `width`: lines that are longer (titles, notes,
/// labels) are wrapped between words, continuation lines indented two more than the first.
pub fn fit_lines(text: &str, width: Option<u16>) -> String {
    let Some(w) = width else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if body.chars().count() <= usize::from(w) {
            out.push_str(line);
            continue;
        }
        let lead = body.len() - body.trim_start_matches(' ').len();
        let wrapped = wrap_indented(body, width, lead + 2);
        out.push_str(&hard_fit(&wrapped, usize::from(w), lead + 2));
        if !line.ends_with('\n') {
            out.pop();
        }
    }
    out
}

/// Lines still longer than `width` (one word longer than the line) cut into pieces of it,
/// continued at `indent`.
fn hard_fit(text: &str, width: usize, indent: usize) -> String {
    let indent = indent.min(width / 2);
    let mut out = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        out.extend(&chars[..width]);
        out.push('\n');
        for chunk in chars[width..].chunks(width - indent) {
            out.push_str(&" ".repeat(indent));
            out.extend(chunk);
            out.push('\n');
        }
    }
    out
}

/// Display width of the widest line of `text`.
fn text_width(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// For each column, the width its cells wrap to (`None`: as wide as they are), so that the
/// table fits `width`: the text columns share what the others leave, the narrow ones first,
/// none below its longest word.
fn column_widths(
    header: &[String],
    cells: &[Vec<String>],
    flexible: &[usize],
    width: usize,
) -> Vec<Option<usize>> {
    let n = header.len();
    let widest = |i: usize, header_width: usize| {
        cells
            .iter()
            .map(|row| text_width(&row[i]))
            .chain(std::iter::once(header_width))
            .max()
            .unwrap_or(0)
    };
    let natural: Vec<usize> = (0..n).map(|i| widest(i, text_width(&header[i]))).collect();
    // Each column adds a space either side and a separator; the table one more border.
    let frame = 3 * n + 1;
    if natural.iter().sum::<usize>() + frame <= width {
        return vec![None; n];
    }
    // Headers may wrap too: a column is as wide as its cells or its header's longest word.
    let header_word = |i: usize| {
        header[i]
            .split_whitespace()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0)
    };
    let natural: Vec<usize> = (0..n).map(|i| widest(i, header_word(i))).collect();
    let fixed: usize = (0..n)
        .filter(|i| !flexible.contains(i))
        .map(|i| natural[i])
        .sum();
    let mut out: Vec<Option<usize>> = (0..n).map(|i| Some(natural[i])).collect();
    let room = width.saturating_sub(frame + fixed);
    // Every text column gets its longest word first, then a fair share of the rest.
    let minimum: Vec<usize> = (0..n)
        .map(|i| {
            cells
                .iter()
                .flat_map(|row| row[i].lines().flat_map(glued_words))
                .filter(|w| !w.is_empty())
                .flat_map(pieces)
                .map(|w| w.chars().count())
                .chain(std::iter::once(header_word(i)))
                .max()
                .unwrap_or(0)
                .min(natural[i])
        })
        .collect();
    let mut extra = room.saturating_sub(flexible.iter().map(|&i| minimum[i]).sum());
    let mut order: Vec<usize> = flexible.to_vec();
    order.sort_by_key(|&i| natural[i] - minimum[i]);
    for (k, &i) in order.iter().enumerate() {
        let share = extra / (order.len() - k);
        let more = (natural[i] - minimum[i]).min(share);
        out[i] = Some(minimum[i] + more);
        extra -= more;
    }
    out
}

/// Each line of `text` wrapped between words to `width` columns.
fn wrap_cell(text: &str, width: usize) -> String {
    text.lines()
        .map(|line| wrap(line, Some(width.min(u16::MAX as usize) as u16)))
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// `text` wrapped between words to `width` columns (unwrapped without a width).
pub(super) fn wrap(text: &str, width: Option<u16>) -> String {
    let width = width.map_or(usize::MAX, usize::from);
    let mut out = String::new();
    let mut line = String::new();
    let flush = |line: &mut String, out: &mut String| {
        out.push_str(line.trim_end());
        out.push('\n');
        line.clear();
    };
    for word in glued_words(text) {
        let len = word.chars().count();
        if !line.is_empty() && line.chars().count() + 1 + len > width {
            flush(&mut line, &mut out);
            if word.is_empty() {
                continue;
            }
        } else if !line.is_empty() {
            line.push(' ');
        }
        if len <= width {
            line.push_str(word);
            continue;
        }
        // A path longer than the line breaks after a `/`, never elsewhere.
        for piece in pieces(word) {
            if !line.trim_end().is_empty() && line.chars().count() + piece.chars().count() > width {
                flush(&mut line, &mut out);
            }
            line.push_str(piece);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// Units of a number ("2.2 MB", "12 %"): never put on a line apart from it.
const UNITS: [&str; 8] = ["B", "kB", "MB", "GB", "TB", "%", "objects", "B/step"];

/// The words of `text` between single spaces (empty ones where spaces repeat), a number's
/// unit kept with it.
fn glued_words(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut start = 0;
    for word in text.split(' ') {
        let end = start + word.len();
        match out.last_mut() {
            Some(last)
                if UNITS.contains(&word)
                    && last.ends_with(|c: char| c.is_ascii_digit())
                    && !last.is_empty() =>
            {
                let from = end - word.len() - 1 - last.len();
                *last = &text[from..end];
            }
            _ => out.push(word),
        }
        start = end + 1;
    }
    out
}

/// A word split after each `/`: where a long path may break.
pub(super) fn pieces(word: &str) -> impl Iterator<Item = &str> {
    word.split_inclusive('/')
}

/// `text` wrapped to `width` with continuation lines indented by `indent` spaces.
pub(super) fn wrap_indented(text: &str, width: Option<u16>, indent: usize) -> String {
    let Some(width) = width else {
        return format!("{text}\n");
    };
    let body = text.trim_start_matches(' ');
    let lead = text.len() - body.len();
    let inner = (usize::from(width).saturating_sub(indent.max(lead))).max(20) as u16;
    let wrapped = wrap(body, Some(inner));
    let mut out = String::new();
    for (i, line) in wrapped.lines().enumerate() {
        out.push_str(&" ".repeat(if i == 0 { lead } else { indent }));
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_never_broken() {
        let text = "global .state → Object .validators → Map [] → Function validate*";
        let wrapped = wrap(text, Some(20));
        assert!(wrapped.lines().all(|l| l.chars().count() <= 20));
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        // A path longer than the width breaks after a `/`; other words stay whole.
        assert_eq!(
            wrap("a fixtures/scripts/leak.js:54 b", Some(16)),
            "a\nfixtures/\nscripts/\nleak.js:54 b\n"
        );
        assert_eq!(
            wrap("a validate_everything b", Some(10)),
            "a\nvalidate_everything\nb\n"
        );
        assert_eq!(
            wrap_indented("  aaa bbb ccc", Some(40), 4),
            "  aaa bbb ccc\n"
        );
        assert_eq!(
            wrap_indented("  aaaaaaaaaa bbbbbbbbbb cccccccccc", Some(24), 4),
            "  aaaaaaaaaa\n    bbbbbbbbbb\n    cccccccccc\n"
        );
        assert_eq!(wrap("late  x  +1 kB", Some(8)), "late  x\n+1 kB\n");
    }

    #[test]
    fn text_columns_share_the_room_the_others_leave() {
        let header: Vec<String> = ["#", "Cluster", "Count"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cells = vec![vec![
            "1".to_string(),
            "a long label with many words in it".to_string(),
            "1,000".to_string(),
        ]];
        let widths = column_widths(&header, &cells, &[1], 30);
        // 3 columns: 10 columns of frame; # and Count keep theirs (1 and 5).
        assert_eq!(widths, vec![Some(1), Some(14), Some(5)]);
        assert_eq!(
            column_widths(&header, &cells, &[1], 200),
            vec![None, None, None]
        );
    }
}
