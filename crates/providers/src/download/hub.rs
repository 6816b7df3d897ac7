//! Requests to the Hugging Face Hub: the file's metadata before any byte is fetched, and
//! the HTTP and transport failures turned into errors that say what to do.

use std::time::Duration;

use super::{DownloadError, HubSource, Metadata};
use crate::catalog::HfFile;

/// How long the server may stay silent before the transfer counts as stalled.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Two clients: one that stops at redirects, to read the Hub's own headers (a large file's
/// `resolve` URL redirects to a CDN that knows nothing of commits), and one that follows them.
pub(super) struct Agents {
    no_redirect: ureq2::Agent,
    pub(super) follow: ureq2::Agent,
}

impl Agents {
    pub(super) fn new() -> Agents {
        let builder = || {
            ureq2::AgentBuilder::new()
                .try_proxy_from_env(true)
                .timeout_connect(STALL_TIMEOUT)
                .timeout_read(STALL_TIMEOUT)
                .user_agent(concat!("cadence/", env!("CARGO_PKG_VERSION")))
        };
        Agents {
            no_redirect: builder().redirects(0).build(),
            // The token goes to the Hub only, never to the CDN it redirects to.
            follow: builder()
                .redirect_auth_headers(ureq2::RedirectAuthHeaders::SameHost)
                .build(),
        }
    }

    pub(super) fn request(
        agent: &ureq2::Agent,
        method: &str,
        source: &HubSource,
    ) -> ureq2::Request {
        // Compressed bodies would make Range offsets and sizes mean something else.
        let request = agent
            .request(method, &source.url)
            .set("Accept-Encoding", "identity");
        match &source.token {
            Some(token) => request.set("Authorization", &format!("Bearer {token}")),
            None => request,
        }
    }

    pub(super) fn metadata(
        &self,
        source: &HubSource,
        file: &HfFile,
    ) -> Result<Metadata, DownloadError> {
        let response = call(
            Agents::request(&self.no_redirect, "HEAD", source),
            source,
            file,
        )?;
        let header = |name: &str| {
            response
                .header(name)
                .map(|v| v.trim_matches('"').to_string())
        };
        let size = header("x-linked-size")
            .or_else(|| {
                (response.status() == 200)
                    .then(|| header("content-length"))
                    .flatten()
            })
            .and_then(|v| v.parse().ok());
        // For files in Git LFS the Hub's linked etag is the file's SHA-256.
        let sha256 = header("x-linked-etag")
            .filter(|etag| etag.len() == 64 && etag.bytes().all(|b| b.is_ascii_hexdigit()));
        Ok(Metadata {
            commit: header("x-repo-commit"),
            size,
            sha256,
        })
    }
}

/// Sends a request, turning HTTP and transport failures into errors that say what to do.
pub(super) fn call(
    request: ureq2::Request,
    source: &HubSource,
    file: &HfFile,
) -> Result<ureq2::Response, DownloadError> {
    match request.call() {
        Ok(response) => Ok(response),
        Err(ureq2::Error::Status(404, _)) => Err(DownloadError::NotFound {
            url: source.url.clone(),
            repo: file.repo.clone(),
            revision: file.revision.clone(),
            file: file.file.clone(),
        }),
        Err(ureq2::Error::Status(status @ (401 | 403), _)) => Err(DownloadError::Unauthorized {
            url: source.url.clone(),
            status,
        }),
        // 416 is handled by the caller, which knows what it asked for.
        Err(ureq2::Error::Status(416, response)) => Ok(response),
        Err(ureq2::Error::Status(status, response)) => {
            let detail = response
                .header("x-error-message")
                .map(|message| format!(" ({message})"))
                .unwrap_or_default();
            if status >= 500 {
                // Server trouble usually passes; the retry loop treats it like a dropped line.
                return Err(DownloadError::Network {
                    url: source.url.clone(),
                    reason: format!("the server answered HTTP {status}{detail}"),
                });
            }
            Err(DownloadError::Http {
                url: source.url.clone(),
                status,
                detail,
            })
        }
        Err(ureq2::Error::Transport(transport)) => Err(DownloadError::Network {
            url: source.url.clone(),
            reason: transport.to_string(),
        }),
    }
}
