//! Secrets for generated `.env` files, drawn from the operating system's random source.

/// The characters a secret is made of: safe in `.env` files, shells, URLs and YAML.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The longest secret a template may ask for.
pub const MAX_LEN: usize = 4096;

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
    // 62 * 4 = 248: bytes at or above it are dropped so every character is equally likely.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 128];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(|e| format!("the OS random source failed: {e}"))?;
        for &b in &buf {
            if b < limit && out.len() < len {
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
