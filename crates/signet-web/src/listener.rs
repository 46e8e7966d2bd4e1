//! The listener: HTTP/1.1 connections with time limits on what the client sends. axum's own
//! `serve` has none, so a client that opens connections and never finishes its headers, or
//! stops sending a body half-way, would hold them (and their memory) for ever.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tower::Service;

/// The most a client may take to send a request's headers (also the idle limit of a
/// kept-alive connection between requests).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest pause between two pieces of a request body. Big uploads are fine as long as
/// they keep moving; a stalled one is dropped.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests under
/// way finish. The client's address is available to handlers (`ConnectInfo`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin or die.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(service) = make_service.call(peer).await;
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Middleware: every request body fails when the client pauses longer than
/// [`BODY_IDLE_TIMEOUT`], so the handler reading it ends with a clear error.
pub async fn body_idle_timeout(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = Body::new(IdleTimeout::new(body, BODY_IDLE_TIMEOUT));
    next.run(Request::from_parts(parts, body)).await
}

/// A body that errors when no frame arrives within `limit`.
struct IdleTimeout {
    inner: Body,
    limit: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl IdleTimeout {
    fn new(inner: Body, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            sleep: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl HttpBody for IdleTimeout {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let next = tokio::time::Instant::now() + this.limit;
                this.sleep.as_mut().reset(next);
                Poll::Ready(frame)
            }
            Poll::Pending => match this.sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(format!(
                    "the request body stalled for more than {} s",
                    this.limit.as_secs()
                ))))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    /// A body that sends one piece and then nothing: reading it ends with the time-limit error
    /// instead of waiting for ever.
    #[tokio::test]
    async fn a_stalled_body_fails_after_the_idle_limit() {
        use futures_util::StreamExt;
        let first: Result<_, std::io::Error> =
            Ok(Frame::data(axum::body::Bytes::from_static(b"%PDF")));
        let frames = futures_util::stream::iter([first]).chain(futures_util::stream::pending());
        let body = Body::new(http_body_util::StreamBody::new(frames));
        let mut body = IdleTimeout::new(body, Duration::from_millis(50));
        let first = body.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), "%PDF");
        let stalled = body.frame().await.unwrap().unwrap_err();
        assert!(stalled.to_string().contains("stalled"), "{stalled}");
    }
}
