//! CSV: the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
//! Windows-1252) and the delimiter (`,` `;` or tab) are detected.

use super::{Builder, ReadError};
use crate::pace::{Pace, Steps};
use crate::parallel;
use std::borrow::Cow;

pub(super) async fn read_csv(bytes: &[u8], builder: &mut Builder<'_>, pace: &mut dyn Pace) -> Result<(), ReadError> {
    // Progress is counted in bytes: checked for their encoding, then read.
    let mut steps = Steps::new(pace, 2 * bytes.len(), 64 << 10);
    let text = decode(bytes, &mut steps).await;
    let mut records = Records::new(&text, 0..text.len(), detect_delimiter(&text));
    if let Some((row, cells)) = records.next()? {
        builder.row(row, cells)?;
    }
    if parallel::is_parallel() && read_in_parts(&records, builder, PART) {
        return Ok(());
    }
    let mut at = records.end();
    while let Some((row, cells)) = records.next()? {
        builder.row(row, cells)?;
        steps.advance(records.end() - at).await;
        at = records.end();
    }
    Ok(())
}

/// The size of the parts a CSV file's text is read in on many cores: big
/// enough that starting a part costs nothing next to reading it.
const PART: usize = 1 << 20;

/// The records of a range of the text, numbered as a spreadsheet numbers
/// its rows: blank lines are skipped but counted, and a quoted line break
/// stays in one row. Lines are cut at their delimiters here, which is what
/// the csv crate makes of a line without quotes, until the first quote or
/// lone CR; from there the csv crate reads the rest.
struct Records<'t> {
    text: &'t [u8],
    stop: usize,
    delimiter: u8,
    mode: Mode<'t>,
    record: csv::StringRecord,
    /// The row number of the last record read, after blank lines at the end.
    row: u32,
}

enum Mode<'t> {
    /// Lines are cut here; the next one starts at `at`.
    Plain { at: usize },
    /// The csv crate reads the text from `start`.
    Csv { start: usize, reader: csv::Reader<&'t [u8]> },
}

/// The cells of one record.
enum Cells<'r> {
    /// A line's cells, cut at the delimiters found in one pass over it.
    Line { line: &'r str, from: Option<usize>, delimiters: memchr::Memchr<'r> },
    Record(csv::StringRecordIter<'r>),
}

impl<'r> Iterator for Cells<'r> {
    type Item = &'r str;

    fn next(&mut self) -> Option<&'r str> {
        match self {
            Cells::Line { line, from, delimiters } => {
                let start = (*from)?;
                let end = delimiters.next();
                *from = end.map(|end| end + 1);
                line.get(start..end.unwrap_or(line.len()))
            }
            Cells::Record(cells) => cells.next(),
        }
    }
}

impl<'t> Records<'t> {
    fn new(text: &'t [u8], range: std::ops::Range<usize>, delimiter: u8) -> Self {
        let mode = Mode::Plain { at: range.start };
        Self { text, stop: range.end, delimiter, mode, record: csv::StringRecord::new(), row: 0 }
    }

    /// Hands the rest of the range, from `start`, to the csv crate.
    fn read_by_csv(&mut self, start: usize) {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.delimiter)
            .from_reader(&self.text[start..self.stop]);
        self.mode = Mode::Csv { start, reader };
    }

    /// Where in the text reading has come to.
    fn end(&self) -> usize {
        match &self.mode {
            Mode::Plain { at } => *at,
            Mode::Csv { start, reader } => start + reader.position().byte() as usize,
        }
    }

    /// Reads the next record, giving its row number and cells.
    fn next(&mut self) -> Result<Option<(u32, Cells<'_>)>, ReadError> {
        while let Mode::Plain { at } = self.mode {
            let Some((line, next)) = self.plain_line(at) else {
                self.read_by_csv(at);
                break;
            };
            if next == at {
                return Ok(None);
            }
            self.mode = Mode::Plain { at: next };
            self.row += 1;
            if !line.is_empty() {
                let line = std::str::from_utf8(line).map_err(|error| self.damaged(error))?;
                let delimiters = memchr::memchr_iter(self.delimiter, line.as_bytes());
                return Ok(Some((self.row, Cells::Line { line, from: Some(0), delimiters })));
            }
        }
        let at = self.end();
        // After a CRLF line the reader stops between the CR and the LF.
        let rest = &self.text[at.min(self.stop)..self.stop];
        let rest = if at > 0 && self.text[at - 1] == b'\r' { rest.strip_prefix(b"\n").unwrap_or(rest) } else { rest };
        let blank = blank_lines(rest);
        let Mode::Csv { reader, .. } = &mut self.mode else { return Ok(None) };
        match reader.read_record(&mut self.record) {
            Ok(true) => {
                self.row += 1 + blank;
                Ok(Some((self.row, Cells::Record(self.record.iter()))))
            }
            Ok(false) => {
                self.row += blank;
                Ok(None)
            }
            Err(error) => Err(self.damaged(error)),
        }
    }

    /// The line from `at` without its line ending, and where the next one
    /// starts; none where the line has a quote or a lone CR.
    fn plain_line(&self, at: usize) -> Option<(&'t [u8], usize)> {
        let rest = &self.text[at..self.stop];
        match memchr::memchr3(b'\n', b'\r', b'"', rest) {
            None => Some((rest, self.stop)),
            Some(end) => match &rest[end..] {
                [b'\n', ..] => Some((&rest[..end], at + end + 1)),
                [b'\r', b'\n', ..] => Some((&rest[..end], at + end + 2)),
                _ => None,
            },
        }
    }

    fn damaged(&self, error: impl std::fmt::Display) -> ReadError {
        ReadError::unreadable(format!("The CSV file is damaged after row {}: {error}.", self.row))
    }

    /// Whether the last record's last cell runs into a line break, as a
    /// quoted cell cut by the end of the range does.
    fn ends_in_a_line_break(&self) -> bool {
        matches!(self.mode, Mode::Csv { .. }) && self.record.iter().next_back().is_some_and(|cell| cell.ends_with(['\n', '\r']))
    }
}

