//! The middleware itself: [`Cors`] as an actix-web [`Transform`], the
//! service it wraps around the application, and its response future.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::{Error, HttpResponse};
use cors_policy::{Refusal, RequestKind};
use cors_policy_http::{ActualHeaders, Evaluator, RequestHead, Respond};
use pin_project_lite::pin_project;

use crate::{Cors, CorsRefusal};

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            cors: self.cors.clone(),
            refusal_extension: self.refusal_extension,
        }))
    }
}

/// The service [`Cors`] wraps around an actix-web service.
pub struct CorsMiddleware<S> {
    service: S,
    cors: Evaluator,
    refusal_extension: bool,
}

impl<S> fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("cors", &self.cors)
            .finish_non_exhaustive()
    }
}

impl<S> CorsMiddleware<S> {
    /// The refusal in owned form, when asked for.
    fn extension(&self, kind: RequestKind, refusal: Option<Refusal<'_>>) -> Option<CorsRefusal> {
        match refusal {
            Some(r) if self.refusal_extension => Some(CorsRefusal::new(kind, &r)),
            _ => None,
        }
    }
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let head = RequestHead {
            method: req.method().as_str(),
            path: req.path(),
            headers: req.headers(),
        };
        let state = match self.cors.respond(head) {
            // Fetch, "CORS-preflight fetch": answered here, never reaching
            // the application.
            Respond::Preflight(answer) => {
                let refusal = self.extension(RequestKind::Preflight, answer.refusal());
                let status = StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::FORBIDDEN);
                let mut response = HttpResponse::new(status);
                answer.write(response.headers_mut());
                if let Some(r) = refusal {
                    response.extensions_mut().insert(r);
                }
                State::Answer {
                    response: Some(req.into_response(response.map_into_right_body())),
                }
            }
            // The request is moved into the inner service, never cloned:
            // actix-web's router needs to be the only holder of the
            // `HttpRequest` (it mutates its match info in place and panics
            // if another reference exists; regression test
            // `tests/routed.rs`).
            Respond::Forward { headers, refusal } => {
                // Boxed: the future stays small (fewer bytes moved per
                // request); it is made only for refused requests when asked
                // for, and allocates anyway.
                let refusal = self.extension(RequestKind::Actual, refusal).map(Box::new);
                State::Inner {
                    future: self.service.call(req),
                    headers: Some(headers),
                    refusal,
                }
            }
        };
        CorsFuture { state }
    }
}

pin_project! {
    /// The response future of [`CorsMiddleware`]. Not boxed.
    pub struct CorsFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Answer { response: Option<ServiceResponse<EitherBody<B, BoxBody>>> },
        Inner {
            #[pin]
            future: F,
            headers: Option<ActualHeaders<HeaderMap>>,
            refusal: Option<Box<CorsRefusal>>,
        },
    }
}

impl<F, B> fmt::Debug for CorsFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsFuture").finish_non_exhaustive()
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            // Polled again after completion (a caller bug): stay pending
            // rather than panic.
            StateProj::Answer { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
            StateProj::Inner {
                future,
                headers,
                refusal,
            } => {
                let mut response = match future.poll(cx) {
                    Poll::Ready(Ok(r)) => r.map_into_left_body(),
                    // An error stays the same error: outer middleware and
                    // the server still see it as one, of its own type
                    // (`Error::as_error` still finds it) and status. The
                    // response it becomes, each time one is made from it,
                    // gets the CORS headers like any 4xx or 5xx, so the
                    // browser lets the page read it. (A response made once
                    // here and stored in the error, as `InternalError`
                    // does, would be lost to whoever asks first: a second
                    // `error_response()` gave a bare 500.)
                    Poll::Ready(Err(mut e)) => {
                        let headers = headers.take();
                        let refusal = refusal.take();
                        e.add_response_mapper(move |mut answer| {
                            if let Some(h) = &headers {
                                h.clone().apply(answer.headers_mut());
                            }
                            if let Some(r) = &refusal {
                                answer.extensions_mut().insert(CorsRefusal::clone(r));
                            }
                            answer
                        });
                        return Poll::Ready(Err(e));
                    }
                    Poll::Pending => return Poll::Pending,
                };
                // Error statuses get the headers too, so the browser can
                // read them.
                if let Some(h) = headers.take() {
                    h.apply(response.headers_mut());
                }
                if let Some(r) = refusal.take() {
                    response.response_mut().extensions_mut().insert(*r);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
