//! ISO-8601 durations as BPMN timers and Camunda retry cycles write them: `PT10M`, `P1DT2H`, `PT0.5S`.

/// Why a duration has no fixed length in milliseconds.
#[derive(Debug, PartialEq, Eq)]
pub enum IsoError {
    /// Not an ISO-8601 duration at all.
    Invalid,
    /// Years or months: their length depends on the calendar date the timer starts at, so
    /// no number is given (never guessed).
    Calendar,
}

/// Parses `P[nY][nM][nW][nD][T[nH][nM][nS]]` into milliseconds. Fractions are allowed on
/// any component (`PT1.5S`, `PT0,5H`), as ISO-8601 and Java's `Duration` allow.
pub fn parse_ms(text: &str) -> Result<u64, IsoError> {
    let s = text.trim();
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p')).ok_or(IsoError::Invalid)?;
    if rest.is_empty() || rest.eq_ignore_ascii_case("T") {
        return Err(IsoError::Invalid);
    }
    let mut total = 0f64;
    let mut in_time = false;
    let mut calendar = false;
    let mut num = String::new();
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && num.is_empty() => in_time = true,
            '0'..='9' => num.push(c),
            '.' | ',' => num.push('.'),
            unit => {
                let value: f64 = num.parse().map_err(|_| IsoError::Invalid)?;
                num.clear();
                let scale = match (in_time, unit) {
                    (false, 'Y') | (false, 'M') => {
                        calendar |= value != 0.0;
                        0.0
                    }
                    (false, 'W') => 7.0 * 86_400_000.0,
                    (false, 'D') => 86_400_000.0,
                    (true, 'H') => 3_600_000.0,
                    (true, 'M') => 60_000.0,
                    (true, 'S') => 1_000.0,
                    _ => return Err(IsoError::Invalid),
                };
                total += value * scale;
            }
        }
    }
    if !num.is_empty() {
        return Err(IsoError::Invalid);
    }
    if calendar {
        return Err(IsoError::Calendar);
    }
    if !total.is_finite() || total > u64::MAX as f64 {
        return Err(IsoError::Invalid);
    }
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_bpmn_files_use() {
        assert_eq!(parse_ms("PT10M"), Ok(600_000));
        assert_eq!(parse_ms("PT10S"), Ok(10_000));
        assert_eq!(parse_ms("P1D"), Ok(86_400_000));
        assert_eq!(parse_ms("P1DT2H30M"), Ok(86_400_000 + 9_000_000));
        assert_eq!(parse_ms("P2W"), Ok(14 * 86_400_000));
        assert_eq!(parse_ms("PT0.5S"), Ok(500));
        assert_eq!(parse_ms(" PT1,5M "), Ok(90_000));
        assert_eq!(parse_ms("P0Y0M1D"), Ok(86_400_000));
    }

    #[test]
    fn calendar_units_and_garbage_have_no_length() {
        assert_eq!(parse_ms("P1M"), Err(IsoError::Calendar));
        assert_eq!(parse_ms("P1Y"), Err(IsoError::Calendar));
        assert_eq!(parse_ms("10m"), Err(IsoError::Invalid));
        assert_eq!(parse_ms("P"), Err(IsoError::Invalid));
        assert_eq!(parse_ms("PT"), Err(IsoError::Invalid));
        assert_eq!(parse_ms("PT10"), Err(IsoError::Invalid));
        assert_eq!(parse_ms("PT1H2D"), Err(IsoError::Invalid));
        assert_eq!(parse_ms("${timeout}"), Err(IsoError::Invalid));
    }
}
