//! Entry points for the `cargo fuzz` targets in `fuzz/` (and the property
//! tests): each must never panic, whatever the bytes.

use crate::{Kind, Mapping, import};

/// Feeds `data` to `kind`'s row parser as rows under the default header,
/// then as a whole file.
pub fn row_parser(kind: Kind, data: &[u8]) {
    let mapping = Mapping::default_for(kind);
    let mut file = kind.default_header().into_bytes();
    file.push(b'\n');
    file.extend_from_slice(data);
    for bytes in [&file[..], data] {
        if let Err(crate::ImportError::Rejected(report)) = import(kind, bytes, &mapping) {
            let _ = (report.to_csv(), report.to_json(), report.to_string());
        }
    }
}

/// Parses `data` as a mapping file; if it parses, imports a small file of
/// the mapping's kind (or bookings) under it.
pub fn mapping(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(mapping) = Mapping::from_toml(text) {
        let kind = mapping.kind().unwrap_or(Kind::Bookings);
        let file = format!(
            "{}\nB1,2026-03-01T22:15:00Z,,Ann,,Doe,1980-02-28,F,White,9A|x|F\n",
            kind.default_header()
        );
        let _ = import(kind, file.as_bytes(), &mapping);
    }
}