/// Reads the rows after the headings on every core: the text is cut into
/// parts at line breaks and each part read on its own. A cut inside a quoted
/// cell shows as a part whose last cell runs into its last line break; then,
/// or if any part finds a problem (whose message needs the row numbers of the
/// whole file), nothing is kept and the caller reads the rows in order.
/// Gives whether the rows were read.
fn read_in_parts(headings: &Records, builder: &mut Builder, part: usize) -> bool {
    let text = headings.text;
    // After a CRLF the reader stops between the CR and the LF: the rows start after the LF.
    let end = headings.end();
    let start = if end > 0 && text[end - 1] == b'\r' && text.get(end) == Some(&b'\n') { end + 1 } else { end };
    if text.len() - start < 2 * part {
        return false;
    }
    let count = (text.len() - start) / part;
    let mut cuts = vec![start];
    for part in 1..count {
        let target = start + part * (text.len() - start) / count;
        match text[target..].iter().position(|b| *b == b'\n') {
            Some(at) if target + at + 1 > *cuts.last().unwrap_or(&0) && target + at + 1 < text.len() => cuts.push(target + at + 1),
            _ => {}
        }
    }
    cuts.push(text.len());
    let parts: Vec<_> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
    // As many parts at a time as there are threads, each added as soon as
    // read: parts all read before any is added would hold the file's cells twice.
    let (mark, mut before) = (builder.mark(), headings.row);
    for (index, group) in parts.chunks(parallel::threads()).enumerate() {
        let read = parallel::map(group, 1, |range| {
            let mut records = Records::new(text, range.clone(), headings.delimiter);
            let mut part = builder.for_part();
            // A part's cells hold less text than the part: room made once, not doubled into.
            part.sheet.text.reserve(range.len());
            let mut clean = true;
            while let Some((row, cells)) = records.next().ok()? {
                part.row(row, cells).ok()?;
                clean = !records.ends_in_a_line_break();
            }
            (part.sheet.issues.is_empty() && (clean || range.end == text.len())).then_some((part.sheet, records.row))
        });
        let Some(read) = read.into_iter().collect::<Option<Vec<_>>>() else {
            builder.rewind(mark);
            return false;
        };
        let spans: u32 = read.iter().map(|(_, spans)| spans).sum();
        if !builder.append(read, before) {
            builder.rewind(mark);
            return false;
        }
        before += spans;
        if index == 0 {
            let read_so_far = group.last().map_or(start, |range| range.end) - start;
            builder.expect(read_so_far as f64 / (text.len() - start) as f64);
        }
    }
    true
}

fn skip_line_ending(bytes: &[u8]) -> &[u8] {
    if bytes.starts_with(b"\r\n") {
        &bytes[2..]
    } else if bytes.starts_with(b"\n") || bytes.starts_with(b"\r") {
        &bytes[1..]
    } else {
        bytes
    }
}

/// How many empty lines start `bytes`.
fn blank_lines(mut bytes: &[u8]) -> u32 {
    let mut count = 0;
    while let Some(rest) = Some(skip_line_ending(bytes)).filter(|rest| rest.len() < bytes.len()) {
        bytes = rest;
        count += 1;
    }
    count
}

