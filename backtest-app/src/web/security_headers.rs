//! Browser hardening: a strict Content-Security-Policy and friends on every
//! response (the dashboard is the only HTML, but error pages and future
//! pages get the same policy without having to opt in).
//!
//! The policy allows only the app's own scripts, styles and connections: no
//! inline script or style, no `eval`, no framing. `data:` images stay allowed
//! because Bootstrap's CSS draws its form controls with inline SVG and the
//! server charts are PNG data URIs. Styles that scripts set through the CSSOM
//! (`element.style.width = ...`, as uPlot and Bootstrap do) are not inline
//! styles in the CSP sense and keep working.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

/// The `Content-Security-Policy` header value.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Sets the security headers on every response.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, _req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_header(Header::new(
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY,
        ));
        res.set_header(Header::new("Referrer-Policy", "no-referrer"));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::http::{ContentType, Status};
    use rocket::local::blocking::Client;
    use rocket::{get, routes};

    #[get("/page")]
    fn page() -> (ContentType, &'static str) {
        (ContentType::HTML, "<!doctype html><title>t</title>")
    }

    #[test]
    fn every_response_carries_the_policy() {
        let rocket = rocket::build()
            .attach(SecurityHeaders)
            .mount("/", routes![page]);
        let client = Client::untracked(rocket).expect("a valid rocket");
        for (path, status) in [("/page", Status::Ok), ("/missing", Status::NotFound)] {
            let response = client.get(path).dispatch();
            assert_eq!(response.status(), status, "{path}");
            let headers = response.headers();
            let csp = headers.get_one("Content-Security-Policy").unwrap_or("");
            for directive in [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "frame-ancestors 'none'",
            ] {
                assert!(csp.contains(directive), "{path}: {directive} in {csp:?}");
            }
            assert!(!csp.contains("unsafe-"), "{path}: {csp:?}");
            assert_eq!(headers.get_one("Referrer-Policy"), Some("no-referrer"));
            assert_eq!(headers.get_one("X-Content-Type-Options"), Some("nosniff"));
        }
    }
}
