//! CSV: the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
//! Windows-1252) and the delimiter (`,` `;` or tab) are detected.

use super::{Builder, ReadError};
use std::borrow::Cow;

pub(super) fn read_csv(bytes: &[u8], builder: &mut Builder) -> Result<(), ReadError> {
    let text = decode(bytes);
    let delimiter = detect_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    // The csv crate skips blank lines; count them back so that row numbers
    // are what a spreadsheet program shows. A quoted line break stays in one row.
    let mut next_line = 1u64;
    let mut row = 0u32;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                return Err(ReadError::unreadable(format!("The CSV file is damaged near line {next_line}: {error}.")));
            }
        }
        let line = record.position().map_or(next_line, |p| p.line());
        row += 1 + (line.saturating_sub(next_line)) as u32;
        let breaks: usize = record.iter().map(|field| field.matches('\n').count()).sum();
        next_line = line + 1 + breaks as u64;
        builder.row(row, record.iter().map(str::to_string).collect())?;
    }
    Ok(())
}

fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_with_bom_removal(bytes).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The candidate that occurs most often, outside quotes, on the first line.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in text.bytes().take(64 * 1024) {
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
        sheet.rows.iter().map(|r| (r.number, r.cells.iter().map(String::as_str).collect())).collect()
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
    fn strips_a_utf8_bom_and_reads_utf16_and_windows_1252() {
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), "Email,Last Name\na@x.org,Zoë\n".as_bytes()].concat();
        assert_eq!(sheet(&with_bom).headings[0], "Email");
        assert_eq!(sheet(&with_bom).rows[0].cells[1], "Zoë");

        let text = "Email,Last Name\na@x.org,Zoë\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(sheet(&le).rows[0].cells[1], "Zoë");
        assert_eq!(sheet(&be).rows[0].cells[1], "Zoë");

        let latin = b"Email,Last Name\na@x.org,Zo\xEB M\xFCller\n";
        assert_eq!(sheet(latin).rows[0].cells[1], "Zoë Müller");
    }

    #[test]
    fn quoted_line_breaks_stay_in_their_row_and_blank_rows_keep_the_numbering() {
        let sheet = sheet(b"Email,Title\na@x.org,\"Head\nof Sales\"\n\n,\nb@x.org,Chef\n");
        assert_eq!(rows(&sheet), [(2, vec!["a@x.org", "Head\nof Sales"]), (5, vec!["b@x.org", "Chef"])]);
    }

    #[test]
    fn headings_only_gives_no_rows() {
        assert!(sheet(b"Email,Last Name\n").rows.is_empty());
        assert!(sheet(b"").headings.is_empty());
    }
}