/// The text as UTF-8. UTF-8 (most files) is only checked, in pieces, so that
/// a big file does not hold up the page while it is.
async fn decode<'b>(bytes: &'b [u8], steps: &mut Steps<'_>) -> Cow<'b, [u8]> {
    let (encoding, text) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (Some(encoding), &bytes[bom..]),
        None => (None, bytes),
    };
    let utf8 = encoding.is_none_or(|e| e == encoding_rs::UTF_8);
    if utf8 && is_utf8(text, steps).await {
        return Cow::Borrowed(text);
    }
    let decoded = match encoding {
        // A UTF-8 BOM says what the file is meant to be: damaged characters become �.
        Some(encoding) => encoding.decode_without_bom_handling(text).0,
        None => encoding_rs::WINDOWS_1252.decode_without_bom_handling(text).0,
    };
    Cow::Owned(decoded.into_owned().into_bytes())
}

async fn is_utf8(bytes: &[u8], steps: &mut Steps<'_>) -> bool {
    const PIECE: usize = 64 << 10;
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + PIECE).min(bytes.len());
        let checked = match std::str::from_utf8(&bytes[at..end]) {
            Ok(_) => end,
            // A character cut by the end of the piece goes on in the next one.
            Err(error) if error.error_len().is_none() && end < bytes.len() => at + error.valid_up_to(),
            Err(_) => return false,
        };
        steps.advance(checked - at).await;
        at = checked;
    }
    true
}

