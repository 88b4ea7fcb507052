//! Every asset of the web app and of `/docs`, compiled into the binary: nothing is
//! loaded from another host, so the app works on a hospital intranet without internet.
//! Vendored files, their versions and licences: `assets/vendor/VENDORED.md`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/app.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/vendor/htmx.min.js"),
    },
    Asset {
        name: "swagger-ui-bundle.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/vendor/swagger-ui-bundle.js"),
    },
    Asset {
        name: "swagger-ui.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/vendor/swagger-ui.css"),
    },
    Asset {
        name: "desk.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/desk.js"),
    },
    Asset {
        name: "desk.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/desk.css"),
    },
    Asset {
        name: "solve.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/solve.js"),
    },
    Asset {
        name: "instances.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/instances.js"),
    },
    Asset {
        name: "instances.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/instances.css"),
    },
    Asset {
        name: "board.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/board.js"),
    },
    Asset {
        name: "board.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/board.css"),
    },
    Asset {
        name: "whatif.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/whatif.js"),
    },
    Asset {
        name: "whatif.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("assets/whatif.css"),
    },
    Asset {
        name: "docs.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("assets/docs.js"),
    },
];

/// The version part of asset URLs: a new build gets new URLs, so assets can be cached
/// for a year.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /app/assets/{version}/{name}`.
pub async fn serve(Path((_version, name)): Path<(String, String)>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(asset.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            asset.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

/// The URL of an asset.
pub fn url(name: &str) -> String {
    format!("/app/assets/{VERSION}/{name}")
}
