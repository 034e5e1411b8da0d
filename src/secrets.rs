//! Secrets for generated `.env` files, drawn from the operating system's random source.

/// The characters a secret is made of: safe in `.env` files, shells, URLs and YAML.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// 62 * 4 = 248: random bytes at or above it are dropped so every character is equally likely.
#[allow(clippy::cast_possible_truncation)] // At most 256 - 1, checked at compile time.
const UNBIASED_BELOW: u8 = {
    let below = 256 / ALPHABET.len() * ALPHABET.len();
    assert!(below < 256);
    below as u8
};

/// The longest secret a template may ask for.
pub const MAX_LEN: usize = 4096;

/// The shortest secret that marks a file as secret (shorter ones could match by chance).
const MARKING_LEN: usize = 16;

/// The secrets one evaluation (the resolve and render of one pack tree) handed out, so the
/// renderer can tell which files hold one. Shared by the engine's `secret()` and the
/// renderer, and dropped with the evaluation: a long-running `scaffold serve` keeps none,
/// and one download never looks for another's.
#[derive(Debug, Clone, Default)]
pub struct Issued(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Issued {
    /// Remember a secret handed out (only those long enough not to match by chance).
    pub fn record(&self, secret: &str) {
        if secret.len() >= MARKING_LEN {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(secret.to_string());
        }
    }

    /// Whether `bytes` holds a secret of this evaluation: such a file is written 0600 and
    /// `--force` never replaces it.
    #[must_use]
    pub fn found_in(&self, bytes: &[u8]) -> bool {
        let issued = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        issued
            .iter()
            .any(|s| memchr::memmem::find(bytes, s.as_bytes()).is_some())
    }
}

/// `len` random characters from `[A-Za-z0-9]`, without modulo bias.
///
/// # Errors
/// When the operating system's random source fails, or `len` is 0 or above [`MAX_LEN`].
pub fn generate(len: usize) -> Result<String, String> {
    if len == 0 || len > MAX_LEN {
        return Err(format!(
            "secret length must be between 1 and {MAX_LEN}, not {len}"
        ));
    }
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 128];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| format!("the OS random source failed: {e}"))?;
        for &b in &buf {
            if b < UNBIASED_BELOW && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_alphabet() {
        let s = generate(64).unwrap();
        assert_eq!(s.len(), 64);
        assert!(s.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(generate(64).unwrap(), s, "two secrets differ");
    }

    #[test]
    fn issued_secrets_are_recognised_within_their_evaluation_only() {
        let (mine, other) = (Issued::default(), Issued::default());
        let s = generate(32).unwrap();
        mine.record(&s);
        assert!(mine.found_in(format!("KEY={s}\n").as_bytes()));
        assert!(!mine.found_in(b"KEY=not-a-secret-of-ours-at-all\n"));
        assert!(!other.found_in(format!("KEY={s}\n").as_bytes()));
        // Short ones could match by chance and mark nothing.
        let short = generate(8).unwrap();
        mine.record(&short);
        assert!(!mine.found_in(short.as_bytes()));
    }

    #[test]
    fn bounds() {
        assert!(generate(0).is_err());
        assert!(generate(MAX_LEN + 1).is_err());
        assert_eq!(generate(MAX_LEN).unwrap().len(), MAX_LEN);
    }

    #[test]
    fn roughly_uniform() {
        let s: String = (0..4).map(|_| generate(MAX_LEN).unwrap()).collect();
        let mut counts = [0usize; 62];
        for b in s.bytes() {
            let i = ALPHABET.iter().position(|&a| a == b).unwrap();
            counts[i] += 1;
        }
        // Expected ~264 each; a biased generator would starve the tail of the alphabet.
        assert!(counts.iter().all(|&c| c > 150), "{counts:?}");
    }
}
