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
    text
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
                .flat_map(|row| row[i].split_whitespace())
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
    for word in text.split(' ') {
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
