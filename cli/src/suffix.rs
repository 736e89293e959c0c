//! A small built-in list of common public suffixes: domains under which
//! anyone can register a name or publish a site, so that a subdomain
//! wildcard such as `https://*.github.io` allows origins nobody vetted.
//!
//! It is deliberately small (the full Public Suffix List has about 10,000
//! entries): hosting platforms people often put in CORS policies, and
//! common second-level country registries. Any single-label suffix (a
//! top-level domain such as `com`) is treated as public as well.

/// Hosting platforms and registries where anyone can get a subdomain.
pub const PUBLIC_SUFFIXES: &[&str] = &[
    // Hosting and application platforms.
    "github.io",
    "githubusercontent.com",
    "gitlab.io",
    "herokuapp.com",
    "herokudns.com",
    "netlify.app",
    "netlify.com",
    "vercel.app",
    "now.sh",
    "pages.dev",
    "workers.dev",
    "web.app",
    "firebaseapp.com",
    "appspot.com",
    "azurewebsites.net",
    "azurestaticapps.net",
    "cloudapp.net",
    "cloudfront.net",
    "s3.amazonaws.com",
    "amazonaws.com",
    "elasticbeanstalk.com",
    "blogspot.com",
    "wordpress.com",
    "glitch.me",
    "repl.co",
    "replit.app",
    "replit.dev",
    "onrender.com",
    "fly.dev",
    "railway.app",
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "surge.sh",
    "readthedocs.io",
    "codesandbox.io",
    "csb.app",
    "stackblitz.io",
    "webcontainer.io",
    "deno.dev",
    "bitbucket.io",
    "translate.goog",
    // Second-level registries.
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "com.au",
    "net.au",
    "org.au",
    "co.jp",
    "ne.jp",
    "or.jp",
    "co.nz",
    "co.za",
    "com.br",
    "com.cn",
    "com.mx",
    "com.tr",
    "co.in",
    "co.kr",
    "com.sg",
    "com.hk",
    "com.tw",
    "co.il",
];

/// Is `domain` (lower case, no trailing dot) a public suffix as far as this
/// list knows: listed, or a single label?
pub fn is_public_suffix(domain: &str) -> bool {
    let domain = domain.trim_end_matches('.');
    !domain.contains('.') || PUBLIC_SUFFIXES.contains(&domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_and_single_label_suffixes() {
        for public in ["github.io", "co.uk", "com", "io", "herokuapp.com"] {
            assert!(is_public_suffix(public), "{public}");
        }
        for private in ["example.com", "myname.github.io", "app.example"] {
            assert!(!is_public_suffix(private), "{private}");
        }
    }

    #[test]
    fn list_is_lower_case_and_has_no_duplicates() {
        let mut seen = std::collections::HashSet::new();
        for s in PUBLIC_SUFFIXES {
            assert_eq!(*s, s.to_ascii_lowercase());
            assert!(
                s.contains('.'),
                "{s}: single labels are covered by the rule"
            );
            assert!(seen.insert(s), "{s} twice");
        }
    }
}
