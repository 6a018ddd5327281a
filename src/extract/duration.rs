//! Durations as people write them: `500ms`, `10s`, `1m30s`, `2h`, `1d`, and Go's `1h2m3.5s`.

/// Parses a duration into milliseconds. Accepts a sequence of `<number><unit>` terms with
/// units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, `d`; fractions are allowed (`1.5s`).
/// A bare number is rejected: its unit differs per format, so callers decide.
pub fn parse_ms(text: &str) -> Option<u64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        rest = &rest[unit_len..];
        let scale = match unit {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" | "sec" | "secs" => 1_000.0,
            "m" | "min" | "mins" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        };
        total += number * scale;
    }
    if !total.is_finite() || total < 0.0 || total > u64::MAX as f64 {
        return None;
    }
    Some(total.round() as u64)
}

/// Writes milliseconds the way a person reads them: `500 ms`, `1.5 s`, `2 min 30 s`, `1 h`.
pub fn human(ms: u64) -> String {
    if ms < 1_000 {
        return format!("{ms} ms");
    }
    if ms < 60_000 {
        let s = ms as f64 / 1_000.0;
        return format!("{} s", trim_float(s));
    }
    let total_s = ms / 1_000;
    let (d, h, m, s) = (total_s / 86_400, total_s / 3_600 % 24, total_s / 60 % 60, total_s % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 && d == 0 {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_ms("500ms"), Some(500));
        assert_eq!(parse_ms("10s"), Some(10_000));
        assert_eq!(parse_ms("2m"), Some(120_000));
        assert_eq!(parse_ms("1h"), Some(3_600_000));
        assert_eq!(parse_ms("1d"), Some(86_400_000));
        assert_eq!(parse_ms("1m30s"), Some(90_000));
        assert_eq!(parse_ms("1.5s"), Some(1_500));
        assert_eq!(parse_ms("10"), None);
        assert_eq!(parse_ms("soon"), None);
    }

    #[test]
    fn human_reads_like_a_person() {
        assert_eq!(human(500), "500 ms");
        assert_eq!(human(57_500), "57.5 s");
        assert_eq!(human(90_000), "1 min 30 s");
        assert_eq!(human(3_600_000), "1 h");
    }
}
