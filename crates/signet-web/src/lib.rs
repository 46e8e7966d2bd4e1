//! Signet's HTTP edge: the server-rendered UI (Vietnamese first, English on request) and the
//! JSON API under `/api/v1`. Handlers translate HTTP to use-case calls and back; errors are
//! mapped to responses in one place ([`error`]).
#![recursion_limit = "512"]

mod api;
pub mod ca_endpoints;
mod client;
mod csc;
mod error;
pub mod exchange;
mod format;
mod headers;
mod i18n;
mod input;
mod listener;
mod openapi;
mod pages;
mod ranges;
/// The vendored pdf.js release the viewer serves (`/static/pdfjs-{version}/…`).
pub use pages::viewer::PDFJS_VERSION;
mod session;
mod upload;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use signet_app::App;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use client::{IpNet, TrustedProxies};
pub use error::WebError;

/// Settings of the HTTP edge.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers name the client.
    pub trusted_proxies: TrustedProxies,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub config: WebConfig,
    /// The OpenAPI document of `/api/v1`, generated with the routes ([`openapi`]), as served.
    pub openapi: axum::body::Bytes,
}

/// Room for the form fields around a file at the size limit.
const FORM_OVERHEAD: u64 = 1 << 20;

/// Public verification, with its own body limit (above the default, below uploads').
fn verify_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(signet_app::verification::MAX_BYTES + 64 * 1024)
}

/// Every route of `/api/v1`, each with its OpenAPI description.
fn api_routes(upload_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi::serve))
        .merge(api::routes())
        .merge(api::upload_routes().layer(DefaultBodyLimit::max(upload_limit)))
        .merge(api::uploads::routes())
        .merge(
            OpenApiRouter::new()
                .routes(routes!(pages::verify::api))
                .layer(verify_limit()),
        )
}