/// The candidate that occurs most often, outside quotes, on the first line.
fn detect_delimiter(text: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &byte in text.iter().take(64 * 1024) {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(count) = counts.iter_mut().find(|(d, _)| *d == byte) {
                    count.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts.iter().max_by_key(|(d, n)| (*n, *d == b',')).map_or(b',', |(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use crate::sheet::{read, Limits, Sheet};

    fn sheet(bytes: &[u8]) -> Sheet {
        read(bytes, &Limits::default()).unwrap()
    }

    fn rows(sheet: &Sheet) -> Vec<(u32, Vec<&str>)> {
        sheet.rows().map(|r| (r.number, r.cells().collect())).collect()
    }

    fn cell(sheet: &Sheet, row: usize, column: usize) -> String {
        sheet.rows().nth(row).unwrap().cell(column).to_string()
    }

    #[test]
    fn reads_commas_semicolons_and_tabs() {
        for text in ["Email,Last Name\r\na@x.org,Lee\r\n", "Email;Last Name\na@x.org;Lee\n", "Email\tLast Name\na@x.org\tLee"] {
            let sheet = sheet(text.as_bytes());
            assert_eq!(sheet.headings, ["Email", "Last Name"], "{text:?}");
            assert_eq!(rows(&sheet), [(2, vec!["a@x.org", "Lee"])]);
        }
    }

    #[test]
    fn a_semicolon_file_with_commas_in_names_is_still_semicolons() {
        let sheet = sheet("Email;Last Name;Title\na@x.org;Lee;\"Head, Sales\"\n".as_bytes());
        assert_eq!(rows(&sheet), [(2, vec!["a@x.org", "Lee", "Head, Sales"])]);
    }

    #[test]
    fn the_encoding_is_told_by_the_whole_file_checked_in_pieces() {
        // Rows of "é" put one of its two bytes on each side of a piece's end.
        let mut utf8 = String::from("Email,Last Name\n");
        while utf8.len() < 200_000 {
            utf8.push_str("a@x.org,éééééééééé\n");
        }
        let read = sheet(utf8.as_bytes());
        assert!(read.rows().all(|row| row.cell(1) == "éééééééééé"), "UTF-8 across pieces stays UTF-8");

        // Windows-1252 that looks like UTF-8 for the first pieces.
        let mut latin = b"Email,Last Name\n".to_vec();
        while latin.len() < 150_000 {
            latin.extend_from_slice(b"a@x.org,Lee\n");
        }
        latin.extend_from_slice(b"b@x.org,M\xFCller\n");
        let read = sheet(&latin);
        assert_eq!(read.rows().last().unwrap().cell(1), "Müller");
    }

    #[test]
    fn strips_a_utf8_bom_and_reads_utf16_and_windows_1252() {
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), "Email,Last Name\na@x.org,Zoë\n".as_bytes()].concat();
        assert_eq!(sheet(&with_bom).headings[0], "Email");
        assert_eq!(cell(&sheet(&with_bom), 0, 1), "Zoë");

        let text = "Email,Last Name\na@x.org,Zoë\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(cell(&sheet(&le), 0, 1), "Zoë");
        assert_eq!(cell(&sheet(&be), 0, 1), "Zoë");

        let latin = b"Email,Last Name\na@x.org,Zo\xEB M\xFCller\n";
        assert_eq!(cell(&sheet(latin), 0, 1), "Zoë Müller");
    }

    #[test]
    fn quoted_line_breaks_stay_in_their_row_and_blank_rows_keep_the_numbering() {
        let sheet = sheet(b"Email,Title\na@x.org,\"Head\nof Sales\"\n\n,\nb@x.org,Chef\n");
        assert_eq!(rows(&sheet), [(2, vec!["a@x.org", "Head\nof Sales"]), (5, vec!["b@x.org", "Chef"])]);
    }

    #[test]
    fn blank_lines_count_in_the_row_numbers() {
        for text in ["Email\n\n\n\nb@x.org", "Email\r\n\r\n\r\n\r\nb@x.org\r\n"] {
            assert_eq!(rows(&sheet(text.as_bytes())), [(5, vec!["b@x.org"])], "{text:?}");
        }
    }

    /// Reads `text` as `read` does, but cut into parts of about `part`
    /// bytes; none where the parts were given up for reading in order.
    fn read_cut(text: &[u8], part: usize) -> Option<Sheet> {
        let limits = Limits::default();
        let mut builder = super::super::Builder::new(&limits);
        let mut records = super::Records::new(text, 0..text.len(), super::detect_delimiter(text));
        if let Some((row, cells)) = records.next().unwrap() {
            builder.row(row, cells).unwrap();
        }
        super::read_in_parts(&records, &mut builder, part).then(|| builder.finish())
    }

    #[test]
    fn rows_read_in_parts_keep_their_numbers_across_the_cuts() {
        let text = b"Email,Title\r\na@x.org,A\r\n\r\nb@x.org,\"B, C\"\r\n,\r\nc@x.org,C\r\n\r\n\r\nd@x.org,D\r\n";
        let cut = read_cut(text, 8).expect("no cut inside a quoted cell");
        assert_eq!(rows(&cut), [(2, vec!["a@x.org", "A"]), (4, vec!["b@x.org", "B, C"]), (6, vec!["c@x.org", "C"]), (9, vec!["d@x.org", "D"])]);
        assert_eq!(cut, sheet(text));
    }

    #[test]
    fn a_cut_inside_a_quoted_cell_gives_the_parts_up() {
        let text = b"Email,Title\na@x.org,\"one\ntwo\nthree\nfour\nfive\"\nb@x.org,B\n";
        assert_eq!(read_cut(text, 4), None);
        assert_eq!(rows(&sheet(text))[0].1[1], "one\ntwo\nthree\nfour\nfive");
    }

    #[test]
    fn a_problem_in_a_part_gives_the_parts_up_for_its_row_number() {
        let text = b"Email\na@x.org\nb@x.org\nc@x.org,extra\n";
        assert_eq!(read_cut(text, 8), None);
        assert!(sheet(text).issues[0].message.starts_with("Row 4 "));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        #[test]
        fn reading_in_parts_gives_the_sheet_read_in_order(
            lines in proptest::collection::vec(r#"(|[a-c]{0,3}|"[a-c,\n\r"]{0,4}"|[a-c]"[a-c])(,(|[a-c]{1,3}|"[a-c,\n"]{0,4}")){0,3}"#, 1..30),
            crlf: bool,
            part in 3usize..40,
        ) {
            let mut text = String::from("A,B,C,D");
            for line in lines {
                text.push_str(if crlf { "\r\n" } else { "\n" });
                text.push_str(&line);
            }
            if let Some(cut) = read_cut(text.as_bytes(), part) {
                proptest::prop_assert_eq!(cut, sheet(text.as_bytes()));
            }
        }
    }

    /// Every record of `records`, and the rows they span.
    fn records(mut records: super::Records) -> (Vec<(u32, Vec<String>)>, u32) {
        let mut all = Vec::new();
        while let Some((row, cells)) = records.next().unwrap() {
            all.push((row, cells.map(str::to_string).collect()));
        }
        (all, records.row)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        #[test]
        fn lines_cut_here_are_what_the_csv_crate_reads(
            text in r#"(([a;,\t é]{0,5})(\n|\r\n)){0,8}[a;,\t é"\r\n]{0,8}|[a;,\t\n\r"é ]{0,40}"#,
            delimiter in proptest::sample::select(vec![b',', b';', b'\t']),
        ) {
            let cut = super::Records::new(text.as_bytes(), 0..text.len(), delimiter);
            let mut by_csv = super::Records::new(text.as_bytes(), 0..text.len(), delimiter);
            by_csv.read_by_csv(0);
            proptest::prop_assert_eq!(records(cut), records(by_csv));
        }
    }

    #[test]
    fn headings_only_gives_no_rows() {
        assert!(sheet(b"Email,Last Name\n").is_empty());
        assert!(sheet(b"").headings.is_empty());
    }
}
