//! Host names inside environment values: `db`, `db:5432`, `postgres://u:p@db/app`, ...
//!
//! Compose puts every service on a network where its name is a DNS name, so a value that
//! names a host is the strongest hint that one service calls another. Only the host part
//! is returned; the caller decides whether it names a service of the same file.

/// Stands in for an interpolation (`${VAR}`, `$VAR`): it can never be part of a host name,
/// so a host written as an interpolation is never resolved.
const INTERPOLATED: char = '\u{1}';

/// Key endings whose bare values are credentials or names, not hosts: `POSTGRES_USER:
/// postgres` names a user even when a service is called `postgres`.
const NOT_A_HOST: [&str; 12] =
    ["USER", "USERNAME", "PASSWORD", "PASS", "PWD", "DB", "DATABASE", "NAME", "SCHEMA", "ENV", "MODE", "PROFILE"];

/// The host names `value` mentions, in order. `key` is the variable's name.
pub fn hosts(key: &str, value: &str) -> Vec<String> {
    let value = mask_interpolation(value);
    let single_word = !value.contains(char::is_whitespace);
    let mut found = Vec::new();
    for token in value.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|t| !t.is_empty()) {
        let host = match token.find("://") {
            Some(at) => url_host(&token[at + 3..]),
            // Without a scheme, only a value that is nothing but a host list counts: a
            // word inside a sentence or an option string is not an address.
            None if single_word => plain_host(key, token),
            None => None,
        };
        if let Some(host) = host.filter(|h| is_host_name(h)) {
            found.push(host.to_string());
        }
    }
    found
}

/// The host of `user:pw@host:port/path?query`, the part of a URL after `://`.
fn url_host(rest: &str) -> Option<&str> {
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host_port.split_once(':').map_or(host_port, |(h, _)| h))
}

/// `host`, `host:port` or `host:port/path`. A bare word counts unless the key says it is
/// a credential or a name.
fn plain_host<'a>(key: &str, token: &'a str) -> Option<&'a str> {
    match token.split_once(':') {
        Some((host, rest)) => {
            let port = rest.split('/').next().unwrap_or_default();
            let is_port = !port.is_empty() && port.chars().all(|c| c.is_ascii_digit() || c == INTERPOLATED);
            is_port.then_some(host)
        }
        None => {
            let last = key.rsplit(['_', '.', '-']).next().unwrap_or(key).to_ascii_uppercase();
            (!token.contains('/') && !NOT_A_HOST.contains(&last.as_str())).then_some(token)
        }
    }
}

/// A DNS label sequence; anything else (`[::1]`, an interpolation, an empty string) is not
/// a service's name.
fn is_host_name(host: &str) -> bool {
    host.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Replaces each interpolation with [`INTERPOLATED`] and each `$$` with a literal `$`, as
/// compose does before it runs a container.
fn mask_interpolation(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some('{') => {
                // `${A:-${B}}` nests, so count braces to find the end.
                let mut depth = 0;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                out.push(INTERPOLATED);
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                while chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_').is_some() {}
                out.push(INTERPOLATED);
            }
            _ => out.push('$'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hosts;

    #[test]
    fn every_address_form_names_its_host() {
        assert_eq!(hosts("DB_HOST", "db"), ["db"]);
        assert_eq!(hosts("DB_ADDR", "db:5432"), ["db"]);
        assert_eq!(hosts("DATABASE_URL", "postgres://user:pw@db:5432/app"), ["db"]);
        assert_eq!(hosts("AMQP_URL", "amqp://rabbitmq"), ["rabbitmq"]);
        assert_eq!(hosts("API", "http://backend:8080/path?x=1"), ["backend"]);
        assert_eq!(hosts("REDIS_URL", "redis://redis:6379/0"), ["redis"]);
        assert_eq!(hosts("KAFKA", "kafka1:9092,kafka2:9092"), ["kafka1", "kafka2"]);
        assert_eq!(hosts("JDBC", "jdbc:mysql://db:3306/app"), ["db"]);
    }

    #[test]
    fn interpolated_hosts_are_not_resolved_but_interpolated_parts_are() {
        assert!(hosts("DB_HOST", "${DB_HOST:-db}").is_empty());
        assert!(hosts("URL", "http://${HOST}:8080").is_empty());
        assert_eq!(hosts("URL", "postgres://${USER}:${PW:-x}@db:${PORT}/app"), ["db"]);
        assert_eq!(hosts("DB", "db:$PORT"), ["db"]);
    }

    #[test]
    fn a_double_dollar_is_a_literal_dollar() {
        // `$$db` is the text `$db`, not a host and not an interpolation of `db`.
        assert!(hosts("X", "$$db").is_empty());
        assert_eq!(hosts("URL", "http://u:pa$$word@api:80"), ["api"]);
    }

    #[test]
    fn words_that_are_not_addresses_are_left_alone() {
        assert!(hosts("POSTGRES_USER", "postgres").is_empty());
        assert!(hosts("ES_JAVA_OPTS", "-Xms512m -Xmx512m").is_empty());
        assert!(hosts("MOTD", "the db is up").is_empty());
        assert!(hosts("SECRET_FILE", "/run/secrets/db").is_empty());
        assert!(hosts("MODE", "a:b").is_empty());
        assert!(hosts("X", "[::1]:80").is_empty());
    }
}