/// The whole HTTP application.
pub fn router(app: App, config: WebConfig) -> Router {
    let upload_limit =
        usize::try_from(app.blobs.max_size().saturating_add(FORM_OVERHEAD)).unwrap_or(usize::MAX);
    let (api, generated) = api_routes(upload_limit).split_for_parts();
    // The built-in CA's endpoints answer beside the application when it runs one.
    let ca = app.ca.clone();
    let proxies = std::sync::Arc::new(config.trusted_proxies.clone());
    let state = AppState {
        app,
        config,
        openapi: openapi::text(generated).into(),
    };
    let uploads = Router::new()
        .route("/outgoing", post(pages::documents::create_draft))
        .route("/incoming", post(pages::documents::register_incoming))
        .route(
            "/documents/{id}/note-files",
            post(pages::incoming::note_with_files),
        )
        .route("/meetings", post(pages::meetings::create))
        .route("/documents/{id}/reply", post(pages::incoming::draft_reply))
        .route("/documents/{id}/route", post(pages::drafting::submit))
        .route("/documents/{id}/review", post(pages::drafting::review))
        .route(
            "/documents/{id}/initial-server",
            post(pages::drafting::initial_with_server_key),
        )
        .route(
            "/documents/{id}/return-draft",
            post(pages::drafting::return_draft),
        )
        .route(
            "/documents/{id}/edit",
            get(pages::documents::edit_draft).post(pages::documents::revise_draft),
        )
        .route("/documents/{id}/copies", post(pages::copies::create))
        .route(
            "/documents/{id}/materials",
            post(pages::meetings::add_materials),
        )
        .layer(DefaultBodyLimit::max(upload_limit));
    let signature_image = Router::new()
        .route(
            "/people/{id}/signature-image",
            get(pages::profile::image).post(pages::profile::upload),
        )
        .layer(DefaultBodyLimit::max(pages::profile::FORM_LIMIT));
    let verify = Router::new()
        .route(
            "/verify",
            get(pages::verify::form).post(pages::verify::submit),
        )
        .layer(verify_limit());
    let router = Router::new()
        .route("/healthz", get(pages::healthz))
        .route("/static/style.css", get(pages::style))
        .route("/static/signing.js", get(pages::signing::script))
        .route("/static/agent.js", get(pages::agent_js))
        .route("/static/upload.js", get(pages::upload_js))
        .route("/static/viewer.js", get(pages::viewer::script))
        .route("/static/pdfjs-{version}/{file}", get(pages::viewer::pdfjs))
        .route(
            "/documents/{id}/files/{file_id}/view",
            get(pages::viewer::page),
        )
        .route("/", get(pages::home))
        .route("/my-work", get(pages::my_work::show))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang/{lang}", get(pages::set_language))
        .route("/outgoing", get(pages::documents::outgoing))
        .route("/outgoing/new", get(pages::documents::new_draft))
        .route("/incoming", get(pages::documents::incoming))
        .route("/incoming/new", get(pages::documents::new_incoming))
        .route("/documents/{id}", get(pages::documents::detail))
        .route("/signature-boxes/{id}", post(pages::signing::mark_box))
        .route(
            "/signing-batch",
            get(pages::batch::show).post(pages::batch::sign),
        )
        .route("/issue-batch", post(pages::batch::issue))
        .route("/documents/{id}/sign-server", post(pages::batch::sign_one))
        .route("/documents/{id}/{step}", post(pages::documents::step))
        .route(
            "/documents/{id}/files/{file_id}",
            get(pages::documents::download),
        )
        .route(
            "/documents/{id}/files/{file_id}/verify",
            get(pages::verify::document_file),
        )
        .route("/documents/{id}/assign", post(pages::incoming::assign))
        .route("/documents/{id}/reassign", post(pages::incoming::reassign))
        .route("/documents/{id}/notes", post(pages::incoming::note))
        .route("/documents/{id}/complete", post(pages::incoming::complete))
        .route(
            "/documents/{id}/extension",
            post(pages::incoming::extension),
        )
        .route(
            "/documents/{id}/extension/decision",
            post(pages::incoming::decide),
        )
        .route("/queue", get(pages::incoming::queue))
        .route(
            "/documents/{id}/notes/files/{file_id}",
            get(pages::incoming::note_file),
        )
        .route("/documents/{id}/opinions", post(pages::opinions::ask))
        .route(
            "/documents/{id}/opinions/{request}",
            post(pages::opinions::answer),
        )
        .route(
            "/documents/{id}/processing-slip.pdf",
            get(pages::incoming::slip),
        )
        .route("/meetings/new", get(pages::meetings::new_form))
        .route(
            "/documents/{id}/attendance",
            post(pages::meetings::attendance),
        )
        .route(
            "/documents/{id}/materials/{file_id}",
            get(pages::meetings::material),
        )
        .route("/calendar", get(pages::meetings::calendar))
        .route("/exchange", get(pages::exchange::show))
        .route(
            "/exchange/arrived/{id}/register",
            post(pages::exchange::register),
        )
        .route(
            "/exchange/arrived/{id}/return",
            post(pages::exchange::give_back),
        )
        .route(
            "/exchange/consignments/{id}/retry",
            post(pages::exchange::retry),
        )
        .route(
            "/exchange/documents/{id}/recipients",
            post(pages::exchange::set_recipients),
        )
        .route(
            "/exchange/documents/{id}/recall",
            post(pages::exchange::recall),
        )
        .route(
            "/exchange/documents/{id}/supersedes",
            post(pages::exchange::supersedes),
        )
        .route(
            "/documents/{id}/receipts/{consignment}",
            get(pages::exchange::receipt),
        )
        .route("/search", get(pages::search::show))
        .route("/reminders", get(pages::reminders::show))
        .route("/reminders/read", post(pages::reminders::read))
        .route(
            "/dossiers",
            get(pages::dossiers::list).post(pages::dossiers::create),
        )
        .route(
            "/dossiers/archive-year",
            post(pages::dossiers::archive_year),
        )
        .route("/dossiers/{id}", get(pages::dossiers::detail))
        .route("/dossiers/{id}/close", post(pages::dossiers::close))
        .route("/dossiers/{id}/archive", post(pages::dossiers::archive))
        .route(
            "/documents/{id}/dossier",
            post(pages::dossiers::file_document),
        )
        .route("/statistics", get(pages::statistics::show))
        .route("/statistics/export.csv", get(pages::statistics::export))
        .route(
            "/statistics/export.xlsx",
            get(pages::statistics::export_xlsx),
        )
        .route("/registers", get(pages::registers::show))
        .route("/copies", get(pages::copies::register))
        .route("/copies/{id}", get(pages::copies::show))
        .route("/copies/{id}/file", get(pages::copies::file))
        .route("/copies/{id}/retry", post(pages::copies::retry))
        .route("/registers/export.csv", get(pages::registers::export))
        .route("/admin", get(pages::admin::show))
        .route("/admin/units", post(pages::admin::create_unit))
        .route(
            "/admin/units/{id}/route",
            post(pages::admin_people::save_unit_route),
        )
        .route(
            "/admin/units/{id}",
            get(pages::admin_people::unit).post(pages::admin_people::save_unit),
        )
        .route("/admin/people", post(pages::admin::create_person))
        .route("/profile", get(pages::profile::own))
        .route(
            "/people/{id}/signature-image/delete",
            post(pages::profile::remove),
        )
        .route(
            "/admin/people/{id}",
            get(pages::admin_people::person).post(pages::admin_people::save_person),
        )
        .route(
            "/admin/people/{id}/password",
            post(pages::admin_people::reset_password),
        )
        .route(
            "/admin/people/{id}/sessions",
            post(pages::admin_people::end_sessions),
        )
        .route(
            "/password",
            get(pages::password::show).post(pages::password::change),
        )
        .route(
            "/admin/people/{id}/{action}",
            post(pages::admin::set_active),
        )
        .route("/admin/agencies", post(pages::admin::create_agency))
        .route("/admin/holidays", post(pages::admin::set_holiday))
        .route("/admin/trust-lists", post(pages::admin::set_trust_list))
        .route("/admin/server-keys", post(pages::admin::set_server_keys))
        .route(
            "/admin/certificates",
            get(pages::certificates::show).post(pages::certificates::issue),
        )
        .route(
            "/admin/certificates/{serial}/pem",
            get(pages::certificates::download),
        )
        .route(
            "/admin/certificates/{serial}/revoke",
            post(pages::certificates::revoke),
        )
        .route("/admin/integrations", get(pages::integrations::show))
        .route("/admin/archive", get(pages::admin::archive))
        .route("/admin/webhooks", post(pages::integrations::subscribe))
        .route(
            "/admin/webhooks/{id}/remove",
            post(pages::integrations::remove),
        )
        .route(
            "/admin/webhooks/deliveries/{id}/replay",
            post(pages::integrations::replay),
        )
        .route(
            "/admin/seal-settings",
            post(pages::integrations::set_auto_seal),
        )
        .route("/seal-requests", get(pages::integrations::seal_requests))
        .route(
            "/seal-requests/{id}/approve",
            post(pages::integrations::approve),
        )
        .route(
            "/seal-requests/{id}/reject",
            post(pages::integrations::reject),
        )
        .route(
            "/seal-requests/{id}/{which}",
            get(pages::integrations::file),
        )
        .route("/admin/remote-credentials", get(csc::phone::locked))
        .route(
            "/admin/remote-credentials/{id}/unlock",
            post(csc::phone::unlock),
        )
        .merge(csc::routes())
        .merge(csc::phone::routes())
        .merge(verify)
        .merge(api)
        .merge(uploads)
        .merge(signature_image)
        .merge(exchange::node_routes(upload_limit))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(input::refuse_nul))
        .layer(axum::middleware::from_fn(listener::body_idle_timeout))
        .with_state(state);
    let router = match ca {
        Some(ca) => router.merge(ca_endpoints::routes(ca)),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn(headers::secure_headers))
        .layer(axum::middleware::from_fn_with_state(
            proxies,
            client::resolve,
        ))
}

/// Serves the application on `listener` until `shutdown` completes, then drains requests.
/// The built-in CA's OCSP, CRL and TSA endpoints are part of it when the application runs one.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_router(listener, router(app, config), shutdown).await
}

/// Serves `router` (with the client's address for rate limits, and time limits on slow
/// clients: [`listener`]) until `shutdown` completes.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener::serve(listener, router, shutdown).await
}
